"""Team roll-up: proposed vs approved vs top-down, grouped by region, territory and manager."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import aliased

from webapp.extensions import db
from webapp.models import Period, Person, PlanSubmission, Region, Territory, TopDownTarget

GROUPINGS = ("region", "territory", "manager")


@dataclass(frozen=True)
class RollupRow:
    group: str
    people: int
    submitted: int
    proposed: Decimal
    approved: Decimal
    top_down: Decimal
    top_down_submitted: Decimal  # top-down of the people who submitted, to compare like with like

    @property
    def gap(self) -> Decimal:
        """Bottom-up proposed minus the same people's top-down: positive when reps aim higher."""
        return self.proposed - self.top_down_submitted


def periods_with_plans() -> list[Period]:
    return list(db.session.scalars(
        select(Period).where(Period.id.in_(select(PlanSubmission.period_id)))
        .order_by(Period.starts_on.desc())
    ))


def period_by_code(code: str) -> Period | None:
    return db.session.scalar(select(Period).where(Period.code == code))


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
        .where(Person.role.in_(("rep", "manager")))
    ).all()
    plans = {
        p.person_id: p for p in db.session.scalars(
            select(PlanSubmission).where(PlanSubmission.period_id == period.id))
    }
    top = dict(db.session.execute(
        select(TopDownTarget.person_id, TopDownTarget.amount).where(TopDownTarget.period_id == period.id)
    ).all())
    groups: dict[str, dict] = defaultdict(lambda: {"people": 0, "submitted": 0, "proposed": Decimal(0),
                                                   "approved": Decimal(0), "top_down": Decimal(0),
                                                   "top_down_submitted": Decimal(0)})
    for person_id, region, territory, manager_name in rows:
        if person_ids is not None and person_id not in person_ids:
            continue
        plan = plans.get(person_id)
        if plan is None and person_id not in top:
            continue
        key = {"region": region, "territory": territory, "manager": manager_name}[by] or "(none)"
        g = groups[key]
        g["people"] += 1
        g["top_down"] += top.get(person_id, Decimal(0))
        if plan is not None and plan.status != "draft":
            g["submitted"] += 1
            g["proposed"] += plan.proposed or Decimal(0)
            g["approved"] += plan.approved or Decimal(0)
            g["top_down_submitted"] += top.get(person_id, Decimal(0))
    result = [RollupRow(group=k, **v) for k, v in sorted(groups.items())]
    return result


def total(rows: list[RollupRow]) -> RollupRow:
    return RollupRow(
        group="Total", people=sum(r.people for r in rows), submitted=sum(r.submitted for r in rows),
        proposed=sum((r.proposed for r in rows), Decimal(0)),
        approved=sum((r.approved for r in rows), Decimal(0)),
        top_down=sum((r.top_down for r in rows), Decimal(0)),
        top_down_submitted=sum((r.top_down_submitted for r in rows), Decimal(0)),
    )
