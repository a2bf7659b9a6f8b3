"""`analysis.workers`: calls spread over worker processes give what the calls give one by one.

One campaign's per-metric suppressions go through `run_all`; if a result came back out of order,
or an exception were lost or changed on its way back from a worker, a metric would be shown with
another metric's decisions -- so each of those is checked here with real worker processes.
"""

from __future__ import annotations

import os

import pytest

from analysis import privacy, workers


def square_and_pid(x: int) -> tuple[int, int]:
    return x * x, os.getpid()


def refuse(sets: list[list[str]]) -> None:
    raise privacy.DisclosureError([frozenset(s) for s in sets])


def test_results_come_back_in_order_from_other_processes():
    out = workers.run_all(square_and_pid, [{"x": x} for x in range(12)])
    assert [value for value, _ in out] == [x * x for x in range(12)]
    pids = {pid for _, pid in out}
    if workers.cores() > 1:
        assert os.getpid() not in pids  # really run elsewhere
    else:
        assert pids == {os.getpid()}


def test_sequential_when_not_parallel_or_a_single_call():
    assert workers.run_all(square_and_pid, [{"x": 3}, {"x": 4}], parallel=False) == [(9, os.getpid()),
                                                                                      (16, os.getpid())]
    assert workers.run_all(square_and_pid, [{"x": 5}]) == [(25, os.getpid())]
    assert workers.run_all(square_and_pid, []) == []


def test_an_exception_in_a_worker_is_raised_here_as_itself():
    with pytest.raises(privacy.DisclosureError) as caught:
        workers.run_all(refuse, [{"sets": [["a", "b"]]}, {"sets": [["c"]]}])
    assert caught.value.sets == [frozenset({"a", "b"})]  # the first failing call, its own sets


def test_workers_that_cannot_start_leave_the_calls_here(monkeypatch):
    def no_processes(fn, calls):
        raise OSError("process creation is not allowed here")

    monkeypatch.setattr(workers, "_parallel", no_processes)
    assert workers.run_all(square_and_pid, [{"x": 2}, {"x": 3}]) == [(4, os.getpid()), (9, os.getpid())]


def test_suppression_decisions_are_the_same_in_workers():
    groups = {"all": set("abcdefghijkl"), "team=x": set("abcdef"), "team=y": set("ghij"), "region=n": set("abcdefg")}
    calls = [{"groups": groups, "k": k} for k in (3, 4, 5)]
    expected = [privacy.suppress_groups(**c) for c in calls]
    assert expected[0] != expected[-1]  # a call's decisions can't pass for another's
    assert workers.run_all(privacy.suppress_groups, calls) == expected


def test_a_large_campaign_starts_the_workers_before_its_answers_are_read(monkeypatch):
    from analysis import engagement

    started = []
    monkeypatch.setattr(workers, "warm", lambda: started.append(True))
    engagement.warm_workers(100)
    assert not started  # a small campaign never pays for worker processes
    engagement.warm_workers(engagement.PARALLEL_MIN_MEMBERSHIPS)
    assert started
