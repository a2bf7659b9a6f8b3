"""Background job records: create, claim, report progress, finish, fail and retry."""

from __future__ import annotations

from sqlalchemy import select, update

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


def get_job(job_id: int) -> Job:
    job = db.session.get(Job, job_id)
    if job is None:
        raise NotFound("No such job.")
    return job


def recent_jobs(limit: int = 50) -> list[Job]:
    return list(db.session.scalars(select(Job).order_by(Job.id.desc()).limit(limit)))


def claim(job_id: int) -> bool:
    """Mark a queued job running; False when someone else already claimed it (run it once)."""
    result = db.session.execute(
        update(Job).where(Job.id == job_id, Job.state == "queued")
        .values(state="running", started_at=utcnow(), finished_at=None, error=None, progress=0.0,
                attempts=Job.attempts + 1)
    )
    db.session.commit()
    return result.rowcount == 1


def report_progress(job_id: int, progress: float, message: str | None) -> None:
    """Record progress on its own short transaction, outside the job's own session."""
    with db.engine.begin() as conn:
        conn.execute(update(Job).where(Job.id == job_id, Job.state == "running")
                     .values(progress=max(0.0, min(1.0, progress)), message=(message or "")[:200]))


def finish(job_id: int, message: str | None) -> None:
    db.session.execute(update(Job).where(Job.id == job_id).values(
        state="finished", progress=1.0, message=(message or "")[:200], finished_at=utcnow()))
    db.session.commit()


def fail(job_id: int, error: str) -> None:
    db.session.rollback()
    db.session.execute(update(Job).where(Job.id == job_id).values(
        state="failed", error=error[:MAX_ERROR], finished_at=utcnow()))
    db.session.commit()


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
