"""The OpenAPI 3 document, generated from the API's views and their marshmallow schemas."""

from __future__ import annotations

import re
from collections.abc import Callable

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask

from webapp.api import schemas

API_VERSION = "1.0"
_PROBLEM_TEXT = {
    401: "No valid token: missing, unknown, expired or revoked, or its owner is disabled.",
    403: "The token's owner may not do this (the same rule as the pages).",
    404: "Not found, or not visible to the token's owner.",
    409: "Conflict: the plan changed since it was read (send the current version) or was already decided.",
    422: "Invalid input; `errors` lists each problem.",
    429: "Too many requests.",
    500: "Server error.",
}


def operation(*, summary: str, tag: str, response: type | None = None, query: type | None = None,
              body: type | None = None, problems: tuple[int, ...] = (), description: str | None = None,
              idempotent: bool = False, public: bool = False, status: int = 200) -> Callable:
    """Describe an API view for the OpenAPI document (put it under the route decorator)."""

    def decorator(view: Callable) -> Callable:
        view._api_operation = {"summary": summary, "tag": tag, "response": response, "query": query,
                               "body": body, "problems": problems, "description": description,
                               "idempotent": idempotent, "public": public, "status": status}
        return view

    return decorator


def _path(rule) -> tuple[str, list[dict]]:
    params = []

    def replace(match: re.Match) -> str:
        converter, name = match.group(1), match.group(2)
        schema = {"type": "integer", "minimum": 1, "maximum": schemas.MAX_ID} if converter == "int" \
            else {"type": "string"}
        params.append({"in": "path", "name": name, "required": True, "schema": schema})
        return "{" + name + "}"

    return re.sub(r"<(?:(\w+):)?(\w+)>", replace, rule.rule), params


def _problem(code: int) -> dict:
    return {"description": _PROBLEM_TEXT[code],
            "content": {"application/problem+json": {"schema": "Problem"}}}


def build_spec(app: Flask) -> dict:
    """Walk the API blueprint's routes and describe each documented view."""
    spec = APISpec(
        title="Groundswell API", version=API_VERSION, openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={"description": (
            "Plans, observations, themes and insights, engagement aggregates and imports. "
            "Authenticate with a personal access token (`Authorization: Bearer <token>`), created "
            "on the Tokens page; it carries its owner's role and sees exactly what the owner sees "
            "on the pages. Errors are `application/problem+json`. Lists take `page` and "
            "`per_page` and give `next` and a `Link` header.")},
        servers=[{"url": "/"}],
    )
    spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Problem", schema=schemas.Problem)
    rules = sorted((r for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")),
                   key=lambda r: r.rule)
    for rule in rules:
        view = app.view_functions[rule.endpoint]
        doc = getattr(view, "_api_operation", None)
        if doc is None:
            continue
        path, path_params = _path(rule)
        operations = {}
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            op: dict = {"operationId": rule.endpoint.removeprefix("api."), "summary": doc["summary"],
                        "tags": [doc["tag"]]}
            if doc["description"]:
                op["description"] = doc["description"]
            parameters = list(path_params)
            if doc["query"] is not None:
                parameters.append({"in": "query", "schema": doc["query"]})
            if doc["idempotent"]:
                parameters.append({
                    "in": "header", "name": "Idempotency-Key", "required": False,
                    "description": "Any unique string (e.g. a UUID). Replaying a request with the same "
                                   "key within 24 hours returns the first response and changes "
                                   "nothing; the same key with a different body is refused (422). "
                                   "After 24 hours the key counts as unused.",
                    "schema": {"type": "string", "minLength": 1, "maxLength": 200,
                               "pattern": "^[\\x21-\\x7e]+$"}})
            if parameters:
                op["parameters"] = parameters
            if doc["body"] is not None:
                op["requestBody"] = {"required": True,
                                     "content": {"application/json": {"schema": doc["body"]}}}
            responses: dict = {}
            if doc["response"] is not None:
                responses[str(doc["status"])] = {
                    "description": "OK", "content": {"application/json": {"schema": doc["response"]}}}
            codes = set(doc["problems"]) | {429, 500}
            if not doc["public"]:
                op["security"] = [{"bearerAuth": []}]
                codes |= {401, 403}
            else:
                op["security"] = []
            if doc["query"] is not None or doc["body"] is not None or doc["idempotent"]:
                codes.add(422)
            if path_params:
                codes.add(404)
            for code in sorted(codes):
                responses[str(code)] = _problem(code)
            op["responses"] = responses
            operations[method.lower()] = op
        spec.path(path=path, operations=operations)
    return spec.to_dict()
