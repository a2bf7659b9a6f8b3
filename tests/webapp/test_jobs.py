"""Background jobs: state and progress in the database, failures say why and can be retried,
RQ on a real Redis server when configured, a thread of the web process when not."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.support.servers import start_or_skip
from tests.support.web import login
from webapp.infra import jobs
from webapp.store import jobs as store


@pytest.fixture(scope="session")
def redis_server():
    from tests.webapp.dbservers import RedisServer

    server = start_or_skip(RedisServer.start, "Redis")
    yield server
    server.destroy()


@pytest.fixture
def runner(app):
    from webapp.cli import cli

    for name, command in cli.commands.items():
        app.cli.add_command(command, name)
    return app.test_cli_runner()


@pytest.fixture
def flaky_task(monkeypatch):
    """A task that reports progress, fails on its first attempt and succeeds on the second."""
    calls = []

    def task(job, report):
        calls.append(job.id)
        report(0.5, "halfway")
        if len(calls) == 1:
            raise ValueError("the theme engine ran out of texts")
        return "all good"

    monkeypatch.setitem(jobs.TASKS, "flaky", task)
    return calls


def _wait_for(job_id, states=("finished", "failed"), timeout=60):
    from webapp.extensions import db

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        job = store.get_job(job_id)
        if job.state in states:
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} stuck in {store.get_job(job_id).state}")


def test_failed_job_records_why_and_retry_runs_it_again(app, flaky_task):
    app.config["JOBS_INLINE"] = "sync"
    job = jobs.start("flaky")
    job = store.get_job(job.id)
    assert job.state == "failed" and job.error == "ValueError: the theme engine ran out of texts"
    assert job.progress == 0.5 and job.attempts == 1
    jobs.retry(job.id)
    job = _wait_for(job.id)
    assert (job.state, job.progress, job.message, job.attempts) == ("finished", 1.0, "all good", 2)


def test_only_failed_jobs_can_be_retried(app, flaky_task):
    from webapp.store.errors import Locked

    app.config["JOBS_INLINE"] = "sync"
    job = jobs.start("flaky")
    jobs.retry(job.id)
    with pytest.raises(Locked):
        jobs.retry(job.id)


def test_a_job_runs_once_even_if_delivered_twice(app, flaky_task):
    app.config["JOBS_INLINE"] = "sync"
    flaky_task.append("pretend the first attempt already failed")
    job = jobs.start("flaky")
    jobs.execute(job.id)  # a second delivery of a finished job does nothing
    assert store.get_job(job.id).attempts == 1 and len(flaky_task) == 2


def test_analysis_job_with_too_few_texts_finishes_with_a_message(app):
    app.config["JOBS_INLINE"] = "sync"
    job = _wait_for(jobs.start("analyze").id)
    assert job.state == "finished" and "Nothing analysed" in job.message


def test_admin_starts_analysis_in_background_and_sees_it(app, client, make_person, monkeypatch):
    answered = threading.Event()
    finished_after_answer = []

    def slow(job, report):
        report(0.3, "embedding 3/10")
        # run inside the request, this would wait the whole 10 s for an answer not yet given
        finished_after_answer.append(answered.wait(10))
        return "done slowly"

    monkeypatch.setitem(jobs.TASKS, "analyze", slow)
    app.config["JOBS_INLINE"] = "thread"  # the embedded default (tests otherwise run jobs inline)
    make_person(role="admin", email="boss@example.test")
    login(client, "boss@example.test")
    try:
        response = client.post("/admin/jobs/analyze", data={})
        assert response.status_code == 303
    finally:
        answered.set()
    job = store.recent_jobs()[0]
    assert job.kind == "analyze" and job.requested_by_id is not None
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert 'http-equiv="refresh"' in page or "finished" in page
    _wait_for(job.id)
    assert finished_after_answer == [True]  # the job ran after the request had answered: not in it
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "done slowly" in page and "100%" in page and 'http-equiv="refresh"' not in page


def test_a_burst_of_analysis_clicks_starts_one_job(app, client, make_person, monkeypatch):
    """Ten clicks while an analysis runs: one job (one thread, one connection), nine clear answers."""
    release = threading.Event()

    def blocked(job, report):
        release.wait(5)
        return "done"

    monkeypatch.setitem(jobs.TASKS, "analyze", blocked)
    app.config["JOBS_INLINE"] = "thread"
    make_person(role="admin", email="boss@example.test")
    login(client, "boss@example.test")
    try:
        answers = [client.post("/admin/jobs/analyze", data={}, follow_redirects=True) for _ in range(10)]
        assert all(r.status_code == 200 for r in answers)
        assert [j.kind for j in store.recent_jobs()].count("analyze") == 1
        assert "already" in answers[-1].get_data(as_text=True)
    finally:
        release.set()
    _wait_for(store.recent_jobs()[0].id)


def test_admin_sees_the_reason_and_retries_a_failed_job(app, client, make_person, flaky_task):
    app.config["JOBS_INLINE"] = "sync"
    job = jobs.start("flaky")
    make_person(role="admin", email="boss@example.test")
    login(client, "boss@example.test")
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "ran out of texts" in page and f'name="job_id" value="{job.id}"' in page
    assert client.post("/admin/jobs/retry", data={"job_id": str(job.id)}).status_code == 303
    assert _wait_for(job.id).state == "finished"


def test_only_admins_see_or_start_jobs(app, client, make_person):
    make_person(role="hr", email="hr@example.test")
    login(client, "hr@example.test")
    assert client.get("/admin/jobs").status_code == 403
    assert client.post("/admin/jobs/analyze", data={}).status_code == 403
    assert store.recent_jobs() == []


def test_with_redis_the_job_waits_in_the_queue_for_a_worker(app, redis_server, flaky_task):
    from rq import SimpleWorker

    app.config["REDIS_URL"] = redis_server.url
    queue = jobs.queue(redis_server.url)
    queue.empty()
    job = jobs.start("flaky")
    assert store.get_job(job.id).state == "queued" and queue.count == 1
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    job = store.get_job(job.id)
    assert job.state == "failed" and "ran out of texts" in job.error
    jobs.retry(job.id)
    assert store.get_job(job.id).state == "queued" and queue.count == 1
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    assert store.get_job(job.id).state == "finished"
    queue.connection.close()


def test_groundswell_worker_runs_queued_analysis(app, redis_server):
    app.config["REDIS_URL"] = redis_server.url
    queue = jobs.queue(redis_server.url)
    queue.empty()
    job = jobs.start("analyze")
    env = {**os.environ, "GROUNDSWELL_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "GROUNDSWELL_REDIS_URL": redis_server.url, "GROUNDSWELL_SECRET_KEY": "worker-test"}
    out = subprocess.run([str(Path(sys.executable).parent / "groundswell"), "worker", "--burst"],
                         env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    job = _wait_for(job.id, timeout=5)
    assert job.state == "finished" and "Nothing analysed" in job.message
    queue.connection.close()


def test_worker_without_redis_explains_itself(runner):
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code != 0 and "GROUNDSWELL_REDIS_URL" in result.output


# --------------------------------------------------------------------------- dead workers

SLEEPY_WORKER = """
import sys, time
from webapp import create_app
from webapp.infra import jobs

