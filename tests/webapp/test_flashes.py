"""Pending flash messages stay few: a client that never follows the redirect after a POST (a
script, a load test) must not grow the signed session cookie with every request."""

from __future__ import annotations

from tests.support.web import login, plan_form
from webapp.infra.flashes import MAX_PENDING


def _pending(client) -> list:
    with client.session_transaction() as session:
        return list(session.get("_flashes", []))


def test_repeated_drafts_leave_the_message_once(client, org):
    login(client, "r1@example.test")
    url = f"/campaigns/{org['campaign'].id}/respond"
    for n in range(6):
        response = client.post(url, data=plan_form(action="draft", proposed=str(100000 + n), likert=None,
                                                   enps=None, comment=None))
        assert response.status_code == 302
    assert _pending(client) == [("success", "Draft saved.")]
    page = client.get(url).get_data(as_text=True)
    assert page.count("Draft saved.") == 1
    assert _pending(client) == []


def test_only_the_latest_distinct_messages_are_kept(client, org, app):
    from flask import flash

    @app.route("/flash-test/<int:n>")  # not in the product: feeds flash() directly
    def flash_test(n):
        for i in range(n):
            flash(f"message {i}", "info")
            flash(f"message {i}", "info")
        return "ok"

    flash_test._allowed_roles = ("rep",)
    login(client, "r1@example.test")
    client.get("/flash-test/8")
    assert _pending(client) == [("info", f"message {i}") for i in range(8 - MAX_PENDING, 8)]
