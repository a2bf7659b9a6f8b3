"""Driver actions on the HR dashboard: their status shown, and changed there through the actions' own form."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from tests.support.web import login
from tests.webapp import test_engagement_comments as _comments
from webapp.extensions import db as _db

commented = _comments.commented  # the fixture, found by name


@pytest.fixture
def action(app, commented):
    from webapp.models import Person
    from webapp.store import actions

    hr = _db.session.query(Person).filter_by(email="hr@example.test").one()
    a = actions.create_action(driver_id="voice", subject_label="Voice", title="Run listening sessions",
                              owner_id=hr.id, due_on=date.today() + timedelta(days=30), period_code="2026-Q3",
                              created_by_id=hr.id)
    return a.id


def _form(html: str, action_id: int) -> dict[str, str]:
    """The hidden fields of one action's status form on the page."""
    start = html.index(f'action="/actions/{action_id}/status"')
    form = html[start:html.index("</form>", start)]
    return dict(re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', form))


def test_the_dashboard_shows_each_driver_actions_status_with_a_form_to_change_it(app, client, commented, action):
    cid = commented["full"]
    login(client, "hr@example.test")
    html = client.get(f"/engagement?campaign={cid}&by=region").get_data(as_text=True)
    actions = html[html.index("Actions on drivers"):]
    assert "Run listening sessions" in actions and ">Open</span>" in actions
    fields = _form(html, action)
    assert fields["current"] == "open"
    assert fields["back"] == f"/engagement?campaign={cid}&amp;by=region"
    assert re.search(rf'<select [^>]*id="status-{action}"[^>]*name="status"', actions)


def test_hr_changes_an_actions_status_from_the_dashboard_and_comes_back_to_it(app, client, commented, action):
    cid = commented["full"]
    login(client, "hr@example.test")
    page = f"/engagement?campaign={cid}&by=region"
    fields = _form(client.get(page).get_data(as_text=True), action)
    response = client.post(f"/actions/{action}/status", data={"status": "in_progress", "current": fields["current"],
                                                              "back": page})
    assert response.status_code == 302 and response.headers["Location"] == page
    html = client.get(page).get_data(as_text=True)
    assert ">In progress</span>" in html[html.index("Actions on drivers"):]
    assert _form(html, action)["current"] == "in_progress"


def test_a_stale_change_from_the_dashboard_is_refused(app, client, commented, action):
    """Two HR tabs show the action as Open; the first change stands, the second is refused (the actions' rule)."""
    from webapp.store import actions

    cid = commented["full"]
    login(client, "hr@example.test")
    page = f"/engagement?campaign={cid}"
    fields = _form(client.get(page).get_data(as_text=True), action)
    client.post(f"/actions/{action}/status", data={"status": "done", "current": fields["current"], "back": page})
    stale = client.post(f"/actions/{action}/status", data={"status": "in_progress", "current": fields["current"],
                                                           "back": page}, follow_redirects=True)
    assert "someone changed it since you opened the page" in stale.get_data(as_text=True)
    assert actions.get_action(action).status == "done"
