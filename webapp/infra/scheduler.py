"""The scheduler: run what is due (webapp.notifications.due.run_due) every SCHEDULER_EVERY seconds.

Three ways to run it, all safe together because every step is idempotent:
- embedded (the default): a daemon thread of this process calls `tick` (demo, `groundswell scheduler`);
- with Redis: `groundswell worker` keeps one `schedule_tick` job on the RQ queue every interval,
  so ticks run in the worker's work horses like any job (the worker process itself never opens a
  database connection);
- once, at a given time: `groundswell scheduler --once --now …` (tests and cron).
"""

from __future__ import annotations

import threading
from datetime import datetime

from flask import Flask

TICK_JOB_ID = "groundswell-schedule-tick"
LAST_TICK_KEY = "scheduler.last_tick"


def tick(now: datetime | None = None) -> str:
    """Run everything due now and remember when and what (shown on the Jobs page)."""
    from webapp.models.types import utcnow
    from webapp.notifications.due import run_due
    from webapp.store import outbox

    summary = run_due(now)
    outbox.remember(LAST_TICK_KEY, f"{(now or utcnow()).strftime('%Y-%m-%d %H:%M:%S')} UTC: {summary}"[:200])
    return summary


def last_tick() -> str | None:
    from webapp.store import outbox

    return outbox.recall(LAST_TICK_KEY)


class EmbeddedScheduler:
    """A daemon thread ticking every `every` seconds in its own app context."""

    def __init__(self, app: Flask, every: float):
        self._app, self._every = app, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="groundswell-scheduler")

    def start(self) -> "EmbeddedScheduler":
        self._thread.start()
        return self

    def _run(self) -> None:
        from webapp.extensions import db

        while not self._stop.is_set():
            with self._app.app_context():
                try:
                    tick()
                except Exception:  # a database blip or a bad schedule: log, try again next time
                    self._app.logger.exception("scheduler tick failed")
                finally:
                    db.session.remove()
            self._stop.wait(self._every)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


def start_embedded(app: Flask) -> EmbeddedScheduler | None:
    """Start the in-process scheduler unless GROUNDSWELL_SCHEDULER=off."""
    if app.config.get("SCHEDULER") == "off":
        return None
    return EmbeddedScheduler(app, float(app.config["SCHEDULER_EVERY"])).start()


def run_tick_job() -> None:
    """The RQ task of a scheduled tick: build the app, tick."""
    from webapp import create_app
    from webapp.extensions import db

    app = create_app()
    with app.app_context():
        try:
            tick()
        finally:
            db.session.remove()


def keep_ticking_on_rq(redis_url: str, every: float) -> threading.Thread:
    """From the worker process: put one tick on the queue every `every` seconds (Redis only, no database)."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job as RqJob

    from webapp.infra.jobs import queue

    stop = threading.Event()

    def loop():
        q = queue(redis_url)
        while not stop.wait(every):
            try:
                status = RqJob.fetch(TICK_JOB_ID, connection=q.connection).get_status()
            except NoSuchJobError:
                status = None
            if status not in ("queued", "started", "scheduled", "deferred"):
                q.enqueue(run_tick_job, job_id=TICK_JOB_ID, job_timeout=600, result_ttl=60, failure_ttl=86400)

    thread = threading.Thread(target=loop, daemon=True, name="groundswell-schedule-ticks")
    thread.stop = stop  # type: ignore[attr-defined]
    thread.start()
    return thread
