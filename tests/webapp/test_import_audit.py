"""Every change an import makes to people, plans, actuals and observations leaves an audit row.

The `groundswell import` CLI on a real SQLite file, then on PostgreSQL: who (the admin given with --by, or the
CLI and its OS user), when, the record, each changed field as [before, after], the file and line.
A re-import of the same file and a refused file write no audit row.
"""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from tests.support.web import EMAILS, login, submit_plan
from webapp.cli.imports import import_group
from webapp.models import (
    Actual,
    Decision,
    Observation,
    Person,
    PersonChange,
    TopDownTarget,
)

pytestmark = pytest.mark.both_databases  # SQLite file, then PostgreSQL

PEOPLE = "email,name,role,manager_email,region,territory,department,hire_date\n"
TARGETS = "email,period,proposed,approved,top_down\n"
R1 = EMAILS["r1"]


@pytest.fixture
def runner(app):
    if "import" not in app.cli.commands:
        app.cli.add_command(import_group)
    return app.test_cli_runner()


@pytest.fixture
def imp(runner, tmp_path):
    """Run `groundswell import KIND FILE` on a file written from `text`; return the result."""

    def run(kind: str, text: str, *args: str, name: str | None = None):
        path = tmp_path / (name or f"{kind}.csv")
        path.write_text(text, encoding="utf-8")
        return runner.invoke(args=["import", kind, str(path), *args])

    return run


def _audit_rows(db, action: str) -> list[PersonChange]:
    db.session.expire_all()
    return list(db.session.scalars(select(PersonChange).where(PersonChange.action == action)
                                   .order_by(PersonChange.id)))


def _count(db) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(PersonChange))


def _person_id(db, email: str) -> int:
    return db.session.scalar(select(Person.id).where(Person.email == email))


def test_a_people_import_audits_each_person_it_creates_or_changes(app, org, db, imp):
    text = (PEOPLE
            + f"{R1},Rae One,rep,{EMAILS['m2']},South,South-1,Field,2021-02-03\n"  # moved, edited
            + f"{EMAILS['r2']},Rob Two,rep,{EMAILS['m1']},North,North-2,Sales,\n"  # unchanged
            + f"new@example.test,Nia New,rep,{EMAILS['m1']},North,North-1,Sales,\n")  # created
    before = _count(db)

    result = imp("people", text, "--by", EMAILS["admin"])

    assert result.exit_code == 0, result.output
    rows = _audit_rows(db, "imported")
    assert _count(db) == before + 2
    changed, created = rows
    assert (changed.actor_id, changed.person_id) == (org["admin"].id, org["r1"].id)
    assert changed.detail == {
        "email": R1, "manager_email": [EMAILS["m1"], EMAILS["m2"]], "region": ["North", "South"],
        "territory": ["North-1", "South-1"], "department": ["Sales", "Field"],
        "hire_date": [None, "2021-02-03"], "file": "people.csv", "line": 2,
        "via": "groundswell import people (CLI, OS user " + changed.detail["via"].split("OS user ")[1]}
    assert changed.at is not None
    assert created.person_id == _person_id(db, "new@example.test")
    assert created.detail["created"] is True and created.detail["line"] == 4
    assert created.detail["name"] == [None, "Nia New"] and created.detail["email"] == "new@example.test"


def test_a_people_import_without_by_names_the_cli_and_the_os_user(app, org, db, imp, monkeypatch):
    monkeypatch.setattr("getpass.getuser", lambda: "ops-alice")

    result = imp("people", PEOPLE + "new@example.test,Nia New,rep,,,,,\n", name="roster.csv")

    assert result.exit_code == 0, result.output
    [row] = _audit_rows(db, "imported")
    assert row.actor_id is None
    assert row.detail["via"] == "groundswell import people (CLI, OS user ops-alice)"
    assert (row.detail["file"], row.detail["line"]) == ("roster.csv", 2)


def test_an_actuals_import_audits_each_actual_created_or_changed(app, org, db, imp):
    text = "email,period,actual\n" + f"{R1},2026-Q4,98000\n" + f"{EMAILS['r2']},2026-Q4,50000\n"
    assert imp("actuals", text, "--by", EMAILS["admin"]).exit_code == 0
    created = _audit_rows(db, "imported actual")
    assert [(r.person_id, r.actor_id, r.detail["actual"], r.detail["line"]) for r in created] == [
        (org["r1"].id, org["admin"].id, [None, "98000.00"], 2),
        (org["r2"].id, org["admin"].id, [None, "50000.00"], 3)]
    assert created[0].detail["created"] is True and created[0].detail["period"] == "2026-Q4"

    changed_text = "email,period,actual\n" + f"{EMAILS['r2']},2026-Q4,50000\n" + f"{R1},2026-Q4,99000.50\n"
    assert imp("actuals", changed_text, "--by", EMAILS["admin"]).exit_code == 0

    rows = _audit_rows(db, "imported actual")
    assert len(rows) == 3
    assert "created" not in rows[-1].detail
    assert (rows[-1].person_id, rows[-1].detail["actual"], rows[-1].detail["line"]) == (
        org["r1"].id, ["98000.00", "99000.50"], 3)
    assert db.session.scalar(select(Actual.amount).where(Actual.person_id == org["r1"].id)) == 99000.5


