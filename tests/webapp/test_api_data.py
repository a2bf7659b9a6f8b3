"""The API's imports (all or nothing, idempotent by key) and its insights and engagement figures,
which must be the CLI's objects, suppressed the same way."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from webapp.extensions import db as _db
from webapp.models import Actual, IdempotentRequest, PlanSubmission, TopDownTarget

PROBLEM = "application/problem+json"


def token_for(person) -> dict:
    from webapp.store import tokens

    return {"Authorization": f"Bearer {tokens.create_token(person, name='t', days=30).secret}"}


def counts() -> tuple:
    return tuple(_db.session.scalar(select(func.count()).select_from(model))
                 for model in (PlanSubmission, TopDownTarget, Actual, IdempotentRequest))


def cli_json(app, *args) -> dict:
    from webapp.cli import cli

    for name, command in cli.commands.items():
        app.cli.add_command(command, name)
    result = app.test_cli_runner().invoke(args=[*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def targets(org, amount="120000") -> dict:
    return {"rows": [{"email": org["r1"].email, "period": "2027-Q2", "proposed": amount, "approved": None,
                      "top_down": "125000"},
                     {"email": org["r2"].email, "period": "2027-Q2", "proposed": 99000.5, "approved": "99000.50",
                      "top_down": ""}]}


# --- imports ------------------------------------------------------------------------------------


def test_import_with_a_key_replayed_returns_the_same_answer_and_changes_nothing(client, org):
    headers = {**token_for(org["admin"]), "Idempotency-Key": "crm-sync-0001"}
    first = client.post("/api/v1/imports/targets", headers=headers, json=targets(org))
    assert first.status_code == 200, first.get_data(as_text=True)
    assert first.get_json() == {"kind": "targets", "rows": 2, "created": 2, "updated": 0, "unchanged": 0}
    after_first = counts()
    plan = _db.session.scalar(select(PlanSubmission).where(PlanSubmission.person_id == org["r2"].id,
                                                           PlanSubmission.status == "approved"))
    version = plan.version
    replay = client.post("/api/v1/imports/targets", headers=headers, json=targets(org))
    assert replay.status_code == 200 and replay.get_json() == first.get_json()
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert counts() == after_first
    _db.session.expire_all()
    assert plan.version == version


def test_same_key_with_a_different_body_is_refused_and_changes_nothing(client, org):
    headers = {**token_for(org["admin"]), "Idempotency-Key": "crm-sync-0002"}
    assert client.post("/api/v1/imports/targets", headers=headers, json=targets(org)).status_code == 200
    before = counts()
    other = client.post("/api/v1/imports/targets", headers=headers, json=targets(org, amount="1"))
    assert other.status_code == 422 and other.mimetype == PROBLEM
    assert other.get_json()["type"].endswith("idempotency-key-reused")
    # The same key on another endpoint is another request too.
    actuals = client.post("/api/v1/imports/actuals", headers=headers,
                          json={"rows": [{"email": org["r1"].email, "period": "2027-Q2", "actual": 5}]})
    assert actuals.status_code == 422
    assert counts() == before
    amounts = set(_db.session.scalars(select(PlanSubmission.proposed).where(
        PlanSubmission.person_id == org["r1"].id)))
    assert 1 not in amounts


def test_keys_belong_to_their_owner(client, org, make_person):
    other_admin = make_person(role="admin")
    key = {"Idempotency-Key": "shared-key"}
    assert client.post("/api/v1/imports/targets", headers={**token_for(org["admin"]), **key},
                       json=targets(org)).status_code == 200
    response = client.post("/api/v1/imports/targets", headers={**token_for(other_admin), **key},
                           json=targets(org, amount="130000"))
    assert response.status_code == 200 and "Idempotent-Replayed" not in response.headers


def test_one_bad_row_refuses_all_with_row_and_column(client, org):
    before = counts()
    body = targets(org)
    body["rows"].append({"email": "nobody@example.test", "period": "2027-Q9", "proposed": "-3", "extra": "x"})
    response = client.post("/api/v1/imports/targets", headers={**token_for(org["admin"]), "Idempotency-Key": "k3"},
                           json=body)
    assert response.status_code == 422 and response.mimetype == PROBLEM
    errors = response.get_json()["errors"]
    assert "targets rows, row 3, column extra: unknown column; the columns are email,period,proposed,approved," \
           "top_down" in errors
    assert counts() == before
    # Nothing stored under the key either: the corrected request goes through.
    fixed = client.post("/api/v1/imports/targets", headers={**token_for(org["admin"]), "Idempotency-Key": "k3"},
                        json=targets(org))
    assert fixed.status_code == 200


def test_rows_get_the_csv_checks(client, org):
    headers = token_for(org["admin"])
    cases = {"proposed": ("NaN", "more than 0"), "period": ("2027-Q5", "is not a period")}
    for column, (value, message) in cases.items():
        row = {**targets(org)["rows"][0], column: value}
        response = client.post("/api/v1/imports/targets", headers=headers, json={"rows": [row]})
        assert response.status_code == 422
        assert any(f"row 1, column {column}" in e for e in response.get_json()["errors"]), response.get_json()
    for body in ({}, {"rows": []}, {"rows": "x"}, {"rows": [1]}, {"rows": [{"email": True}]}):
        assert client.post("/api/v1/imports/actuals", headers=headers, json=body).status_code == 422
    assert counts()[2] == 0


def test_imports_are_for_admins(client, org):
    for who in ("r1", "m1", "leader", "hr"):
        response = client.post("/api/v1/imports/actuals", headers=token_for(org[who]),
                               json={"rows": [{"email": org["r1"].email, "period": "2027-Q1", "actual": 1}]})
        assert response.status_code == 403
    assert counts()[2] == 0


def test_import_rows_match_import_csv(app, org, tmp_path):
    """The same rows through the API and through a CSV file give the same stored data."""
    from webapp.store.imports import import_csv, import_rows

    rows = [{"email": org["r1"].email, "period": "2027-Q3", "actual": "1000.50"},
            {"email": org["r2"].email, "period": "2027-Q3", "actual": "0"}]
    first = import_rows("actuals", rows)
    path = tmp_path / "actuals.csv"
    path.write_text("email,period,actual\n" + "".join(f"{r['email']},{r['period']},{r['actual']}\n" for r in rows))
    again = import_csv("actuals", path)
    assert (first.created, again.created, again.unchanged) == (2, 0, 2)


# --- engagement and insights: the CLI's objects --------------------------------------------------


@pytest.fixture
def engagement_org(app, make_person):
    """16 reps (a department of 4 and one of 12) answered a closed campaign; an open one too."""
    from webapp.models import CampaignMember, EngagementResponse, Participation
    from webapp.store import campaigns, engagement
    from webapp.engagement import dashboard as eng_dashboard, results as eng_results  # noqa: F401

    eng_results.clear_cache()
    leader = make_person(role="leader", email="leader@example.test")
    m = make_person(role="manager", email="m@example.test", manager=leader)
    for i in range(16):
        make_person(role="rep", manager=m, territory=f"T{i % 3}", region="North" if i % 2 else "South",
                    department="Tiny" if i < 4 else "Big")
    people = {"hr": make_person(role="hr"), "admin": make_person(role="admin"), "leader": leader, "manager": m}
    ids = {}
    for code, close in (("2026-Q3", True), ("2026-Q4", False)):
        c = campaigns.open_campaign(name=f"Pulse {code}", template_id="quarterly-planning", template_version=1,
                                    period_code=code, audience=("rep",), has_plan=True)
        for i, member in enumerate(_db.session.query(CampaignMember).filter_by(campaign_id=c.id)):
            _db.session.add(EngagementResponse(
                campaign_id=c.id, manager_key=member.manager_key, region=member.region,
                territory=member.territory, department=member.department, tenure_band=member.tenure_band,
                answers={"likert": {"proud": i % 5 + 1, "recommend_employer": 4, "see_myself_here": 3,
                                    "manager_support": 5, "manager_feedback": 2, "tools_information": 4,
                                    "target_achievable": 3, "input_valued": 4},
                         "enps": i % 11, "comments": {"pulse_comment": f"comment {i}"}}))
            _db.session.add(Participation(campaign_id=c.id, person_id=member.person_id))
        _db.session.commit()
        if close:
            campaigns.close_campaign(c.id)
        ids["closed" if close else "open"] = c.id
    yield ids, people
    eng_results.clear_cache()


@pytest.mark.parametrize("by", ["department", "region", "manager", None])
def test_hr_gets_engagement_exactly_as_the_cli_prints_it(app, client, engagement_org, by):
    ids, people = engagement_org
    query = f"campaign={ids['closed']}" + (f"&by={by}" if by else "")
    response = client.get(f"/api/v1/engagement?{query}", headers=token_for(people["hr"]))
    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.get_json()
    args = ["engagement", "--campaign", str(ids["closed"])] + (["--by", by] if by else [])
    assert data == cli_json(app, *args)
    if by == "department":
        tiny = next(g for g in data["results"]["groups"] if g["label"] == "Tiny")
        assert tiny == {"group": tiny["group"], "label": "Tiny", "suppressed": True, "reason": "fewer than 5 responses",
                        "explanation": tiny["explanation"]}


def test_open_campaign_gives_participation_only(client, engagement_org):
    ids, people = engagement_org
    data = client.get(f"/api/v1/engagement?campaign={ids['open']}", headers=token_for(people["hr"])).get_json()
    assert data["results"] is None


def test_leader_gets_the_leaders_view_and_others_none(app, client, engagement_org):
    ids, people = engagement_org
    data = client.get(f"/api/v1/engagement?campaign={ids['closed']}&by=department",
                      headers=token_for(people["leader"])).get_json()
    assert data == cli_json(app, "engagement", "--campaign", str(ids["closed"]), "--role", "leader")
    assert data["results"]["groups"] == []
    response = client.get(f"/api/v1/engagement?campaign={ids['closed']}", headers=token_for(people["manager"]))
    assert response.status_code == 403 and "results" not in response.get_json()


def test_insights_are_the_cli_object(app, client, org):
    from decimal import Decimal

    from webapp.store import people

    period = people.ensure_period("2027-Q1")
    for who, amount in (("r1", "110000"), ("r2", "90000"), ("r3", "70000")):
        _db.session.add(PlanSubmission(person_id=org[who].id, period_id=period.id, status="submitted",
                                       proposed=Decimal(amount), answers={}))
    _db.session.commit()
    headers = token_for(org["leader"])
    data = client.get("/api/v1/insights?period=2027-Q1", headers=headers).get_json()
    assert data == cli_json(app, "insights", "--period", "2027-Q1")
    assert data["rollup"]["total"]["proposed"] == 270000.0
    assert client.get("/api/v1/insights?period=2031-Q1", headers=headers).status_code == 404
    assert client.get("/api/v1/insights", headers=headers).status_code == 422
    assert client.get("/api/v1/themes?period=2027-Q1", headers=headers).get_json()["items"] == data["themes"]
    for who in ("r1", "m1", "hr"):
        assert client.get("/api/v1/insights?period=2027-Q1", headers=token_for(org[who])).status_code == 403


def test_a_key_older_than_a_day_counts_as_unused_and_expired_answers_are_deleted(client, org):
    from datetime import timedelta

    from webapp.models import IdempotentRequest
    from webapp.models.types import utcnow

    headers = {**token_for(org["admin"]), "Idempotency-Key": "nightly-sync"}
    assert client.post("/api/v1/imports/targets", headers=headers, json=targets(org)).status_code == 200
    stale = _db.session.scalar(select(IdempotentRequest).where(IdempotentRequest.key == "nightly-sync"))
    stale.created_at = utcnow() - timedelta(hours=25)
    other = IdempotentRequest(owner_id=org["admin"].id, key="older-sync", operation="x", request_hash="0" * 64,
                              status_code=200, response={}, created_at=utcnow() - timedelta(days=3))
    _db.session.add(other)
    _db.session.commit()
    # a day later the same key with another body is a new request, not a conflict
    again = client.post("/api/v1/imports/targets", headers=headers, json=targets(org, amount="123456"))
    assert again.status_code == 200, again.get_data(as_text=True)
    assert "Idempotent-Replayed" not in again.headers
    _db.session.expire_all()
    keys = {(r.key, r.created_at > utcnow() - timedelta(hours=1))
            for r in _db.session.scalars(select(IdempotentRequest))}
    assert keys == {("nightly-sync", True)}  # the expired answers of this owner are gone
