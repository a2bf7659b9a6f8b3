"""A PostgreSQL restart of a few seconds: new connections wait for the server instead of failing.

Runs its own throwaway PostgreSQL server (tests/webapp/dbservers.py), because it stops it.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from tests.support.servers import start_or_skip
from webapp.infra import reconnect


@pytest.fixture
def own_server():
    from tests.webapp.dbservers import PostgresServer

    server = start_or_skip(lambda: PostgresServer.start(tcp=True), "PostgreSQL")
    yield server
    server.destroy()


def test_a_pooled_engine_rides_out_a_restart(own_server):
    import webapp.extensions  # noqa: F401  (the app's engines get the retry through this import)

    engine = create_engine(own_server.url(), pool_pre_ping=True)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar() == 1
    own_server.stop()
    starter = threading.Timer(1.5, own_server.pg_ctl, args=("start", "-w", "-t", "60", "-o", own_server.options,
                                                             "-l", str(own_server.root / "server.log")))
    started = time.monotonic()
    starter.start()
    try:
        with engine.connect() as conn:  # pre-ping finds the pooled connection dead, reconnects, waits
            assert conn.execute(text("SELECT 1")).scalar() == 1
    finally:
        starter.join()
    assert time.monotonic() - started >= 1.0
    engine.dispose()


def test_a_server_that_stays_down_fails_after_the_retry_window(own_server, monkeypatch):
    monkeypatch.setattr(reconnect, "RETRY_FOR", 1.0)
    engine = create_engine(own_server.url())
    own_server.stop()
    started = time.monotonic()
    with pytest.raises(OperationalError, match="(?i)connection refused"):
        engine.connect()
    assert 0.8 <= time.monotonic() - started < 5
    engine.dispose()


def test_errors_that_are_not_an_outage_are_raised_at_once(own_server):
    engine = create_engine(own_server.url("no_such_database"))
    started = time.monotonic()
    with pytest.raises(OperationalError, match="does not exist"):
        engine.connect()
    assert time.monotonic() - started < 1.0
    engine.dispose()


def test_only_outage_messages_count_as_transient():
    assert reconnect.is_transient(Exception("FATAL: the database system is starting up"))
    assert reconnect.is_transient(Exception("connection to server failed: Connection refused"))
    assert not reconnect.is_transient(Exception('FATAL: password authentication failed for user "x"'))
    assert not reconnect.is_transient(Exception('FATAL: database "x" does not exist'))
