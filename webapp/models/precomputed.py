"""Precomputed report aggregates: written once (campaign close, `groundswell analyze`), read by pages.

`CampaignResult` holds a closed campaign's HR dashboard results per (campaign, k, role scope) as the
suppression call returned them: suppressed groups carry no numbers, so storing the result is as safe
as showing it. Rows are deleted when the campaign is reopened; a different k is a different row.

`ObservationThemeStat` holds, per analysis run, period, theme and person, how many observations the
run put in the theme, their sentiment sum and the observation ids (external ids), so the leader
report never scans every observation.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.types import utcnow


class CampaignResult(db.Model):
    """One closed campaign's suppressed dashboard results for one k and one role scope (JSON text)."""

    __tablename__ = "campaign_result"
    __table_args__ = (UniqueConstraint("campaign_id", "k", "scope", name="uq_campaign_result"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    k: Mapped[int] = mapped_column(Integer)
    scope: Mapped[str] = mapped_column(String(40))
    # JSON text (not a JSON column): the encoder keeps non-finite floats, which PostgreSQL's json rejects.
    result: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # SHA-256 of what the result was computed from (webapp.engagement.results._inputs_digest): a run
    # of `groundswell analyze` recomputes only results whose inputs changed. NULL: unknown, recompute.
    inputs: Mapped[str | None] = mapped_column(String(64))


class ObservationThemeStat(db.Model):
    """Per run, period, theme and person: observation count, sentiment sum and member ids."""

    __tablename__ = "observation_theme_stat"
    __table_args__ = (Index("ix_observation_theme_stat_run_period", "run_id", "period_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("analysis_run.id", ondelete="CASCADE"))
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id", ondelete="CASCADE"))
    theme_key: Mapped[int] = mapped_column(Integer)
    person_id: Mapped[int | None] = mapped_column(Integer)
    n: Mapped[int] = mapped_column(Integer, default=0)
    n_sentiment: Mapped[int] = mapped_column(Integer, default=0)
    sentiment_sum: Mapped[float] = mapped_column(Float, default=0.0)
    members: Mapped[list] = mapped_column(JSON, default=list)


__all__ = ["CampaignResult", "ObservationThemeStat"]
