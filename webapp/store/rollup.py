"""Team roll-up: proposed vs approved vs top-down over one base, grouped by region, territory and manager.

One base everywhere (PRODUCT.md "Roll-up base"): proposed, approved and top-down are summed over the
same people, those who submitted; coverage = submitted / invited. An undecided plan has no approved
amount: `approved` sums the decided plans only (None when none is decided) and `proposed_decided` is
the same people's proposals, so approved is never read against a different base.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import aliased

from webapp.extensions import db
from webapp.models import (
    Campaign,
    CampaignMember,
    Period,
    Person,
    PlanSubmission,
    Region,
    Territory,
    TopDownTarget,
)
from webapp.models.planning import DECIDED_STATUSES

GROUPINGS = ("region", "territory", "manager")
SUBMITTER_ROLES = ("rep", "manager", "leader")
BASE_RULE = (  # the rule in words, captioning every roll-up table
    "Proposed, approved and top-down are summed over the same people: those who submitted. "
    "Approved sums the decided plans only; an undecided plan has no approved amount. "
    "Coverage = submitted / invited.")


@dataclass(frozen=True)
class RollupRow:
    group: str
    people: int  # invited, or with a plan or a top-down target
    submitted: int
    proposed: Decimal  # of the submitters
    approved: Decimal | None  # of the decided plans; None when none is decided (never 0)
    top_down: Decimal  # of the submitters: the same base as `proposed`
    invited: int = 0  # the campaign audience of the period (0: no campaign, e.g. imported plans)
    decided: int = 0
    proposed_decided: Decimal = Decimal(0)  # proposals of the decided plans, to read `approved` against
    top_down_all: Decimal = Decimal(0)  # top-down of everyone in the group with one (stated apart)

    @property
    def top_down_submitted(self) -> Decimal:
        """Top-down of the people who submitted (kept for old callers: the same as `top_down`)."""
        return self.top_down

    @property
    def gap(self) -> Decimal:
        """Bottom-up proposed minus the same people's top-down: positive when reps aim higher."""
        return self.proposed - self.top_down

    @property
    def undecided(self) -> int:
        return self.submitted - self.decided

    @property
    def base(self) -> int:
        """The denominator of coverage: invited when there is a campaign, else everyone counted."""
        return self.invited or self.people

    @property
    def coverage(self) -> float | None:
        """Submitted / invited (a fraction), None when nobody is invited."""
        return self.submitted / self.base if self.base else None


def periods_with_plans() -> list[Period]:
    return list(db.session.scalars(
        select(Period).where(Period.id.in_(select(PlanSubmission.period_id)))
        .order_by(Period.starts_on.desc())
    ))


def period_by_code(code: str) -> Period | None:
    return db.session.scalar(select(Period).where(Period.code == code))


def invited_ids(period: Period) -> set[int]:
    """People invited to any campaign of the period (its planning audience)."""
    return set(db.session.scalars(
        select(CampaignMember.person_id).join(Campaign, CampaignMember.campaign_id == Campaign.id)
        .where(Campaign.period_id == period.id)))


def rollup(period: Period, by: str, person_ids: set[int] | None = None) -> list[RollupRow]:
    """Sum plans and top-down targets of one period per group; `person_ids` limits the scope."""
    if by not in GROUPINGS:
        raise ValueError(f"group by one of {GROUPINGS}")
    manager = aliased(Person)
    rows = db.session.execute(
        select(Person.id, Region.name, Territory.name, manager.name)
        .outerjoin(Territory, Person.territory_id == Territory.id)
        .outerjoin(Region, Territory.region_id == Region.id)
        .outerjoin(manager, Person.manager_id == manager.id)
        .where(Person.role.in_(SUBMITTER_ROLES))
    ).all()
    plans = {
        p.person_id: p for p in db.session.scalars(
            select(PlanSubmission).where(PlanSubmission.period_id == period.id))
    }
    top = dict(db.session.execute(
        select(TopDownTarget.person_id, TopDownTarget.amount).where(TopDownTarget.period_id == period.id)
    ).all())
    invited = invited_ids(period)
    groups: dict[str, dict] = defaultdict(lambda: {"people": 0, "submitted": 0, "proposed": Decimal(0),
                                                   "approved": None, "top_down": Decimal(0), "invited": 0,
                                                   "decided": 0, "proposed_decided": Decimal(0),
                                                   "top_down_all": Decimal(0)})
    for person_id, region, territory, manager_name in rows:
        if person_ids is not None and person_id not in person_ids:
            continue
        plan = plans.get(person_id)
        if plan is None and person_id not in top and person_id not in invited:
            continue
        key = {"region": region, "territory": territory, "manager": manager_name}[by] or f"(no {by})"
        g = groups[key]
        g["people"] += 1
        g["invited"] += person_id in invited
        g["top_down_all"] += top.get(person_id, Decimal(0))
        if plan is not None and plan.status != "draft":
            g["submitted"] += 1
            g["proposed"] += plan.proposed or Decimal(0)
            g["top_down"] += top.get(person_id, Decimal(0))
            if plan.status in DECIDED_STATUSES and plan.approved is not None:
                g["decided"] += 1
                g["approved"] = (g["approved"] or Decimal(0)) + plan.approved
                g["proposed_decided"] += plan.proposed or Decimal(0)
    return [RollupRow(group=k, **v) for k, v in sorted(groups.items())]


def total(rows: list[RollupRow]) -> RollupRow:
    approved = [r.approved for r in rows if r.approved is not None]
    return RollupRow(
        group="Total", people=sum(r.people for r in rows), submitted=sum(r.submitted for r in rows),
        proposed=sum((r.proposed for r in rows), Decimal(0)),
        approved=sum(approved, Decimal(0)) if approved else None,
        top_down=sum((r.top_down for r in rows), Decimal(0)),
        invited=sum(r.invited for r in rows), decided=sum(r.decided for r in rows),
        proposed_decided=sum((r.proposed_decided for r in rows), Decimal(0)),
        top_down_all=sum((r.top_down_all for r in rows), Decimal(0)),
    )
