"""Plans: saving and submitting answers, manager decisions with their audit trail, history."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import and_, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, selectinload
from sqlalchemy.orm.exc import StaleDataError

from webapp.extensions import db
from webapp.models import (
    Actual,
    Campaign,
    CampaignMember,
    Decision,
    EngagementResponse,
    Observation,
    Participation,
    Period,
    Person,
    PlanSubmission,
)
from webapp.models.planning import DECIDED_STATUSES
from webapp.models.types import utcnow
from webapp.periods import is_quarter
from webapp.store.campaigns import has_participated, member
from webapp.store.errors import (
    AlreadyAnswered,
    InvalidInput,
    Locked,
    NotAllowed,
    NotFound,
    StaleDecision,
    StoreError,
)
from webapp.store.people import is_below

EDITABLE_STATUSES = ("draft", "submitted", "returned")
DECISION_ACTIONS = ("approve", "adjust", "return")


@dataclass(frozen=True)
class PlanInput:
    """The attributed part of a survey answer, already validated by the survey form."""

    proposed: Decimal | None = None
    confidence: int | None = None
    rationale: str | None = None
    observations: tuple[tuple[str, str | None], ...] = ()
    answers: dict = field(default_factory=dict)


@dataclass(frozen=True)
class EngagementInput:
    """The confidential part of a survey answer; stored without any link to the person."""

    likert: dict[str, int]
    enps: int | None
    comments: dict[str, str]


@dataclass(frozen=True)
class Baseline:
    """Last period's approved target (or, failing that, its actual) for one person."""

    amount: Decimal | None
    source: str | None  # "approved target", "actual" or None
    period_code: str | None
    previous_approved: Decimal | None
    previous_actual: Decimal | None


def change_fraction(proposed: Decimal | None, baseline: Decimal | None) -> float | None:
    """Change % as PRODUCT.md defines it, as a fraction; None without a baseline."""
    if proposed is None or baseline is None or baseline == 0:
        return None
    return float((proposed - baseline) / baseline)


def previous_period(period: Period) -> Period | None:
    """The period of the same kind (quarter or month) immediately before this one."""
    candidates = db.session.scalars(
        select(Period).where(Period.starts_on < period.starts_on).order_by(Period.starts_on.desc())
    )
    kind = is_quarter(period.code)
    return next((p for p in candidates if is_quarter(p.code) == kind), None)


def baseline_for(person_id: int, period: Period) -> Baseline:
    prev = previous_period(period)
    if prev is None:
        return Baseline(None, None, None, None, None)
    # Both amounts in one round trip (scalar subqueries; each is unique per person and period).
    approved, actual = db.session.execute(select(
        select(PlanSubmission.approved).where(PlanSubmission.person_id == person_id,
                                              PlanSubmission.period_id == prev.id).scalar_subquery(),
        select(Actual.amount).where(Actual.person_id == person_id,
                                    Actual.period_id == prev.id).scalar_subquery(),
    )).one()
    if approved is not None:
        return Baseline(approved, "approved target", prev.code, approved, actual)
    if actual is not None:
        return Baseline(actual, "actual", prev.code, approved, actual)
    return Baseline(None, None, prev.code, None, None)


def get_plan(plan_id: int) -> PlanSubmission:
    plan = db.session.get(PlanSubmission, plan_id)
    if plan is None:
        raise NotFound("No such plan.")
    return plan


def plan_for(person_id: int, period_id: int) -> PlanSubmission | None:
    return db.session.scalar(
        select(PlanSubmission).where(PlanSubmission.person_id == person_id,
                                     PlanSubmission.period_id == period_id)
    )


@dataclass(frozen=True)
class AnswerContext:
    """What the survey page needs about one person and one campaign, read in one query."""

    campaign: Campaign
    member: CampaignMember | None  # the person's frozen audience row; None: not invited
    plan: PlanSubmission | None  # their plan for the campaign's period, if any
    answered: bool  # their confidential answers were already received


