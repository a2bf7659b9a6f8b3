"""People import from the admin page: a preview of what a CSV file would change, then the same
change applied all-or-nothing in one audited transaction.

The rows are checked, upserted and audited by the CSV importer (`webapp.store.imports`, the same
rules and the same audit rows as `groundswell import people`); here the file is read with its
physical line numbers, the result is classified per person (created, updated, unchanged,
deactivated), deactivations are audited, and the preview rolls back.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Person
from webapp.store import imports
from webapp.store.imports import COLUMNS, CsvImportError, ImportOptions
from webapp.store.people import _audit, _snapshot

VIA = "admin page"


@dataclass
class RosterChange:
    """What an import changes, by email; `changes` maps an updated email to {field: [old, new]}."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    changes: dict[str, dict] = field(default_factory=dict)
    created_ids: list[int] = field(default_factory=list)


def _rows(filename: str, data: bytes) -> tuple[list[dict], dict[int, int]]:
    """Read the file; return its rows and the physical line each row starts on."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvImportError([f"{filename}: the file is not UTF-8 text (byte {exc.start})"]) from None
    if "\x00" in text:
        raise CsvImportError([f"{filename}: the file contains NUL characters"])
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise CsvImportError([f"{filename}: the file is empty"]) from None
    except csv.Error as exc:
        raise CsvImportError([f"{filename}, line 1: {exc}"]) from None
    header = [h.strip() for h in header]
    columns = COLUMNS["people"]
    errors = [f"{filename}, line 1, column {h or '(empty)'}: unknown column; the columns are {','.join(columns)}"
              for h in header if h not in columns]
    errors += [f"{filename}, line 1: the column {c} is missing" for c in columns if c not in header]
    if errors:
        raise CsvImportError(errors)
    rows: list[dict] = []
    lines: dict[int, int] = {}
    start = reader.line_num + 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                if len(cells) != len(header):
                    raise CsvImportError([f"{filename}, line {start}: {len(cells)} cells, the header has {len(header)}"])
                rows.append(dict(zip(header, cells)))
                lines[len(rows)] = start
            start = reader.line_num + 1
    except csv.Error as exc:
        raise CsvImportError([f"{filename}, line {start}: {exc}"]) from None
    if not rows:
        raise CsvImportError([f"{filename}: no people in the file (only a header)"])
    return rows, lines


def _plan(filename: str, data: bytes, *, deactivate_missing: bool, actor_id: int) -> RosterChange:
    """Write the import into the session (no commit) and describe what it changed."""
    rows, lines = _rows(filename, data)
    before = {p.email: (_snapshot(p), p.active) for p in db.session.scalars(select(Person))}
    # The importer writes the audit row of each person it creates or changes (rolled back with a preview).
    imports.import_rows("people", rows, source=filename, commit=False, lines=lines,
                        options=ImportOptions(actor_id=actor_id, via=VIA))
    db.session.expire_all()  # relationships loaded for `before` now follow the flushed rows
    plan = RosterChange()
    in_file: set[str] = set()
    for row in rows:
        email = row["email"].strip().lower()
        in_file.add(email)
        person = db.session.scalar(select(Person).where(Person.email == email))
        after = _snapshot(person)
        if email not in before:
            plan.created.append(email)
            plan.created_ids.append(person.id)
            continue
        old = before[email][0]
        diff = {k: [old[k], after[k]] for k in after if old[k] != after[k]}
        (plan.updated if diff else plan.unchanged).append(email)
        if diff:
            plan.changes[email] = diff
    if deactivate_missing:
        for person in db.session.scalars(select(Person).where(Person.active.is_(True))):
            if person.email not in in_file and person.id != actor_id:
                person.active = False
                person.session_version += 1
                plan.deactivated.append(person.email)
    return plan


def preview_people_import(filename: str, data: bytes, *, deactivate_missing: bool, actor_id: int) -> RosterChange:
    """What importing the file would change; nothing is written."""
    try:
        return _plan(filename, data, deactivate_missing=deactivate_missing, actor_id=actor_id)
    finally:
        db.session.rollback()


def apply_people_import(filename: str, data: bytes, *, deactivate_missing: bool, actor_id: int) -> RosterChange:
    """Import the file all-or-nothing, one audit row per person changed, in one commit."""
    try:
        plan = _plan(filename, data, deactivate_missing=deactivate_missing, actor_id=actor_id)
        ids = {p.email: p.id for p in db.session.scalars(select(Person))}
        for email in plan.deactivated:
            _audit(actor_id, ids[email], "deactivated", {"file": filename, "via": VIA})
        _audit(actor_id, None, "import", {"file": filename, "created": len(plan.created),
                                          "updated": len(plan.updated), "unchanged": len(plan.unchanged),
                                          "deactivated": len(plan.deactivated)})
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return plan
