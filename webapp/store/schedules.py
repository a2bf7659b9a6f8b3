"""Campaign schedules and the queries the scheduler needs: what is due to open, close or be reminded,
who has not answered (from participation records only), recent decisions and actions to tell of.

Opening sets `campaign_id` by a conditional update in the transaction that opens the campaign,
and closing sets `closed_done` the same way, so two schedulers (or one restarted mid-tick) never
open a campaign twice nor start its results twice.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import and_, exists, func, select, update

from webapp.extensions import db
from webapp.models import (Action, Campaign, CampaignMember, CampaignSchedule, Decision, Participation, Person,
                           PlanSubmission)
from webapp.models.org import ROLES
from webapp.periods import PeriodCodeError, period_start
from webapp.store import campaigns
from webapp.store.errors import InvalidInput, StoreError

MAX_REMINDER_DAYS = 60


def create_schedule(*, name: str, template_id: str, template_version: int, period_code: str,
                    audience: tuple[str, ...], has_plan: bool, opens_at: datetime, closes_at: datetime,
                    reminder_days: str = "") -> CampaignSchedule:
    """Schedule a campaign; refused (nothing written) when the dates or reminders make no sense."""
    try:
        period_start(period_code)
    except (PeriodCodeError, ValueError):
        raise InvalidInput(f"{period_code!r} is not a period (write YYYY-Qn or YYYY-MM)") from None
    if not audience or any(role not in ROLES for role in audience):
        raise InvalidInput(f"audience must be a non-empty list of roles from {', '.join(ROLES)}")
    if closes_at <= opens_at:
        raise InvalidInput("the campaign must close after it opens")
    try:
        days = sorted({int(d) for d in reminder_days.replace(" ", "").split(",") if d}, reverse=True)
    except ValueError:
        raise InvalidInput(f"reminders are whole numbers of days before the close, like 3,1; got {reminder_days!r}") from None
    if any(d < 1 or d > MAX_REMINDER_DAYS for d in days):
        raise InvalidInput(f"reminder days must be between 1 and {MAX_REMINDER_DAYS}")
    schedule = CampaignSchedule(name=name, template_id=template_id, template_version=template_version,
                                period_code=period_code, audience=",".join(audience), has_plan=has_plan,
                                opens_at=opens_at, closes_at=closes_at, reminder_days=",".join(map(str, days)),
                                closed_done=False)
    db.session.add(schedule)
    db.session.commit()
    return schedule


def list_schedules() -> list[CampaignSchedule]:
    return list(db.session.scalars(select(CampaignSchedule).order_by(CampaignSchedule.opens_at.desc())))


def due_to_open(now: datetime) -> list[int]:
    return list(db.session.scalars(select(CampaignSchedule.id).where(
        CampaignSchedule.campaign_id.is_(None), CampaignSchedule.opens_at <= now,
        CampaignSchedule.closes_at > now, CampaignSchedule.last_error.is_(None))))


def open_scheduled(schedule_id: int, now: datetime) -> Campaign | None:
    """Open the schedule's campaign unless someone already did; None when it was not this call."""
    schedule = db.session.get(CampaignSchedule, schedule_id)
    if schedule is None or schedule.campaign_id is not None:
        return None
    try:
        campaign = campaigns.open_campaign(
            name=schedule.name, template_id=schedule.template_id, template_version=schedule.template_version,
            period_code=schedule.period_code, audience=tuple(schedule.audience.split(",")),
            has_plan=schedule.has_plan, commit=False)
        won = db.session.execute(update(CampaignSchedule).where(
            CampaignSchedule.id == schedule_id, CampaignSchedule.campaign_id.is_(None))
            .values(campaign_id=campaign.id).execution_options(synchronize_session=False))
        if won.rowcount != 1:
            db.session.rollback()
            return None
        db.session.commit()
    except StoreError as exc:  # e.g. a campaign for this template and period is already open
        db.session.rollback()
        db.session.execute(update(CampaignSchedule).where(CampaignSchedule.id == schedule_id)
                           .values(last_error=f"Not opened: {exc}"[:500]))
        db.session.commit()
        return None
    except Exception:
        db.session.rollback()
        raise
    db.session.expire_all()
    return campaign


def due_to_close(now: datetime) -> list[int]:
    return list(db.session.scalars(select(CampaignSchedule.id).where(
        CampaignSchedule.campaign_id.is_not(None), CampaignSchedule.closed_done.is_(False),
        CampaignSchedule.closes_at <= now)))


