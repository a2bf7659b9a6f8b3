"""People, reporting lines, regions, territories and periods."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Period, Person, Region, Territory
from webapp.models.org import ROLES
from webapp.infra.passwords import check_policy, hash_password
from webapp.periods import period_start
from webapp.store.errors import InvalidInput


def get_person(person_id: int) -> Person | None:
    return db.session.get(Person, person_id)


def person_by_email(email: str) -> Person | None:
    return db.session.scalar(select(Person).where(Person.email == email.strip().lower()))


def ensure_region(name: str) -> Region:
    region = db.session.scalar(select(Region).where(Region.name == name))
    if region is None:
        region = Region(name=name)
        db.session.add(region)
        db.session.flush()
    return region


def ensure_territory(name: str, region_name: str) -> Territory:
    territory = db.session.scalar(select(Territory).where(Territory.name == name))
    if territory is None:
        territory = Territory(name=name, region=ensure_region(region_name))
        db.session.add(territory)
        db.session.flush()
    return territory


def ensure_period(code: str) -> Period:
    period = db.session.scalar(select(Period).where(Period.code == code))
    if period is None:
        period = Period(code=code, starts_on=period_start(code))
        db.session.add(period)
        db.session.flush()
    return period


def create_person(*, email: str, name: str, role: str, manager: Person | None = None,
                  territory: str | None = None, region: str | None = None,
                  department: str | None = None, hire_date: date | None = None,
                  password: str | None = None, commit: bool = True) -> Person:
    """Create a person (optionally with a password that must pass the policy)."""
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    if person_by_email(email) is not None:
        raise InvalidInput(f"a person with email {email} already exists")
    if password is not None:
        check_policy(password)
    person = Person(
        email=email.strip().lower(), name=name, role=role, manager=manager,
        territory=ensure_territory(territory, region or "Unassigned") if territory else None,
        department=department, hire_date=hire_date,
        password_hash=hash_password(password) if password else None,
        active=True, session_version=1,
    )
    db.session.add(person)
    if commit:
        db.session.commit()
    return person


def set_password(person: Person, password: str) -> None:
    check_policy(password)
    person.password_hash = hash_password(password)
    person.session_version += 1
    db.session.commit()


def end_sessions(person: Person) -> None:
    """Invalidate every session cookie issued to this person (logout, disable)."""
    person.session_version += 1
    db.session.commit()


def set_active(person: Person, active: bool) -> None:
    person.active = active
    person.session_version += 1
    db.session.commit()


def subtree_ids(manager_id: int) -> set[int]:
    """Return ids of everyone below a manager, at any depth (recursive CTE)."""
    below = select(Person.id).where(Person.manager_id == manager_id).cte("below", recursive=True)
    below = below.union_all(select(Person.id).where(Person.manager_id == below.c.id))
    return set(db.session.scalars(select(below.c.id)))


def is_below(person_id: int, manager_id: int) -> bool:
    """Tell whether person_id reports to manager_id, directly or indirectly."""
    seen: set[int] = set()
    current = get_person(person_id)
    while current is not None and current.manager_id is not None and current.id not in seen:
        if current.manager_id == manager_id:
            return True
        seen.add(current.id)
        current = get_person(current.manager_id)
    return False


def list_people() -> list[Person]:
    return list(db.session.scalars(select(Person).order_by(Person.role, Person.email)))


def count_people() -> int:
    return db.session.query(Person).count()
