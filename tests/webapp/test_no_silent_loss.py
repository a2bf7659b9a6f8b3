"""Nothing a user submitted is lost or silently altered: drafts, saves, imports against live data."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import func, select

from tests.support.web import EMAILS, login, plan_form, submit_plan
from webapp.models import Decision, Observation, Participation, PlanSubmission
from webapp.store.imports import CsvImportError, ImportOptions, import_csv

pytestmark = pytest.mark.both_databases

# What browsers keep of one cookie (RFC 6265 asks for at least 4096 bytes and most stop there).
BROWSER_COOKIE_LIMIT = 4096
# A long comment in a non-Latin script (varied, as real text is: one sentence repeated would be
# squeezed by the session's zlib).
_rng = random.Random(19)
LONG_COMMENT = "".join(chr(_rng.randint(0x4E00, 0x9FFF)) if k % 7 else " " for k in range(2000))


def _url(org):
    return f"/campaigns/{org['campaign'].id}/respond"


def _set_cookie_sizes(response) -> list[int]:
    return [len(value) for value in response.headers.getlist("Set-Cookie")]


def test_a_draft_with_a_long_confidential_comment_is_not_lost_silently(app, org, client):
    """Before: the draft went into the session cookie, past what a browser keeps, and the page
    still said "Draft saved."; on reload the confidential answers were gone without a word."""
    login(client, EMAILS["r1"])
    response = client.post(_url(org), data=plan_form(action="draft", comment=LONG_COMMENT[:2000]))
    assert response.status_code == 302
    assert all(size < BROWSER_COOKIE_LIMIT for size in _set_cookie_sizes(response)), \
        "a cookie larger than browsers keep: the draft would silently vanish"
    page = client.get(_url(org)).get_data(as_text=True)
    kept = LONG_COMMENT[:40] in page
    told = "were not saved with it" in page
    assert kept or told, "the confidential answers were dropped without telling the person"
    assert "Draft saved" in page


def test_the_page_says_plainly_where_confidential_answers_are_kept(app, org, client):
    login(client, EMAILS["r1"])
    page = client.get(_url(org)).get_data(as_text=True)
    assert "Confidential answers are kept only when you submit" in page
    assert "browser session" not in page
    # and says who sees them, with the organisation's minimum group size, not "several people"
    assert f"groups of at least {app.config['MIN_GROUP_SIZE']} people" in " ".join(page.split())


def test_no_confidential_answer_is_kept_anywhere_with_a_draft(app, org, client, db):
    login(client, EMAILS["r1"])
    client.post(_url(org), data=plan_form(action="draft", comment="my secret comment"))
    with client.session_transaction() as session:
        assert "my secret comment" not in repr(dict(session))
    plan = db.session.scalar(select(PlanSubmission).where(PlanSubmission.person_id == org["r1"].id,
                                                          PlanSubmission.period_id == org["campaign"].period_id))
    assert "my secret comment" not in repr(plan.answers)


# Ids that can't collide; a save never reports success without saving ---------------------------


def _next_plan_id(db) -> int:
    return (db.session.scalar(select(func.max(PlanSubmission.id))) or 0) + 1


def test_imported_observation_ids_cannot_take_the_ids_the_app_generates(app, org, client, db, tmp_path):
    """Before: an import of ids like plan-2-1 succeeded, and the rep whose new plan drew id 2 saw
    "Your answers were already received." while nothing was saved."""
    next_id = _next_plan_id(db)
    path = tmp_path / "obs.csv"
    path.write_text("id,email,period,text,tag\n"
                    + "".join(f"plan-{next_id + k}-1,{EMAILS['r2']},2027-Q1,Imported text {k},\n"
                              for k in range(3)), encoding="utf-8")
    with pytest.raises(CsvImportError, match=r"obs.csv, line 2, column id: 'plan-\d+-1'"):
        import_csv("observations", path)
    login(client, EMAILS["r1"])
    response = client.post(_url(org), data=plan_form(), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "already received" not in page
    assert "answers are submitted" in page
    plan = db.session.scalar(select(PlanSubmission).where(PlanSubmission.person_id == org["r1"].id,
                                                          PlanSubmission.period_id == org["campaign"].period_id))
    assert plan is not None and plan.status == "submitted" and len(plan.observations) == 3


def test_a_save_the_database_refuses_is_never_reported_as_received(app, org, client, db):
    """Even with a colliding row already in the database (legacy data), the page says the save
    failed, keeps the answers on the page, and writes nothing."""
    from webapp.store.people import ensure_period

    period = ensure_period("2027-Q1")
    db.session.add(Observation(external_id=f"plan-{_next_plan_id(db)}-1", person_id=org["r2"].id,
                               period_id=period.id, position=0, text="legacy"))
    db.session.commit()
    login(client, EMAILS["r1"])
    response = client.post(_url(org), data=plan_form(rationale="Keep this rationale."))
    page = response.get_data(as_text=True)
    assert "already received" not in page
    assert response.status_code == 409 and "could not be saved" in page
    assert "Keep this rationale." in page
    assert db.session.scalar(select(func.count()).select_from(Participation)) == 0
    assert db.session.scalar(select(PlanSubmission).where(
        PlanSubmission.person_id == org["r1"].id, PlanSubmission.period_id == period.id)) is None


# Imports never overwrite live decisions silently -------------------------------------------------


def _targets(tmp_path, rows: str):
    path = tmp_path / "targets.csv"
    path.write_text("email,period,proposed,approved,top_down\n" + rows, encoding="utf-8")
    return path


def _decide(app, org, plan, action="adjust", amount="110000"):
    c = app.test_client()
    login(c, EMAILS["m1"])
    response = c.post(f"/plans/{plan.id}/decide", data={"action": action, "amount": amount,
                                                         "reason": "Market is soft.", "version": plan.version})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]


def _state(db, plan_id):
    db.session.expire_all()
    plan = db.session.get(PlanSubmission, plan_id)
    return plan.status, plan.proposed, plan.approved, len(plan.decisions)


@pytest.mark.parametrize("stage", ["adjusted", "submitted", "draft"])
def test_a_targets_import_refuses_to_change_a_plan_answered_in_the_app(app, org, db, tmp_path, stage):
    """Before: the import turned an adjusted plan back to "submitted" without an approved amount,
    and a draft into a submission, leaving no audit row."""
    if stage == "draft":
        plan = submit_plan(app, org, action="draft", likert=None, enps=None, comment=None)
    else:
        plan = submit_plan(app, org)
    if stage == "adjusted":
        _decide(app, org, plan)
    before = _state(db, plan.id)
    assert before[0] == stage
    with pytest.raises(CsvImportError) as caught:
        import_csv("targets", _targets(tmp_path, f"{EMAILS['r1']},2027-Q1,125000,,\n"))
    assert caught.value.errors[0].startswith("targets.csv, line 2, column ")
    assert f"plan is {stage} in the app" in caught.value.errors[0]
    assert _state(db, plan.id) == before


def test_an_unchanged_row_for_a_live_plan_is_no_conflict(app, org, db, tmp_path):
    plan = submit_plan(app, org)
    result = import_csv("targets", _targets(tmp_path, f"{EMAILS['r1']},2027-Q1,120000,,\n"))
    assert (result.unchanged, result.updated) == (1, 0)
    assert _state(db, plan.id)[0] == "submitted"


def test_overriding_a_decision_is_recorded_as_a_decision_by_the_importer(app, org, db, tmp_path):
    plan = submit_plan(app, org)
    _decide(app, org, plan)
    decisions_before = _state(db, plan.id)[3]
    import_csv("targets", _targets(tmp_path, f"{EMAILS['r1']},2027-Q1,125000,118000,\n"),
               options=ImportOptions(override_decisions=True, actor_id=org["admin"].id))
    status, proposed, approved, n = _state(db, plan.id)
    assert (status, proposed, approved) == ("adjusted", 125000, 118000)
    assert n == decisions_before + 1
    last = db.session.scalars(select(Decision).where(Decision.submission_id == plan.id)
                              .order_by(Decision.id.desc())).first()
    assert last.actor_id == org["admin"].id and last.action == "imported"
    assert last.old_amount == 110000 and last.new_amount == 118000
    assert "targets.csv, line 2" in last.reason


def test_the_cli_flag_overrides_only_with_an_admin_answering_for_it(app, org, db, tmp_path):
    from webapp.cli import cli

    app.cli.add_command(cli.commands["import"], "import")
    runner = app.test_cli_runner()
    plan = submit_plan(app, org)
    path = _targets(tmp_path, f"{EMAILS['r1']},2027-Q1,125000,,\n")
    refused = runner.invoke(args=["import", "targets", str(path)])
    assert refused.exit_code == 1 and "line 2" in refused.output and "--override-decisions" in refused.output
    no_actor = runner.invoke(args=["import", "targets", str(path), "--override-decisions"])
    assert no_actor.exit_code != 0 and "--by" in no_actor.output
    done = runner.invoke(args=["import", "targets", str(path), "--override-decisions", "--by", EMAILS["admin"]])
    assert done.exit_code == 0, done.output
    status, proposed, _, _ = _state(db, plan.id)
    assert (status, proposed) == ("submitted", 125000)
    assert db.session.scalar(select(func.count()).select_from(Decision).where(
        Decision.submission_id == plan.id, Decision.action == "imported")) == 1


def test_api_imports_audit_every_plan_they_write(app, org, client, db):
    from webapp.store import tokens

    secret = tokens.create_token(org["admin"], name="t", days=1).secret
    response = client.post("/api/v1/imports/targets", headers={"Authorization": f"Bearer {secret}"},
                           json={"rows": [{"email": EMAILS["r2"], "period": "2027-Q3", "proposed": "90000"}]})
    assert response.status_code == 200, response.get_data(as_text=True)
    rows = db.session.scalars(select(Decision).where(Decision.action == "imported")).all()
    assert [(d.actor_id, d.new_amount) for d in rows] == [(org["admin"].id, 90000)]


def test_imported_observations_never_join_a_plan_answered_in_the_app(app, org, db, tmp_path):
    plan = submit_plan(app, org)
    path = tmp_path / "obs.csv"
    path.write_text(f"id,email,period,text,tag\nx-1,{EMAILS['r1']},2027-Q1,From the CRM,\n", encoding="utf-8")
    import_csv("observations", path)
    db.session.expire_all()
    assert [o.text for o in db.session.get(PlanSubmission, plan.id).observations] == [
        "Competitor is discounting hard", "Budgets frozen at two banks", "Customers ask for CRM integration"]
    imported = db.session.scalar(select(Observation).where(Observation.external_id == "x-1"))
    assert imported.submission_id is None
