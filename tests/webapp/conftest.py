"""Fixtures for web tests: an app on a fresh database per test, and builders for people.

The database is a SQLite file by default. Modules in `BOTH_DATABASES` (and tests marked
`both_databases`) run twice, the second time on a real PostgreSQL server that the session starts
from the installed binaries (see `dbservers.py`); each test gets its own database, copied from a
template that holds the schema.
"""

from __future__ import annotations

import itertools
import os
import re
import signal

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
            "JOBS_INLINE": "sync",  # background jobs run before the request returns in tests
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


# Data-layer and flow tests that must hold on both databases.
BOTH_DATABASES = {"test_planning_flow", "test_bad_input", "test_concurrency", "test_schema",
                  "test_imports", "test_jobs"}
DATABASES = ("sqlite", "postgresql")


def pytest_configure(config):
    config.addinivalue_line("markers", "both_databases: run the test on SQLite and on PostgreSQL")


def pytest_generate_tests(metafunc):
    if "db_backend" not in metafunc.fixturenames:
        return
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    if module in BOTH_DATABASES or metafunc.definition.get_closest_marker("both_databases"):
        metafunc.parametrize("db_backend", DATABASES, indirect=True)


@pytest.fixture
def db_backend(request):
    """Which database the test's app uses: "sqlite" unless parametrized."""
    return getattr(request, "param", "sqlite")


class _PostgresDatabases:
    """One PostgreSQL server per test session; a fresh database per test from a template."""

    def __init__(self):
        from dbservers import PostgresServer

        self.server = PostgresServer.start()
        self._n = itertools.count(1)
        self._template_ready = False

    def _template(self, tmp_path):
        if self._template_ready:
            return
        self.server.execute("CREATE DATABASE gs_template")
        app = _make_app(tmp_path, SQLALCHEMY_DATABASE_URI=self.server.url("gs_template"))
        with app.app_context():
            _db.create_all()
            _db.engine.dispose()
        self._template_ready = True

    def create(self, tmp_path, *, empty: bool = False) -> tuple[str, str]:
        """Create a database (with the schema unless `empty`); return its name and URL."""
        name = f"gs_test_{next(self._n)}"
        if empty:
            self.server.execute(f"CREATE DATABASE {name}")
        else:
            self._template(tmp_path)
            self.server.execute(f"CREATE DATABASE {name} TEMPLATE gs_template STRATEGY FILE_COPY")
        return name, self.server.url(name)

    def drop(self, name: str) -> None:
        self.server.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def postgres_databases():
    """The session's PostgreSQL server, started on first use from the installed binaries."""
    from dbservers import ServerUnavailable

    try:
        databases = _PostgresDatabases()
    except ServerUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the PostgreSQL tests: {exc}")
        pytest.skip(str(exc))
    # A run stopped with SIGTERM (e.g. by `timeout`) still tears down and stops the server.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield databases
    finally:
        signal.signal(signal.SIGTERM, previous)
        databases.server.destroy()


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


@pytest.fixture
def database_url(request, db_backend, tmp_path):
    """URL of a fresh database holding the schema, on the test's backend."""
    if db_backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    databases = request.getfixturevalue("postgres_databases")
    name, url = databases.create(tmp_path)
    yield url
    databases.drop(name)


@pytest.fixture
def empty_database_url(request, db_backend, tmp_path):
    """URL of a fresh, empty database (no tables) on the test's backend, for migration tests."""
    if db_backend == "sqlite":
        (tmp_path / "empty").mkdir()
        yield f"sqlite:///{tmp_path / 'empty' / 'test.db'}"
        return
    databases = request.getfixturevalue("postgres_databases")
    name, url = databases.create(tmp_path, empty=True)
    yield url
    databases.drop(name)


@pytest.fixture
def app(tmp_path, db_backend, database_url):
    app = _make_app(tmp_path, SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        if db_backend == "sqlite":
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
