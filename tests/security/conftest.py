"""Fixtures for the security checklist tests (SECURITY.md): an app per test on SQLite and a small org.

The fixtures are the web tests' own (`tests.support.web_fixtures`); helpers that post forms the
way a browser does are in `tests.support.web`.
"""

from tests.support.web_fixtures import *  # noqa: F403  (fixtures are found by name)
