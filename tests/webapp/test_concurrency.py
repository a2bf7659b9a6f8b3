"""Simultaneous submissions on a real SQLite file: one row each, friendly answers, no errors."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from tests.support.web import login, plan_form
from webapp.models import EngagementResponse, Participation, PlanSubmission


def test_eight_simultaneous_submits_write_one_row(app, org, db):
    clients = [app.test_client() for _ in range(8)]
    for c in clients:
        login(c, "r1@example.test")
    url = f"/campaigns/{org['campaign'].id}/respond"
    barrier = threading.Barrier(len(clients))
    statuses, errors = [], []

    def submit(c):
        barrier.wait()
        try:
            statuses.append(c.post(url, data=plan_form()).status_code)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(repr(exc))

    threads = [threading.Thread(target=submit, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    # Every click gets a friendly answer, never a 500: a redirect with a message, or (when two saves
    # of the same plan race on SQLite) the form again with "changed in the meantime" and the input kept.
    assert len(statuses) == 8 and set(statuses) <= {302, 409} and statuses.count(302) >= 1
    count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
    assert count(EngagementResponse) == 1 and count(Participation) == 1
    assert db.session.scalar(select(func.count()).select_from(PlanSubmission)
                             .where(PlanSubmission.campaign_id == org["campaign"].id)) == 1