def answer_context(campaign_id: int, person_id: int) -> AnswerContext:
    """Load the campaign (with its period), membership, plan and participation in one round trip.

    Equivalent to get_campaign + member + plan_for + has_participated; each outer join matches at
    most one row (unique (campaign, person) member and participation, unique (person, period) plan).
    """
    stmt = (
        select(Campaign, CampaignMember, PlanSubmission, Participation.id)
        .join(Period, Period.id == Campaign.period_id)
        .outerjoin(CampaignMember, and_(CampaignMember.campaign_id == Campaign.id,
                                        CampaignMember.person_id == person_id))
        .outerjoin(PlanSubmission, and_(PlanSubmission.person_id == person_id,
                                        PlanSubmission.period_id == Campaign.period_id))
        .outerjoin(Participation, and_(Participation.campaign_id == Campaign.id,
                                       Participation.person_id == person_id))
        .where(Campaign.id == campaign_id)
        .options(contains_eager(Campaign.period))
    )
    row = db.session.execute(stmt).first()
    if row is None:
        raise NotFound("No such campaign.")
    campaign, snapshot, plan, participation_id = row
    return AnswerContext(campaign, snapshot, plan, participation_id is not None)


_UNKNOWN = object()


def save_answers(person: Person, campaign: Campaign, plan_input: PlanInput | None,
                 engagement: EngagementInput | None, *, submit: bool,
                 context: AnswerContext | None = None) -> int | None:
    """Save a draft or submit, writing plan, observations, engagement and participation at once;
    return the plan's id (None when the survey has no plan part).

    Either everything is written or nothing: the plan, its observations, the audit row, the
    confidential response and the participation record share one transaction.

    `context` (from answer_context, read earlier in this same session) saves reading the frozen
    membership and the plan again (a second read of an already loaded plan returns the same
    identity-mapped object anyway); participation is still read again for confidential answers.
    A simultaneous first save is caught by the unique constraints; saves of an existing plan run
    one after the other on its row lock (see _save_plan).
    """
    if context is not None and context.campaign is not campaign:
        context = None
    if not campaign.is_open:
        raise Locked("This campaign is closed; answers can no longer be changed.")
    snapshot = context.member if context is not None else member(campaign.id, person.id)
    if snapshot is None:
        raise NotAllowed("You are not in this campaign's audience.")
    if engagement is not None and not submit:
        raise InvalidInput("Confidential answers are stored only on submission.")
    # Read again, not from `context`: a simultaneous submission may have committed since, and
    # this answer is then refused here, before any write (rare: the first submission only).
    if engagement is not None and has_participated(campaign.id, person.id):
        raise AlreadyAnswered("Your confidential answers for this campaign were already received.")

    try:
        plan_id = _write_answers(person, campaign, snapshot, plan_input, engagement, submit=submit,
                                 known_plan=context.plan if context is not None else _UNKNOWN)
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        # A simultaneous submission may have won the race for the unique (person, period) plan or
        # the (campaign, person) participation: theirs stands. Say so only when that is what
        # happened; any other conflict (an observation id taken, say) is a save that failed, and
        # must not read as "received" (issue 19).
        had_plan = None if context is None else context.plan is not None
        if _answer_now_stored(person, campaign, engagement, had_plan):
            raise AlreadyAnswered("Your answers were already received.") from exc
        raise NotSaved("Your answers could not be saved, and nothing of them was kept; your "
                       "answers are still on this page. Try again; if it happens again, tell "
                       "an admin.") from exc
    except StoreError:
        db.session.rollback()
        raise
    return plan_id


class NotSaved(StoreError):
    """The database refused the write for a reason other than a simultaneous submission."""


def _answer_now_stored(person: Person, campaign: Campaign, engagement: EngagementInput | None,
                       had_plan: bool | None) -> bool:
    """After a refused write: did a simultaneous save of the same answer commit meanwhile?"""
    if engagement is not None:
        return has_participated(campaign.id, person.id)
    # Only a first save can lose the race for the (person, period) plan.
    return had_plan is False and plan_for(person.id, campaign.period_id) is not None


