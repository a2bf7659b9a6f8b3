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
        check_policy(password, email=email, name=name)
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
    check_policy(password, email=person.email, name=person.name)
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


# People administration (the admin pages): search, edit, move, deactivate, import with a preview.
# Every change writes a PersonChange row in the same transaction as the change itself.

PAGE_SIZE = 200
EDITABLE = ("name", "role", "manager_email", "region", "territory", "department")


def _audit(actor_id: int | None, person_id: int | None, action: str, detail: dict | None = None) -> None:
    from webapp.models import PersonChange

    db.session.add(PersonChange(actor_id=actor_id, person_id=person_id, action=action, detail=detail or {}))


def normalise_email(email: str) -> str:
    """Return the address lower-cased, or raise InvalidInput saying why it is not one."""
    from email_validator import EmailNotValidError, validate_email

    text = (email or "").strip()
    try:
        return validate_email(text, check_deliverability=False, test_environment=True).normalized.lower()
    except EmailNotValidError as exc:
        raise InvalidInput(f"{text!r} is not a valid email address: {exc}") from None


def search_people(*, query: str = "", role: str = "", region: str = "", active: str = "",
                  manager_id: int | None = None) -> list[Person]:
    """People matching a free-text query (name or email) and the filters, at most PAGE_SIZE."""
    from sqlalchemy import func, or_

    statement = select(Person).order_by(Person.role, Person.email)
    if query:
        like = f"%{query.strip().lower()[:100]}%"
        statement = statement.where(or_(func.lower(Person.name).like(like), Person.email.like(like)))
    if role in ROLES:
        statement = statement.where(Person.role == role)
    if region:
        statement = statement.join(Territory, Person.territory_id == Territory.id).join(
            Region, Territory.region_id == Region.id).where(Region.name == region)
    if active in ("yes", "no"):
        statement = statement.where(Person.active.is_(active == "yes"))
    if manager_id is not None:
        statement = statement.where(Person.manager_id == manager_id)
    return list(db.session.scalars(statement.limit(PAGE_SIZE)))


def region_names() -> list[str]:
    return list(db.session.scalars(select(Region.name).order_by(Region.name)))


def managers() -> list[Person]:
    """Everyone who may have reports (managers and leaders), for choosing a manager."""
    return list(db.session.scalars(select(Person).where(Person.role.in_(("manager", "leader")))
                                   .order_by(Person.name)))


def _manager_for(email: str | None, person: Person | None) -> Person | None:
    if not email:
        return None
    manager = person_by_email(normalise_email(email))
    if manager is None:
        raise InvalidInput(f"the manager {email!r} is not a known person")
    if person is not None and (manager.id == person.id or is_below(manager.id, person.id)):
        raise InvalidInput(f"{manager.email} reports to {person.email}: that would be a reporting cycle")
    return manager


def _placement(region: str | None, territory: str | None) -> Territory | None:
    if not territory:
        return None
    if not region:
        raise InvalidInput(f"a region is required when a territory ({territory!r}) is given")
    existing = db.session.scalar(select(Territory).where(Territory.name == territory))
    if existing is not None and existing.region.name != region:
        raise InvalidInput(f"territory {territory!r} is in region {existing.region.name!r}, not {region!r}")
    return ensure_territory(territory, region)


def _snapshot(person: Person) -> dict:
    return {"name": person.name, "role": person.role,
            "manager_email": person.manager.email if person.manager else None,
            "region": person.territory.region.name if person.territory else None,
            "territory": person.territory.name if person.territory else None,
            "department": person.department}


def add_person(actor_id: int, *, email: str, name: str, role: str, manager_email: str | None = None,
               region: str | None = None, territory: str | None = None,
               department: str | None = None) -> Person:
    """Create a person without a password (they are invited to set one); audited."""
    email = normalise_email(email)
    if not (name or "").strip():
        raise InvalidInput("a name is required")
    try:
        manager = _manager_for(manager_email, None)
        person = create_person(email=email, name=name.strip(), role=role, manager=manager,
                               department=(department or "").strip() or None, commit=False)
        person.territory = _placement((region or "").strip() or None, (territory or "").strip() or None)
        db.session.flush()
        _audit(actor_id, person.id, "created", _snapshot(person))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return person


def update_person(actor_id: int, person_id: int, **values: str | None) -> dict:
    """Change a person's name, role, manager, region/territory or department; return what changed."""
    person = get_person(person_id)
    if person is None:
        from webapp.store.errors import NotFound

        raise NotFound("No such person.")
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise InvalidInput(f"cannot change {', '.join(sorted(unknown))}")
    clean = {k: ((v or "").strip() or None) for k, v in values.items()}
    try:
        before = _snapshot(person)
        if "role" in clean:
            if clean["role"] not in ROLES:
                raise InvalidInput(f"role must be one of {', '.join(ROLES)}, got {clean['role']!r}")
            person.role = clean["role"]
        if "name" in clean:
            if not clean["name"]:
                raise InvalidInput("a name is required")
            person.name = clean["name"][:200]
        if "manager_email" in clean:
            person.manager = _manager_for(clean["manager_email"], person)
        if "territory" in clean or "region" in clean:
            person.territory = _placement(clean.get("region", before["region"]),
                                          clean.get("territory", before["territory"]))
        if "department" in clean:
            person.department = clean["department"]
        db.session.flush()
        after = _snapshot(person)
        changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        if changes:
            _audit(actor_id, person.id, "edited", changes)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return changes


def change_active(actor_id: int, person_id: int, active: bool) -> Person:
    """Deactivate (ending every session at once) or reactivate a person; audited."""
    person = get_person(person_id)
    if person is None:
        from webapp.store.errors import NotFound

        raise NotFound("No such person.")
    if not active and person.id == actor_id:
        raise InvalidInput("you cannot deactivate yourself")
    if person.active != active:
        person.active = active
        person.session_version += 1  # every cookie issued before stops working (SESS-2)
        _audit(actor_id, person.id, "reactivated" if active else "deactivated")
        db.session.commit()
    return person


def move_team(actor_id: int, from_manager_id: int, to_manager_email: str) -> int:
    """Give every direct report of one manager to another; return how many moved."""
    source = get_person(from_manager_id)
    if source is None:
        from webapp.store.errors import NotFound

        raise NotFound("No such person.")
    try:
        target = _manager_for(to_manager_email, None)
        if target is None:
            raise InvalidInput("choose the manager the team moves to")
        if target.id == source.id:
            raise InvalidInput("the team already reports to that manager")
        team = list(db.session.scalars(select(Person).where(Person.manager_id == source.id)))
        for member in team:
            if target.id == member.id or is_below(target.id, member.id):
                raise InvalidInput(f"{target.email} reports to {member.email}: that would be a reporting cycle")
        for member in team:
            member.manager_id = target.id
            _audit(actor_id, member.id, "moved", {"manager_email": [source.email, target.email]})
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return len(team)


def recent_changes(limit: int = 50) -> list:
    from webapp.models import PersonChange

    return list(db.session.scalars(select(PersonChange).order_by(PersonChange.id.desc()).limit(limit)))


def person_fields(person: Person) -> dict:
    """The editable fields of a person as the edit form shows them."""
    return {"email": person.email, **{k: v or "" for k, v in _snapshot(person).items()}}
