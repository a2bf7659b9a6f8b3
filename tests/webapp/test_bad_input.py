"""Bad survey input gets a message on the field and writes nothing; duplicates write one row."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.support.web import login, plan_form
from webapp.models import Decision, EngagementResponse, Observation, Participation, PlanSubmission

TABLES = (PlanSubmission, Observation, EngagementResponse, Participation, Decision)


def _counts(db):
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in TABLES}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (plan_form(proposed="-5000"), "greater than 0"),
        (plan_form(proposed="lots"), "Enter an amount"),
        (plan_form(proposed="NaN"), "finite"),
        (plan_form(proposed="100.123"), "two decimal"),
        (plan_form(proposed=""), "needs an answer"),
        (plan_form(rationale=""), "needs an answer"),
        (plan_form(observations=()), "needs an answer"),
        (plan_form(observations=[f"obs {i}" for i in range(6)]), "At most 5 observations"),
        (plan_form(proud="7"), "whole number from 1 to 5"),
        (plan_form(enps="11"), "whole number from 0 to 10"),
        (plan_form(rationale="x" * 10_000), "at most"),
        (plan_form(rationale="fine\x00text"), "NUL"),
        (plan_form(confidence="9"), "Choose one of the options"),
    ],
    ids=["negative", "non-numeric", "nan", "three-decimals", "missing-target", "missing-rationale",
         "no-observations", "six-observations", "likert-7", "enps-11", "10k-text", "nul", "confidence-9"],
)
def test_bad_input_is_refused_on_the_field_and_writes_nothing(client, org, db, data, message):
    login(client, "r1@example.test")
    before = _counts(db)
    response = client.post(f"/campaigns/{org['campaign'].id}/respond", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message.lower() in page.lower()
    assert "invalid-feedback" in page or "alert-danger" in page
    assert _counts(db) == before


def test_double_submission_writes_one_row(client, org, db):
    login(client, "r1@example.test")
    url = f"/campaigns/{org['campaign'].id}/respond"
    before = _counts(db)
    data = plan_form()
    # one Observation row per observation posted
    posted_observations = sum(1 for key in data if key.startswith("observations-") and key.endswith("-text"))
    first = client.post(url, data=data)
    second = client.post(url, data=data)  # same page posted twice (double click)
    assert first.status_code == 302 and second.status_code == 302
    counts = {name: n - before[name] for name, n in _counts(db).items()}
    assert counts["PlanSubmission"] == 1 and counts["EngagementResponse"] == 1
    assert counts["Participation"] == 1 and counts["Observation"] == posted_observations >= 2
    assert "confidential answers for this campaign were received" in client.get(url).get_data(as_text=True)


def test_second_engagement_submission_is_refused(client, org, db, app):
    from webapp.store import campaigns, plans
    from webapp.store.errors import AlreadyAnswered
    from webapp.store.plans import EngagementInput

    login(client, "r1@example.test")
    client.post(f"/campaigns/{org['campaign'].id}/respond", data=plan_form())
    with pytest.raises(AlreadyAnswered):
        plans.save_answers(org["r1"], campaigns.get_campaign(org["campaign"].id), None,
                           EngagementInput(likert={"proud": 1}, enps=0, comments={}), submit=True)
    assert _counts(db)["EngagementResponse"] == 1


def test_stale_manager_decision_gets_reload_and_first_stands(client, org, db, app):
    login(client, "r1@example.test")
    client.post(f"/campaigns/{org['campaign'].id}/respond", data=plan_form())
    plan = db.session.scalar(select(PlanSubmission).where(PlanSubmission.status == "submitted"))
    seen_version = str(plan.version)
    client.post("/logout", data={})
    app.config["PLANS_ABOVE_MAY_DECIDE"] = True  # the leader, above m1, may decide too (off by default)
    leader = app.test_client()
    login(leader, "leader@example.test")
    login(client, "m1@example.test")
    first = client.post(f"/plans/{plan.id}/decide", data={"action": "approve", "version": seen_version})
    assert first.status_code == 302
    stale = leader.post(f"/plans/{plan.id}/decide", data={
        "action": "adjust", "amount": "1000", "reason": "too high", "version": seen_version})
    assert stale.status_code == 409 and "Reload" in stale.get_data(as_text=True)
    db.session.expire_all()
    assert plan.status == "approved" and plan.approved == plan.proposed


def test_decision_needs_amount_and_reason(client, org, db):
    login(client, "r1@example.test")
    client.post(f"/campaigns/{org['campaign'].id}/respond", data=plan_form())
    plan = db.session.scalar(select(PlanSubmission).where(PlanSubmission.status == "submitted"))
    client.post("/logout", data={})
    login(client, "m1@example.test")
    response = client.post(f"/plans/{plan.id}/decide", data={"action": "adjust", "amount": "-3",
                                                             "version": str(plan.version)})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "greater than 0" in page and "Give a reason" in page
    db.session.expire_all()
    assert plan.status == "submitted"
