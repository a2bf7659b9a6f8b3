"""Ride out a short PostgreSQL outage: new connections are retried for a few seconds.

When the database restarts (a failover, `pg_ctl restart`, a maintenance window of seconds), the
pool's pre-ping notices that its pooled connections are dead and opens new ones; while the server
is still starting those fail at once with "connection refused" or "the database system is
starting up", and every request in that second would answer 500. Instead, opening a connection
waits and retries for up to `RETRY_FOR` seconds when the error says the server is (re)starting or
unreachable; any other error (a wrong password, an unknown database) is raised at once. SQLite
is never retried. A request whose connection is cut in the middle of its transaction still fails:
nothing of it was committed, and repeating a user's request is not the database layer's call.
"""

from __future__ import annotations

import logging
import time

from sqlalchemy import event
from sqlalchemy.engine import Engine

RETRY_FOR = 10.0  # seconds to keep trying to open a connection while the server is down
RETRY_EVERY = 0.2
TRANSIENT = ("connection refused", "starting up", "shutting down", "no such file or directory",
             "server closed the connection", "connection reset", "could not receive data",
             "terminating connection", "timeout expired", "in recovery mode")

log = logging.getLogger(__name__)


def is_transient(exc: BaseException) -> bool:
    """True for errors that say the server is restarting or unreachable for now."""
    message = str(exc).lower()
    return any(marker in message for marker in TRANSIENT)


@event.listens_for(Engine, "do_connect")
def _connect_with_retry(dialect, connection_record, cargs, cparams):
    if dialect.name != "postgresql":
        return None  # SQLAlchemy connects as usual
    deadline = time.monotonic() + RETRY_FOR
    attempt = 0
    while True:
        try:
            return dialect.loaded_dbapi.connect(*cargs, **cparams)
        except dialect.loaded_dbapi.OperationalError as exc:
            attempt += 1
            if not is_transient(exc) or time.monotonic() + RETRY_EVERY > deadline:
                raise
            if attempt == 1:
                log.warning("database unreachable (%s); retrying for up to %.0f s", str(exc).strip(), RETRY_FOR)
            time.sleep(RETRY_EVERY)
