"""Scheduled campaigns: what to open, when to open and close it, and when to remind."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.engagement import Campaign
from webapp.models.types import utcnow


class CampaignSchedule(db.Model):
    """A campaign to open at `opens_at` and close at `closes_at`, reminding non-respondents
    `reminder_days` (e.g. "3,1") days before the close. `campaign_id` is set in the same
    transaction that opens the campaign and `closed_done` in the one that closes it, so a
    scheduler restarted at any moment never opens or closes twice."""

    __tablename__ = "campaign_schedule"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    template_id: Mapped[str] = mapped_column(String(80))
    template_version: Mapped[int] = mapped_column(Integer)
    period_code: Mapped[str] = mapped_column(String(7))
    audience: Mapped[str] = mapped_column(String(80))
    has_plan: Mapped[bool] = mapped_column(Boolean, default=True)
    opens_at: Mapped[datetime] = mapped_column()
    closes_at: Mapped[datetime] = mapped_column()
    reminder_days: Mapped[str] = mapped_column(String(40), default="")
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"), unique=True)
    closed_done: Mapped[bool] = mapped_column(Boolean, default=False)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    campaign: Mapped[Campaign | None] = relationship()

    def reminder_offsets(self) -> list[int]:
        return sorted({int(d) for d in self.reminder_days.split(",") if d.strip()}, reverse=True)


__all__ = ["CampaignSchedule"]
