"""The audit trail of people administration: who changed whom, when, from what to what."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.types import utcnow


class PersonChange(db.Model):
    """One administrative change to a person (created, edited, moved, deactivated, imported, …)."""

    __tablename__ = "person_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    action: Mapped[str] = mapped_column(String(30))
    # {"field": [old, new], …} for edits; a summary for imports
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


__all__ = ["PersonChange"]
