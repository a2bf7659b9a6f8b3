"""Independent CPU-bound calls on the machine's other cores (one campaign's per-metric suppressions).

Why processes, and why joblib's loky workers
--------------------------------------------
The suppression of one metric is pure Python and exact integer arithmetic (the GIL holds), so
threads would take turns; processes run side by side. The workers are joblib's (``backend="loky"``,
already installed with scikit-learn): fresh interpreters, never forks of the caller -- a fork
would copy a web server's threads and a solver's native state into the child, which is how forked
children deadlock -- and, unlike :mod:`multiprocessing`'s spawn and forkserver modes, they don't
re-run the caller's main script. joblib keeps them between calls and stops them after five idle
minutes, so a run storing many campaigns starts them (about half a second: the imports) once, and
a web server holds no idle processes; :func:`warm` starts them in the background so they are up by
the time the work comes.

Results are the same in every mode: each call is a pure function of its arguments, and results
come in the caller's order. A call that fails in a worker is run again in the caller, so its
exception surfaces exactly as it would have without workers; workers that can't start (a sandbox
without process creation) leave everything running in the caller.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any

log = logging.getLogger(__name__)

_LOCK = threading.Lock()
_BROKEN = False  # workers could not start here once: don't try again in this process
_WARMING: threading.Thread | None = None


def cores() -> int:
    """CPUs this process may run on (its affinity mask where the platform has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def available() -> bool:
    """Whether calls can run side by side here: more than one core, and workers not known to fail."""
    return cores() > 1 and not _BROKEN


def _parallel(fn: Callable[..., Any], calls: Sequence[dict[str, Any]]) -> list[Any]:
    from joblib import Parallel, delayed

    return Parallel(n_jobs=cores(), backend="loky", batch_size=1)(delayed(fn)(**kw) for kw in calls)


def _start() -> None:
    """Start the workers (one trivial call each) so the first real call finds them running."""
    global _BROKEN
    try:
        _parallel(_pid, [{}] * cores())
    except Exception as exc:  # noqa: BLE001 -- whatever stops the workers, the calls still run in the caller
        log.warning("no worker processes (%s): calls run in one process", exc)
        _BROKEN = True


def _pid() -> int:
    """A call that only needs a worker to be up."""
    return os.getpid()


def warm() -> None:
    """Start the workers in the background (no wait), where they can run and aren't starting yet."""
    global _WARMING
    with _LOCK:
        if not available() or (_WARMING is not None and _WARMING.is_alive()):
            return
        _WARMING = threading.Thread(target=_start, name="analysis-workers-warm", daemon=True)
        _WARMING.start()


def run_all(fn: Callable[..., Any], calls: Sequence[dict[str, Any]], *, parallel: bool = True) -> list[Any]:
    """``[fn(**kw) for kw in calls]``, spread over worker processes when ``parallel`` and there are several.

    ``fn`` must be importable by its module and name (a module-level function), its arguments and
    result picklable. Results come in the order of ``calls``. If any call raises in a worker, or the
    workers can't run, the calls are run here instead (so an exception is raised here, as the
    sequential path would raise it).
    """
    if not (parallel and len(calls) > 1 and available()):
        return [fn(**kw) for kw in calls]
    warming = _WARMING
    if warming is not None:
        warming.join()  # the same workers: let them finish starting rather than start a second set
    try:
        return _parallel(fn, calls)
    except Exception as exc:  # noqa: BLE001 -- rerun here: the caller sees the call's own exception
        log.info("worker run failed (%s: %s): running the calls here", type(exc).__name__, exc)
        return [fn(**kw) for kw in calls]
