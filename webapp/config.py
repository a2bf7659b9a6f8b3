"""Settings read from the environment when the app is created (never at import time)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from analysis.privacy import DEFAULT_MIN_GROUP_SIZE, MIN_GROUP_SIZE_FLOOR as LOWEST_MIN_GROUP_SIZE


class ConfigError(ValueError):
    """A setting in the environment is invalid."""


def _bounded_number(name: str, value: str | None, default, lowest, convert, kind: str):
    """Parse one numeric environment variable: empty means `default`, less than `lowest` is refused."""
    if value in (None, ""):
        return default
    try:
        number = convert(value)
    except ValueError as exc:
        raise ConfigError(f"{name} must be {kind}, got {value!r}") from exc
    if not number >= lowest:  # also refuses NaN
        raise ConfigError(f"{name} must be at least {lowest:g}{' seconds' if convert is float else ''}, "
                          f"got {value!r}")
    return number


def min_group_size_from(value: str | None) -> int:
    """Parse GROUNDSWELL_MIN_GROUP_SIZE; confidentiality never allows fewer than 3."""
    return _bounded_number("GROUNDSWELL_MIN_GROUP_SIZE", value, DEFAULT_MIN_GROUP_SIZE, LOWEST_MIN_GROUP_SIZE,
                           int, "a whole number")


DEFAULT_JOB_STALE_AFTER = 120.0
LOWEST_JOB_STALE_AFTER = 30.0  # a few heartbeats (webapp.infra.jobs.HEARTBEAT_EVERY is 15 s)


def job_stale_after_from(value: str | None) -> float:
    """Parse GROUNDSWELL_JOB_STALE_AFTER: seconds without a heartbeat before a running job is
    shown as stopped; shorter than a few heartbeats would declare live jobs dead."""
    return _bounded_number("GROUNDSWELL_JOB_STALE_AFTER", value, DEFAULT_JOB_STALE_AFTER, LOWEST_JOB_STALE_AFTER,
                           float, "a number of seconds")


def embedder_from(value: str | None) -> str:
    """Parse GROUNDSWELL_EMBEDDER: the text representation of the theme engine (default "auto")."""
    if value in (None, ""):
        return "auto"
    from analysis.embedding import EMBEDDER_CHOICES  # numpy and scikit-learn: only when set

    if value not in EMBEDDER_CHOICES:
        raise ConfigError(f"GROUNDSWELL_EMBEDDER must be one of {', '.join(EMBEDDER_CHOICES)}, got {value!r}")
    return value


def load_config(instance_path: str, environ: dict[str, str] | None = None) -> dict:
    """Build the Flask config mapping from environment variables."""
    env = os.environ if environ is None else environ
    default_db = "sqlite:///" + str(Path(instance_path) / "groundswell.db")
    secret = env.get("GROUNDSWELL_SECRET_KEY") or _instance_secret(instance_path)
    return {
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": env.get("GROUNDSWELL_DATABASE_URL") or default_db,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "MIN_GROUP_SIZE": min_group_size_from(env.get("GROUNDSWELL_MIN_GROUP_SIZE")),
        "BOOTSTRAP_SERVE_LOCAL": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env.get("GROUNDSWELL_SECURE_COOKIES", "0") == "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        # Background jobs: RQ on this Redis when set; otherwise a thread of the web process.
        "REDIS_URL": env.get("GROUNDSWELL_REDIS_URL") or None,
        "JOBS_INLINE": "thread",
        "JOB_STALE_AFTER": job_stale_after_from(env.get("GROUNDSWELL_JOB_STALE_AFTER")),
        # Theme engine representation: auto (contextual model when installed and the texts it has
        # not embedded before are few enough), wordllama, or transformer
        # (analysis.embedding.choose_embedder).
        "EMBEDDER": embedder_from(env.get("GROUNDSWELL_EMBEDDER")),
        # Login throttling: failed attempts per account (any client) and per client (any account).
        # memory:// suits only the single-process demo; production sets a Redis URL so that every
        # worker shares the counters.
        "RATELIMIT_STORAGE_URI": env.get("GROUNDSWELL_RATELIMIT_STORAGE_URL") or "memory://",
        "RATELIMIT_HEADERS_ENABLED": False,
        "LOGIN_LIMIT_PER_ACCOUNT": env.get("GROUNDSWELL_LOGIN_LIMIT_PER_ACCOUNT") or "5 per minute;20 per hour",
        "LOGIN_LIMIT_PER_CLIENT": env.get("GROUNDSWELL_LOGIN_LIMIT_PER_CLIENT") or "20 per minute;100 per hour",
    }


def _instance_secret(instance_path: str) -> str:
    """Keep a random secret in the instance folder so sessions survive restarts of the demo."""
    folder = Path(instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
