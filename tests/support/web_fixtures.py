"""Fixtures for tests that need the app: an app on a fresh database per test, and builders for people.

Conftest files bring these in with ``from tests.support.web_fixtures import *``; a folder may
override any of them (a module may override `app_overrides` to change the app's config).

The database is a SQLite file unless the test is parametrized with ``db_backend="postgresql"``
(tests/webapp's conftest does that for the modules that must hold on both databases): then a real
PostgreSQL server is started once per session from the installed binaries (see
`tests/webapp/dbservers.py`) and each test gets its own database, copied from a template that holds
the schema.
"""

from __future__ import annotations

import itertools
import signal
from decimal import Decimal

import pytest

from tests.support.servers import start_or_skip
from tests.support.web import EMAILS, PASSWORD, make_app
from webapp.extensions import db as _db

__all__ = ["app", "app_overrides", "cheap_password_hashing", "client", "database_url", "db", "db_backend",
           "empty_database_url", "make_person", "org", "postgres_databases"]


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """Argon2id with tiny costs in tests: the same algorithm, a fraction of the time."""
    from argon2 import PasswordHasher

    from webapp.infra import passwords

    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def db_backend(request):
    """Which database the test's app uses: "sqlite" unless parametrized."""
    return getattr(request, "param", "sqlite")


class _PostgresDatabases:
    """One PostgreSQL server per test session; a fresh database per test from a template."""

    def __init__(self):
        from tests.webapp.dbservers import PostgresServer

        self.server = PostgresServer.start()
        self._n = itertools.count(1)
        self._template_ready = False

    def _template(self, tmp_path):
        if self._template_ready:
            return
        self.server.execute("CREATE DATABASE gs_template")
        app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=self.server.url("gs_template"))
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
    databases = start_or_skip(_PostgresDatabases, "PostgreSQL")
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
def app_overrides():
    """Config overrides for the `app` fixture; override this fixture in a module to change them."""
    return {}


@pytest.fixture
def app(tmp_path, db_backend, database_url, app_overrides):
    """The app on the test's fresh database, inside an app context for direct database access."""
    app = make_app(tmp_path, **{"SQLALCHEMY_DATABASE_URI": database_url, **app_overrides})
    with app.app_context():
        if db_backend == "sqlite":  # a PostgreSQL database is copied from a template with the schema
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
              department="Sales", hire_date=None, password=PASSWORD):
        n = next(_counter)
        return people.create_person(
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


@pytest.fixture
def org(app, make_person):
    """leader > m1 > (r1, r2); leader > m2 > r3; hr; admin; an open 2027-Q1 planning campaign.

    Everyone's address is in `EMAILS` and their password is `PASSWORD`. rep1's 2026-Q4 plan was
    approved at 100,000 (a baseline).
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
