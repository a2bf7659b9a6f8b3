"""The JSON API under `/api/v1`: personal access tokens, problem+json errors, rate limits, OpenAPI.

Only bearer tokens authenticate it (never the session cookie), so it is exempt from CSRF; every
request goes through the pages' authorisation (`webapp.access`).
"""

from __future__ import annotations

from flask import Blueprint, current_app, request

from webapp.extensions import client_address, csrf, limiter

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

DEFAULT_RATE_LIMIT = "300 per minute;5000 per hour"
PROBLEM_CODES = (400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500)


def _rate_key() -> str:
    """Count per token (by its public prefix) when one is sent, else per client address."""
    from webapp.store.tokens import prefix_of

    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    prefix = prefix_of(raw.strip()) if scheme.lower() == "bearer" else None
    return f"api-token:{prefix}" if prefix else f"api-client:{client_address()}"


limiter.limit(lambda: current_app.config.get("API_RATE_LIMIT", DEFAULT_RATE_LIMIT), key_func=_rate_key)(bp)


@bp.before_request
def _read_json_body() -> None:
    """Decode a JSON body up front (within webapp.infra.request_limits), so one the limits refuse
    is a 400 problem naming the limit, before any view reads it."""
    from werkzeug.exceptions import BadRequest

    from webapp.api.problems import ApiProblem

    if request.is_json and request.content_length != 0 and request.method in ("POST", "PUT", "PATCH"):
        try:
            request.get_json()
        except BadRequest as exc:
            raise ApiProblem(400, exc.description or "The JSON body could not be read.") from None


def _problem(error):
    from webapp.api.problems import from_exception

    return from_exception(error)


def _problem_on_api_path(error):
    """405 (and other routing errors) have no blueprint: answer in JSON under /api/ only."""
    if request.path.startswith("/api/"):
        return _problem(error)
    return error


for _code in PROBLEM_CODES:
    bp.register_error_handler(_code, _problem)


def _register_problem_class() -> None:
    from webapp.api.problems import ApiProblem  # its code is per instance: match it by class

    bp.register_error_handler(ApiProblem, _problem)


_register_problem_class()
bp.app_errorhandler(405)(_problem_on_api_path)

from webapp.api import views  # noqa: E402,F401 - registers the routes on bp
