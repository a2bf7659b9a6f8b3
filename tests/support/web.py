"""Helpers for tests that drive the app: the test app factory, logging in, form data, table snapshots.

Imported by name from test modules and by the fixtures in `tests.support.web_fixtures`. The
fixtures' small org uses the addresses in `EMAILS` and the password `PASSWORD`.
"""

from __future__ import annotations

import csv
import io
import json
import re

from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import func, select

from webapp import create_app
from webapp.extensions import db as _db

PASSWORD = "correct-horse-battery"

LIKERT_IDS = ("proud", "recommend_employer", "see_myself_here", "manager_support",
              "manager_feedback", "tools_information", "target_achievable", "input_valued")

EMAILS = {"leader": "leader@example.test", "m1": "m1@example.test", "m2": "m2@example.test",
          "r1": "r1@example.test", "r2": "r2@example.test", "r3": "r3@example.test",
          "hr": "hr@example.test", "admin": "admin@example.test"}


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own app context, as in production.

    The fixtures hold an app context for direct database access; without this, requests would
    share its `g` and its session, hiding bugs such as a user cached across requests.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if has_app_context():  # the test's own context, when the test holds one in this thread
            _db.session.expire_all()
        return response


def make_app(tmp_path, **overrides):
    """Build a test app on a SQLite file in `tmp_path` (created if missing); `overrides` win."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.db'}",
        "WTF_CSRF_ENABLED": False,
        "JOBS_INLINE": "sync",  # background jobs run before the request returns in tests
        **overrides,
    })
    app.test_client_class = IsolatedClient
    return app


def login(client, email, password=PASSWORD, **kwargs):
    """Log in through the real form; return the response (pass ``follow_redirects=True`` to follow)."""
    return client.post("/login", data={"email": email, "password": password}, **kwargs)


def logout(client):
    """Log out through the real form."""
    return client.post("/logout")


def csrf_token(html: str) -> str:
    """Return the CSRF token of the first form in a page."""
    m = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert m, "no csrf token in page"
    return m.group(1)


def plan_form(*, proposed="120000", confidence="4", rationale="Three renewals and a new logo.",
              observations=("Competitor is discounting hard", "Budgets frozen at two banks",
                            "Customers ask for CRM integration"), likert=4, enps="9",
              comment="Good quarter.", action="submit", **extra):
    """Form data for the quarterly-planning survey, as a browser would post it."""
    data = {"proposed_target": proposed, "confidence": confidence, "rationale": rationale,
            "action": action}
    for i, text in enumerate(observations):
        data[f"observations-{i}-text"] = text
        data[f"observations-{i}-tag"] = ""
    if likert is not None:
        for item in LIKERT_IDS:
            data[item] = str(likert)
    if enps is not None:
        data["enps"] = enps
    if comment is not None:
        data["pulse_comment"] = comment
    data.update(extra)
    return data


def submit_plan(app, org, who="r1", **form):
    """Submit a plan as `who` of the `org` fixture through the real page; return the stored plan."""
    from webapp.models import PlanSubmission

    c = app.test_client()
    login(c, EMAILS[who])
    response = c.post(f"/campaigns/{org['campaign'].id}/respond", data=plan_form(**form))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return _db.session.scalar(select(PlanSubmission).where(
        PlanSubmission.person_id == org[who].id, PlanSubmission.period_id == org["campaign"].period_id))


def row_counts(db) -> dict[str, int]:
    """Rows in every table of the schema."""
    return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}


def table_snapshot(db) -> dict[str, list]:
    """Every row of every table, for tests that must prove nothing at all changed."""
    out = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(select(table)).all()
        out[table.name] = sorted((tuple(map(repr, r)) for r in rows))
    return out


def engagement_json(app, *args: str) -> dict:
    """``groundswell engagement ARGS --json`` through the CLI runner, parsed (it must succeed)."""
    from webapp.cli import cli

    for name, command in cli.commands.items():
        app.cli.add_command(command, name)
    result = app.test_cli_runner().invoke(args=["engagement", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def get_csv(client, url: str) -> list[list[str]]:
    """GET a CSV download (it must be one) and return its rows, byte-order mark stripped."""
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
