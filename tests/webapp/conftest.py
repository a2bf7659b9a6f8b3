"""Fixtures for web tests: an app on a fresh database per test, and builders for people.

The fixtures live in `tests.support.web_fixtures` (shared with tests/security); helpers such as
`login` and `plan_form` are imported from `tests.support.web`. This folder adds which tests run
twice: modules in `BOTH_DATABASES` (and tests marked `both_databases`) run on SQLite and then on a
real PostgreSQL server that the session starts from the installed binaries (see `dbservers.py`).
"""

from __future__ import annotations

from tests.support.analyze_fixtures import observations  # noqa: F401  (a fixture, found by name)
from tests.support.web_fixtures import *  # noqa: F403  (fixtures are found by name)

# Data-layer and flow tests that must hold on both databases.
BOTH_DATABASES = {"test_planning_flow", "test_bad_input", "test_concurrency", "test_schema",
                  "test_imports", "test_jobs", "test_api_data", "test_api_access", "test_flashes"}
DATABASES = ("sqlite", "postgresql")


def pytest_configure(config):
    config.addinivalue_line("markers", "both_databases: run the test on SQLite and on PostgreSQL")


def pytest_generate_tests(metafunc):
    if "db_backend" not in metafunc.fixturenames:
        return
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    if module in BOTH_DATABASES or metafunc.definition.get_closest_marker("both_databases"):
        metafunc.parametrize("db_backend", DATABASES, indirect=True)
