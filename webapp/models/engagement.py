"""Campaigns and confidential engagement answers.

Engagement answers carry no person id, email or time: a random key, the campaign and a snapshot
of grouping attributes frozen when the campaign opened. `Participation` says only that a person
answered; both rows are written in one transaction (see webapp.store).
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.org import Period, Person
from webapp.models.types import utcnow


def random_key() -> str:
    """Return an unguessable, unordered key for an engagement response."""
    return secrets.token_hex(16)


class Campaign(db.Model):
    """A survey template (id + version) asked of an audience for one period."""

    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    template_id: Mapped[str] = mapped_column(String(80))
    template_version: Mapped[int] = mapped_column(Integer)
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"), index=True)
    # Comma-separated roles invited, e.g. "rep,manager"; the members are frozen at opening.
    audience: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(8), default="open")
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column()

    period: Mapped[Period] = relationship()

    @property
    def is_open(self) -> bool:
        return self.status == "open"


class CampaignMember(db.Model):
    """Who was invited, with the grouping attributes frozen when the campaign opened."""

    __tablename__ = "campaign_member"
    __table_args__ = (UniqueConstraint("campaign_id", "person_id", name="uq_member_campaign_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    manager_key: Mapped[str | None] = mapped_column(String(254))
    region: Mapped[str | None] = mapped_column(String(120))
    territory: Mapped[str | None] = mapped_column(String(120))
    department: Mapped[str | None] = mapped_column(String(120))
    tenure_band: Mapped[str | None] = mapped_column(String(20))

    person: Mapped[Person] = relationship()


class CampaignManagerLink(db.Model):
    """The reporting chain above a campaign's audience, frozen when it opened (manager -> their manager).

    Manager-tree groups are built from this snapshot, never from the current hierarchy: a move or
    a reorganisation after launch must not change what a campaign shows (PRODUCT.md "Fixed at
    launch"), or comparing two versions of a group would isolate the people who moved.
    """

    __tablename__ = "campaign_manager_link"
    __table_args__ = (UniqueConstraint("campaign_id", "manager_key", name="uq_manager_link_campaign_manager"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    manager_key: Mapped[str] = mapped_column(String(254))
    parent_key: Mapped[str | None] = mapped_column(String(254))


class Participation(db.Model):
    """That a person answered a campaign's confidential section; never what they answered."""

    __tablename__ = "participation"
    __table_args__ = (
        UniqueConstraint("campaign_id", "person_id", name="uq_participation_campaign_person"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)


class EngagementResponse(db.Model):
    """One confidential set of answers; no link to a person exists anywhere.

    `sqlite_with_rowid=False` stores rows in random-key order, so storage order cannot be
    lined up with the order of participation records.
    """

    __tablename__ = "engagement_response"
    __table_args__ = {"sqlite_with_rowid": False}

    key: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_key)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    manager_key: Mapped[str | None] = mapped_column(String(254))
    region: Mapped[str | None] = mapped_column(String(120))
    territory: Mapped[str | None] = mapped_column(String(120))
    department: Mapped[str | None] = mapped_column(String(120))
    tenure_band: Mapped[str | None] = mapped_column(String(20))
    # {"likert": {item: 1..5}, "enps": 0..10 | None, "comments": {question: text}}
    answers: Mapped[dict] = mapped_column(JSON)
