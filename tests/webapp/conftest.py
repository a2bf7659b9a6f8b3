"""Fixtures for web tests: an app on a fresh SQLite file per test, and builders for people."""

from __future__ import annotations

import itertools
import re

import pytest

from webapp import create_app
from webapp.extensions import db as _db

PASSWORD = "correct-horse-battery"


@pytest.fixture
def app(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.db'}",
            "WTF_CSRF_ENABLED": False,
        }
    )
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
