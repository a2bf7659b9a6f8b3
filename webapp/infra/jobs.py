"""Run background jobs: on RQ (Redis) when GROUNDSWELL_REDIS_URL is set, else in this process.

A job is a row in the `job` table (webapp.models.Job) plus a task function registered in `TASKS`.
`start` writes the row and dispatches it; the worker calls `execute(job_id)`, which claims the row
(so a job runs once even if delivered twice), runs the task with a progress callback, and records
finished or failed with the reason. Without Redis the job runs in a background thread of the web
process (never inside the request: the page returns at once and shows the job's state), or
synchronously when JOBS_INLINE is "sync" (CLI and tests).
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable

from flask import current_app, has_app_context

from webapp.store import jobs as store

QUEUE_NAME = "groundswell"
JOB_TIMEOUT = 3600  # seconds RQ lets one job run
PROGRESS_EVERY = 0.5  # seconds between progress writes
HEARTBEAT_EVERY = 15.0  # seconds between "still alive" writes while a job runs

Reporter = Callable[[float, str], None]


class JobRefused(Exception):
    """A task that cannot run as asked; its message is the job's failure reason, shown as is."""


def _analyze(job, report: Reporter) -> str:
    """Theme analysis over stored observations and comments (the use case `groundswell analyze` runs)."""
    from webapp.analysis_runs import AnalysisUnavailable, run_analysis

    stages: list[str] = []

    class Progress:
        last = 0.0

        def __call__(self, stage: str, done: int, total: int) -> None:
            if stage not in stages:
                stages.append(stage)
            now = time.monotonic()
            if now - self.last >= PROGRESS_EVERY or done >= total:
                self.last = now
                fraction = done / total if total else 1.0
                # stages run one after another; the bar never goes back and stops short of 1
                report(min(0.95, (len(stages) - 1 + fraction) / (len(stages) + 1)), f"{stage} {done}/{total}")

        def close(self) -> None:
            pass

    try:
        outcome = run_analysis(job.parameters.get("n_themes", "auto"), embedder_choice=current_app.config["EMBEDDER"],
                               min_group_size=current_app.config["MIN_GROUP_SIZE"], progress=Progress())
    except AnalysisUnavailable as exc:
        raise JobRefused(str(exc)) from None
    from webapp.store.analysis import latest_run, run_counts

    counts = run_counts("observations")
    if not counts["runs"]:
        return "Nothing analysed: too few observations."
    parameters = outcome.parameters or latest_run("observations").parameters
    how = parameters.get("embedder", "")
    if "texts_reused" in parameters:
        how += f"; {parameters['texts_embedded']} texts embedded, {parameters['texts_reused']} reused"
    return f"{counts['themes']} themes over {counts['assignments']} observations ({how})."


def _engagement_results(job, report: Reporter) -> str:
    """Store the suppressed dashboard results of a campaign that just closed."""
    from webapp.engagement.results import store_engagement_results

    report(0.1, "computing engagement results")
    stored = store_engagement_results(int(job.parameters["campaign_id"]), current_app.config["MIN_GROUP_SIZE"])
    return "Engagement results stored." if stored else "No engagement results for this campaign."


TASKS: dict[str, Callable] = {"analyze": _analyze, "engagement_results": _engagement_results}


def _send_mail(job, report: Reporter) -> str:
    """Deliver one stored message (webapp.notifications.delivery), retrying SMTP, or capture it."""
    from webapp.notifications.delivery import deliver

    return deliver(job, report)


def _campaign_opened(job, report: Reporter) -> str:
    """Tell the audience of a campaign an admin just opened (webapp.notifications.campaign_opened)."""
    from webapp.notifications import campaign_opened

    return f"{campaign_opened(int(job.parameters['campaign_id']))} people told."


def _password_reset(job, report: Reporter) -> str:
    """Write a reset link for an address if it has an account; says nothing about which it was."""
    from webapp.notifications import password_reset

    password_reset(str(job.parameters["email"]))
    return "Done."


TASKS.update({"send_mail": _send_mail, "campaign_opened": _campaign_opened, "password_reset": _password_reset})


def start(kind: str, parameters: dict | None = None, requested_by_id: int | None = None):
    """Record a job and hand it to the queue (or the in-process runner); return the row."""
    if kind not in TASKS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = store.create_job(kind, parameters, requested_by_id)
    dispatch(job.id)
    return job


