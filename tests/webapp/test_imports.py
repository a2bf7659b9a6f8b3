"""CSV imports: happy paths, idempotence, all-or-nothing refusals and the `import` CLI."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.cli.imports import import_group
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
from webapp.store.imports import MAX_ERRORS, CsvImportError, import_csv

PEOPLE_HEADER = "email,name,role,manager_email,region,territory,department,hire_date"
ORG = f"""{PEOPLE_HEADER}
lead@example.test,Lena Lead,leader,,,,Sales,2015-01-05
boss@example.test,Bo Boss,manager,lead@example.test,North,,Sales,2018-03-01
rep1@example.test,Rita Rep,rep,boss@example.test,North,North-1,Sales,2020-06-15
rep2@example.test,Ravi Rep,rep,boss@example.test,North,North-2,Sales,
"""
TABLES = (Person, Region, Territory, Period, PlanSubmission, TopDownTarget, Observation, Actual,
          Decision)


def write(tmp_path, name: str, text: str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def counts() -> dict[str, int]:
    db.session.expire_all()
    return {t.__tablename__: db.session.scalar(select(func.count()).select_from(t)) for t in TABLES}


def snapshot(model) -> list[tuple]:
    db.session.expire_all()
    columns = [c for c in model.__table__.columns]
    return [tuple(row) for row in db.session.execute(select(*columns).order_by(model.id))]


def person(email: str) -> Person:
    db.session.expire_all()
    return db.session.scalar(select(Person).where(Person.email == email))


@pytest.fixture
def org(app, tmp_path):
    """A leader, a manager and two reps in two territories of region North."""
    import_csv("people", write(tmp_path, "org.csv", ORG))


@pytest.fixture
def runner(app):
    if "import" not in app.cli.commands:
        app.cli.add_command(import_group)
    return app.test_cli_runner()


# People -----------------------------------------------------------------------------------------


def test_people_import_creates_people_hierarchy_and_territories(app, tmp_path):
    result = import_csv("people", write(tmp_path, "people.csv", ORG))

    assert (result.kind, result.rows, result.created, result.updated, result.unchanged) == (
        "people", 4, 4, 0, 0)
    rep1 = person("rep1@example.test")
    assert rep1.name == "Rita Rep" and rep1.role == "rep" and rep1.department == "Sales"
    assert rep1.hire_date == date(2020, 6, 15)
    assert rep1.manager.email == "boss@example.test"
    assert rep1.manager.manager.email == "lead@example.test"
    assert person("lead@example.test").manager_id is None
    assert rep1.territory.name == "North-1" and rep1.territory.region.name == "North"
    assert person("rep2@example.test").hire_date is None
    assert sorted(db.session.scalars(select(Territory.name))) == ["North-1", "North-2"]
    assert list(db.session.scalars(select(Region.name))) == ["North"]


def test_imported_people_have_no_password(app, tmp_path):
    import_csv("people", write(tmp_path, "people.csv", ORG))

    assert all(p.password_hash is None for p in db.session.scalars(select(Person)))


def test_people_emails_are_lowercased_and_matched_case_insensitively(app, tmp_path):
    text = (f"{PEOPLE_HEADER}\nBoss@Example.TEST,Bo,manager,,,,,\n"
            "rep@example.test,R,rep,BOSS@example.test,,,,\n")
    import_csv("people", write(tmp_path, "people.csv", text))

    assert person("rep@example.test").manager.email == "boss@example.test"


def test_people_reimport_changes_nothing(app, tmp_path):
    path = write(tmp_path, "people.csv", ORG)
    import_csv("people", path)
    before_counts, before_rows = counts(), snapshot(Person)

    result = import_csv("people", path)

    assert (result.rows, result.created, result.updated, result.unchanged) == (4, 0, 0, 4)
    assert counts() == before_counts
    assert snapshot(Person) == before_rows


def test_people_reimport_updates_changed_fields_but_not_password(app, tmp_path, make_person):
    make_person(role="rep", email="rep1@example.test")
    hash_before = person("rep1@example.test").password_hash
    version_before = person("rep1@example.test").session_version

    result = import_csv("people", write(tmp_path, "people.csv", ORG))

    assert (result.created, result.updated, result.unchanged) == (3, 1, 0)
    rep1 = person("rep1@example.test")
    assert rep1.name == "Rita Rep" and rep1.manager.email == "boss@example.test"
    assert rep1.territory.name == "North-1"
    assert rep1.password_hash == hash_before and rep1.session_version == version_before

    moved = ORG.replace("rep2@example.test,Ravi Rep,rep,boss@example.test",
                        "rep2@example.test,Ravi Rep,manager,lead@example.test")
    result = import_csv("people", write(tmp_path, "people2.csv", moved))

    assert (result.created, result.updated, result.unchanged) == (0, 1, 3)
    rep2 = person("rep2@example.test")
    assert rep2.role == "manager" and rep2.manager.email == "lead@example.test"


def test_manager_later_in_same_file_is_accepted(app, tmp_path):
    text = (f"{PEOPLE_HEADER}\n"
            "rep@example.test,R,rep,boss@example.test,,,,\n"
            "boss@example.test,B,manager,top@example.test,,,,\n"
            "top@example.test,T,leader,,,,,\n")
    result = import_csv("people", write(tmp_path, "people.csv", text))

    assert result.created == 3
    assert person("rep@example.test").manager.manager.email == "top@example.test"


def test_manager_already_in_database_is_accepted(app, tmp_path, org):
    text = f"{PEOPLE_HEADER}\nnew@example.test,N,rep,boss@example.test,North,North-1,,\n"
    import_csv("people", write(tmp_path, "people.csv", text))

    assert person("new@example.test").manager.email == "boss@example.test"


def test_reporting_cycle_in_file_is_refused(app, tmp_path):
    text = (f"{PEOPLE_HEADER}\n"
            "a@example.test,A,manager,b@example.test,,,,\n"
            "b@example.test,B,manager,c@example.test,,,,\n"
            "c@example.test,C,manager,a@example.test,,,,\n")
    with pytest.raises(CsvImportError) as caught:
        import_csv("people", write(tmp_path, "people.csv", text))

    assert caught.value.errors == [
        "people.csv, line 2, column manager_email: reporting cycle: "
        "a@example.test -> b@example.test -> c@example.test -> a@example.test"
    ]
    assert counts()["person"] == 0


def test_reporting_cycle_through_database_is_refused(app, tmp_path, org):
    # boss reports to lead in the database; making lead report to rep1 (below boss) loops.
    text = (f"{PEOPLE_HEADER}\n"
            "lead@example.test,Lena Lead,leader,rep1@example.test,,,Sales,2015-01-05\n")
    with pytest.raises(CsvImportError) as caught:
        import_csv("people", write(tmp_path, "people.csv", text))

    assert "people.csv, line 2, column manager_email: reporting cycle" in caught.value.errors[0]
    assert person("lead@example.test").manager_id is None


def test_own_manager_is_refused(app, tmp_path):
    text = f"{PEOPLE_HEADER}\na@example.test,A,manager,a@example.test,,,,\n"
    with pytest.raises(CsvImportError, match="line 2, column manager_email: a person cannot be"):
        import_csv("people", write(tmp_path, "people.csv", text))


def test_territory_in_another_region_is_refused(app, tmp_path, org):
    text = f"{PEOPLE_HEADER}\nx@example.test,X,rep,,South,North-1,,\n"
    with pytest.raises(CsvImportError) as caught:
        import_csv("people", write(tmp_path, "people.csv", text))

    assert caught.value.errors == [
        "people.csv, line 2, column territory: "
        "territory 'North-1' is in region 'North', not 'South'"
    ]


def test_territory_with_two_regions_in_one_file_is_refused(app, tmp_path):
    text = (f"{PEOPLE_HEADER}\nx@example.test,X,rep,,North,T-1,,\n"
            "y@example.test,Y,rep,,South,T-1,,\n")
    with pytest.raises(CsvImportError, match="line 3, column territory: territory 'T-1' was given"):
        import_csv("people", write(tmp_path, "people.csv", text))
    assert counts()["territory"] == 0


def test_bom_and_crlf_and_blank_lines_are_accepted(app, tmp_path):
    text = ORG.replace("\n", "\r\n").replace("Sales,2018-03-01\r\n", "Sales,2018-03-01\r\n\r\n")
    path = tmp_path / "people.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())

    assert import_csv("people", path).created == 4


def test_quoted_multiline_field_reports_its_first_physical_line(app, tmp_path, org):
    text = ("id,email,period,text,tag\n"
            'o1,rep1@example.test,2027-Q1,"two\nlines",pricing\n'
            "o2,rep1@example.test,2027-Q1,fine,nonsense\n")
    with pytest.raises(CsvImportError) as caught:
        import_csv("observations", write(tmp_path, "obs.csv", text))

    assert caught.value.errors[0].startswith("obs.csv, line 4, column tag: 'nonsense' is not a tag")


# Targets, observations, actuals --------------------------------------------------------------


TARGETS = """email,period,proposed,approved,top_down
rep1@example.test,2027-Q1,100000,100000,90000
rep2@example.test,2027-Q1,80000.50,75000,
Boss@Example.test,2027-Q1,50000,,
rep1@example.test,2027-02,1000.5,,
"""


def test_targets_import_creates_plans_and_top_down(app, tmp_path, org):
    result = import_csv("targets", write(tmp_path, "targets.csv", TARGETS))

    assert (result.rows, result.created, result.updated, result.unchanged) == (4, 4, 0, 0)
    plans = {(p.person.email, p.period.code): p for p in db.session.scalars(select(PlanSubmission))}
    rep1 = plans["rep1@example.test", "2027-Q1"]
    assert (rep1.proposed, rep1.approved, rep1.status) == (Decimal("100000.00"),
                                                           Decimal("100000.00"), "approved")
    assert rep1.campaign_id is None and rep1.territory.name == "North-1"
    rep2 = plans["rep2@example.test", "2027-Q1"]
    assert (rep2.proposed, rep2.approved, rep2.status) == (Decimal("80000.50"),
                                                           Decimal("75000.00"), "adjusted")
    boss = plans["boss@example.test", "2027-Q1"]
    assert (boss.approved, boss.status, boss.territory_id) == (None, "submitted", None)
    assert plans["rep1@example.test", "2027-02"].proposed == Decimal("1000.50")
    tops = db.session.execute(select(TopDownTarget.person_id, TopDownTarget.amount)).all()
    assert tops == [(rep1.person_id, Decimal("90000.00"))]
    assert sorted(db.session.scalars(select(Period.code))) == ["2027-02", "2027-Q1"]
    starts_on = db.session.scalar(select(Period.starts_on).where(Period.code == "2027-02"))
    assert starts_on == date(2027, 2, 1)
    assert counts()["decision"] == 0


def test_targets_reimport_changes_nothing(app, tmp_path, org):
    path = write(tmp_path, "targets.csv", TARGETS)
    import_csv("targets", path)
    before = counts(), snapshot(PlanSubmission), snapshot(TopDownTarget), snapshot(Period)

    result = import_csv("targets", path)

    assert (result.rows, result.created, result.updated, result.unchanged) == (4, 0, 0, 4)
    assert (counts(), snapshot(PlanSubmission), snapshot(TopDownTarget), snapshot(Period)) == before


def test_targets_reimport_updates_changed_values(app, tmp_path, org):
    import_csv("targets", write(tmp_path, "targets.csv", TARGETS))
    changed = TARGETS.replace("100000,100000,90000", "100000,110000,95000")

    result = import_csv("targets", write(tmp_path, "targets2.csv", changed))

    assert (result.created, result.updated, result.unchanged) == (0, 1, 3)
    db.session.expire_all()
    plan = db.session.scalar(select(PlanSubmission).join(Person).where(
        Person.email == "rep1@example.test", PlanSubmission.proposed == Decimal("100000")))
    assert (plan.approved, plan.status, plan.version) == (Decimal("110000.00"), "adjusted", 2)
    assert db.session.scalar(select(TopDownTarget.amount)) == Decimal("95000.00")
    assert counts()["decision"] == 0


OBSERVATIONS = """id,email,period,text,tag
crm-1,rep1@example.test,2027-Q1,Competitor X is discounting 20% on renewals,competitor
crm-2,REP2@example.test,2027-Q1,"Budgets frozen until April, they say",
crm-3,rep1@example.test,2027-Q2,Customers ask for monthly billing,Pricing
"""


def test_observations_import_keeps_caller_ids(app, tmp_path, org):
    result = import_csv("observations", write(tmp_path, "obs.csv", OBSERVATIONS))

    assert (result.rows, result.created) == (3, 3)
    obs = {o.external_id: o for o in db.session.scalars(select(Observation))}
    assert set(obs) == {"crm-1", "crm-2", "crm-3"}
    assert obs["crm-1"].person.email == "rep1@example.test"
    assert obs["crm-1"].tag == "competitor" and obs["crm-3"].tag == "pricing"
    assert obs["crm-2"].tag is None and obs["crm-2"].text == "Budgets frozen until April, they say"
    assert obs["crm-1"].territory_id == person("rep1@example.test").territory_id
    assert obs["crm-3"].period_id != obs["crm-1"].period_id


def test_observations_reimport_changes_nothing_and_updates_by_id(app, tmp_path, org):
    path = write(tmp_path, "obs.csv", OBSERVATIONS)
    import_csv("observations", path)
    before = counts(), snapshot(Observation)

    result = import_csv("observations", path)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert (counts(), snapshot(Observation)) == before

    edited = OBSERVATIONS.replace("monthly billing", "quarterly billing")
    result = import_csv("observations", write(tmp_path, "obs2.csv", edited))

    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    db.session.expire_all()
    text = db.session.scalar(select(Observation.text).where(Observation.external_id == "crm-3"))
    assert text == "Customers ask for quarterly billing"
    assert counts()["observation"] == 3


def test_observations_link_to_the_plan_of_the_period(app, tmp_path, org):
    import_csv("targets", write(tmp_path, "targets.csv", TARGETS))
    import_csv("observations", write(tmp_path, "obs.csv", OBSERVATIONS))

    obs = db.session.scalar(select(Observation).where(Observation.external_id == "crm-1"))
    assert obs.submission is not None and obs.submission.person.email == "rep1@example.test"
    assert obs.submission.period.code == "2027-Q1"


ACTUALS = """email,period,actual
rep1@example.test,2027-Q1,98000.25
rep2@example.test,2027-Q1,0
"""


def test_actuals_import_and_reimport(app, tmp_path, org):
    path = write(tmp_path, "actuals.csv", ACTUALS)
    result = import_csv("actuals", path)

    assert (result.rows, result.created) == (2, 2)
    amounts = dict(db.session.execute(select(Person.email, Actual.amount).join(
        Actual, Actual.person_id == Person.id)).all())
    assert amounts == {"rep1@example.test": Decimal("98000.25"),
                       "rep2@example.test": Decimal("0.00")}
    before = snapshot(Actual)

    result = import_csv("actuals", path)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert snapshot(Actual) == before

    result = import_csv("actuals", write(tmp_path, "a2.csv", ACTUALS.replace("98000.25", "97000")))
    assert (result.updated, result.unchanged) == (1, 1)


# Refusals: one bad row, nothing written -----------------------------------------------------


def _people_with(bad_row: str) -> str:
    return ORG + bad_row + "\n"


BAD_FILES = [
    ("bad date", "people", _people_with("x@example.test,X,rep,,,,,2020-13-01"),
     "people.csv, line 6, column hire_date: '2020-13-01' is not a date (YYYY-MM-DD)"),
    ("unknown role", "people", _people_with("x@example.test,X,chief,,,,,"),
     "people.csv, line 6, column role: "
     "'chief' is not a role (one of rep, manager, leader, hr, admin)"),
    ("unknown manager", "people", _people_with("x@example.test,X,rep,ghost@example.test,,,,"),
     "people.csv, line 6, column manager_email: 'ghost@example.test' is not a known person"),
    ("bad email", "people", _people_with("not-an-email,X,rep,,,,,"),
     "people.csv, line 6, column email: 'not-an-email' is not an email address"),
    ("duplicate email", "people", _people_with("REP1@example.test,X,rep,,,,,"),
     "people.csv, line 6, column email: 'rep1@example.test' already appears on line 4"),
    ("missing name", "people", _people_with("x@example.test,,rep,,,,,"),
     "people.csv, line 6, column name: a value is required"),
    ("territory without region", "people", _people_with("x@example.test,X,rep,,,West-1,,"),
     "people.csv, line 6, column region: a region is required"),
    ("too few fields", "people", _people_with("x@example.test,X,rep"),
     "people.csv, line 6: has 3 fields; the header has 8"),
    ("unknown column", "people", ORG.replace("hire_date\n", "hire_date,shoe_size\n", 1),
     "people.csv, line 1, column shoe_size: unknown column"),
    ("missing column", "people", ORG.replace(",hire_date\n", "\n", 1),
     "people.csv, line 1: missing column(s) hire_date"),
    ("negative proposed", "targets", "email,period,proposed,approved,top_down\n"
     "rep1@example.test,2027-Q1,100,,\nrep2@example.test,2027-Q1,-5,,\n",
     "targets.csv, line 3, column proposed: '-5' is not accepted: The amount must be greater than 0"),
    ("three decimals", "targets", "email,period,proposed,approved,top_down\n"
     "rep1@example.test,2027-Q1,100,,\nrep2@example.test,2027-Q1,100,1.234,\n",
     "targets.csv, line 3, column approved: '1.234' is not accepted: Use at most two decimal places"),
    ("not a number", "targets", "email,period,proposed,approved,top_down\n"
     "rep1@example.test,2027-Q1,100,,\nrep2@example.test,2027-Q1,abc,,\n",
     "targets.csv, line 3, column proposed: 'abc' is not accepted: Enter an amount such as"),
    ("NaN", "targets", "email,period,proposed,approved,top_down\n"
     "rep1@example.test,2027-Q1,100,,\nrep2@example.test,2027-Q1,100,,NaN\n",
     "targets.csv, line 3, column top_down: 'NaN' is not accepted: Enter a finite amount"),
    ("infinity", "targets", "email,period,proposed,approved,top_down\n"
     "rep1@example.test,2027-Q1,100,,\nrep2@example.test,2027-Q1,inf,,\n",
     "targets.csv, line 3, column proposed: 'inf' is not accepted: Enter a finite amount"),
    ("too large", "targets", "email,period,proposed,approved,top_down\n"
     "rep1@example.test,2027-Q1,100,,\nrep2@example.test,2027-Q1,10000000000000,,\n",
     "targets.csv, line 3, column proposed: '10000000000000' is not accepted: The amount must be at most"),
    ("missing proposed", "targets", "email,period,proposed,approved,top_down\n"
     "rep1@example.test,2027-Q1,100,,\nrep2@example.test,2027-Q1,,100,\n",
     "targets.csv, line 3, column proposed: a value is required"),
    ("unknown email", "targets", "email,period,proposed,approved,top_down\n"
     "rep1@example.test,2027-Q1,100,,\nghost@example.test,2027-Q1,100,,\n",
     "targets.csv, line 3, column email: 'ghost@example.test' is not a known person"),
    ("bad period", "targets", "email,period,proposed,approved,top_down\n"
     "rep1@example.test,2027-Q1,100,,\nrep2@example.test,2027-Q5,100,,\n",
     "targets.csv, line 3, column period: '2027-Q5' is not a period (YYYY-Qn or YYYY-MM)"),
    ("duplicate target", "targets", "email,period,proposed,approved,top_down\n"
     "rep1@example.test,2027-Q1,100,,\nrep1@example.test,2027-q1,200,,\n",
     "targets.csv, line 3, column period: rep1@example.test already has a target for 2027-Q1"),
    ("bad tag", "observations", "id,email,period,text,tag\n"
     "o1,rep1@example.test,2027-Q1,Fine,demand\no2,rep1@example.test,2027-Q1,Fine,gossip\n",
     "observations.csv, line 3, column tag: 'gossip' is not a tag (one of competitor, pricing"),
    ("empty text", "observations", "id,email,period,text,tag\n"
     "o1,rep1@example.test,2027-Q1,Fine,\no2,rep1@example.test,2027-Q1,  ,\n",
     "observations.csv, line 3, column text: a value is required"),
    ("long text", "observations", "id,email,period,text,tag\n"
     f"o1,rep1@example.test,2027-Q1,Fine,\no2,rep1@example.test,2027-Q1,{'x' * 2001},\n",
     "observations.csv, line 3, column text: is 2001 characters long; at most 2000 allowed"),
    ("NUL in text", "observations", "id,email,period,text,tag\n"
     "o1,rep1@example.test,2027-Q1,Fine,\no2,rep1@example.test,2027-Q1,a\x00b,\n",
     "observations.csv, line 3, column text: contains a NUL character"),
    ("duplicate id", "observations", "id,email,period,text,tag\n"
     "o1,rep1@example.test,2027-Q1,Fine,\no1,rep2@example.test,2027-Q1,Also fine,\n",
     "observations.csv, line 3, column id: 'o1' already appears on line 2"),
    ("negative actual", "actuals", "email,period,actual\n"
     "rep1@example.test,2027-Q1,100\nrep2@example.test,2027-Q1,-1\n",
     "actuals.csv, line 3, column actual: '-1' is not accepted: The amount must be 0 or more"),
    ("actual bad period", "actuals", "email,period,actual\n"
     "rep1@example.test,2027-Q1,100\nrep2@example.test,Q1-2027,1\n",
     "actuals.csv, line 3, column period: 'Q1-2027' is not a period"),
]


@pytest.mark.parametrize(("kind", "text", "expected"), [case[1:] for case in BAD_FILES],
                         ids=[case[0] for case in BAD_FILES])
def test_one_bad_row_refuses_the_whole_file(app, tmp_path, org, kind, text, expected):
    before = counts()
    with pytest.raises(CsvImportError) as caught:
        import_csv(kind, write(tmp_path, f"{kind}.csv", text))

    assert any(message.startswith(expected) for message in caught.value.errors), caught.value.errors
    assert counts() == before


def test_all_bad_rows_are_reported_up_to_a_limit(app, tmp_path, org):
    rows = "".join(f"rep1@example.test,2027-Q1,{n}.123,,\n" for n in range(50))
    with pytest.raises(CsvImportError) as caught:
        header = "email,period,proposed,approved,top_down\n"
        import_csv("targets", write(tmp_path, "targets.csv", header + rows))

    errors = caught.value.errors
    assert len(errors) == MAX_ERRORS + 1
    assert errors[0].startswith("targets.csv, line 2, column proposed: '0.123'")
    assert errors[1].startswith("targets.csv, line 3, column proposed: '1.123'")
    assert errors[-1] == f"targets.csv: stopped after {MAX_ERRORS} errors; nothing was imported"


def test_non_utf8_file_is_refused_naming_file_and_line(app, tmp_path):
    text = ORG + "zoe@example.test,Zoë Ærø,rep,,,,,\n"
    before = counts()
    with pytest.raises(CsvImportError) as caught:
        import_csv("people", write(tmp_path, "people.csv", text, encoding="latin-1"))

    assert caught.value.errors == [
        "people.csv, line 6: is not UTF-8 text (byte 0xeb cannot be decoded); "
        "save the file as UTF-8 and import it again"
    ]
    assert counts() == before


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n\n  \r\n"])
def test_empty_file_is_refused(app, tmp_path, content):
    path = tmp_path / "people.csv"
    path.write_bytes(content)
    with pytest.raises(CsvImportError) as caught:
        import_csv("people", path)

    assert caught.value.errors == [
        f"people.csv: the file is empty; expected a header row {PEOPLE_HEADER}"
    ]


def test_failure_while_writing_rolls_everything_back(app, tmp_path, monkeypatch):
    import webapp.store.imports as imports

    def explode(self):
        raise RuntimeError("disk full")

    monkeypatch.setattr(imports._Counter, "result", explode)
    with pytest.raises(RuntimeError):
        import_csv("people", write(tmp_path, "people.csv", ORG))

    assert counts() == {t.__tablename__: 0 for t in TABLES}


def test_unknown_kind_is_refused(app, tmp_path):
    with pytest.raises(ValueError, match="unknown import kind"):
        import_csv("salaries", write(tmp_path, "x.csv", "a\n1\n"))


def test_ten_thousand_rows_import_and_reimport_unchanged(app, tmp_path):
    """Volume correctness; the speed figure comes from benchmarks/import_speed.py, not a timed test."""
    people = [PEOPLE_HEADER, "boss@example.test,Boss,manager,,North,,,"]
    people += [f"rep{n}@example.test,Rep {n},rep,boss@example.test,North,N-{n % 50},Sales,"
               for n in range(10_000)]
    targets = ["email,period,proposed,approved,top_down"]
    targets += [f"rep{n}@example.test,2027-Q1,{1000 + n}.50,{1000 + n}.50,900"
                for n in range(10_000)]
    people_path = write(tmp_path, "people.csv", "\n".join(people) + "\n")
    targets_path = write(tmp_path, "targets.csv", "\n".join(targets) + "\n")

    assert import_csv("people", people_path).created == 10_001
    assert import_csv("targets", targets_path).created == 10_000
    assert import_csv("targets", targets_path).unchanged == 10_000
    assert counts()["plan_submission"] == 10_000


# CLI ----------------------------------------------------------------------------------------


def test_cli_import_prints_counts(app, tmp_path, runner):
    path = write(tmp_path, "people.csv", ORG)

    result = runner.invoke(args=["import", "people", str(path)])

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "people.csv: 4 rows, 4 created, 0 updated, 0 unchanged"
    result = runner.invoke(args=["import", "people", str(path)])
    assert result.stdout.strip() == "people.csv: 4 rows, 0 created, 0 updated, 4 unchanged"


def test_cli_import_reports_errors_without_traceback(app, tmp_path, runner):
    path = write(tmp_path, "people.csv", _people_with("x@example.test,X,rep,,,,,2020-13-01"))

    result = runner.invoke(args=["import", "people", str(path)])

    assert result.exit_code == 1
    assert result.stderr.strip() == ("people.csv, line 6, column hire_date: '2020-13-01' is not "
                                     "a date (YYYY-MM-DD)")
    assert "Traceback" not in result.output and result.stdout == ""
    assert counts()["person"] == 0


def test_cli_import_of_each_kind(app, tmp_path, runner):
    files = [("people", ORG), ("targets", TARGETS), ("observations", OBSERVATIONS),
             ("actuals", ACTUALS)]
    for kind, text in files:
        result = runner.invoke(args=["import", kind, str(write(tmp_path, f"{kind}.csv", text))])
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith(f"{kind}.csv: ")
    assert counts()["actual"] == 2 and counts()["observation"] == 3
