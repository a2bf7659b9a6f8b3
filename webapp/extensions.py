"""Flask extensions, created unbound here and attached to an app in the factory."""

from __future__ import annotations

from flask import request
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

from webapp.infra import reconnect  # noqa: F401  (registers the connection retry for PostgreSQL)


class Base(DeclarativeBase):
    """Declarative base for every ORM model."""


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
bootstrap = Bootstrap5()


def client_address() -> str:
    """Key for per-client limits: the peer address (behind a proxy, ProxyFix must set it)."""
    return request.remote_addr or "unknown"


# Login throttling (AUTH-3). Counters live in RATELIMIT_STORAGE_URI, set from
# GROUNDSWELL_RATELIMIT_STORAGE_URL: `memory://` only for the single-process demo server; with
# several workers every process would count separately, so production uses a shared store
# (`redis://host:6379/0`). See `require_shared_limiter_storage`.
limiter = Limiter(key_func=client_address, default_limits=[])  # storage: RATELIMIT_STORAGE_URI


def require_shared_limiter_storage(app) -> None:
    """Refuse to serve several processes with per-process (memory://) login counters."""
    uri = app.config.get("RATELIMIT_STORAGE_URI", "memory://")
    if uri.startswith("memory://"):
        raise RuntimeError(
            "GROUNDSWELL_RATELIMIT_STORAGE_URL must name storage shared by all workers "
            "(e.g. redis://localhost:6379/0); memory:// counts login attempts per process."
        )


@event.listens_for(Engine, "connect")
def _sqlite_profile(dbapi_connection, connection_record):  # pragma: no cover - trivial
    """Give every SQLite connection WAL, a 10 s busy timeout and enforced foreign keys."""
    module = type(dbapi_connection).__module__
    if "sqlite" not in module:
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
