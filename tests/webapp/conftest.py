"""Fixtures for web tests: an app on a fresh SQLite file per test, and builders for people."""

from __future__ import annotations

import itertools
import re

import pytest
from flask import has_app_context
from flask.testing import FlaskClient

from webapp import create_app
from webapp.extensions import db as _db

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """Argon2id with tiny costs in tests: the same algorithm, a fraction of the time."""
    from argon2 import PasswordHasher

    from webapp import passwords

    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def _make_app(tmp_path, **overrides):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.db'}",
            "WTF_CSRF_ENABLED": False,
            **overrides,
        }
    )
    app.test_client_class = IsolatedClient
    return app


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


@pytest.fixture
def app(tmp_path):
    app = _make_app(tmp_path)
    with app.app_context():
        _db.create_all()
        yield app
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db(app):
    return _db


_counter = itertools.count(1)


@pytest.fixture
def make_person(app):
    """Build a person: `make_person(role="rep", manager=m, territory="North-1", region="North")`."""
    from webapp import store

    def build(*, role="rep", email=None, name=None, manager=None, territory=None, region="North",
              department="Sales", hire_date=None, password=PASSWORD):
        n = next(_counter)
        return store.people.create_person(
            email=email or f"{role}{n}@example.test",
            name=name or f"{role.title()} {n}",
            role=role,
            manager=manager,
            territory=territory,
            region=region if territory else None,
            department=department,
            hire_date=hire_date,
            password=password,
        )

    return build


def login(client, email, password=PASSWORD):
    """Log in through the real form and return the response after redirects."""
    return client.post("/login", data={"email": email, "password": password}, follow_redirects=True)


def csrf_token(html: str) -> str:
    m = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert m, "no csrf token in page"
    return m.group(1)


LIKERT_IDS = ("proud", "recommend_employer", "see_myself_here", "manager_support",
              "manager_feedback", "tools_information", "target_achievable", "input_valued")


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


@pytest.fixture
def org(app, make_person):
    """A small org: leader > manager1 > (rep1, rep2); leader > manager2 > rep3; hr; admin.

    A planning campaign for 2027-Q1 is open; rep1's 2026-Q4 plan was approved at 100,000.
    """
    from decimal import Decimal

    from webapp.extensions import db as sa_db
    from webapp.models import PlanSubmission
    from webapp.store import campaigns, people

    leader = make_person(role="leader", email="leader@example.test")
    m1 = make_person(role="manager", email="m1@example.test", manager=leader)
    m2 = make_person(role="manager", email="m2@example.test", manager=leader)
    r1 = make_person(role="rep", email="r1@example.test", manager=m1, territory="North-1", region="North")
    r2 = make_person(role="rep", email="r2@example.test", manager=m1, territory="North-2", region="North")
    r3 = make_person(role="rep", email="r3@example.test", manager=m2, territory="South-1", region="South")
    hr = make_person(role="hr", email="hr@example.test")
    admin = make_person(role="admin", email="admin@example.test")
    previous = people.ensure_period("2026-Q4")
    sa_db.session.add(PlanSubmission(person_id=r1.id, period_id=previous.id, status="approved",
                                     proposed=Decimal("95000"), approved=Decimal("100000"), answers={}))
    sa_db.session.commit()
    campaign = campaigns.open_campaign(name="Planning 2027-Q1", template_id="quarterly-planning",
                                       template_version=1, period_code="2027-Q1",
                                       audience=("rep", "manager"), has_plan=True)
    return {"leader": leader, "m1": m1, "m2": m2, "r1": r1, "r2": r2, "r3": r3, "hr": hr,
            "admin": admin, "campaign": campaign}
