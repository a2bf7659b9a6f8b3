"""Fixtures for the security checklist tests (SECURITY.md): an app per test and a small org.

Self-contained on purpose (the web tests' conftest grows database back-ends of its own): a fresh
SQLite file per test, builders for people, and helpers that post forms the way a browser does.
"""

from __future__ import annotations

import itertools
import re
from decimal import Decimal

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import func, select

from webapp import create_app
from webapp.extensions import db as _db

PASSWORD = "correct-horse-battery"
LIKERT_IDS = ("proud", "recommend_employer", "see_myself_here", "manager_support",
              "manager_feedback", "tools_information", "target_achievable", "input_valued")


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """Argon2id with tiny costs in tests: the same algorithm, a fraction of the time."""
    from argon2 import PasswordHasher

    from webapp import passwords

    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own app context, as in production."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if has_app_context():
            _db.session.expire_all()
        return response


def make_app(tmp_path, **overrides):
    tmp_path.mkdir(parents=True, exist_ok=True)
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.db'}",
        "WTF_CSRF_ENABLED": False,
        "JOBS_INLINE": "sync",
        **overrides,
    })
    app.test_client_class = IsolatedClient
    return app


@pytest.fixture
def app_overrides():
    """Config overrides for the `app` fixture; override this fixture in a module to change them."""
    return {}


@pytest.fixture
def app(tmp_path, app_overrides):
    app = make_app(tmp_path, **app_overrides)
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
    from webapp.store import people

    def build(*, role="rep", email=None, name=None, manager=None, territory=None, region="North",
              department="Sales", password=PASSWORD):
        n = next(_counter)
        return people.create_person(
            email=email or f"{role}{n}@example.test", name=name or f"{role.title()} {n}", role=role,
            manager=manager, territory=territory, region=region if territory else None,
            department=department, password=password)

    return build


def login(client, email, password=PASSWORD, **kwargs):
    """Log in through the real form and return the response (redirect not followed)."""
    return client.post("/login", data={"email": email, "password": password}, **kwargs)


def logout(client):
    return client.post("/logout")


def csrf_token(html: str) -> str:
    m = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert m, "no csrf token in page"
    return m.group(1)


def plan_form(*, proposed="120000", confidence="4", rationale="Three renewals and a new logo.",
              observations=("Competitor is discounting hard", "Budgets frozen at two banks"),
              likert=4, enps="9", comment="Good quarter.", action="submit", **extra):
    """Form data for the quarterly-planning survey, as a browser would post it."""
    data = {"proposed_target": proposed, "confidence": confidence, "rationale": rationale, "action": action}
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


EMAILS = {"leader": "leader@example.test", "m1": "m1@example.test", "m2": "m2@example.test",
          "r1": "r1@example.test", "r2": "r2@example.test", "r3": "r3@example.test",
          "hr": "hr@example.test", "admin": "admin@example.test"}


@pytest.fixture
def org(app, make_person):
    """leader > m1 > (r1, r2); leader > m2 > r3; hr; admin; an open 2027-Q1 planning campaign.

    rep1's 2026-Q4 plan was approved at 100,000 (a baseline).
    """
    from webapp.models import PlanSubmission
    from webapp.store import campaigns, people

    leader = make_person(role="leader", email=EMAILS["leader"], name="Lea Leader")
    m1 = make_person(role="manager", email=EMAILS["m1"], manager=leader, name="Max One")
    m2 = make_person(role="manager", email=EMAILS["m2"], manager=leader, name="Mia Two")
    r1 = make_person(role="rep", email=EMAILS["r1"], manager=m1, territory="North-1", region="North", name="Rae One")
    r2 = make_person(role="rep", email=EMAILS["r2"], manager=m1, territory="North-2", region="North", name="Rob Two")
    r3 = make_person(role="rep", email=EMAILS["r3"], manager=m2, territory="South-1", region="South", name="Ria Three")
    hr = make_person(role="hr", email=EMAILS["hr"], name="Hal Hr")
    admin = make_person(role="admin", email=EMAILS["admin"], name="Ada Admin")
    previous = people.ensure_period("2026-Q4")
    _db.session.add(PlanSubmission(person_id=r1.id, period_id=previous.id, status="approved",
                                   proposed=Decimal("95000"), approved=Decimal("100000"), answers={}))
    _db.session.commit()
    campaign = campaigns.open_campaign(name="Planning 2027-Q1", template_id="quarterly-planning",
                                       template_version=1, period_code="2027-Q1",
                                       audience=("rep", "manager"), has_plan=True)
    return {"leader": leader, "m1": m1, "m2": m2, "r1": r1, "r2": r2, "r3": r3, "hr": hr,
            "admin": admin, "campaign": campaign}


def submit_plan(app, org, who="r1", **form):
    """Submit a plan as `who` through the real page; return the stored plan."""
    from webapp.models import PlanSubmission

    c = app.test_client()
    login(c, EMAILS[who])
    response = c.post(f"/campaigns/{org['campaign'].id}/respond", data=plan_form(**form))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return _db.session.scalar(select(PlanSubmission).where(
        PlanSubmission.person_id == org[who].id, PlanSubmission.period_id == org["campaign"].period_id))
