"""Starting the real servers some tests need (PostgreSQL, Redis): skip where they can't start,
except under CI, which must run those tests (``.ci/run`` installs the servers)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

import pytest

T = TypeVar("T")


def start_or_skip(start: Callable[[], T], what: str) -> T:
    """Return `start()`; when the server is unavailable, skip the test (fail it under CI)."""
    from tests.webapp.dbservers import ServerUnavailable

    try:
        return start()
    except ServerUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the {what} tests: {exc}")
        pytest.skip(str(exc))
