"""Actions on themes and drivers: create, change status, and list them beside the reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import aliased

from webapp.extensions import db
from webapp.models import ACTION_STATUSES, Action, Period, Person
from webapp.store.errors import InvalidInput, NotFound, StaleDecision

STATUS_TITLES = {"open": "Open", "in_progress": "In progress", "done": "Done"}


@dataclass(frozen=True)
class ActionRow:
    id: int
    theme_key: int | None
    driver_id: str | None
    subject_label: str
    title: str
    owner: str
    due_on: date
    status: str
    created_by: str
    period: str
    owner_id: int | None = None

    @property
    def kind(self) -> str:
        return "theme" if self.theme_key is not None else "driver"

    def overdue(self, today: date) -> bool:
        """Past its due date and not done."""
        return self.status != "done" and self.due_on < today


class StaleStatus(StaleDecision):
    """The action's status changed since the form was opened; nothing was changed."""


def owner_choices() -> list[tuple[int, str]]:
    """People who can own an action: everyone active except reps, by name."""
    rows = db.session.execute(
        select(Person.id, Person.name, Person.role).where(Person.active.is_(True), Person.role != "rep")
        .order_by(Person.name)
    ).all()
    return [(pid, f"{name} ({role})") for pid, name, role in rows]


def create_action(*, theme_key: int | None = None, driver_id: str | None = None, subject_label: str,
                  title: str, owner_id: int, due_on: date, period_code: str, created_by_id: int,
                  status: str = "open") -> Action:
    """Create an action on exactly one theme or driver."""
    if (theme_key is None) == (driver_id is None):
        raise InvalidInput("an action is about one theme or one driver")
    if status not in ACTION_STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(ACTION_STATUSES)}")
    if db.session.get(Person, owner_id) is None:
        raise InvalidInput("no such owner")
    period = db.session.scalar(select(Period).where(Period.code == period_code))
    if period is None:
        raise InvalidInput(f"no period {period_code!r}")
    action = Action(theme_key=theme_key, driver_id=driver_id, subject_label=subject_label[:200],
                    title=title.strip()[:200], owner_id=owner_id, due_on=due_on, status=status,
                    created_by_id=created_by_id, period_id=period.id)
    db.session.add(action)
    db.session.commit()
    return action


def set_status(action_id: int, status: str, *, expected: str | None = None) -> Action:
    """Change an action's status; with `expected`, refuse if it is no longer the current one.

    The check and the write are one conditional UPDATE, so two people changing the same action
    at once cannot silently overwrite each other: the second is told what the status now is.
    """
    if status not in ACTION_STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(ACTION_STATUSES)}")
    action = db.session.get(Action, action_id)
    if action is None:
        raise NotFound("No such action.")
    if expected is not None:
        from sqlalchemy import update

        done = db.session.execute(update(Action).where(Action.id == action_id, Action.status == expected)
                                  .values(status=status)).rowcount
        db.session.commit()
        db.session.refresh(action)
        if not done:
            raise StaleStatus(f"This action is now “{STATUS_TITLES.get(action.status, action.status)}”: someone "
                              f"changed it since you opened the page, so your change to "
                              f"“{STATUS_TITLES[status]}” was not applied. Choose again.")
        return action
    action.status = status
    db.session.commit()
    return action


def _rows(*where) -> list[ActionRow]:
    owner, creator = aliased(Person), aliased(Person)
    rows = db.session.execute(
        select(Action.id, Action.theme_key, Action.driver_id, Action.subject_label, Action.title, owner.name,
               Action.due_on, Action.status, creator.name, Period.code, Action.owner_id)
        .join(owner, Action.owner_id == owner.id).join(creator, Action.created_by_id == creator.id)
        .join(Period, Action.period_id == Period.id)
        .where(*where).order_by(Action.due_on, Action.id)
    ).all()
    return [ActionRow(*r) for r in rows]


def theme_actions(period_code: str | None = None) -> dict[int, list[ActionRow]]:
    """Actions on themes, by theme key; with a period, those created in it or before it."""
    where = [Action.theme_key.is_not(None)]
    if period_code is not None:
        period = db.session.scalar(select(Period).where(Period.code == period_code))
        if period is not None:
            where.append(Period.starts_on <= period.starts_on)
    out: dict[int, list[ActionRow]] = {}
    for row in _rows(*where):
        out.setdefault(row.theme_key, []).append(row)
    return out


def list_actions(*, owner_id: int | None = None, status: str | None = None, kind: str | None = None,
                 theme_key: int | None = None, driver_id: str | None = None) -> list[ActionRow]:
    """Every action, filtered by owner, status, kind (theme or driver), theme or driver; soonest due first."""
    where = []
    if owner_id is not None:
        where.append(Action.owner_id == owner_id)
    if status is not None:
        where.append(Action.status == status)
    if kind == "theme":
        where.append(Action.theme_key.is_not(None))
    elif kind == "driver":
        where.append(Action.driver_id.is_not(None))
    if theme_key is not None:
        where.append(Action.theme_key == theme_key)
    if driver_id is not None:
        where.append(Action.driver_id == driver_id)
    return _rows(*where)


def action_subjects() -> list[tuple[str, str]]:
    """(filter value, label) of every subject that has an action: "theme:<key>" or "driver:<id>"."""
    rows = db.session.execute(select(Action.theme_key, Action.driver_id, Action.subject_label)
                              .order_by(Action.subject_label)).all()
    seen, out = set(), []
    for key, driver, label in rows:
        value = f"theme:{key}" if key is not None else f"driver:{driver}"
        if value not in seen:
            seen.add(value)
            out.append((value, f"{label} ({'theme' if key is not None else 'driver'})"))
    return out


def action_owners() -> list[tuple[int, str]]:
    """(id, name) of everyone who owns an action, by name."""
    return [tuple(r) for r in db.session.execute(
        select(Person.id, Person.name).where(Person.id.in_(select(Action.owner_id))).order_by(Person.name)).all()]


def driver_actions() -> list[ActionRow]:
    """Every action on an engagement driver."""
    return _rows(Action.driver_id.is_not(None))


def get_action(action_id: int) -> ActionRow | None:
    rows = _rows(Action.id == action_id)
    return rows[0] if rows else None


def subject_label(kind: str, subject: str, period_code: str) -> str:
    """Name the subject from stored data, not from the form: the theme's label or the driver's title."""
    from surveys.loader import list_surveys
    from webapp.models import ThemeRecord

    if kind == "theme":
        from webapp.store.analysis import latest_run_id

        label = db.session.scalar(
            select(ThemeRecord.label).where(ThemeRecord.run_id == latest_run_id("observations"),
                                            ThemeRecord.theme_key == int(subject)))
        if label is None:
            raise InvalidInput(f"no theme {subject}")
        return label
    for survey in list_surveys():
        for driver in survey.drivers:
            if driver.id == subject:
                return driver.title
    raise InvalidInput(f"no driver {subject!r}")