def sleepy(job, report):
    report(0.1, "sleeping")
    time.sleep(300)
    return "woke up"

jobs.TASKS["sleepy"] = sleepy
jobs.HEARTBEAT_EVERY = 0.2
with create_app().app_context():
    jobs.execute(int(sys.argv[1]))
"""


def test_a_job_whose_worker_was_killed_shows_stopped_and_can_be_retried(app, client, make_person, monkeypatch,
                                                                        tmp_path):
    """SIGKILL the process running a job: its row stays "running" with no heartbeat; the page shows
    it stopped (without writing on GET), and the retry records it failed and runs it again."""
    import signal

    from webapp.extensions import db

    app.config.update(JOB_STALE_AFTER=1.5, JOBS_INLINE="sync")
    monkeypatch.setitem(jobs.TASKS, "sleepy", lambda job, report: "done on the second attempt")
    job = store.create_job("sleepy")
    env = {**os.environ, "GROUNDSWELL_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "GROUNDSWELL_SECRET_KEY": "worker-test"}
    log = open(tmp_path / "sleepy-worker.log", "w+")  # noqa: SIM115
    worker = subprocess.Popen([sys.executable, "-c", SLEEPY_WORKER, str(job.id)], env=env,
                              stdout=log, stderr=subprocess.STDOUT, text=True)
    try:
        _wait_for(job.id, states=("running",), timeout=60)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # the heartbeat thread is beating
            db.session.expire_all()
            beat = store.get_job(job.id).heartbeat_at
            if beat is not None and beat > store.get_job(job.id).started_at:
                break
            time.sleep(0.05)
        else:
            log.seek(0)
            raise AssertionError(f"no heartbeat from the running job:\n{log.read()[-2000:]}")
        assert store.sweep_stale(1.5) == 0  # alive: not swept
        worker.send_signal(signal.SIGKILL)
    finally:
        worker.kill()
        worker.wait(timeout=30)
        log.close()
    time.sleep(2.0)  # no more heartbeats: the job is stale

    make_person(role="admin", email="boss@example.test")
    login(client, "boss@example.test")
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "stopped" in page and "no sign of life" in page and f'name="job_id" value="{job.id}"' in page
    assert 'http-equiv="refresh"' not in page  # nothing left to wait for
    db.session.expire_all()
    assert store.get_job(job.id).state == "running"  # the GET wrote nothing

    assert client.post("/admin/jobs/retry", data={"job_id": str(job.id)}).status_code == 303
    db.session.expire_all()
    job = store.get_job(job.id)
    assert (job.state, job.message, job.attempts) == ("finished", "done on the second attempt", 2)


def test_a_slow_live_job_keeps_beating_and_is_not_swept(app, monkeypatch):
    """A task silent for longer than the stale limit is kept alive by the heartbeat thread."""
    app.config["JOBS_INLINE"] = "thread"
    monkeypatch.setattr(jobs, "HEARTBEAT_EVERY", 0.05)
    monkeypatch.setitem(jobs.TASKS, "silent", lambda job, report: time.sleep(1.0) or "slow but fine")
    job = jobs.start("silent")
    _wait_for(job.id, states=("running",))
    swept = 0
    deadline = time.monotonic() + 0.8
    while time.monotonic() < deadline:
        swept += store.sweep_stale(0.3)
        time.sleep(0.05)
    assert swept == 0
    assert _wait_for(job.id).state == "finished"


def test_a_late_result_of_a_swept_attempt_never_overwrites_the_retry(app):
    job = store.create_job("analyze")
    first = store.claim(job.id)
    time.sleep(0.05)
    assert store.sweep_stale(0.01) == 1  # attempt 1 given up for dead
    store.requeue(job.id)
    second = store.claim(job.id)
    assert (first, second) == (1, 2)
    assert store.finish(job.id, first, "late result of attempt 1") is False
    assert store.fail(job.id, first, "late failure of attempt 1") is False
    store.report_progress(job.id, first, 0.9, "late progress")
    from webapp.extensions import db

    db.session.expire_all()
    row = store.get_job(job.id)
    assert (row.state, row.attempts, row.progress) == ("running", 2, 0.0)
    assert store.finish(job.id, second, "attempt 2 done") is True
    db.session.expire_all()
    assert store.get_job(job.id).state == "finished"


def test_a_slow_attempt_swept_by_mistake_records_its_result_when_it_ends(app):
    job = store.create_job("analyze")
    attempt = store.claim(job.id)
    time.sleep(0.05)
    assert store.sweep_stale(0.01) == 1
    assert store.finish(job.id, attempt, "finished after all") is True
    from webapp.extensions import db

    db.session.expire_all()
    row = store.get_job(job.id)
    assert (row.state, row.error, row.message) == ("finished", None, "finished after all")


@pytest.mark.parametrize("value, problem", [("5", "at least 30 seconds"), ("soon", "a number of seconds")])
def test_a_bad_stale_limit_is_refused_in_one_line(tmp_path, value, problem):
    from click.testing import CliRunner

    from webapp.cli import cli

    env = {"GROUNDSWELL_JOB_STALE_AFTER": value, "GROUNDSWELL_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
           "GROUNDSWELL_SECRET_KEY": "cli-test"}
    result = CliRunner().invoke(cli, ["db", "current"], env=env)
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: GROUNDSWELL_JOB_STALE_AFTER must be {problem}, got {value!r}"
    assert not (tmp_path / "x.db").exists()
