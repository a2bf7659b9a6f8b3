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
        # Plan decisions follow the chain: the direct manager decides; levels above see the plan and
        # decide only when this is 1 (the audit trail then says the decision came from above).
        "PLANS_ABOVE_MAY_DECIDE": _flag(env, "GROUNDSWELL_ABOVE_MAY_DECIDE", False),
        # Login throttling: failed attempts per account (any client) and per client (any account).
        # memory:// suits only the single-process demo; production sets a Redis URL so that every
        # worker shares the counters.
        "RATELIMIT_STORAGE_URI": env.get("GROUNDSWELL_RATELIMIT_STORAGE_URL") or "memory://",
        "RATELIMIT_HEADERS_ENABLED": False,
        "LOGIN_LIMIT_PER_ACCOUNT": env.get("GROUNDSWELL_LOGIN_LIMIT_PER_ACCOUNT") or "5 per minute;20 per hour",
        "LOGIN_LIMIT_PER_CLIENT": env.get("GROUNDSWELL_LOGIN_LIMIT_PER_CLIENT") or "20 per minute;100 per hour",
        **mail_config(env),
        **signin_config(env),
    }


def _flag(env, name: str, default: bool) -> bool:
    value = env.get(name)
    if value in (None, ""):
        return default
    if value not in ("0", "1"):
        raise ConfigError(f"{name} must be 0 or 1, got {value!r}")
    return value == "1"


def mail_config(env) -> dict:
    """SMTP (Flask-Mailman) settings; without GROUNDSWELL_SMTP_HOST mail is captured in the outbox."""
    host = env.get("GROUNDSWELL_SMTP_HOST") or ""
    return {
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": host or "localhost",
        "MAIL_PORT": int(_bounded_number("GROUNDSWELL_SMTP_PORT", env.get("GROUNDSWELL_SMTP_PORT"), 587, 1, int,
                                         "a port number")),
        "MAIL_USERNAME": env.get("GROUNDSWELL_SMTP_USERNAME") or None,
        "MAIL_PASSWORD": env.get("GROUNDSWELL_SMTP_PASSWORD") or None,
        "MAIL_USE_TLS": _flag(env, "GROUNDSWELL_SMTP_STARTTLS", True),
        "MAIL_USE_SSL": _flag(env, "GROUNDSWELL_SMTP_SSL", False),
        "MAIL_TIMEOUT": 20,
        "MAIL_DEFAULT_SENDER": env.get("GROUNDSWELL_MAIL_FROM") or "Groundswell <groundswell@localhost>",
        # Demo and development: no SMTP server configured, so mail is kept in the admin outbox.
        "MAIL_CAPTURE": _flag(env, "GROUNDSWELL_MAIL_CAPTURE", not host),
        "MAIL_ATTEMPTS": int(_bounded_number("GROUNDSWELL_MAIL_ATTEMPTS", env.get("GROUNDSWELL_MAIL_ATTEMPTS"), 3, 1,
                                             int, "a whole number")),
        "MAIL_RETRY_DELAY": _bounded_number("GROUNDSWELL_MAIL_RETRY_DELAY", env.get("GROUNDSWELL_MAIL_RETRY_DELAY"),
                                            10.0, 0.0, float, "a number of seconds"),
        # Links in mail are built on this address, never on a request's Host header.
        "BASE_URL": (env.get("GROUNDSWELL_BASE_URL") or "http://127.0.0.1:5000").rstrip("/"),
    }


def signin_config(env) -> dict:
    """Invitation and reset links, OpenID Connect single sign-on, the scheduler."""
    issuer = env.get("GROUNDSWELL_OIDC_ISSUER") or ""
    if issuer and not (env.get("GROUNDSWELL_OIDC_CLIENT_ID") and env.get("GROUNDSWELL_OIDC_CLIENT_SECRET")):
        raise ConfigError("GROUNDSWELL_OIDC_ISSUER needs GROUNDSWELL_OIDC_CLIENT_ID and GROUNDSWELL_OIDC_CLIENT_SECRET")
    scheduler = env.get("GROUNDSWELL_SCHEDULER") or "embedded"
    if scheduler not in ("embedded", "off"):
        raise ConfigError(f"GROUNDSWELL_SCHEDULER must be embedded or off, got {scheduler!r}")
    sso_only = _flag(env, "GROUNDSWELL_SSO_ONLY", False)
    if sso_only and not issuer:
        raise ConfigError("GROUNDSWELL_SSO_ONLY=1 needs GROUNDSWELL_OIDC_ISSUER")
    return {
        "INVITE_TTL_HOURS": _bounded_number("GROUNDSWELL_INVITE_TTL_HOURS", env.get("GROUNDSWELL_INVITE_TTL_HOURS"),
                                            72.0, 0.25, float, "a number of hours"),
        "RESET_TTL_HOURS": _bounded_number("GROUNDSWELL_RESET_TTL_HOURS", env.get("GROUNDSWELL_RESET_TTL_HOURS"),
                                           2.0, 0.25, float, "a number of hours"),
        "OIDC_ISSUER": issuer.rstrip("/") or None,
        "OIDC_CLIENT_ID": env.get("GROUNDSWELL_OIDC_CLIENT_ID") or None,
        "OIDC_CLIENT_SECRET": env.get("GROUNDSWELL_OIDC_CLIENT_SECRET") or None,
        "SSO_ONLY": sso_only,
        # "embedded": the web process (or `groundswell worker`) runs due schedules every SCHEDULER_EVERY s.
        "SCHEDULER": scheduler,
        "SCHEDULER_EVERY": _bounded_number("GROUNDSWELL_SCHEDULER_EVERY", env.get("GROUNDSWELL_SCHEDULER_EVERY"),
                                           60.0, 1.0, float, "a number of seconds"),
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