def _write_answers(person: Person, campaign: Campaign, snapshot, plan_input: PlanInput | None,
                   engagement: EngagementInput | None, *, submit: bool,
                   known_plan=_UNKNOWN) -> int | None:
    """Stage every row of one answer in the session's transaction; the caller commits or rolls back.

    Returns the plan's id (None when the answer has no plan part).
    """
    plan_id = None
    if plan_input is not None:
        plan_id = _save_plan(person, campaign, plan_input, submit=submit, known_plan=known_plan)
    if submit and engagement is not None:
        db.session.add(EngagementResponse(
            campaign_id=campaign.id, manager_key=snapshot.manager_key, region=snapshot.region,
            territory=snapshot.territory, department=snapshot.department,
            tenure_band=snapshot.tenure_band,
            answers={"likert": engagement.likert, "enps": engagement.enps,
                     "comments": engagement.comments},
        ))
        db.session.add(Participation(campaign_id=campaign.id, person_id=person.id))
    return plan_id


_PLAN = PlanSubmission.__table__
_OBSERVATION = Observation.__table__
_DECISION = Decision.__table__


def _save_plan(person: Person, campaign: Campaign, plan_input: PlanInput, *, submit: bool, known_plan) -> int:
    """Write the plan row, its observations and (on submission) the audit row; return the plan id.

    SQL expressions on the tables, not ORM objects: this is the busiest write of the product (every
    rep at quarter end, often several saves each), its rows are not read back in the request, and
    the ORM's unit of work was ~40% of a submission's CPU (benchmarks/load/profile_submit.py).

    An existing plan is locked (SELECT ... FOR UPDATE) before it is checked and changed, so two
    simultaneous saves of one plan (a double click) run one after the other, and a manager's
    decision committed in between is seen: the plan is then no longer editable. Each save is one
    version step, so a manager deciding on the version they saw gets "changed in the meantime".
    SQLite serialises writers anyway.
    """
    values = {"proposed": plan_input.proposed, "confidence": plan_input.confidence,
              "rationale": plan_input.rationale, "answers": dict(plan_input.answers),
              "territory_id": person.territory_id}
    if submit:
        values.update(status="submitted", submitted_at=utcnow())
    if known_plan is _UNKNOWN:
        where = and_(_PLAN.c.person_id == person.id, _PLAN.c.period_id == campaign.period_id)
    elif known_plan is not None:
        where = _PLAN.c.id == known_plan.id
    else:
        where = None  # none when the page was read: a simultaneous first save fails on the unique key
    row = None
    if where is not None:
        row = db.session.execute(select(_PLAN.c.id, _PLAN.c.status).where(where).with_for_update()).first()
    if row is None:
        values.setdefault("status", "draft")
        plan_id = db.session.execute(
            insert(_PLAN).values(person_id=person.id, period_id=campaign.period_id, campaign_id=campaign.id,
                                 version=1, **values).returning(_PLAN.c.id)
        ).scalar_one()
        existing = []
    else:
        plan_id, status = row
        if status not in EDITABLE_STATUSES:
            raise Locked("Your manager has already decided on this plan; it can no longer be edited.")
        if status == "submitted" and not submit:
            raise InvalidInput("This plan is already submitted; use “Update submission” to change it.")
        db.session.execute(update(_PLAN).where(_PLAN.c.id == plan_id)
                           .values(version=_PLAN.c.version + 1, **values))
        existing = db.session.execute(
            select(_OBSERVATION.c.id, _OBSERVATION.c.position, _OBSERVATION.c.text, _OBSERVATION.c.tag,
                   _OBSERVATION.c.territory_id).where(_OBSERVATION.c.submission_id == plan_id)
        ).all()
    _replace_observations(plan_id, campaign.period_id, person, plan_input.observations, existing)
    if submit:
        db.session.execute(insert(_DECISION).values(submission_id=plan_id, actor_id=person.id,
                                                    action="submitted", new_amount=plan_input.proposed))
    return plan_id


def _replace_observations(plan_id: int, period_id: int, person: Person,
                          observations: tuple[tuple[str, str | None], ...], existing) -> None:
    """Update observations in place by position so their external ids (and theme rows) stay;
    write only what changed, add new positions, delete positions no longer answered."""
    by_position = {row.position: row for row in existing}
    changed, added = [], []
    for position, (text, tag) in enumerate(observations):
        old = by_position.pop(position, None)
        if old is None:
            added.append({"external_id": f"plan-{plan_id}-{position + 1}", "person_id": person.id,
                          "period_id": period_id, "submission_id": plan_id, "position": position,
                          "text": text, "tag": tag, "territory_id": person.territory_id})
        elif (old.text, old.tag, old.territory_id) != (text, tag, person.territory_id):
            changed.append({"row_id": old.id, "new_text": text, "new_tag": tag,
                            "new_territory_id": person.territory_id})
    if changed:
        db.session.execute(
            update(_OBSERVATION).where(_OBSERVATION.c.id == bindparam("row_id"))
            .values(text=bindparam("new_text"), tag=bindparam("new_tag"),
                    territory_id=bindparam("new_territory_id")),
            changed)
    if added:
        db.session.execute(insert(_OBSERVATION), added)
    if by_position:
        db.session.execute(delete(_OBSERVATION).where(_OBSERVATION.c.id.in_([row.id for row in by_position.values()])))


