"""Campaigns: opening with a frozen audience snapshot, closing, and who is asked what."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Campaign, CampaignManagerLink, CampaignMember, Participation, Person
from webapp.models.org import ROLES
from webapp.models.types import utcnow
from webapp.periods import tenure_band
from webapp.store.errors import InvalidInput, NotFound
from webapp.store.people import ensure_period


def get_campaign(campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound("No such campaign.")
    return campaign


def list_campaigns() -> list[Campaign]:
    return list(db.session.scalars(select(Campaign).order_by(Campaign.opened_at.desc(), Campaign.id.desc())))


def open_campaign(*, name: str, template_id: str, template_version: int, period_code: str,
                  audience: tuple[str, ...], has_plan: bool, opened_on: date | None = None,
                  commit: bool = True) -> Campaign:
    """Open a campaign and freeze its audience with each member's grouping attributes."""
    unknown = [role for role in audience if role not in ROLES]
    if not audience or unknown:
        raise InvalidInput(f"audience must be a non-empty list of roles from {', '.join(ROLES)}")
    period = ensure_period(period_code)
    # One open campaign per template and period: a plan has one campaign per period, and for
    # any template a second one is a double click on "Open campaign" (REL-2), not an intention.
    clash = db.session.scalar(
        select(Campaign).where(Campaign.period_id == period.id, Campaign.status == "open",
                               Campaign.template_id == template_id)
    )
    if clash is not None:
        raise InvalidInput(f"campaign {clash.name!r} for {period_code} is already open")
    campaign = Campaign(name=name, template_id=template_id, template_version=template_version,
                        period=period, audience=",".join(audience), status="open")
    db.session.add(campaign)
    db.session.flush()
    on = opened_on or period.starts_on
    people = db.session.scalars(
        select(Person).where(Person.role.in_(audience), Person.active.is_(True))
    )
    for person in people:
        territory = person.territory
        db.session.add(CampaignMember(
            campaign_id=campaign.id, person_id=person.id,
            manager_key=person.manager.email if person.manager else None,
            region=territory.region.name if territory else None,
            territory=territory.name if territory else None,
            department=person.department,
            tenure_band=tenure_band(person.hire_date, on),
        ))
    _freeze_chain(campaign.id)
    if commit:
        db.session.commit()
    return campaign


def _freeze_chain(campaign_id: int) -> None:
    """Keep the reporting chain above the audience as it is now (manager -> their manager)."""
    db.session.flush()
    rows = db.session.execute(select(Person.id, Person.email, Person.manager_id)).all()
    email = {pid: mail for pid, mail, _ in rows}
    parent = {mail: email.get(mid) for _, mail, mid in rows}
    pending = set(db.session.scalars(
        select(CampaignMember.manager_key).where(CampaignMember.campaign_id == campaign_id,
                                                 CampaignMember.manager_key.is_not(None)).distinct()))
    seen: set[str] = set()
    while pending:
        key = pending.pop()
        if key in seen:
            continue
        seen.add(key)
        up = parent.get(key)
        db.session.add(CampaignManagerLink(campaign_id=campaign_id, manager_key=key, parent_key=up))
        if up is not None:
            pending.add(up)


def close_campaign(campaign_id: int) -> Campaign:
    campaign = get_campaign(campaign_id)
    if campaign.status != "closed":
        campaign.status = "closed"
        campaign.closed_at = utcnow()
        db.session.commit()
    return campaign


def reopen_campaign(campaign_id: int) -> Campaign:
    campaign = get_campaign(campaign_id)
    from webapp.store import engagement

    campaign.status = "open"
    campaign.closed_at = None
    engagement.forget_results(campaign.id, commit=False)  # its stored results are no longer final
    db.session.commit()
    return campaign


def member(campaign_id: int, person_id: int) -> CampaignMember | None:
    return db.session.scalar(
        select(CampaignMember).where(CampaignMember.campaign_id == campaign_id,
                                     CampaignMember.person_id == person_id)
    )


def open_campaigns_for(person: Person) -> list[Campaign]:
    """Open campaigns whose frozen audience includes this person."""
    return list(db.session.scalars(
        select(Campaign).join(CampaignMember, CampaignMember.campaign_id == Campaign.id)
        .where(CampaignMember.person_id == person.id, Campaign.status == "open")
        .order_by(Campaign.opened_at.desc())
    ))


def has_participated(campaign_id: int, person_id: int) -> bool:
    return db.session.scalar(
        select(Participation.id).where(Participation.campaign_id == campaign_id,
                                       Participation.person_id == person_id)
    ) is not None


def participation_counts(campaign_id: int) -> tuple[int, int]:
    """Return (answered, invited) for a campaign."""
    invited = db.session.query(CampaignMember).filter_by(campaign_id=campaign_id).count()
    answered = db.session.query(Participation).filter_by(campaign_id=campaign_id).count()
    return answered, invited
