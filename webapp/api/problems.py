"""Errors of the JSON API as RFC 9457 `application/problem+json` documents."""

from __future__ import annotations

from flask import Response, json
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

PROBLEM_MIMETYPE = "application/problem+json"
#: Problem types more specific than the status code; the docs page explains each.
TYPES = {
    "validation": "Invalid input",
    "stale-version": "The plan changed",
    "idempotency-key-reused": "Idempotency-Key reused",
    "decision-refused": "Decision refused",
}


class ApiProblem(HTTPException):
    """Raise from an API view to answer with a problem document."""

    def __init__(self, status: int, detail: str, *, kind: str | None = None, errors=None):
        super().__init__(description=detail)
        self.code = status
        self.kind = kind
        self.errors = list(errors) if errors is not None else None


def problem_response(status: int, *, detail: str | None = None, kind: str | None = None,
                     errors=None, headers=None) -> Response:
    """Build a problem response; `kind` names one of TYPES, else the type is about:blank."""
    title = TYPES[kind] if kind else HTTP_STATUS_CODES.get(status, "Error")
    body = {"type": f"/api/v1/docs#problem-{kind}" if kind else "about:blank", "title": title,
            "status": status, "detail": detail or title}
    if errors is not None:
        body["errors"] = [str(e) for e in errors]
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="groundswell"'
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def from_exception(error: Exception) -> Response:
    """Turn any exception raised while serving an API request into a problem response."""
    if isinstance(error, ApiProblem):
        return problem_response(error.code, detail=error.description, kind=error.kind, errors=error.errors)
    if isinstance(error, HTTPException):
        code = error.code or 500
        detail = error.description if code != 500 else "Something went wrong on our side."
        headers = {}
        if code == 405 and getattr(error, "valid_methods", None):
            headers["Allow"] = ", ".join(error.valid_methods)
        if code == 429:
            detail = "Too many requests; slow down and retry later."
        return problem_response(code, detail=detail, headers=headers)
    return problem_response(500, detail="Something went wrong on our side.")
