"""CSV imports of people, targets, observations and actuals: every row checked, then all or nothing.

A file is read whole, every row is validated (errors name file, physical line and column), and
only a file without errors is written, inside one transaction. Rows are upserts keyed by email
(people), person + period (targets, actuals) or the caller's id (observations), so importing the
same file twice changes nothing. Lookups are prefetched into dicts so large files stay fast.

Every change an import makes leaves an audit row in the same transaction, in the people audit
trail (`PersonChange`: a person, a plan and its top-down target, an actual, an observation), with
who imported it, the source file and line, and each changed field as [before, after]; a plan's
change is also a decision on its own trail (`Decision`, action "imported") when the importer has
an account here. An unchanged row writes nothing.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from surveys.kinds import OBSERVATION_TAGS
from surveys.values import MONEY_MAX, ValueRefused, parse_money, parse_text, text_of
from webapp.extensions import db
from webapp.models import (
    Actual,
    Decision,
    Observation,
    Period,
    Person,
    PlanSubmission,
    Region,
    Territory,
    TopDownTarget,
)
from webapp.models.org import ROLES
from webapp.models.types import utcnow
from webapp.periods import PeriodCodeError, period_start
from webapp.store.errors import StoreError
from webapp.store.people import _audit, ensure_period

COLUMNS: dict[str, tuple[str, ...]] = {
    "people": ("email", "name", "role", "manager_email", "region", "territory", "department",
               "hire_date"),
    "targets": ("email", "period", "proposed", "approved", "top_down"),
    "observations": ("id", "email", "period", "text", "tag"),
    "actuals": ("email", "period", "actual"),
}
MAX_ERRORS = 20
MAX_AMOUNT = MONEY_MAX  # one limit for forms, API and CSV (surveys.values)
MAX_TEXT = 2000
# Deliberately loose: one @, no spaces, a dot in the domain. Real checking happens by mail.
_EMAIL = re.compile(r"^[^@\s,;<>\"']+@[^@\s,;<>\"']+\.[^@\s,;<>\"'.]+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Observation ids the app generates for answered plans ("plan-<plan id>-<n>", store.plans); an
# imported id in that namespace could take the id a rep's next save needs, so imports refuse it.
APP_ID_PREFIX = "plan-"
# Chunk IN (...) lists to stay below SQLite's bound-parameter limit.
_IN_CHUNK = 500


@dataclass(frozen=True)
class ImportResult:
    """What an import did: data rows read; how many were created, updated or left unchanged."""

    kind: str
    rows: int
    created: int
    updated: int
    unchanged: int


@dataclass(frozen=True)
class ImportOptions:
    """How far an import may reach into live data, and who answers for it.

    A plan answered in the app (it has a campaign: a draft, a submission, a manager's decision)
    is live: an import that would change it is refused row by row, unless `override_decisions`
    is set, and then each change is written as a decision by `actor_id` (the audit trail).
    Every change is audited with `actor_id` as who (None when the importer has no account here,
    e.g. the CLI without --by) and `via`, how the import came in (e.g. the CLI and its OS user).
    """

    override_decisions: bool = False
    actor_id: int | None = None
    via: str | None = None


class CsvImportError(StoreError):
    """The file was refused and nothing written; `errors` holds one readable line per problem."""

    def __init__(self, errors: Sequence[str]):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


class _TooManyErrors(Exception):
    pass


class _Errors:
    """Collects messages `file, line N, column C: reason`, stopping after MAX_ERRORS."""

    def __init__(self, filename: str, unit: str = "line", lines: Mapping[int, int] | None = None):
        self.filename = filename
        self.unit = unit  # "line" in a file, "row" in a list of rows sent to the API
        # Row number -> physical line, when rows read elsewhere came from a file (the admin page)
        self.lines = lines or {}
        self.messages: list[str] = []

    def at(self, line: int) -> int:
        """The line (or row) a message or an audit row names for a row read at `line`."""
        return self.lines.get(line, line)

    def add(self, line: int | None, column: str | None, reason: str) -> None:
        where = self.filename
        if line is not None:
            where += f", {self.unit} {self.at(line)}"
        if column is not None:
            where += f", column {column}"
        self.messages.append(f"{where}: {reason}")
        if len(self.messages) >= MAX_ERRORS:
            raise _TooManyErrors

    def raise_if_any(self) -> None:
        if self.messages:
            raise CsvImportError(self.messages)


@dataclass
class _Row:
    line: int
    values: dict[str, str]


class _Cells:
    """Parses the cells of one row, recording an error (and `ok = False`) for each bad one."""

    def __init__(self, errors: _Errors, row: _Row):
        self.errors = errors
        self.row = row
        self.ok = True

    def error(self, column: str | None, reason: str) -> None:
        self.ok = False
        self.errors.add(self.row.line, column, reason)

    def raw(self, column: str, *, required: bool) -> str | None:
        value = self.row.values[column]
        if "\x00" in value:
            self.error(column, "contains a NUL character")
            return None
        try:
            value = parse_text(value, max_len=None)
        except ValueRefused as exc:
            self.error(column, str(exc))
            return None
        if not value:
            if required:
                self.error(column, "a value is required")
            return None
        return value

    def text(self, column: str, *, required: bool = False, max_len: int) -> str | None:
        value = self.raw(column, required=required)
        if value is not None and len(value) > max_len:
            self.error(column, f"is {len(value)} characters long; at most {max_len} allowed")
            return None
        return value

    def email(self, column: str, *, required: bool = True) -> str | None:
        value = self.raw(column, required=required)
        if value is None:
            return None
        value = value.lower()
        if len(value) > 254 or not _EMAIL.match(value):
            self.error(column, f"{value!r} is not an email address")
            return None
        return value

    def choice(self, column: str, options: Sequence[str], *, what: str,
               required: bool = True) -> str | None:
        value = self.raw(column, required=required)
        if value is None:
            return None
        if value.lower() not in options:
            self.error(column, f"{value!r} is not a {what} (one of {', '.join(options)})")
            return None
        return value.lower()

    def date(self, column: str) -> date | None:
        value = self.raw(column, required=False)
        if value is None:
            return None
        try:
            if not _DATE.match(value):
                raise ValueError
            return date.fromisoformat(value)
        except ValueError:
            self.error(column, f"{value!r} is not a date (YYYY-MM-DD)")
            return None

    def period(self, column: str) -> str | None:
        value = self.raw(column, required=True)
        if value is None:
            return None
        code = value.upper()
        try:
            period_start(code)
        except (PeriodCodeError, ValueError):
            self.error(column, f"{value!r} is not a period (YYYY-Qn or YYYY-MM)")
            return None
        return code

    def money(self, column: str, *, required: bool, allow_zero: bool) -> Decimal | None:
        value = self.raw(column, required=required)
        if value is None:
            return None
        try:
            return parse_money(value, allow_zero=allow_zero)  # the form's and the API's parser
        except ValueRefused as exc:
            self.error(column, f"{value!r} is not accepted: {exc}")
            return None

    def person(self, column: str, people: dict[str, object]) -> str | None:
        email = self.email(column)
        if email is not None and email not in people:
            self.error(column, f"{email!r} is not a known person (import people first)")
            return None
        return email


# Reading ----------------------------------------------------------------------------------------


def _decode(path: Path, columns: Sequence[str]) -> str:
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CsvImportError([f"{name}: cannot be read ({exc.strerror or exc})"]) from None
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CsvImportError([
            f"{name}, line {line}: is not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be "
            "decoded); save the file as UTF-8 and import it again"
        ]) from None
    if not text.strip():
        raise CsvImportError(
            [f"{name}: the file is empty; expected a header row {','.join(columns)}"]
        )
    return text


def _read(text: str, columns: Sequence[str], errors: _Errors) -> list[_Row]:
    """Parse the header and the data rows, keeping each row's first physical line number."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    rows: list[_Row] = []
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.add(start, None, f"is not valid CSV ({exc})")
            break
        if not any(field.strip() for field in record):
            continue  # blank lines carry no row
        if header is None:
            header = [field.strip().lower() for field in record]
            _check_header(header, start, columns, errors)
            continue
        if len(record) != len(header):
            errors.add(start, None, f"has {len(record)} fields; the header has {len(header)}")
            continue
        rows.append(_Row(start, {col: value.strip() for col, value in zip(header, record)}))
    if header is None:
        errors.add(None, None, f"the file has no header row; expected {','.join(columns)}")
    return rows


def _check_header(header: list[str], line: int, columns: Sequence[str], errors: _Errors) -> None:
    seen: set[str] = set()
    for column in header:
        if column not in columns:
            errors.add(line, column or "(empty)",
                       f"unknown column; the columns are {','.join(columns)}")
        elif column in seen:
            errors.add(line, column, "appears twice in the header")
        seen.add(column)
    missing = [column for column in columns if column not in seen]
    if missing:
        errors.add(line, None, f"missing column(s) {', '.join(missing)}; "
                               f"the columns are {','.join(columns)}")
    # A bad header makes every row meaningless: stop here.
    errors.raise_if_any()


# Shared lookups ---------------------------------------------------------------------------------


def _in_chunks(values: Iterable) -> Iterable[list]:
    values = list(values)
    for start in range(0, len(values), _IN_CHUNK):
        yield values[start:start + _IN_CHUNK]


def _people_index() -> dict[str, tuple[int, int | None]]:
    """Map email -> (person id, territory id) for everyone."""
    rows = db.session.execute(select(Person.email, Person.id, Person.territory_id))
    return {email: (pid, territory_id) for email, pid, territory_id in rows}


def _periods(codes: Iterable[str]) -> dict[str, int]:
    return {code: ensure_period(code).id for code in sorted(set(codes))}


def _set_changed(obj: object, values: dict[str, object]) -> bool:
    """Assign only the attributes whose value differs; tell whether any did."""
    changed = False
    for attr, value in values.items():
        if getattr(obj, attr) != value:
            setattr(obj, attr, value)
            changed = True
    return changed


def _json_value(value: object) -> object:
    if isinstance(value, Decimal):
        return text_of(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _diff(before: Mapping[str, object] | None, after: Mapping[str, object]) -> dict[str, list]:
    """Each field whose value differs as [before, after] (before None for a new record)."""
    before = before or {}
    return {key: [_json_value(before.get(key)), _json_value(value)]
            for key, value in after.items() if before.get(key) != value}


def _audit_change(options: ImportOptions, errors: _Errors, line: int, person_id: int, action: str,
                  changes: dict[str, list], *, created: bool = False, **key: object) -> None:
    """Write one audit row (people audit trail) for a record an import created or changed."""
    detail: dict[str, object] = {**key}
    if created:
        detail["created"] = True
    detail.update(changes)
    detail["file"] = errors.filename
    detail[errors.unit] = errors.at(line)
    if options.via:
        detail["via"] = options.via
    _audit(options.actor_id, person_id, action, detail)


class _Counter:
    def __init__(self, kind: str, rows: int):
        self.kind, self.rows = kind, rows
        self.created = self.updated = self.unchanged = 0

    def count(self, created: bool, changed: bool) -> None:
        if created:
            self.created += 1
        elif changed:
            self.updated += 1
        else:
            self.unchanged += 1

    def result(self) -> ImportResult:
        return ImportResult(self.kind, self.rows, self.created, self.updated, self.unchanged)


# People -----------------------------------------------------------------------------------------


@dataclass
class _PersonRow:
    line: int
    email: str
    name: str
    role: str
    manager_email: str | None
    region: str | None
    territory: str | None
    department: str | None
    hire_date: date | None


def _person_fields(*, name: str, role: str, manager_email: str | None, region: str | None,
                   territory: str | None, department: str | None,
                   hire_date: date | None) -> dict[str, object]:
    """What the audit trail shows of a person (the region is the territory's: a person has no other)."""
    return {"name": name, "role": role, "manager_email": manager_email,
            "region": region if territory else None, "territory": territory,
            "department": department, "hire_date": hire_date}


def _import_people(rows: list[_Row], errors: _Errors,
                   options: ImportOptions = ImportOptions()) -> ImportResult:
    people = {p.email: p for p in db.session.scalars(select(Person))}
    email_of = {p.id: p.email for p in people.values()}
    territory_region = {
        t_name: r_name
        for t_name, r_name in db.session.execute(
            select(Territory.name, Region.name).join(Region, Territory.region_id == Region.id)
        )
    }
    first_line: dict[str, int] = {}
    new_territory: dict[str, tuple[str, int]] = {}
    parsed: list[_PersonRow] = []

    for row in rows:
        c = _Cells(errors, row)
        email = c.email("email")
        name = c.text("name", required=True, max_len=200)
        role = c.choice("role", ROLES, what="role")
        manager_email = c.email("manager_email", required=False)
        region = c.text("region", max_len=120)
        territory = c.text("territory", max_len=120)
        department = c.text("department", max_len=120)
        hire_date = c.date("hire_date")
        if email is not None:
            if email in first_line:
                c.error("email", f"{email!r} already appears on {errors.unit} "
                                 f"{errors.at(first_line[email])}")
            else:
                first_line[email] = row.line
        if manager_email is not None and manager_email == email:
            c.error("manager_email", "a person cannot be their own manager")
        if territory is not None and not row.values["region"]:
            c.error("region", f"a region is required when a territory ({territory!r}) is given")
        elif territory is not None and region is not None:
            known = territory_region.get(territory)
            earlier = new_territory.get(territory)
            if known is not None and known != region:
                c.error("territory",
                        f"territory {territory!r} is in region {known!r}, not {region!r}")
            elif earlier is not None and earlier[0] != region:
                c.error("territory", f"territory {territory!r} was given region {earlier[0]!r} "
                                     f"on line {earlier[1]}, not {region!r}")
            elif known is None and earlier is None:
                new_territory[territory] = (region, row.line)
        if c.ok:
            parsed.append(_PersonRow(row.line, email, name, role, manager_email, region, territory,
                                     department, hire_date))

    for p in parsed:
        if p.manager_email is not None and p.manager_email not in first_line \
                and p.manager_email not in people:
            errors.add(p.line, "manager_email",
                       f"{p.manager_email!r} is not a known person and is not in this file")
    _check_cycles(parsed, people, email_of, errors)
    errors.raise_if_any()

    # Write: regions and territories, then people, then (once every id exists) reporting lines.
    regions = {r.name: r for r in db.session.scalars(select(Region))}
    for region_name in sorted({p.region for p in parsed if p.region} - regions.keys()):
        regions[region_name] = Region(name=region_name)
        db.session.add(regions[region_name])
    territories = {t.name: t for t in db.session.scalars(select(Territory))}
    for territory_name, (region_name, _line) in new_territory.items():
        territories[territory_name] = Territory(name=territory_name, region=regions[region_name])
        db.session.add(territories[territory_name])
    db.session.flush()

    placement = {t_id: (t_name, r_name) for t_id, t_name, r_name in db.session.execute(
        select(Territory.id, Territory.name, Region.name).join(Region, Territory.region_id == Region.id))}
    before: dict[str, dict[str, object]] = {}
    for p in parsed:
        old = people.get(p.email)
        if old is not None:
            t_name, r_name = placement.get(old.territory_id, (None, None))
            before[p.email] = _person_fields(
                name=old.name, role=old.role, manager_email=email_of.get(old.manager_id),
                region=r_name, territory=t_name, department=old.department, hire_date=old.hire_date)

    counter = _Counter("people", len(rows))
    outcome: list[tuple[_PersonRow, Person, bool, bool]] = []
    for p in parsed:
        fields = {
            "name": p.name, "role": p.role, "department": p.department, "hire_date": p.hire_date,
            "territory_id": territories[p.territory].id if p.territory else None,
        }
        person = people.get(p.email)
        if person is None:
            # No password: the person cannot log in until an admin or create-user sets one.
            person = Person(email=p.email, password_hash=None, active=True, session_version=1,
                            **fields)
            db.session.add(person)
            people[p.email] = person
            outcome.append((p, person, True, False))
        else:
            outcome.append((p, person, False, _set_changed(person, fields)))
    db.session.flush()

    for p, person, created, changed in outcome:
        manager_id = people[p.manager_email].id if p.manager_email else None
        if person.manager_id != manager_id:
            person.manager_id = manager_id
            changed = True
        counter.count(created, changed)
        if created or changed:
            after = _person_fields(name=p.name, role=p.role, manager_email=p.manager_email,
                                   region=p.region, territory=p.territory,
                                   department=p.department, hire_date=p.hire_date)
            _audit_change(options, errors, p.line, person.id, "imported",
                          _diff(before.get(p.email), after), created=created, email=p.email)
    db.session.flush()
    return counter.result()


def _check_cycles(parsed: list[_PersonRow], people: dict[str, Person], email_of: dict[int, str],
                  errors: _Errors) -> None:
    """Refuse reporting lines that loop, following the file first and the database after."""
    in_file = {p.email: p for p in parsed}

    def manager_of(email: str) -> str | None:
        if email in in_file:
            return in_file[email].manager_email
        person = people.get(email)
        return email_of.get(person.manager_id) if person and person.manager_id else None

    settled: set[str] = set()
    for p in parsed:
        path: list[str] = []
        position: dict[str, int] = {}
        current: str | None = p.email
        while current is not None and current not in settled:
            if current in position:
                loop = path[position[current]:]
                lines = sorted(in_file[e].line for e in loop if e in in_file)
                errors.add(lines[0] if lines else p.line, "manager_email",
                           "reporting cycle: " + " -> ".join(loop + [current]))
                break
            position[current] = len(path)
            path.append(current)
            current = manager_of(current)
        settled.update(path)


# Targets ----------------------------------------------------------------------------------------


def _plan_values(plan: PlanSubmission) -> tuple:
    return (plan.proposed, plan.approved, plan.status)


def _import_targets(rows: list[_Row], errors: _Errors,
                    options: ImportOptions = ImportOptions()) -> ImportResult:
    index = _people_index()
    seen: dict[tuple[str, str], int] = {}
    parsed = []
    for row in rows:
        c = _Cells(errors, row)
        email = c.person("email", index)
        period = c.period("period")
        proposed = c.money("proposed", required=True, allow_zero=False)
        approved = c.money("approved", required=False, allow_zero=False)
        top_down = c.money("top_down", required=False, allow_zero=False)
        if email is not None and period is not None:
            if (email, period) in seen:
                c.error("period", f"{email} already has a target for {period} on line "
                                  f"{seen[email, period]}")
            else:
                seen[email, period] = row.line
        if c.ok:
            parsed.append((row.line, email, period, proposed, approved, top_down))
    errors.raise_if_any()

    period_ids = _periods(p[2] for p in parsed)
    plans: dict[tuple[int, int], PlanSubmission] = {}
    tops: dict[tuple[int, int], TopDownTarget] = {}
    for chunk in _in_chunks(period_ids.values()):
        query = select(PlanSubmission).where(PlanSubmission.period_id.in_(chunk))
        for plan in db.session.scalars(query):
            plans[plan.person_id, plan.period_id] = plan
        for top in db.session.scalars(
                select(TopDownTarget).where(TopDownTarget.period_id.in_(chunk))):
            tops[top.person_id, top.period_id] = top

    now = utcnow()
    counter = _Counter("targets", len(rows))
    for line, email, period, proposed, approved, top_down in parsed:
        person_id, territory_id = index[email]
        key = (person_id, period_ids[period])
        if approved is None:
            status = "submitted"
        else:
            status = "approved" if approved == proposed else "adjusted"
        plan = plans.get(key)
        created = plan is None
        changed = False
        live = plan is not None and plan.campaign_id is not None
        if live and _plan_values(plan) != (proposed, approved, status):
            if not options.override_decisions:
                errors.add(line, "proposed" if plan.status == "draft" else "approved",
                           f"{email}'s {period} plan is {plan.status} in the app (answered "
                           f"through a campaign); an import does not change it unless asked "
                           f"explicitly (--override-decisions), which records it as a decision")
                continue
            if options.actor_id is None:
                errors.add(line, None, "overriding a live plan needs the importer's account "
                                       "(--by EMAIL) to record the decision")
                continue
        before = None if plan is None else (plan.proposed, plan.approved, plan.status)
        if plan is None:
            plan = PlanSubmission(
                person_id=person_id, period_id=key[1], campaign_id=None, territory_id=territory_id,
                status=status, proposed=proposed, approved=approved, answers={},
                submitted_at=now, decided_at=now if approved is not None else None,
            )
            db.session.add(plan)
            plans[key] = plan
        else:
            old_approved = plan.approved
            changed = _set_changed(plan, {"proposed": proposed, "approved": approved,
                                          "status": status})
            if changed:
                if plan.submitted_at is None:
                    plan.submitted_at = now
                if approved != old_approved:
                    plan.decided_at = now if approved is not None else None
        if options.actor_id is not None and (created or changed):
            # The audit trail of the plan: who imported what, from which line, old and new amount.
            was = "" if before is None else f" (was {before[2]}, proposed {before[0]}, " \
                                             f"approved {before[1]})"
            plan.decisions.append(Decision(
                actor_id=options.actor_id, action="imported",
                old_amount=None if before is None else (before[1] or before[0]),
                new_amount=approved if approved is not None else proposed,
                reason=f"Imported from {errors.filename}, {errors.unit} {errors.at(line)}: {status}, "
                       f"proposed {proposed}, approved {approved}{was}"[:2000]))
        audit = _diff(None if before is None else dict(zip(("proposed", "approved", "status"), before)),
                      {"proposed": proposed, "approved": approved, "status": status})
        if top_down is not None:
            top = tops.get(key)
            if top is None or top.amount != top_down:
                audit["top_down"] = [None if top is None else _json_value(top.amount),
                                     _json_value(top_down)]
            if top is None:
                top = TopDownTarget(person_id=person_id, period_id=key[1], amount=top_down)
                db.session.add(top)
                tops[key] = top
                changed = True
            elif top.amount != top_down:
                top.amount = top_down
                changed = True
        counter.count(created, changed)
        if created or changed:
            # Also in the people audit trail, so every change an import makes is found in one place,
            # whether or not the importer has an account here (a decision needs one).
            _audit_change(options, errors, line, person_id, "imported target", audit,
                          created=created, email=email, period=period)
    errors.raise_if_any()  # a refused live plan refuses the file; _run rolls back what was staged
    db.session.flush()
    return counter.result()


# Observations -----------------------------------------------------------------------------------


def _observation_fields(obs: Observation, email_of: Mapping[int, str],
                        code_of: Mapping[int, str]) -> dict[str, object]:
    return {"email": email_of.get(obs.person_id), "period": code_of.get(obs.period_id),
            "text": obs.text, "tag": obs.tag, "plan_id": obs.submission_id}


def _import_observations(rows: list[_Row], errors: _Errors,
                         options: ImportOptions = ImportOptions()) -> ImportResult:
    index = _people_index()
    first_line: dict[str, int] = {}
    parsed = []
    for row in rows:
        c = _Cells(errors, row)
        external_id = c.text("id", required=True, max_len=120)
        email = c.person("email", index)
        period = c.period("period")
        text = c.text("text", required=True, max_len=MAX_TEXT)
        tag = c.choice("tag", OBSERVATION_TAGS, what="tag", required=False)
        if external_id is not None and external_id.lower().startswith(APP_ID_PREFIX):
            c.error("id", f"{external_id!r}: ids starting with {APP_ID_PREFIX!r} are the ones the "
                          "app gives answered observations; use another prefix for your own ids")
            external_id = None
        if external_id is not None:
            if external_id in first_line:
                c.error("id", f"{external_id!r} already appears on line {first_line[external_id]}")
            else:
                first_line[external_id] = row.line
        if c.ok:
            parsed.append((row.line, external_id, email, period, text, tag))
    errors.raise_if_any()

    period_ids = _periods(p[3] for p in parsed)
    existing: dict[str, Observation] = {}
    for chunk in _in_chunks(first_line):
        query = select(Observation).where(Observation.external_id.in_(chunk))
        for obs in db.session.scalars(query):
            existing[obs.external_id] = obs
    # Link to the person's imported plan for the period when there is one. Never to a plan answered
    # in the app (campaign_id set): its observations are the rep's own answers, replaced by
    # position on each save, and an imported text there would be overwritten or shown as theirs.
    plan_ids: dict[tuple[int, int], int] = {}
    for chunk in _in_chunks(period_ids.values()):
        query = select(PlanSubmission.person_id, PlanSubmission.period_id, PlanSubmission.id)
        for person_id, period_id, plan_id in db.session.execute(
                query.where(PlanSubmission.period_id.in_(chunk),
                            PlanSubmission.campaign_id.is_(None))):
            plan_ids[person_id, period_id] = plan_id

    email_of = {person_id: email for email, (person_id, _territory) in index.items()}
    code_of = dict(db.session.execute(select(Period.id, Period.code)).all())
    counter = _Counter("observations", len(rows))
    for line, external_id, email, period, text, tag in parsed:
        person_id, territory_id = index[email]
        period_id = period_ids[period]
        plan_id = plan_ids.get((person_id, period_id))
        obs = existing.get(external_id)
        if obs is None:
            obs = Observation(
                external_id=external_id, person_id=person_id, territory_id=territory_id,
                period_id=period_id, submission_id=plan_id, position=0, text=text, tag=tag,
            )
            db.session.add(obs)
            counter.count(True, False)
            _audit_change(options, errors, line, person_id, "imported observation",
                          _diff(None, _observation_fields(obs, email_of, code_of)), created=True,
                          id=external_id)
            continue
        before = _observation_fields(obs, email_of, code_of)
        fields: dict[str, object] = {"person_id": person_id, "period_id": period_id,
                                     "text": text, "tag": tag}
        if obs.person_id != person_id:
            fields["territory_id"] = territory_id
        if plan_id is not None or obs.person_id != person_id or obs.period_id != period_id:
            fields["submission_id"] = plan_id
        changed = _set_changed(obs, fields)
        counter.count(False, changed)
        if changed:
            _audit_change(options, errors, line, person_id, "imported observation",
                          _diff(before, _observation_fields(obs, email_of, code_of)),
                          id=external_id)
    db.session.flush()
    return counter.result()


# Actuals ----------------------------------------------------------------------------------------


def _import_actuals(rows: list[_Row], errors: _Errors,
                    options: ImportOptions = ImportOptions()) -> ImportResult:
    index = _people_index()
    seen: dict[tuple[str, str], int] = {}
    parsed = []
    for row in rows:
        c = _Cells(errors, row)
        email = c.person("email", index)
        period = c.period("period")
        amount = c.money("actual", required=True, allow_zero=True)
        if email is not None and period is not None:
            if (email, period) in seen:
                c.error("period", f"{email} already has an actual for {period} on line "
                                  f"{seen[email, period]}")
            else:
                seen[email, period] = row.line
        if c.ok:
            parsed.append((row.line, email, period, amount))
    errors.raise_if_any()

    period_ids = _periods(p[2] for p in parsed)
    actuals: dict[tuple[int, int], Actual] = {}
    for chunk in _in_chunks(period_ids.values()):
        for actual in db.session.scalars(select(Actual).where(Actual.period_id.in_(chunk))):
            actuals[actual.person_id, actual.period_id] = actual

    counter = _Counter("actuals", len(rows))
    for line, email, period, amount in parsed:
        key = (index[email][0], period_ids[period])
        actual = actuals.get(key)
        created = actual is None
        old_amount = None if created else actual.amount
        if created:
            actual = Actual(person_id=key[0], period_id=key[1], amount=amount)
            db.session.add(actual)
            actuals[key] = actual
            changed = False
        else:
            changed = _set_changed(actual, {"amount": amount})
        counter.count(created, changed)
        if created or changed:
            _audit_change(options, errors, line, key[0], "imported actual",
                          {"actual": [_json_value(old_amount), _json_value(amount)]},
                          created=created, email=email, period=period)
    db.session.flush()
    return counter.result()


_IMPORTERS: dict[str, Callable[[list[_Row], _Errors, ImportOptions], ImportResult]] = {
    "people": _import_people,
    "targets": _import_targets,
    "observations": _import_observations,
    "actuals": _import_actuals,
}
KINDS = tuple(_IMPORTERS)


def import_csv(kind: str, path: str | Path, *, options: ImportOptions = ImportOptions()) -> ImportResult:
    """Validate a whole CSV file of `kind`; only if every row is good, upsert it in one commit.

    Plans answered in the app are refused (line by line) unless `options` asks to override them.
    """
    _check_kind(kind)
    path = Path(path)
    columns = COLUMNS[kind]
    errors = _Errors(path.name)
    return _run(kind, errors, lambda: _read(_decode(path, columns), columns, errors), commit=True,
                options=options)


def import_rows(kind: str, rows: Sequence[Mapping[str, object]], *, source: str = "request",
                commit: bool = True, options: ImportOptions = ImportOptions(),
                lines: Mapping[int, int] | None = None) -> ImportResult:
    """Validate rows given as mappings of the CSV column names, then upsert them all or none.

    The same checks and upserts as `import_csv`; errors and audit rows name `source`, the row
    (from 1) and the column, or the physical line when `lines` maps row numbers to the lines of
    the file they were read from. A missing column counts as empty; numbers are taken as written.
    With `commit=False` the rows are only flushed, so the caller can write more in the same
    transaction.
    """
    _check_kind(kind)
    errors = _Errors(source, unit="line" if lines else "row", lines=lines)
    return _run(kind, errors, lambda: _rows_from_mappings(rows, COLUMNS[kind], errors), commit=commit,
                options=options)


def _check_kind(kind: str) -> None:
    if kind not in _IMPORTERS:
        raise ValueError(f"unknown import kind {kind!r}; expected one of {', '.join(KINDS)}")


def _run(kind: str, errors: _Errors, read: Callable[[], list[_Row]], *, commit: bool,
         options: ImportOptions) -> ImportResult:
    try:
        rows = read()
        importer = _IMPORTERS[kind]
        result = importer(rows, errors, options)
        if commit:
            db.session.commit()
        return result
    except _TooManyErrors:
        db.session.rollback()
        raise CsvImportError(errors.messages + [
            f"{errors.filename}: stopped after {MAX_ERRORS} errors; nothing was imported"
        ]) from None
    except BaseException:
        db.session.rollback()
        raise


def _rows_from_mappings(rows: Sequence[Mapping[str, object]], columns: Sequence[str],
                        errors: _Errors) -> list[_Row]:
    """Turn mappings into rows of stripped strings, refusing unknown columns and odd values."""
    if not rows:
        errors.add(None, None, "no rows given")
    out: list[_Row] = []
    for number, mapping in enumerate(rows, start=1):
        if not isinstance(mapping, Mapping):
            errors.add(number, None, "is not an object of column names and values")
            continue
        values: dict[str, str] = {}
        ok = True
        for column in mapping:
            if column not in columns:
                errors.add(number, str(column) or "(empty)",
                           f"unknown column; the columns are {','.join(columns)}")
                ok = False
        for column in columns:
            value = mapping.get(column)
            if value is None:
                values[column] = ""
            elif isinstance(value, str):
                values[column] = value.strip()
            elif isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
                values[column] = text_of(value)  # a JSON number as it was written: "1e3" stays so
            else:
                errors.add(number, column, "must be text, a number or null")
                ok = False
        if ok:
            out.append(_Row(number, values))
    errors.raise_if_any()
    return out
