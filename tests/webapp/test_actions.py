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
    response = client.post(f"/actions/{action.id}/status", data={"status": "done"})
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
