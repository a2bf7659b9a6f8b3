"""Poison input gets a 4xx (problem+json under /api) and changes nothing; one parser per kind of value.

Each case here answered 500 (or was accepted on one entry point and refused on another) before
`webapp.infra.request_limits` and `surveys.values`.
"""

from __future__ import annotations

import json

import pytest

from tests.support.web import login, plan_form, submit_plan, table_snapshot
from webapp.store.imports import CsvImportError, import_csv

pytestmark = pytest.mark.both_databases

HUGE = ("9" * 20, "9" * 4300, "9" * 5000)


@pytest.fixture
def tokens(app, org):
    from webapp.store import tokens

    app.config["API_RATE_LIMIT"] = "100000 per minute"
    return {who: {"Authorization": f"Bearer {tokens.create_token(org[who], name='t', days=1).secret}"}
            for who in ("m1", "admin", "r1")}


def _data(db):
    """Every table but the tokens' own bookkeeping (last used), which any API call updates."""
    return {name: rows for name, rows in table_snapshot(db).items() if name != "api_token"}


def _no_server_error(response, url):
    assert response.status_code < 500, (url[:80], response.status_code)
    assert 400 <= response.status_code < 500, (url[:80], response.status_code)


@pytest.mark.parametrize("digits", HUGE, ids=["20-digits", "4300-digits", "5000-digits"])
def test_huge_ids_in_page_urls_are_not_found(app, org, client, digits):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    for who, gets, posts in (
        ("r1", [f"/campaigns/{digits}/respond"], [f"/campaigns/{digits}/respond"]),
        ("m1", [f"/plans/{digits}"], [f"/plans/{digits}/decide"]),
        ("leader", [f"/insights/themes/{digits}"], [f"/actions/{digits}/status"]),
        ("admin", [], [f"/admin/campaigns/{digits}/close", f"/tokens/{digits}/revoke"]),
        ("hr", [f"/engagement?campaign={digits}",
                f"/engagement/export/participation.csv?campaign={digits}"], []),
    ):
        login(client, org[who].email)
        for url in gets:
            _no_server_error(client.get(url), url)
        for url in posts:
            _no_server_error(client.post(url, data={"action": "approve"}), url)
        client.post("/logout")


@pytest.mark.parametrize("digits", HUGE, ids=["20-digits", "4300-digits", "5000-digits"])
def test_huge_ids_in_api_urls_are_problem_documents(app, org, client, tokens, digits):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    for method, url in (("get", f"/api/v1/plans/{digits}"), ("get", f"/api/v1/people/{digits}"),
                        ("post", f"/api/v1/plans/{digits}/decision")):
        headers = tokens["admin" if "people" in url else "m1"]
        response = getattr(client, method)(url, headers=headers, json={"action": "approve", "version": 1})
        assert response.status_code == 404, (url[:60], response.status_code)
        assert response.mimetype == "application/problem+json"


def _decision_url(app, org):
    plan = submit_plan(app, org)
    return plan, f"/api/v1/plans/{plan.id}/decision"


@pytest.mark.parametrize("body", [
    "[" * 100_000 + "]" * 100_000,
    '{"a":' * 50_000 + "1" + "}" * 50_000,
    '{"action": "return", "version": 1, "reason": "bad \\ud800 char"}',
    '{"action": "return", "version": 1, "reason": "\\udfff"}',
    '{"action": "approve", "version": ' + "9" * 5000 + "}",
    '{"action": "approve", "version": ' + "9" * 4300 + "}",
    '{"action": "adjust", "version": 1, "amount": 1e999999, "reason": "r"}',
    '{"action": "approve", "version": NaN}',
], ids=["nested-lists", "nested-objects", "lone-surrogate", "low-surrogate", "5000-digit-int",
        "4300-digit-int", "huge-float", "nan"])
def test_poison_json_bodies_get_a_problem_and_change_nothing(app, org, client, db, tokens, body):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    plan, url = _decision_url(app, org)
    before = _data(db)
    response = client.post(url, data=body, content_type="application/json", headers=tokens["m1"])
    assert 400 <= response.status_code < 500, (response.status_code, response.get_data(as_text=True)[:300])
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == response.status_code
    assert _data(db) == before


def test_a_lone_surrogate_in_an_import_row_is_refused(app, org, client, db, tokens):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    body = '{"rows": [{"email": "r1@example.test", "period": "2027-Q3", "proposed": "1\\ud800"}]}'
    before = _data(db)
    response = client.post("/api/v1/imports/targets", data=body, content_type="application/json",
                           headers=tokens["admin"])
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert _data(db) == before