def close_scheduled(schedule_id: int) -> int | None:
    """Close the schedule's campaign; return its id only to the one call that recorded the close."""
    schedule = db.session.get(CampaignSchedule, schedule_id)
    if schedule is None or schedule.campaign_id is None or schedule.closed_done:
        return None
    campaign_id = schedule.campaign_id
    campaigns.close_campaign(campaign_id)  # idempotent: a closed campaign stays as it is
    won = db.session.execute(update(CampaignSchedule).where(
        CampaignSchedule.id == schedule_id, CampaignSchedule.closed_done.is_(False)).values(closed_done=True)
        .execution_options(synchronize_session=False))
    db.session.commit()
    db.session.expire_all()
    return campaign_id if won.rowcount == 1 else None


def reminder_rounds(now: datetime) -> list[tuple[CampaignSchedule, int]]:
    """For each open scheduled campaign, the latest reminder round now due (days before close)."""
    out = []
    for schedule in db.session.scalars(select(CampaignSchedule).where(
            CampaignSchedule.campaign_id.is_not(None), CampaignSchedule.closed_done.is_(False),
            CampaignSchedule.closes_at > now, CampaignSchedule.reminder_days != "")):
        if schedule.campaign is None or not schedule.campaign.is_open:
            continue
        due = [d for d in schedule.reminder_offsets() if schedule.closes_at - timedelta(days=d) <= now]
        if due:
            out.append((schedule, min(due)))
    return out


def non_respondents(campaign_id: int) -> list[Person]:
    """Active members of a campaign with no participation record (who has answered, never what)."""
    answered = exists().where(Participation.campaign_id == campaign_id,
                              Participation.person_id == CampaignMember.person_id)
    return list(db.session.scalars(
        select(Person).join(CampaignMember, CampaignMember.person_id == Person.id)
        .where(CampaignMember.campaign_id == campaign_id, ~answered, Person.active.is_(True))
        .order_by(Person.id)))


def audience(campaign_id: int) -> list[Person]:
    return list(db.session.scalars(
        select(Person).join(CampaignMember, CampaignMember.person_id == Person.id)
        .where(CampaignMember.campaign_id == campaign_id, Person.active.is_(True)).order_by(Person.id)))


def recently_opened(since: datetime) -> list[Campaign]:
    return list(db.session.scalars(select(Campaign).where(Campaign.status == "open", Campaign.opened_at >= since)))


def schedule_for(campaign_id: int) -> CampaignSchedule | None:
    return db.session.scalar(select(CampaignSchedule).where(CampaignSchedule.campaign_id == campaign_id))


def recent_decisions(since: datetime) -> list[Decision]:
    """Manager decisions (approve, adjust, return) recorded since a time, oldest first."""
    return list(db.session.scalars(select(Decision).where(
        Decision.action.in_(("approve", "adjust", "return")), Decision.at >= since).order_by(Decision.id)))


def waiting_counts() -> dict[int, int]:
    """Submitted, undecided plans per direct manager of their owner."""
    rows = db.session.execute(
        select(Person.manager_id, func.count(PlanSubmission.id)).join(Person, Person.id == PlanSubmission.person_id)
        .where(PlanSubmission.status == "submitted", Person.manager_id.is_not(None)).group_by(Person.manager_id))
    return {manager_id: count for manager_id, count in rows}


def recent_actions(since: datetime) -> list[Action]:
    return list(db.session.scalars(select(Action).where(Action.created_at >= since).order_by(Action.id)))


def overdue_actions(today: date) -> list[Action]:
    return list(db.session.scalars(select(Action).where(
        and_(Action.due_on < today, Action.status != "done")).order_by(Action.id)))


def get_person(person_id: int) -> Person | None:
    return db.session.get(Person, person_id)


def attach_schedule(campaign_id: int, *, closes_at: datetime, reminder_days: str) -> CampaignSchedule:
    """Put an already open campaign on a schedule (its close and reminders), e.g. for the demo."""
    campaign = campaigns.get_campaign(campaign_id)
    schedule = CampaignSchedule(name=campaign.name, template_id=campaign.template_id,
                                template_version=campaign.template_version, period_code=campaign.period.code,
                                audience=campaign.audience, has_plan=True, opens_at=campaign.opened_at,
                                closes_at=closes_at, reminder_days=reminder_days, campaign_id=campaign.id,
                                closed_done=False)
    db.session.add(schedule)
    db.session.commit()
    return schedule
