"""The audit trail of people administration and of what imports change about a person (their record,
actuals and observations): who changed what, when, from what to what, and from which file and line."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.types import utcnow


class PersonChange(db.Model):
    """One change to a person or their data (created, edited, moved, deactivated, imported, imported
    actual, imported observation, …); `person_id` is the person the changed record belongs to."""

    __tablename__ = "person_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    action: Mapped[str] = mapped_column(String(30))
    # {"field": [old, new], …} for edits and imported records (with "file", "line" or "row" and
    # "via"); a summary for an import from the admin page
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


__all__ = ["PersonChange"]