def test_an_oversize_json_body_is_413(app, org, client, tokens):
    from webapp.infra.request_limits import MAX_JSON_BYTES

    body = json.dumps({"rows": [{"email": "x" * 1000}] * (MAX_JSON_BYTES // 1000 + 10)})
    response = client.post("/api/v1/imports/targets", data=body, content_type="application/json",
                           headers=tokens["admin"])
    assert response.status_code == 413 and response.mimetype == "application/problem+json"


# One parser per kind of value -------------------------------------------------------------------

BAD_AMOUNTS = ["1e3", "1E3", "1.5e3", "١٢٣٤", "１２３４", "१२३४", "12_000", "0x10"]


@pytest.mark.parametrize("amount", BAD_AMOUNTS)
def test_the_survey_form_refuses_the_amount(app, org, client, db, amount):
    login(client, org["r1"].email)
    before = _data(db)
    for action in ("submit", "draft"):
        response = client.post(f"/campaigns/{org['campaign'].id}/respond",
                               data=plan_form(proposed=amount, action=action))
        assert response.status_code == 400, (action, amount)
    assert _data(db) == before


@pytest.mark.parametrize("amount", BAD_AMOUNTS)
def test_the_api_decision_refuses_the_amount(app, org, client, db, tokens, amount):
    plan, url = _decision_url(app, org)
    before = _data(db)
    response = client.post(url, headers=tokens["m1"], json={"action": "adjust", "version": plan.version,
                                                            "amount": amount, "reason": "Too high."})
    assert response.status_code == 422, response.get_data(as_text=True)
    assert _data(db) == before


@pytest.mark.parametrize("literal", ["1e3", "1E+3", "1.5e3", "1000.123"])
def test_the_api_refuses_money_written_as_an_exponent_json_number(app, org, client, db, tokens, literal):
    plan, url = _decision_url(app, org)
    body = '{"action": "adjust", "version": %d, "amount": %s, "reason": "Too high."}' % (plan.version, literal)
    response = client.post(url, data=body, content_type="application/json", headers=tokens["m1"])
    assert response.status_code == 422, response.get_data(as_text=True)
    rows = '{"rows": [{"email": "r1@example.test", "period": "2027-Q3", "proposed": %s}]}' % literal
    response = client.post("/api/v1/imports/targets", data=rows, content_type="application/json",
                           headers=tokens["admin"])
    assert response.status_code == 422, response.get_data(as_text=True)


def test_the_api_accepts_money_written_plainly(app, org, client, tokens):
    plan, url = _decision_url(app, org)
    body = '{"action": "adjust", "version": %d, "amount": 110000.50, "reason": "Too high."}' % plan.version
    response = client.post(url, data=body, content_type="application/json", headers=tokens["m1"])
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["approved"] == 110000.5


@pytest.mark.parametrize("amount", BAD_AMOUNTS)
def test_csv_and_api_imports_refuse_the_amount(app, org, client, tmp_path, tokens, amount):
    path = tmp_path / "targets.csv"
    path.write_text(f"email,period,proposed,approved,top_down\nr1@example.test,2027-Q3,{amount},,\n",
                    encoding="utf-8")
    with pytest.raises(CsvImportError, match="line 2, column proposed"):
        import_csv("targets", path)
    response = client.post("/api/v1/imports/targets", headers=tokens["admin"],
                           json={"rows": [{"email": "r1@example.test", "period": "2027-Q3", "proposed": amount}]})
    assert response.status_code == 422


@pytest.mark.parametrize("rating", ["٤", "４", "४", "4.0", "04e0"])
def test_ratings_refuse_what_amounts_refuse(app, org, client, db, rating):
    login(client, org["r1"].email)
    response = client.post(f"/campaigns/{org['campaign'].id}/respond", data=plan_form(proud=rating))
    assert response.status_code == 400


@pytest.mark.parametrize("digits", HUGE, ids=["20-digits", "4300-digits", "5000-digits"])
def test_huge_numbers_in_form_fields_are_refused_on_the_field(app, org, client, digits):
    """Found by benchmarks/fuzz.py: WTForms' NumberRange compares through float and overflowed."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    plan = submit_plan(app, org)
    login(client, org["m1"].email)
    assert client.post("/tokens", data={"name": "t", "days": digits}).status_code == 400
    response = client.post(f"/plans/{plan.id}/decide", data={"action": "adjust", "amount": digits,
                                                             "reason": "r", "version": digits})
    assert 400 <= response.status_code < 500