def test_an_observations_import_audits_each_observation_created_or_changed(app, org, db, imp):
    header = "id,email,period,text,tag\n"
    assert imp("observations", header + f"crm-1,{R1},2026-Q4,Budgets frozen,\n"
               + f"crm-2,{EMAILS['r2']},2026-Q4,Competitor discounts,pricing\n",
               "--by", EMAILS["admin"]).exit_code == 0
    created = _audit_rows(db, "imported observation")
    assert [(r.person_id, r.detail["id"], r.detail["text"], r.detail["line"]) for r in created] == [
        (org["r1"].id, "crm-1", [None, "Budgets frozen"], 2),
        (org["r2"].id, "crm-2", [None, "Competitor discounts"], 3)]
    assert created[1].detail["tag"] == [None, "pricing"] and created[1].detail["created"] is True

    result = imp("observations", header + f"crm-1,{R1},2026-Q4,Budgets frozen,\n"
                 + f"crm-2,{EMAILS['r3']},2026-Q4,Competitor discounts hard,pricing\n",
                 "--by", EMAILS["admin"])

    assert result.exit_code == 0, result.output
    rows = _audit_rows(db, "imported observation")
    assert len(rows) == 3
    last = rows[-1]
    assert last.person_id == org["r3"].id and last.actor_id == org["admin"].id
    assert last.detail["email"] == [EMAILS["r2"], EMAILS["r3"]]
    assert last.detail["text"] == ["Competitor discounts", "Competitor discounts hard"]
    assert "tag" not in last.detail and "created" not in last.detail and last.detail["line"] == 3
    assert db.session.scalar(select(Observation.text).where(Observation.external_id == "crm-2")) == \
        "Competitor discounts hard"


@pytest.mark.parametrize("kind, text", [
    ("people", PEOPLE + f"{R1},Rae Renamed,rep,{EMAILS['m1']},North,North-1,Sales,\n"
               + "new@example.test,Nia New,rep,,,,,\n"),
    ("actuals", f"email,period,actual\n{R1},2026-Q4,98000\n{EMAILS['r2']},2026-Q4,51000\n"),
    ("observations", f"id,email,period,text,tag\ncrm-1,{R1},2026-Q4,Budgets frozen,\n"
                     + f"crm-2,{EMAILS['r2']},2026-Q4,Discounts,\n"),
    ("targets", TARGETS + f"{R1},2027-Q2,90000,,95000\n{EMAILS['r2']},2027-Q2,80000,82000,\n"),
])
def test_importing_the_same_file_again_writes_no_audit_row(app, org, db, imp, kind, text):
    assert imp(kind, text, "--by", EMAILS["admin"]).exit_code == 0
    after_first = _count(db)
    assert after_first > 0

    again = imp(kind, text, "--by", EMAILS["admin"])

    assert again.exit_code == 0 and again.stdout.strip().endswith("0 created, 0 updated, 2 unchanged")
    assert _count(db) == after_first


@pytest.mark.parametrize("kind, text", [
    ("people", PEOPLE + f"{R1},Rae Renamed,rep,{EMAILS['m1']},North,North-1,Sales,\n"
               + "new@example.test,Nia New,chief,,,,,\n"),
    ("actuals", f"email,period,actual\n{R1},2026-Q4,98000\n{EMAILS['r2']},2026-Q4,-5\n"),
    ("observations", f"id,email,period,text,tag\ncrm-1,{R1},2026-Q4,Budgets frozen,\n"
                     + "crm-2,nobody@example.test,2026-Q4,Discounts,\n"),
    ("targets", TARGETS + f"{R1},2027-Q2,90000,,95000\n{EMAILS['r2']},2027-Q2,1e3,,\n"),
])
def test_a_refused_import_writes_no_audit_row(app, org, db, imp, kind, text):
    before = _count(db)

    result = imp(kind, text, "--by", EMAILS["admin"])

    assert result.exit_code == 1 and f"{kind}.csv, line 3" in result.stderr
    assert _count(db) == before


@pytest.mark.parametrize("kind", ["people", "actuals", "observations", "targets"])
def test_by_must_name_an_admin(app, org, db, imp, kind):
    text = {"people": PEOPLE + "new@example.test,Nia New,rep,,,,,\n",
            "targets": TARGETS + f"{R1},2027-Q2,90000,,\n",
            "actuals": f"email,period,actual\n{R1},2026-Q4,98000\n",
            "observations": f"id,email,period,text,tag\ncrm-1,{R1},2026-Q4,Budgets frozen,\n"}[kind]
    before = _count(db)

    result = imp(kind, text, "--by", EMAILS["r1"])

    assert result.exit_code != 0 and "no admin with that email" in result.output
    assert _count(db) == before


