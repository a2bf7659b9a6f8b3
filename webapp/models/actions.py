"""Actions a leader or HR commits to on a theme or an engagement driver."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.org import Period, Person
from webapp.models.types import utcnow

ACTION_STATUSES = ("open", "in_progress", "done")


class Action(db.Model):
    """An action on an observation theme (`theme_key`) or an engagement driver (`driver_id`)."""

    __tablename__ = "action"
    __table_args__ = (
        CheckConstraint("(theme_key IS NULL) <> (driver_id IS NULL)", name="ck_action_one_subject"),
        CheckConstraint("status IN ('open', 'in_progress', 'done')", name="ck_action_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    theme_key: Mapped[int | None] = mapped_column(Integer, index=True)
    driver_id: Mapped[str | None] = mapped_column(String(80), index=True)
    # What the subject was called when the action was created (theme labels can change).
    subject_label: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="open")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner: Mapped[Person] = relationship(foreign_keys=[owner_id])
    created_by: Mapped[Person] = relationship(foreign_keys=[created_by_id])
    period: Mapped[Period] = relationship()
