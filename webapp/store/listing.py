"""Paged lists for the API: people, plans and observations, filtered to an owner scope."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from webapp.extensions import db
from webapp.models import Observation, Period, Person, PlanSubmission, Territory


@dataclass(frozen=True)
class Page:
    """One page of a list and the size of the whole list."""

    items: list
    total: int
    page: int
    per_page: int

    def map(self, convert: Callable) -> Page:
        return Page([convert(item) for item in self.items], self.total, self.page, self.per_page)


def _page(query, page: int, per_page: int, *, scalars: bool = True) -> Page:
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    query = query.limit(per_page).offset((page - 1) * per_page)
    items = list(db.session.scalars(query)) if scalars else list(db.session.execute(query))
    return Page(items, total or 0, page, per_page)


def people_page(*, page: int, per_page: int) -> Page:
    query = select(Person).options(selectinload(Person.manager),
                                   selectinload(Person.territory).selectinload(Territory.region))
    return _page(query.order_by(Person.id), page, per_page)


def plans_page(person_ids: set[int] | None, *, period: str | None, status: str | None,
               page: int, per_page: int) -> Page:
    """Plans of the people in `person_ids` (None: everyone), newest period first."""
    query = (select(PlanSubmission).join(Period, PlanSubmission.period_id == Period.id)
             .options(selectinload(PlanSubmission.person), selectinload(PlanSubmission.period),
                      selectinload(PlanSubmission.territory), selectinload(PlanSubmission.observations),
                      selectinload(PlanSubmission.decisions)))
    if person_ids is not None:
        query = query.where(PlanSubmission.person_id.in_(sorted(person_ids)))
    if period:
        query = query.where(Period.code == period.upper())
    if status:
        query = query.where(PlanSubmission.status == status)
    return _page(query.order_by(Period.starts_on.desc(), PlanSubmission.id), page, per_page)


def observations_page(person_ids: set[int] | None, *, period: str | None, page: int, per_page: int) -> Page:
    """(observation, period code) rows of the people in `person_ids` (None: everyone)."""
    query = (select(Observation, Period.code).join(Period, Observation.period_id == Period.id)
             .options(selectinload(Observation.person)))
    if person_ids is not None:
        query = query.where(Observation.person_id.in_(sorted(person_ids)))
    if period:
        query = query.where(Period.code == period.upper())
    return _page(query.order_by(Period.starts_on.desc(), Observation.id), page, per_page, scalars=False)