def test_a_targets_import_audits_plans_and_top_down_targets_even_without_by(app, org, db, imp):
    first = imp("targets", TARGETS + f"{R1},2027-Q2,90000,,95000\n")
    assert first.exit_code == 0, first.output
    [created] = _audit_rows(db, "imported target")
    assert (created.actor_id, created.person_id) == (None, org["r1"].id)
    assert created.detail["created"] is True and created.detail["period"] == "2027-Q2"
    assert (created.detail["proposed"], created.detail["status"], created.detail["top_down"]) == (
        [None, "90000.00"], [None, "submitted"], [None, "95000.00"])
    assert "approved" not in created.detail and created.detail["line"] == 2
    assert created.detail["via"].startswith("groundswell import targets (CLI, OS user ")

    # Only the top-down target changes: the row says so and nothing else.
    assert imp("targets", TARGETS + f"{EMAILS['r2']},2027-Q2,80000,,\n{R1},2027-Q2,90000,,97000\n",
               "--by", EMAILS["admin"]).exit_code == 0
    rows = _audit_rows(db, "imported target")
    assert len(rows) == 3
    top_only = next(r for r in rows[1:] if r.person_id == org["r1"].id)
    assert top_only.detail == {"email": R1, "period": "2027-Q2", "top_down": ["95000.00", "97000.00"],
                               "file": "targets.csv", "line": 3, "via": top_only.detail["via"]}
    assert top_only.actor_id == org["admin"].id
    assert db.session.scalar(select(TopDownTarget.amount).where(
        TopDownTarget.person_id == org["r1"].id)) == 97000


def test_a_targets_import_with_by_writes_the_decision_and_the_audit_row(app, org, db, imp):
    result = imp("targets", TARGETS + f"{EMAILS['r2']},2027-Q2,80000,82000,\n", "--by", EMAILS["admin"])

    assert result.exit_code == 0, result.output
    [row] = _audit_rows(db, "imported target")
    assert row.actor_id == org["admin"].id
    assert (row.detail["approved"], row.detail["status"]) == ([None, "82000.00"], [None, "adjusted"])
    decision = db.session.scalar(select(Decision).where(Decision.action == "imported"))
    assert (decision.actor_id, decision.new_amount) == (org["admin"].id, 82000)


def test_a_targets_import_refused_at_a_live_plan_keeps_no_audit_row_of_earlier_lines(app, org, db, imp):
    submit_plan(app, org)  # rep 1's 2027-Q1 plan, answered in the app
    before = _count(db)

    result = imp("targets", TARGETS + f"{EMAILS['r2']},2027-Q1,80000,,\n{R1},2027-Q1,1,,\n")

    assert result.exit_code == 1 and "targets.csv, line 3" in result.stderr
    assert _count(db) == before


def test_an_api_actuals_import_audits_with_the_token_owner(app, org, client, db):
    from webapp.store import tokens

    secret = tokens.create_token(org["admin"], name="t", days=1).secret
    response = client.post("/api/v1/imports/actuals", headers={"Authorization": f"Bearer {secret}"},
                           json={"rows": [{"email": R1, "period": "2026-Q4", "actual": "97000"}]})

    assert response.status_code == 200, response.get_data(as_text=True)
    [row] = _audit_rows(db, "imported actual")
    assert (row.actor_id, row.person_id, row.detail["actual"]) == (org["admin"].id, org["r1"].id,
                                                                   [None, "97000.00"])
    assert (row.detail["file"], row.detail["row"]) == ("actuals rows", 1)


def test_the_admin_page_import_audits_each_person_once_with_its_line(app, org, db):
    c = app.test_client()
    login(c, EMAILS["admin"])
    text = (PEOPLE + "\n"  # a blank line: rows and physical lines differ
            + f"{R1},Rae One,rep,{EMAILS['m1']},North,North-1,Field,\n"
            + "new@example.test,Nia New,rep,,,,,\n")
    import re

    preview = c.post("/admin/people/import", data={"file": (io.BytesIO(text.encode()), "staff.csv")},
                     content_type="multipart/form-data")
    assert preview.status_code == 200 and _audit_rows(db, "imported") == []
    form = dict(re.findall(r'name="(filename|content|deactivate_missing|invite)" type="hidden" '
                           r'value="([^"]*)"', preview.get_data(as_text=True)))

    assert c.post("/admin/people/import/apply", data=form).status_code == 303

    rows = _audit_rows(db, "imported")
    assert [(r.person_id, r.actor_id, r.detail["line"], r.detail["via"]) for r in rows] == [
        (org["r1"].id, org["admin"].id, 3, "admin page"),
        (_person_id(db, "new@example.test"), org["admin"].id, 4, "admin page")]
    assert rows[0].detail["department"] == ["Sales", "Field"] and rows[0].detail["file"] == "staff.csv"
