"""Deny by default, role and object checks, and sessions that really end at logout."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.support.web import login, plan_form
from webapp.access import PUBLIC_ENDPOINTS
from webapp.models import PlanSubmission


def _example_url(rule) -> str:
    """Fill every URL variable with a value its converter accepts."""
    return re.sub(r"<(?:[a-z]+:)?[a-z_]+>", "1", rule.rule)


def test_every_non_public_route_sends_anonymous_users_to_login(app, client):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint not in PUBLIC_ENDPOINTS]
    assert len(rules) >= 8
    for rule in rules:
        for method in rule.methods & {"GET", "POST"}:
            response = client.open(_example_url(rule), method=method)
            assert response.status_code in (302, 401), (rule.rule, method, response.status_code)
            if response.status_code == 302:
                assert "/login" in response.headers["Location"]


def test_a_view_without_declared_roles_is_forbidden(app, client, make_person):
    from flask import Blueprint

    bp = Blueprint("stray", __name__)
    bp.add_url_rule("/stray", "stray", lambda: "secret")
    app.register_blueprint(bp)
    make_person(role="admin", email="a@example.test")
    login(client, "a@example.test")
    assert client.get("/stray").status_code == 403


def test_roles_reach_only_their_pages(client, org):
    expectations = {
        "r1@example.test": {"/queue": 403, "/rollup": 403, "/admin/campaigns": 403, "/plans/history": 200},
        "hr@example.test": {"/queue": 403, "/rollup": 403, "/plans/history": 403, "/": 200},
        "m1@example.test": {"/queue": 200, "/rollup": 200, "/admin/campaigns": 403},
        "admin@example.test": {"/admin/campaigns": 200, "/admin/people": 200, "/queue": 403},
    }
    for email, pages in expectations.items():
        login(client, email)
        for url, status in pages.items():
            assert client.get(url).status_code == status, (email, url)
        client.post("/logout")


def _submitted_plan(client, org, db, email="r1@example.test"):
    login(client, email)
    client.post(f"/campaigns/{org['campaign'].id}/respond", data=plan_form(proposed="777001"))
    client.post("/logout")
    return db.session.scalar(select(PlanSubmission).where(PlanSubmission.status == "submitted"))


def test_plans_are_visible_only_to_owner_chain_and_leaders(client, org, db):
    plan = _submitted_plan(client, org, db)
    for email, status in [("r2@example.test", 404), ("r3@example.test", 404), ("m2@example.test", 404),
                          ("hr@example.test", 403), ("m1@example.test", 200), ("leader@example.test", 200),
                          ("r1@example.test", 200), ("admin@example.test", 200)]:
        login(client, email)
        response = client.get(f"/plans/{plan.id}")
        assert response.status_code == status, email
        if status != 200:
            assert "777,001" not in response.get_data(as_text=True)
        client.post("/logout")


def test_only_managers_above_can_decide(client, org, db):
    plan = _submitted_plan(client, org, db)
    for email in ("m2@example.test", "r2@example.test", "hr@example.test"):
        login(client, email)
        response = client.post(f"/plans/{plan.id}/decide", data={"action": "approve", "version": str(plan.version)})
        assert response.status_code in (403, 404), email
        client.post("/logout")
    db.session.expire_all()
    assert plan.status == "submitted"


def test_rep_cannot_set_approved_amount_or_status_by_adding_fields(client, org, db):
    login(client, "r1@example.test")
    client.post(f"/campaigns/{org['campaign'].id}/respond",
                data=plan_form(approved="999999", status="approved", person_id=str(org["r2"].id)))
    plan = db.session.scalar(select(PlanSubmission).where(PlanSubmission.status == "submitted"))
    assert plan.approved is None and plan.person_id == org["r1"].id


def test_campaign_outside_audience_is_not_found(client, org, make_person):
    make_person(role="hr", email="hr2@example.test")
    login(client, "hr@example.test")
    assert client.get(f"/campaigns/{org['campaign'].id}/respond").status_code == 403


def test_logout_really_ends_the_session(app, client, org):
    login(client, "r1@example.test")
    cookie = client.get_cookie("session").value
    assert client.get("/plans/history").status_code == 200
    client.post("/logout")
    replay = app.test_client()
    replay.set_cookie("session", cookie)
    response = replay.get("/plans/history")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_disabled_user_loses_session(app, client, org):
    from webapp.store import people

    login(client, "r1@example.test")
    people.set_active(org["r1"], False)
    assert client.get("/plans/history").status_code == 302


def test_login_failure_says_the_same_for_unknown_and_wrong(client, org):
    unknown = login(client, "nobody@example.test")
    wrong = login(client, "r1@example.test", "wrong-password-1")
    assert unknown.status_code == wrong.status_code == 401
    assert "Email or password is not right." in unknown.get_data(as_text=True)
    assert "Email or password is not right." in wrong.get_data(as_text=True)


def test_open_redirect_is_refused(client, org):
    response = client.post("/login?next=//evil.example/x",
                           data={"email": "r1@example.test", "password": "correct-horse-battery"})
    assert response.headers["Location"] == "/"


def test_security_headers_on_pages_and_errors(client, org):
    for url in ("/login", "/no-such-page"):
        response = client.get(url)
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_passwords_are_argon2id(org, db):
    assert org["r1"].password_hash.startswith("$argon2id$")


# Issue 17: decisions follow the chain. The direct manager decides; levels above see, and decide
# only where the setting allows it, with the audit trail saying so.


def test_levels_above_see_but_do_not_decide_by_default(app, client, org, db):
    from tests.support.web import submit_plan

    plan = submit_plan(app, org, "r1")  # r1 reports to m1, who reports to the leader
    login(client, "leader@example.test")
    page = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert "Three renewals" in page and 'name="action"' not in page and "decides this plan" in page
    response = client.post(f"/plans/{plan.id}/decide", data={"action": "approve", "version": str(plan.version)})
    assert response.status_code == 403
    queue = client.get("/queue").get_data(as_text=True)
    assert f'id="plan-{plan.id}"' in queue and f'id="pick-{plan.id}"' not in queue  # listed, not selectable
    client.post("/queue/approve", data={"plan": str(plan.id), f"version-{plan.id}": str(plan.version)})
    db.session.expire_all()
    assert plan.status == "submitted"
    m1 = app.test_client()
    login(m1, "m1@example.test")
    assert f'id="pick-{plan.id}"' in m1.get("/queue").get_data(as_text=True)


def test_the_setting_lets_levels_above_decide_and_the_decision_records_it(app, client, org, db):
    from tests.support.web import submit_plan
    from webapp.models import Decision

    app.config["PLANS_ABOVE_MAY_DECIDE"] = True
    plan = submit_plan(app, org, "r1")
    login(client, "leader@example.test")
    response = client.post(f"/plans/{plan.id}/decide", data={"action": "adjust", "amount": "110000",
                                                              "reason": "Market is soft", "version": str(plan.version)})
    assert response.status_code == 302
    decision = db.session.scalars(select(Decision).where(Decision.submission_id == plan.id,
                                                         Decision.action == "adjust")).one()
    assert decision.actor_id == org["leader"].id
    assert decision.above_manager is True and decision.direct_manager_id == org["m1"].id
    assert decision.reason == "Market is soft"  # the decider's words, not a note about the chain
    page = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    trail = page[page.index('class="list-group list-group-numbered audit-trail"'):]
    assert "Decided from above" in trail and "decided above the direct manager (Max One)" in trail
    # The rep reads the same fact in their history.
    rep = app.test_client()
    login(rep, "r1@example.test")
    assert "decided above the direct manager (Max One)" in rep.get("/plans/history").get_data(as_text=True)


def test_the_direct_managers_decision_is_not_marked_as_from_above(app, client, org, db):
    from tests.support.web import submit_plan
    from webapp.models import Decision

    app.config["PLANS_ABOVE_MAY_DECIDE"] = True
    plan = submit_plan(app, org, "r1")
    login(client, "m1@example.test")
    assert client.post(f"/plans/{plan.id}/decide",
                       data={"action": "approve", "version": str(plan.version)}).status_code == 302
    decisions = db.session.scalars(select(Decision).where(Decision.submission_id == plan.id)).all()
    assert [(d.action, d.above_manager, d.direct_manager_id) for d in decisions] == [
        ("submitted", False, None), ("approve", False, None)]
    assert "Decided from above" not in client.get(f"/plans/{plan.id}").get_data(as_text=True)


def test_without_the_setting_a_leader_is_refused_and_nothing_changes(app, client, org, db):
    from tests.support.web import submit_plan, table_snapshot

    plan = submit_plan(app, org, "r1")
    login(client, "leader@example.test")
    before = table_snapshot(db)
    for url, data in ((f"/plans/{plan.id}/decide", {"action": "adjust", "amount": "1", "reason": "mine",
                                                    "version": str(plan.version)}),
                      ("/queue/approve", {"plan": str(plan.id), f"version-{plan.id}": str(plan.version)})):
        client.post(url, data=data)
    db.session.expire_all()
    assert table_snapshot(db) == before


def test_the_store_refuses_a_decision_from_above_without_the_setting(app, org, db):
    """Every entry point (pages, API, CLI) goes through `plans.decide`, which checks the chain itself."""
    import pytest

    from tests.support.web import submit_plan
    from webapp.models import Decision
    from webapp.store import plans
    from webapp.store.errors import NotAllowed

    plan = submit_plan(app, org, "r1")
    with pytest.raises(NotAllowed):
        plans.decide(org["leader"], plan.id, action="approve", expected_version=plan.version)
    db.session.expire_all()
    assert plan.status == "submitted"
    assert [d.action for d in db.session.scalars(select(Decision).where(Decision.submission_id == plan.id))] == [
        "submitted"]
    plans.decide(org["leader"], plan.id, action="approve", expected_version=plan.version, above_may_decide=True)
    last = db.session.scalars(select(Decision).where(Decision.submission_id == plan.id)).all()[-1]
    assert (last.action, last.above_manager, last.direct_manager_id) == ("approve", True, org["m1"].id)


def test_the_setting_is_read_from_the_environment():
    from webapp.config import ConfigError, load_config

    assert load_config("/tmp", {"GROUNDSWELL_SECRET_KEY": "x"})["PLANS_ABOVE_MAY_DECIDE"] is False
    assert load_config("/tmp", {"GROUNDSWELL_SECRET_KEY": "x", "GROUNDSWELL_ABOVE_MAY_DECIDE": "1"})[
        "PLANS_ABOVE_MAY_DECIDE"] is True
    import pytest

    with pytest.raises(ConfigError):
        load_config("/tmp", {"GROUNDSWELL_SECRET_KEY": "x", "GROUNDSWELL_ABOVE_MAY_DECIDE": "yes"})
