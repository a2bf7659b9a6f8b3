"""Attributed plan data: submissions, decisions, observations, top-down targets and actuals."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.org import Period, Person, Territory
from webapp.models.types import Money, utcnow

PLAN_STATUSES = ("draft", "submitted", "approved", "adjusted", "returned")
DECIDED_STATUSES = ("approved", "adjusted")


class PlanSubmission(db.Model):
    """One person's plan for one period; `version` guards against stale manager decisions."""

    __tablename__ = "plan_submission"
    __table_args__ = (UniqueConstraint("person_id", "period_id", name="uq_plan_person_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"), index=True)
    territory_id: Mapped[int | None] = mapped_column(ForeignKey("territory.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    proposed: Mapped[Decimal | None] = mapped_column(Money)
    confidence: Mapped[int | None] = mapped_column(Integer)
    rationale: Mapped[str | None] = mapped_column(Text)
    approved: Mapped[Decimal | None] = mapped_column(Money)
    # Other attributed answers of the survey (question id -> value), kept verbatim.
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column()
    decided_at: Mapped[datetime | None] = mapped_column()
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    person: Mapped[Person] = relationship()
    period: Mapped[Period] = relationship()
    territory: Mapped[Territory | None] = relationship()
    decisions: Mapped[list[Decision]] = relationship(
        back_populates="submission", order_by="Decision.id"
    )
    observations: Mapped[list[Observation]] = relationship(
        back_populates="submission", order_by="Observation.position"
    )


class Decision(db.Model):
    """Audit trail: every manager decision (and submission event) with who, when, amounts and why."""

    __tablename__ = "decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("plan_submission.id"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    action: Mapped[str] = mapped_column(String(12))
    old_amount: Mapped[Decimal | None] = mapped_column(Money)
    new_amount: Mapped[Decimal | None] = mapped_column(Money)
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # Decisions follow the chain: true when the actor was above the owner's direct manager (only
    # possible with GROUNDSWELL_ABOVE_MAY_DECIDE=1), with that manager kept as they were at the time.
    above_manager: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    direct_manager_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    submission: Mapped[PlanSubmission] = relationship(back_populates="decisions")
    actor: Mapped[Person] = relationship(foreign_keys=[actor_id])
    direct_manager: Mapped[Person | None] = relationship(foreign_keys=[direct_manager_id])


class Observation(db.Model):
    """A rep's short text about what customers are doing, attributed to rep, territory and period."""

    __tablename__ = "observation"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(120), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    territory_id: Mapped[int | None] = mapped_column(ForeignKey("territory.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"), index=True)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("plan_submission.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    tag: Mapped[str | None] = mapped_column(String(20))

    person: Mapped[Person] = relationship()
    submission: Mapped[PlanSubmission | None] = relationship(back_populates="observations")


class TopDownTarget(db.Model):
    __tablename__ = "top_down_target"
    __table_args__ = (UniqueConstraint("person_id", "period_id", name="uq_topdown_person_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)


class Actual(db.Model):
    __tablename__ = "actual"
    __table_args__ = (UniqueConstraint("person_id", "period_id", name="uq_actual_person_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