def start_once(kind: str, parameters: dict | None = None, requested_by_id: int | None = None):
    """Start a job unless one of its kind is already queued or running; return (job, started).

    A second analysis while one runs would redo the same work, and a burst of clicks would open a
    thread and a database connection per click (found by the fuzz run: the pool ran dry).
    """
    pending = store.unfinished_job(kind)
    if pending is not None:
        return pending, False
    return start(kind, parameters, requested_by_id), True


def retry(job_id: int):
    """Queue a failed job again (refused for other states)."""
    job = store.requeue(job_id)
    dispatch(job.id)
    return job


def dispatch(job_id: int) -> None:
    app = current_app._get_current_object()
    redis_url = app.config.get("REDIS_URL")
    if redis_url:
        queue(redis_url).enqueue(execute, job_id, job_timeout=JOB_TIMEOUT, result_ttl=3600,
                                 failure_ttl=86400)
    elif app.config.get("JOBS_INLINE") == "sync":
        execute(job_id)
    else:
        threading.Thread(target=_execute_in_app, args=(app, job_id), daemon=True,
                         name=f"job-{job_id}").start()


def queue(redis_url: str):
    from redis import Redis
    from rq import Queue

    return Queue(QUEUE_NAME, connection=Redis.from_url(redis_url))


def _execute_in_app(app, job_id: int) -> None:
    from webapp.extensions import db

    with app.app_context():
        try:
            execute(job_id)
        finally:
            db.session.remove()


def execute(job_id: int) -> None:
    """Run one job by id (the RQ task); builds the app when called outside one (worker)."""
    if not has_app_context():
        from webapp import create_app

        with create_app().app_context():
            return execute(job_id)
    attempt = store.claim(job_id)
    if attempt is None:
        return  # already running or done: a duplicate delivery
    job = store.get_job(job_id)
    beating = _Heartbeat(current_app._get_current_object(), job_id, attempt)
    try:
        message = TASKS[job.kind](job, lambda p, m: store.report_progress(job_id, attempt, p, m))
    except Exception as exc:  # the job fails with its reason; the worker goes on
        beating.stop()
        current_app.logger.error("job %s failed:\n%s", job_id, traceback.format_exc())
        store.fail(job_id, attempt, _reason(exc))
        return
    beating.stop()
    if not store.finish(job_id, attempt, message):
        current_app.logger.warning("job %s attempt %s finished after a newer attempt started", job_id, attempt)


class _Heartbeat:
    """A daemon thread writing the attempt's heartbeat while the task runs (tasks may go minutes
    without reporting progress, e.g. inside one model fit). It dies with its process, which is the
    point: a job whose heartbeat stops is swept to failed (`sweep_stale`) and can be retried."""

    def __init__(self, app, job_id: int, attempt: int):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(app, job_id, attempt), daemon=True,
                                        name=f"job-{job_id}-heartbeat")
        self._thread.start()

    def _run(self, app, job_id: int, attempt: int) -> None:
        with app.app_context():
            while not self._stop.wait(HEARTBEAT_EVERY):
                try:
                    store.heartbeat(job_id, attempt)
                except Exception:  # a database blip: the next beat tries again
                    app.logger.warning("job %s: heartbeat not written", job_id, exc_info=True)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def _stale_after() -> float:
    from webapp.config import DEFAULT_JOB_STALE_AFTER

    return float(current_app.config.get("JOB_STALE_AFTER", DEFAULT_JOB_STALE_AFTER))


def is_stale(job) -> bool:
    """A "running" job whose process has not beaten its heart for JOB_STALE_AFTER seconds."""
    return store.is_stale(job, _stale_after())


def sweep_stale() -> int:
    """Fail jobs left "running" by a dead process (see store.sweep_stale); returns how many."""
    return store.sweep_stale(_stale_after())


def _reason(exc: BaseException) -> str:
    if isinstance(exc, JobRefused):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def run_worker(redis_url: str, *, burst: bool = False) -> None:
    """Run an RQ worker on the Groundswell queue until stopped (or until empty with burst).

    Call `sweep_stale` first: jobs a dead worker left "running" are failed so they can be retried.
    """
    from redis import Redis
    from rq import Worker

    connection = Redis.from_url(redis_url)
    Worker([queue(redis_url)], connection=connection).work(burst=burst)
