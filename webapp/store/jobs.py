"""Background job records: create, claim, report progress, finish, fail, retry, sweep the stale.

Each run of a job is an *attempt* (`Job.attempts`, counted by `claim`). The process running an
attempt beats its heart into the row; progress, finishing and failing touch the row only for that
attempt, so a process that was given up for dead (swept) and later wakes cannot overwrite a retry.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, or_, select, update

from webapp.extensions import db
from webapp.models import Job
from webapp.models.types import utcnow
from webapp.store.errors import Locked, NotFound

MAX_ERROR = 2000


def create_job(kind: str, parameters: dict | None = None, requested_by_id: int | None = None) -> Job:
    job = Job(kind=kind, parameters=dict(parameters or {}), state="queued", progress=0.0,
              requested_by_id=requested_by_id)
    db.session.add(job)
    db.session.commit()
    return job


def unfinished_job(kind: str) -> Job | None:
    """The oldest job of a kind still queued or running, if any."""
    return db.session.scalar(select(Job).where(Job.kind == kind, Job.state.in_(("queued", "running")))
                             .order_by(Job.id).limit(1))


def get_job(job_id: int) -> Job:
    job = db.session.get(Job, job_id)
    if job is None:
        raise NotFound("No such job.")
    return job


def recent_jobs(limit: int = 50) -> list[Job]:
    return list(db.session.scalars(select(Job).order_by(Job.id.desc()).limit(limit)))


def claim(job_id: int) -> int | None:
    """Mark a queued job running and return its attempt number; None when someone else already
    claimed it (a job runs once even when delivered twice)."""
    now = utcnow()
    result = db.session.execute(
        update(Job).where(Job.id == job_id, Job.state == "queued")
        .values(state="running", started_at=now, heartbeat_at=now, finished_at=None, error=None,
                progress=0.0, attempts=Job.attempts + 1)
    )
    db.session.commit()
    if result.rowcount != 1:
        return None
    return db.session.scalar(select(Job.attempts).where(Job.id == job_id))


def _this_attempt(job_id: int, attempt: int):
    return and_(Job.id == job_id, Job.attempts == attempt)


def heartbeat(job_id: int, attempt: int) -> None:
    """Say the attempt's process is alive, on its own short transaction."""
    with db.engine.begin() as conn:
        conn.execute(update(Job).where(_this_attempt(job_id, attempt), Job.state == "running")
                     .values(heartbeat_at=utcnow()))


def report_progress(job_id: int, attempt: int, progress: float, message: str | None) -> None:
    """Record progress (a heartbeat too) on its own short transaction, outside the job's session."""
    with db.engine.begin() as conn:
        conn.execute(update(Job).where(_this_attempt(job_id, attempt), Job.state == "running")
                     .values(progress=max(0.0, min(1.0, progress)), message=(message or "")[:200],
                             heartbeat_at=utcnow()))


def finish(job_id: int, attempt: int, message: str | None) -> bool:
    """Record the attempt's result. Also over a "failed" left by the sweeper (the process was slow,
    not dead): the work is done, so the record says so. Never over a newer attempt."""
    result = db.session.execute(update(Job).where(
        _this_attempt(job_id, attempt), Job.state.in_(("running", "failed"))).values(
        state="finished", progress=1.0, message=(message or "")[:200], error=None, finished_at=utcnow()))
    db.session.commit()
    return result.rowcount == 1


def fail(job_id: int, attempt: int, error: str) -> bool:
    db.session.rollback()
    result = db.session.execute(update(Job).where(
        _this_attempt(job_id, attempt), Job.state.in_(("running", "failed"))).values(
        state="failed", error=error[:MAX_ERROR], finished_at=utcnow()))
    db.session.commit()
    return result.rowcount == 1


def is_stale(job: Job, stale_after: float) -> bool:
    """The same test as `sweep_stale`, on one loaded row (for showing it without writing)."""
    last = job.heartbeat_at or job.started_at
    return job.state == "running" and last is not None and last < utcnow() - timedelta(seconds=stale_after)


def sweep_stale(stale_after: float) -> int:
    """Fail "running" jobs whose process stopped beating `stale_after` seconds ago; return how many.

    A worker killed mid-job (SIGKILL, out of memory, a machine restart) leaves its row "running"
    for ever, and only failed jobs can be retried. The heartbeat thread of a live process writes at
    least every few seconds (webapp.infra.jobs.HEARTBEAT_EVERY), far inside `stale_after`.
    """
    now = utcnow()
    cutoff = now - timedelta(seconds=stale_after)
    result = db.session.execute(
        update(Job).where(Job.state == "running",
                          or_(Job.heartbeat_at < cutoff, and_(Job.heartbeat_at.is_(None), Job.started_at < cutoff)))
        .values(state="failed", finished_at=now,
                error=(f"The process running this job stopped: no sign of life for over {stale_after:.0f} s "
                       "(the worker was killed or the machine restarted). Retry it."))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount


def requeue(job_id: int) -> Job:
    """Put a failed job back in the queue; other states are refused."""
    job = get_job(job_id)
    result = db.session.execute(update(Job).where(Job.id == job_id, Job.state == "failed")
                                .values(state="queued", progress=0.0, message=None))
    db.session.commit()
    if result.rowcount != 1:
        raise Locked(f"Only failed jobs can be retried; this one is {job.state}.")
    db.session.refresh(job)
    return job
