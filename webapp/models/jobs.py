"""Background jobs (theme analysis, …): what was asked, its state and progress, and why it failed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.types import utcnow

JOB_STATES = ("queued", "running", "finished", "failed")


class Job(db.Model):
    """One run of a background task; the database, not the queue, is the record of its state."""

    __tablename__ = "job"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    parameters: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(10), default="queued", index=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)  # 0..1
    message: Mapped[str | None] = mapped_column(String(200))  # current stage, or the result
    error: Mapped[str | None] = mapped_column(Text)  # why it failed, fit to show an admin
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column()
    # Written by the process running the job while it lives (webapp.infra.jobs.HEARTBEAT_EVERY); a
    # "running" job whose heartbeat stopped was left by a process that died and is swept to failed.
    heartbeat_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()


__all__ = ["JOB_STATES", "Job"]