def decide(manager: Person, plan_id: int, *, action: str, expected_version: int,
           amount: Decimal | None = None, reason: str | None = None,
           above_may_decide: bool = False) -> PlanSubmission:
    """Approve, adjust or return a plan; a stale version is refused and the first decision stands.

    The owner's direct manager decides; someone higher in the chain only with `above_may_decide`
    (the GROUNDSWELL_ABOVE_MAY_DECIDE setting), and the decision then records that it came from
    above, and over which direct manager.
    """
    if action not in DECISION_ACTIONS:
        raise InvalidInput(f"Unknown action {action!r}.")
    plan = get_plan(plan_id)
    if plan.person_id == manager.id or not is_below(plan.person_id, manager.id):
        raise NotAllowed("You can only decide on plans of people who report to you.")
    direct = plan.person.manager_id
    above = direct != manager.id
    if above and not above_may_decide:
        raise NotAllowed("The rep's direct manager decides this plan.")
    if plan.version != expected_version:
        raise StaleDecision("This plan changed since you opened it. Reload to see the latest version.")
    if plan.status != "submitted":
        raise Locked(f"This plan is {plan.status}; only submitted plans can be decided.")
    reason = (reason or "").strip() or None
    old = plan.proposed
    if action == "approve":
        plan.status, plan.approved, new = "approved", plan.proposed, plan.proposed
    elif action == "adjust":
        if amount is None or amount <= 0:
            raise InvalidInput("An adjustment needs a new amount greater than zero.")
        if not reason:
            raise InvalidInput("An adjustment needs a reason.")
        plan.status, plan.approved, new = "adjusted", amount, amount
    else:
        if not reason:
            raise InvalidInput("Returning a plan needs a reason.")
        plan.status, plan.approved, new = "returned", None, None
    plan.decided_at = utcnow()
    db.session.add(Decision(submission_id=plan.id, actor_id=manager.id, action=action,
                            old_amount=old, new_amount=new, reason=reason, above_manager=above,
                            direct_manager_id=direct if above else None))
    try:
        db.session.commit()
    except StaleDataError as exc:
        db.session.rollback()
        raise StaleDecision("This plan changed since you opened it. Reload to see the latest version.") from exc
    return plan


def queue_for(manager: Person, person_ids: set[int]) -> list[PlanSubmission]:
    """Plans from a manager's subtree: waiting ones first, then the latest decided."""
    if not person_ids:
        return []
    plans = db.session.scalars(
        select(PlanSubmission).where(PlanSubmission.person_id.in_(person_ids),
                                     PlanSubmission.status != "draft")
        .options(selectinload(PlanSubmission.person), selectinload(PlanSubmission.period))
        .join(Period).order_by(Period.starts_on.desc(), PlanSubmission.submitted_at)
    )
    plans = list(plans)
    waiting = [p for p in plans if p.status == "submitted"]
    latest = max((p.period.starts_on for p in plans), default=None)
    decided = [p for p in plans if p.status != "submitted" and p.period.starts_on == latest]
    return waiting + decided


def history_for(person_id: int) -> list[PlanSubmission]:
    return list(db.session.scalars(
        select(PlanSubmission).where(PlanSubmission.person_id == person_id)
        .options(selectinload(PlanSubmission.decisions).selectinload(Decision.actor),
                 selectinload(PlanSubmission.decisions).selectinload(Decision.direct_manager),
                 selectinload(PlanSubmission.observations))
        .join(Period).order_by(Period.starts_on.desc())
    ))


def is_decided(plan: PlanSubmission) -> bool:
    return plan.status in DECIDED_STATUSES


