"""The planning flow end to end through the test client: rep submits, manager decides, roll-up."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from tests.support.web import login, plan_form
from webapp.models import (
    Decision,
    EngagementResponse,
    Participation,
    PlanSubmission,
)


def _count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def _respond_url(org):
    return f"/campaigns/{org['campaign'].id}/respond"


def test_rep_sees_open_campaign_and_baseline(client, org):
    login(client, "r1@example.test")
    home = client.get("/").get_data(as_text=True)
    assert "Planning 2027-Q1" in home
    page = client.get(_respond_url(org)).get_data(as_text=True)
    assert "100,000.00" in page and "approved target for 2026-Q4" in page


def test_submit_adjust_and_see_decision(client, org, db):
    login(client, "r1@example.test")
    response = client.post(_respond_url(org), data=plan_form())
    assert response.status_code == 303 or response.status_code == 302  # Post/Redirect/Get
    plan = db.session.scalar(select(PlanSubmission).where(PlanSubmission.person_id == org["r1"].id,
                                                          PlanSubmission.status == "submitted"))
    assert plan.proposed == Decimal("120000.00")
    assert [o.text for o in plan.observations][0] == "Competitor is discounting hard"
    assert _count(db, EngagementResponse) == 1 and _count(db, Participation) == 1
    client.post("/logout", data={})

    login(client, "m1@example.test")
    queue = client.get("/queue").get_data(as_text=True)
    assert org["r1"].name in queue and "+20.0%" in queue
    response = client.post(f"/plans/{plan.id}/decide", data={
        "action": "adjust", "amount": "110,000", "reason": "Pipeline supports 110k", "version": str(plan.version)})
    assert response.status_code == 302
    db.session.expire_all()
    assert plan.status == "adjusted" and plan.approved == Decimal("110000.00")
    detail = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert "Pipeline supports 110k" in detail and "adjusted" in detail and org["m1"].name in detail
    rollup = client.get("/rollup?period=2027-Q1&by=manager").get_data(as_text=True)
    assert "110,000.00" in rollup and "120,000.00" in rollup
    client.post("/logout", data={})

    login(client, "r1@example.test")
    history = client.get("/plans/history").get_data(as_text=True)
    assert "Pipeline supports 110k" in history and "110,000.00" in history
    actions = [d.action for d in db.session.scalars(select(Decision).order_by(Decision.id))]
    assert actions == ["submitted", "adjust"]


def test_draft_then_edit_until_decided(client, org, db):
    login(client, "r1@example.test")
    client.post(_respond_url(org), data=plan_form(action="draft", rationale="", likert=None, enps=None))
    plan = db.session.scalar(select(PlanSubmission).where(PlanSubmission.person_id == org["r1"].id,
                                                          PlanSubmission.period.has(code="2027-Q1")))
    assert plan.status == "draft" and plan.rationale is None
    assert _count(db, EngagementResponse) == 0
    page = client.get(_respond_url(org)).get_data(as_text=True)
    assert 'value="120000.00"' in page  # the draft comes back for editing
    client.post(_respond_url(org), data=plan_form())
    client.post(_respond_url(org), data=plan_form(proposed="130000", likert=None, enps=None, comment=None))
    db.session.expire_all()
    assert plan.status == "submitted" and plan.proposed == Decimal("130000.00")
    plans_in_db = _count(db, PlanSubmission)
    # the manager approves; the rep can no longer change it
    client.post("/logout", data={})
    login(client, "m1@example.test")
    client.post(f"/plans/{plan.id}/decide", data={"action": "approve", "version": str(plan.version)})
    client.post("/logout", data={})
    login(client, "r1@example.test")
    page = client.get(_respond_url(org)).get_data(as_text=True)
    assert "approved" in page and 'name="proposed_target"' not in page
    client.post(_respond_url(org), data=plan_form(proposed="999999"))
    db.session.expire_all()
    assert plan.proposed == Decimal("130000.00") and _count(db, PlanSubmission) == plans_in_db


def test_returned_plan_can_be_revised(client, org, db):
    login(client, "r1@example.test")
    client.post(_respond_url(org), data=plan_form())
    plan = db.session.scalar(select(PlanSubmission).where(PlanSubmission.status == "submitted"))
    client.post("/logout", data={})
    login(client, "m1@example.test")
    client.post(f"/plans/{plan.id}/decide", data={"action": "return", "reason": "Split by product line",
                                                  "version": str(plan.version)})
    client.post("/logout", data={})
    login(client, "r1@example.test")
    page = client.get(_respond_url(org)).get_data(as_text=True)
    assert "Split by product line" in page and 'name="proud"' not in page  # pulse answered once
    client.post(_respond_url(org), data=plan_form(proposed="125000", likert=None, enps=None, comment=None))
    db.session.expire_all()
    assert plan.status == "submitted" and plan.proposed == Decimal("125000.00")
    assert _count(db, EngagementResponse) == 1


# Issue 17: the review queue gives context, flags outliers and approves in bulk.


def test_queue_shows_context_rationale_confidence_change_and_recent_quarters(app, client, org, db):
    from decimal import Decimal

    from tests.support.web import submit_plan
    from webapp.models import Actual
    from webapp.store import people

    previous = people.ensure_period("2026-Q4")
    db.session.add(Actual(person_id=org["r1"].id, period_id=previous.id, amount=Decimal(104000)))
    db.session.commit()
    submit_plan(app, org, "r1", proposed="120000", confidence="4")
    login(client, "m1@example.test")
    page = client.get("/queue").get_data(as_text=True)
    assert "Three renewals and a new logo." in page  # the rationale preview
    assert "4 / 5" in page and "+20.0%" in page  # confidence; change % against the 100,000 baseline
    assert "2026-Q4: 100,000.00 → 104,000.00 (104.0%)" in page  # target, actual, attainment
    assert "robust z-score" in page  # the outlier rule is stated


def test_robust_z_flags_the_far_proposal_of_a_team():
    from webapp.planning.queue import OUTLIER_Z, robust_z

    team = [0.02, 0.03, 0.05, 0.04, 0.01, -0.23]
    assert abs(robust_z(-0.23, team)) > OUTLIER_Z
    assert abs(robust_z(0.03, team)) < OUTLIER_Z
    assert robust_z(0.1, [0.1, 0.2]) is None  # too few to tell
    assert robust_z(0.1, [0.1] * 6) is None  # no spread


def test_bulk_approve_approves_each_selected_plan_with_its_own_audit_entry(app, client, org, db):
    from tests.support.web import submit_plan
    from webapp.models import Decision

    p1 = submit_plan(app, org, "r1", proposed="120000")
    p2 = submit_plan(app, org, "r2", proposed="90000")
    login(client, "m1@example.test")
    page = client.get("/queue").get_data(as_text=True)
    assert f'id="pick-{p1.id}"' in page and f'id="pick-{p2.id}"' in page
    response = client.post("/queue/approve", data={"plan": [str(p1.id), str(p2.id)],
                                                   f"version-{p1.id}": str(p1.version),
                                                   f"version-{p2.id}": str(p2.version - 1)},  # p2 seen stale
                           follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "Approved as proposed: Rae One" in body and "changed since you opened the queue" in body
    db.session.expire_all()
    assert p1.status == "approved" and p1.approved == p1.proposed
    assert p2.status == "submitted"
    approvals = db.session.scalars(select(Decision).where(Decision.action == "approve")).all()
    assert [(d.submission_id, d.actor_id) for d in approvals] == [(p1.id, org["m1"].id)]


def test_bulk_approve_needs_a_csrf_token(app, client, org, db):
    from tests.support.web import submit_plan

    p1 = submit_plan(app, org, "r1")
    login(client, "m1@example.test")  # logged in first; then the token is required
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/queue/approve", data={"plan": str(p1.id), f"version-{p1.id}": str(p1.version)})
        assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    db.session.expire_all()
    assert p1.status == "submitted"


def test_the_audit_trail_keeps_a_moment_on_one_line_and_its_amount_after_a_colon(client, org, db):
    """At phone width "2026-12-03 15:28 UTC" broke after "2026-12-", and the amount followed " : "."""
    import re

    login(client, "r1@example.test")
    client.post(_respond_url(org), data=plan_form())
    plan = db.session.scalar(select(PlanSubmission).where(PlanSubmission.person_id == org["r1"].id,
                                                          PlanSubmission.status == "submitted"))
    for url in (f"/plans/{plan.id}", "/plans/history"):
        html = client.get(url).get_data(as_text=True)
        entry = re.search(r"submitted\s+on (.*?)120,000\.00", html, re.DOTALL).group(1)
        assert re.fullmatch(r'<span class="text-nowrap">\d{4}-\d\d-\d\d \d\d:\d\d UTC</span>: ', entry), entry


def test_a_five_point_scale_stacks_in_order_at_phone_width(client, org):
    """Wrapped inline at 375 px the scale read "Strongly disagree Disagree / Neither … Agree / Strongly
    agree"; it is a column there (Bootstrap flex-column) and a row from the small breakpoint up."""
    import re

    login(client, "r1@example.test")
    html = client.get(_respond_url(org)).get_data(as_text=True)
    scales = re.findall(r'<div class="([^"]*\blikert\b[^"]*)">', html)
    assert scales and all({"flex-column", "flex-sm-row"} <= set(c.split()) for c in scales)
    assert len(scales) == len(re.findall(r">\s*Strongly agree\s*<", html))
