"""The JSON API's tokens and authorisation: a token sees exactly what its owner sees on the pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.support.web import login, plan_form
from webapp.models import ApiToken, Decision, Observation, PlanSubmission

PROBLEM = "application/problem+json"
PEOPLE = ("r1", "r2", "r3", "m1", "m2", "leader", "hr", "admin")


def token_for(person, days=30) -> str:
    from webapp.store import tokens

    return tokens.create_token(person, name="test tool", days=days).secret


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def assert_problem(response, status: int):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json(force=True)
    assert body["status"] == status and body["title"] and body["detail"] and body["type"]
    return body


def submit(client, org, who, **form):
    login(client, org[who].email)
    response = client.post(f"/campaigns/{org['campaign'].id}/respond", data=plan_form(**form))
    assert response.status_code == 302, response.get_data(as_text=True)
    client.post("/logout")


@pytest.fixture
def world(app, org, db):
    """r1, r2 and r3 have submitted plans with observations; each person has a token."""
    for who in ("r1", "r2", "r3"):
        submit(app.test_client(), org, who, proposed=f"{100000 + len(who)}",
               observations=(f"{who.upper()}-OBSERVATION about pricing",))
    all_plans = list(db.session.scalars(select(PlanSubmission)))
    plans = {p.person_id: p for p in all_plans if p.period_id == org["campaign"].period_id}
    return {"plans": plans, "all_plans": all_plans, "tokens": {who: token_for(org[who]) for who in PEOPLE}}


# --- tokens -------------------------------------------------------------------------------------


def test_token_is_shown_once_and_stored_only_as_a_hash(app, client, org, db):
    login(client, org["r1"].email)
    page = client.post("/tokens", data={"name": "CRM sync", "days": "30"})
    assert page.status_code == 201
    html = page.get_data(as_text=True)
    secret = html.split('readonly value="')[1].split('"')[0]
    assert secret.startswith("gs_") and len(secret) > 40
    row = db.session.scalar(select(ApiToken))
    assert secret not in (row.secret_hash, row.prefix) and len(row.secret_hash) == 64
    assert secret not in client.get("/tokens").get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    me = client.get("/api/v1/me", headers=bearer(secret))
    assert me.status_code == 200 and me.get_json()["email"] == org["r1"].email


def test_token_expiry_is_required_and_bounded(client, org, db):
    login(client, org["r1"].email)
    for days in ("", "0", "366"):
        assert client.post("/tokens", data={"name": "x", "days": days}).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_revoked_token_is_refused(app, client, org):
    secret = token_for(org["r1"])
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    login(client, org["r1"].email)
    token_id = org["r1"].id and app.extensions["sqlalchemy"].session.scalar(select(ApiToken.id))
    assert client.post(f"/tokens/{token_id}/revoke").status_code == 302
    assert_problem(app.test_client().get("/api/v1/me", headers=bearer(secret)), 401)


def test_someone_elses_token_cannot_be_revoked(app, client, org, db):
    secret = token_for(org["r1"])
    token_id = db.session.scalar(select(ApiToken.id))
    login(client, org["r2"].email)
    assert client.post(f"/tokens/{token_id}/revoke").status_code == 404
    assert app.test_client().get("/api/v1/me", headers=bearer(secret)).status_code == 200


def test_expired_token_is_refused(app, client, org, db):
    secret = token_for(org["r1"])
    token = db.session.scalar(select(ApiToken))
    token.expires_at = token.created_at - timedelta(seconds=1)
    db.session.commit()
    body = assert_problem(client.get("/api/v1/me", headers=bearer(secret)), 401)
    assert "expired" in body["detail"]


def test_disabled_owner_token_is_refused(client, org):
    from webapp.store import people

    secret = token_for(org["r1"])
    people.set_active(org["r1"], False)
    assert_problem(client.get("/api/v1/me", headers=bearer(secret)), 401)


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer nonsense", "Basic cjE6cHc=",
                                    "Bearer gs_00000000_" + "x" * 43])
def test_missing_or_bad_token_is_401_problem(client, org, header):
    response = client.get("/api/v1/plans", headers={"Authorization": header} if header else {})
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_tampered_secret_with_a_real_prefix_is_refused(client, org):
    secret = token_for(org["admin"])
    assert_problem(client.get("/api/v1/people", headers=bearer(secret[:-2] + "zz")), 401)


def test_session_cookie_never_authenticates_the_api(app, org, world):
    """With CSRF on, a logged-in browser can neither read nor write through the API."""
    app.config["WTF_CSRF_ENABLED"] = True
    c = app.test_client()
    login_page = c.get("/login").get_data(as_text=True)
    from tests.support.web import csrf_token

    c.post("/login", data={"email": org["m1"].email, "password": "correct-horse-battery",
                           "csrf_token": csrf_token(login_page)})
    assert c.get("/plans/history").status_code == 200  # the session works on pages
    assert_problem(c.get("/api/v1/plans"), 403)
    plan = world["plans"][org["r1"].id]
    assert_problem(c.post(f"/api/v1/plans/{plan.id}/decision",
                          json={"action": "approve", "version": plan.version}), 403)
    # A token needs no CSRF token, even with CSRF on.
    response = app.test_client().post(f"/api/v1/plans/{plan.id}/decision", headers=bearer(world["tokens"]["m1"]),
                                      json={"action": "approve", "version": plan.version})
    assert response.status_code == 200, response.get_data(as_text=True)


# --- the role × owner matrix --------------------------------------------------------------------


def _page_can_see(app, org, who: str, plan_id: int) -> bool:
    c = app.test_client()
    login(c, org[who].email)
    return c.get(f"/plans/{plan_id}").status_code == 200


def test_plans_and_observations_a_token_sees_are_those_its_owner_sees_on_the_pages(app, org, world):
    plans = world["plans"]
    all_plans = world["all_plans"]
    for who in PEOPLE:
        c = app.test_client()
        headers = bearer(world["tokens"][who])
        visible = {p.id for p in all_plans if _page_can_see(app, org, who, p.id)}
        listing = c.get("/api/v1/plans?per_page=200", headers=headers)
        observations = c.get("/api/v1/observations?per_page=200", headers=headers)
        if who == "hr":
            assert_problem(listing, 403)
            assert_problem(observations, 403)
            assert visible == set()
        else:
            assert listing.status_code == 200
            assert {p["id"] for p in listing.get_json()["items"]} == visible, who
            seen_texts = {o["text"] for o in observations.get_json()["items"]}
            expected = {f"{org_who.upper()}-OBSERVATION about pricing" for org_who in ("r1", "r2", "r3")
                        if plans[org[org_who].id].id in visible}
            assert seen_texts == expected, who
        for plan in all_plans:
            response = c.get(f"/api/v1/plans/{plan.id}", headers=headers)
            if plan.id in visible:
                assert response.status_code == 200
                assert response.get_json()["proposed"] == float(plan.proposed)
            elif who == "hr":
                assert_problem(response, 403)
            else:
                body = assert_problem(response, 404)
                assert str(plan.proposed).split(".")[0] not in str(body)
    # The matrix is not vacuous: reps see one plan, m1 two, the leader three.
    assert _page_can_see(app, org, "m1", plans[org["r1"].id].id)
    assert not _page_can_see(app, org, "m2", plans[org["r1"].id].id)


def test_people_are_for_admins_only(client, org, world):
    for who in PEOPLE:
        response = client.get("/api/v1/people", headers=bearer(world["tokens"][who]))
        if who == "admin":
            data = response.get_json()
            assert response.status_code == 200 and data["total"] == len(PEOPLE)
            one = client.get(f"/api/v1/people/{org['r1'].id}", headers=bearer(world["tokens"][who]))
            assert one.get_json()["manager"]["email"] == org["m1"].email
        else:
            assert_problem(response, 403)
            assert_problem(client.get(f"/api/v1/people/{org['r1'].id}", headers=bearer(world["tokens"][who])), 403)


def test_lists_are_paginated_with_next_and_link(client, org, world):
    headers = bearer(world["tokens"]["admin"])
    first = client.get("/api/v1/people?per_page=3", headers=headers)
    data = first.get_json()
    assert len(data["items"]) == 3 and data["total"] == 8 and data["next"].endswith("page=2&per_page=3")
    assert 'rel="next"' in first.headers["Link"]
    last = client.get("/api/v1/people?per_page=3&page=3", headers=headers).get_json()
    assert len(last["items"]) == 2 and last["next"] is None
    ids = [p["id"] for page in (1, 2, 3)
           for p in client.get(f"/api/v1/people?per_page=3&page={page}", headers=headers).get_json()["items"]]
    assert len(set(ids)) == 8
    assert_problem(client.get("/api/v1/people?per_page=0", headers=headers), 422)


# --- decisions ----------------------------------------------------------------------------------


def test_decision_with_a_stale_version_is_409_and_the_first_stands(client, org, world, db):
    plan = world["plans"][org["r1"].id]
    client.application.config["PLANS_ABOVE_MAY_DECIDE"] = True  # the leader, above m1, may decide too
    url, version = f"/api/v1/plans/{plan.id}/decision", plan.version
    first = client.post(url, headers=bearer(world["tokens"]["m1"]), json={"action": "approve", "version": version})
    assert first.status_code == 200 and first.get_json()["status"] == "approved"
    stale = client.post(url, headers=bearer(world["tokens"]["leader"]),
                        json={"action": "adjust", "version": version, "amount": 5, "reason": "no"})
    assert assert_problem(stale, 409)["type"].endswith("stale-version")
    db.session.expire_all()
    assert db.session.get(PlanSubmission, plan.id).status == "approved"


def test_decision_outside_the_chain_is_refused_and_writes_nothing(client, org, world, db):
    plan = world["plans"][org["r1"].id]
    before = db.session.scalar(select(func.count()).select_from(Decision))
    for who, status in (("m2", 404), ("r2", 403), ("r1", 403), ("hr", 403), ("admin", 403)):
        response = client.post(f"/api/v1/plans/{plan.id}/decision", headers=bearer(world["tokens"][who]),
                               json={"action": "approve", "version": plan.version})
        assert_problem(response, status)
    assert db.session.scalar(select(func.count()).select_from(Decision)) == before


@pytest.mark.parametrize("body", [{}, {"action": "approve"}, {"action": "nope", "version": 1},
                                  {"action": "adjust", "version": 1, "amount": 1.234, "reason": "x"},
                                  {"action": "adjust", "version": 1, "amount": -1, "reason": "x"},
                                  {"action": "return", "version": 1}, [1, 2], "text"])
def test_bad_decision_bodies_are_422_problems(client, org, world, body):
    plan = world["plans"][org["r1"].id]
    body = {**body, "version": plan.version} if isinstance(body, dict) and "version" in body else body
    response = client.post(f"/api/v1/plans/{plan.id}/decision", headers=bearer(world["tokens"]["m1"]), json=body)
    assert_problem(response, 422)


def test_unknown_route_and_wrong_method_are_problems(client, org, world):
    headers = bearer(world["tokens"]["admin"])
    assert_problem(client.get("/api/v1/nothing-here", headers=headers), 404)
    response = client.delete("/api/v1/plans", headers=headers)
    assert_problem(response, 405)
    assert "GET" in response.headers["Allow"]


def test_rate_limit_answers_429_problem(app, client, org):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    headers = bearer(token_for(org["r1"]))
    codes = [client.get("/api/v1/me", headers=headers).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert_problem(client.get("/api/v1/me", headers=headers), 429)
    # Another token has its own budget.
    assert client.get("/api/v1/me", headers=bearer(token_for(org["r2"]))).status_code == 200


def test_server_errors_are_problems(app, client, org, monkeypatch):
    from webapp.store import listing

    app.config["PROPAGATE_EXCEPTIONS"] = False

    def boom(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(listing, "people_page", boom)
    body = assert_problem(client.get("/api/v1/people", headers=bearer(token_for(org["admin"]))), 500)
    assert "boom" not in str(body)


def test_observation_rows_are_not_in_the_body_of_a_403(client, org, world, db):
    assert db.session.scalar(select(func.count()).select_from(Observation)) == 3
    response = client.get("/api/v1/observations", headers=bearer(world["tokens"]["hr"]))
    assert "OBSERVATION" not in response.get_data(as_text=True)


def test_openapi_document_needs_a_token_and_the_docs_page_is_ours(app, client, org):
    assert_problem(client.get("/api/v1/openapi.json"), 401)
    spec = client.get("/api/v1/openapi.json", headers=bearer(token_for(org["r1"]))).get_json()
    assert spec["openapi"].startswith("3.") and "/api/v1/plans/{plan_id}/decision" in spec["paths"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert client.get("/api/v1/docs").status_code == 302  # pages need a login
    login(client, org["r1"].email)
    page = client.get("/api/v1/docs")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "POST /api/v1/plans/{plan_id}/decision" in html
    assert "<script>" not in html and "https://" not in html.split("</nav>")[0].split("<head>")[-1]
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert 'id="problem-stale-version"' in html and 'id="schema-PlanOut"' in html


def test_a_decision_from_above_says_so_in_the_api_and_its_schema(client, org, world, db):
    plan = world["plans"][org["r1"].id]
    url = f"/api/v1/plans/{plan.id}/decision"
    refused = client.post(url, headers=bearer(world["tokens"]["leader"]), json={"action": "approve", "version": plan.version})
    assert_problem(refused, 403)  # off by default: the direct manager decides
    db.session.expire_all()
    assert db.session.get(PlanSubmission, plan.id).status == "submitted"
    client.application.config["PLANS_ABOVE_MAY_DECIDE"] = True
    body = client.post(url, headers=bearer(world["tokens"]["leader"]),
                       json={"action": "approve", "version": plan.version}).get_json()
    submitted, approved = body["decisions"]
    assert approved["action"] == "approve" and approved["above_manager"] is True
    assert approved["direct_manager"]["id"] == org["m1"].id and approved["actor"]["id"] == org["leader"].id
    assert submitted["above_manager"] is False and submitted["direct_manager"] is None
    read = client.get(f"/api/v1/plans/{plan.id}", headers=bearer(world["tokens"]["r1"])).get_json()
    assert read["decisions"][-1]["above_manager"] is True
    spec = client.get("/api/v1/openapi.json", headers=bearer(world["tokens"]["r1"])).get_json()
    props = spec["components"]["schemas"]["DecisionOut"]["properties"]
    assert {"above_manager", "direct_manager"} <= set(props) and props["above_manager"]["type"] == "boolean"