# ------------------------------------------------------------------------------------------------
# Review-queue context (read only): the reps' recent quarters, their teams' changes, their themes.


@dataclass(frozen=True)
class PastResult:
    """One earlier period of a person: the approved target and the actual (None where missing)."""

    period_code: str
    target: Decimal | None
    actual: Decimal | None

    @property
    def attainment(self) -> float | None:
        """Actual / target (1.0 is on target), None without both."""
        if self.target is None or self.actual is None or self.target == 0:
            return None
        return float(self.actual / self.target)


def recent_results(person_ids: set[int], period: Period, n: int = 4) -> dict[int, list[PastResult]]:
    """The last `n` periods of the same kind before `period`, per person, oldest first (two queries)."""
    if not person_ids:
        return {}
    kind = is_quarter(period.code)
    earlier = [p for p in db.session.scalars(select(Period).where(Period.starts_on < period.starts_on)
                                             .order_by(Period.starts_on.desc())) if is_quarter(p.code) == kind][:n]
    earlier.reverse()
    if not earlier:
        return {pid: [] for pid in person_ids}
    ids = [p.id for p in earlier]
    targets = {(pid, per): amount for pid, per, amount in db.session.execute(
        select(PlanSubmission.person_id, PlanSubmission.period_id, PlanSubmission.approved)
        .where(PlanSubmission.person_id.in_(person_ids), PlanSubmission.period_id.in_(ids)))}
    actuals = {(pid, per): amount for pid, per, amount in db.session.execute(
        select(Actual.person_id, Actual.period_id, Actual.amount)
        .where(Actual.person_id.in_(person_ids), Actual.period_id.in_(ids)))}
    return {pid: [PastResult(p.code, targets.get((pid, p.id)), actuals.get((pid, p.id))) for p in earlier
                  if (pid, p.id) in targets or (pid, p.id) in actuals]
            for pid in person_ids}


def team_changes(period: Period, manager_ids: set[int]) -> dict[int, dict[int, float]]:
    """Change % of every submitted plan of the period, grouped by the submitter's direct manager."""
    if not manager_ids:
        return {}
    prev = previous_period(period)
    if prev is None:
        return {}
    rows = db.session.execute(
        select(Person.id, Person.manager_id, PlanSubmission.proposed)
        .join(PlanSubmission, PlanSubmission.person_id == Person.id)
        .where(Person.manager_id.in_(manager_ids), PlanSubmission.period_id == period.id,
               PlanSubmission.status != "draft")).all()
    ids = [r[0] for r in rows]
    approved = dict(db.session.execute(select(PlanSubmission.person_id, PlanSubmission.approved).where(
        PlanSubmission.period_id == prev.id, PlanSubmission.person_id.in_(ids))).all())
    actual = dict(db.session.execute(select(Actual.person_id, Actual.amount).where(
        Actual.period_id == prev.id, Actual.person_id.in_(ids))).all())
    out: dict[int, dict[int, float]] = {}
    for pid, manager_id, proposed in rows:
        change = change_fraction(proposed, approved.get(pid) if approved.get(pid) is not None else actual.get(pid))
        if change is not None:
            out.setdefault(manager_id, {})[pid] = change
    return out


def plan_themes(plan_ids: list[int]) -> dict[int, list[str]]:
    """Labels of the themes the latest analysis gave each plan's observations (most frequent first)."""
    from collections import Counter

    from webapp.models import ObservationTheme, ThemeRecord
    from webapp.store.analysis import latest_run_id

    run_id = latest_run_id("observations")
    if run_id is None or not plan_ids:
        return {}
    rows = db.session.execute(
        select(Observation.submission_id, ThemeRecord.label)
        .join(ObservationTheme, ObservationTheme.observation_id == Observation.id)
        .join(ThemeRecord, and_(ThemeRecord.run_id == ObservationTheme.run_id,
                                ThemeRecord.theme_key == ObservationTheme.theme_key))
        .where(ObservationTheme.run_id == run_id, Observation.submission_id.in_(plan_ids))).all()
    counts: dict[int, Counter] = {}
    for plan_id, label in rows:
        counts.setdefault(plan_id, Counter())[label] += 1
    return {pid: [label for label, _ in c.most_common()] for pid, c in counts.items()}
