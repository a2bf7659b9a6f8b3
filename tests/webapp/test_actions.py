"""Actions on drivers (HR dashboard) and themes (leader report): role checks and Post/Redirect/Get."""

from __future__ import annotations

from tests.support.web import login


def _driver_action(**overrides):
    data = {"kind": "driver", "period": "2027-Q1", "subject": "manager", "title": "Coaching for team leads",
            "owner": "", "due_on": "2027-03-31"}
    data.update(overrides)
    return data


def test_hr_creates_a_driver_action_and_is_redirected(app, client, org):
    from webapp.models import Action
    from webapp.extensions import db

    login(client, "hr@example.test")
    response = client.post("/actions", data=_driver_action(owner=str(org["hr"].id)))
    assert response.status_code == 302 and response.headers["Location"].endswith("/engagement")
    action = db.session.query(Action).one()
    assert action.driver_id == "manager" and action.subject_label == "My manager" and action.status == "open"
    response = client.post(f"/actions/{action.id}/status", data={"status": "done", "current": "open"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.query(Action).one().status == "done"


def test_hr_cannot_act_on_themes_and_reps_cannot_act(app, client, org):
    from webapp.models import Action
    from webapp.extensions import db

    login(client, "hr@example.test")
    assert client.post("/actions", data=_driver_action(kind="theme", subject="0",
                                                       owner=str(org["hr"].id))).status_code == 403
    rep = app.test_client()
    login(rep, "r1@example.test")
    assert rep.post("/actions", data=_driver_action(owner=str(org["hr"].id))).status_code == 403
    assert db.session.query(Action).count() == 0


def test_an_unknown_driver_is_refused(app, client, org):
    from webapp.models import Action
    from webapp.extensions import db

    login(client, "hr@example.test")
    response = client.post("/actions", data=_driver_action(subject="nope", owner=str(org["hr"].id)))
    assert response.status_code == 302
    assert db.session.query(Action).count() == 0


# Issue 17: actions can be followed (list, owner's home, status that never resets silently, overdue).


def _make(org, *, owner, title, theme_key=None, driver_id=None, due="2027-03-31", status="open", label=None):
    from datetime import date

    from webapp.store import actions

    return actions.create_action(theme_key=theme_key, driver_id=driver_id,
                                 subject_label=label or ("Price pushback" if theme_key is not None else "My manager"),
                                 title=title, owner_id=owner.id, due_on=date.fromisoformat(due), period_code="2027-Q1",
                                 created_by_id=org["leader"].id, status=status)


def test_the_list_filters_by_owner_status_theme_and_driver(app, client, org):
    _make(org, owner=org["m1"], title="Theme call", theme_key=3)
    _make(org, owner=org["hr"], title="Driver coaching", driver_id="manager", status="in_progress")
    _make(org, owner=org["hr"], title="Old overdue", driver_id="manager", due="2020-01-01")
    login(client, "leader@example.test")
    page = client.get("/actions").get_data(as_text=True)
    assert all(t in page for t in ("Theme call", "Driver coaching", "Old overdue"))
    assert 'class="overdue"' in page  # the 2020 action is past due and not done
    only_hr = client.get(f"/actions?owner={org['hr'].id}").get_data(as_text=True)
    assert "Theme call" not in only_hr and "Driver coaching" in only_hr
    in_progress = client.get("/actions?status=in_progress").get_data(as_text=True)
    assert "Driver coaching" in in_progress and "Old overdue" not in in_progress
    overdue = client.get("/actions?status=overdue").get_data(as_text=True)
    assert "Old overdue" in overdue and "Driver coaching" not in overdue
    themes = client.get("/actions?subject=theme:3").get_data(as_text=True)
    assert "Theme call" in themes and "Driver coaching" not in themes
    drivers = client.get("/actions?subject=kind:driver").get_data(as_text=True)
    assert "Theme call" not in drivers and "Driver coaching" in drivers


def test_the_status_control_shows_the_current_status(app, client, org):
    import re

    action = _make(org, owner=org["hr"], title="Driver coaching", driver_id="manager", status="in_progress")
    login(client, "hr@example.test")
    page = client.get("/actions").get_data(as_text=True)
    select = re.search(rf'<select[^>]*id="status-{action.id}".*?</select>', page, re.S).group(0)
    assert re.search(r'<option selected value="in_progress">|<option value="in_progress" selected', select), select
    assert 'name="current" type="hidden" value="in_progress"' in page


def test_a_stale_status_change_is_refused_with_a_clear_message(app, client, org):
    from webapp.extensions import db
    from webapp.models import Action

    action = _make(org, owner=org["hr"], title="Driver coaching", driver_id="manager")
    login(client, "hr@example.test")
    # Someone else moved it to done after this page was opened (the page showed "open").
    other = app.test_client()
    login(other, "leader@example.test")
    assert other.post(f"/actions/{action.id}/status", data={"status": "done", "current": "open"}).status_code == 302
    response = client.post(f"/actions/{action.id}/status", data={"status": "in_progress", "current": "open"},
                           follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "now “Done”" in body and "was not applied" in body
    db.session.expire_all()
    assert db.session.get(Action, action.id).status == "done"
    # Without the current status the form is out of date: refused, nothing changed.
    client.post(f"/actions/{action.id}/status", data={"status": "open"})
    db.session.expire_all()
    assert db.session.get(Action, action.id).status == "done"


def test_owners_see_and_update_their_actions_on_the_home_page(app, client, org):
    from webapp.extensions import db
    from webapp.models import Action

    mine = _make(org, owner=org["m1"], title="Call the banks", theme_key=3)
    _make(org, owner=org["hr"], title="Not for m1", driver_id="manager")
    login(client, "m1@example.test")
    home = client.get("/").get_data(as_text=True)
    assert "Your actions" in home and "Call the banks" in home and "Not for m1" not in home
    # A manager who owns a theme action may update it (only theirs), and lands back home.
    response = client.post(f"/actions/{mine.id}/status", data={"status": "in_progress", "current": "open",
                                                               "back": "/"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/")
    db.session.expire_all()
    assert db.session.get(Action, mine.id).status == "in_progress"
    other = db.session.query(Action).filter_by(title="Not for m1").one()
    assert client.post(f"/actions/{other.id}/status", data={"status": "done", "current": "open"}).status_code == 403
    # A manager's list shows only their own actions.
    listing = client.get("/actions").get_data(as_text=True)
    assert "Call the banks" in listing and "Not for m1" not in listing


def test_back_never_leaves_the_site(app, client, org):
    action = _make(org, owner=org["hr"], title="Driver coaching", driver_id="manager")
    login(client, "hr@example.test")
    for back in ("//evil.test/", "/\\evil.test", "https://evil.test/"):
        response = client.post(f"/actions/{action.id}/status", data={"status": "done", "current": "open",
                                                                     "back": back})
        assert "evil" not in response.headers["Location"]
