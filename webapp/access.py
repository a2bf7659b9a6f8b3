"""Authorisation: one place that decides who may open which page and touch which object.

Deny by default: every endpoint must be declared public or carry `@allow(...roles)`; anything
else answers 403 even for logged-in users, and anonymous users are sent to the login page.
"""

from __future__ import annotations

from collections.abc import Callable
from flask import Flask, abort, g, redirect, request, url_for
from flask_login import current_user

from webapp.extensions import login_manager
from webapp.models import Person, PlanSubmission
from webapp.models.org import ROLES
from webapp.store import people, tokens

PUBLIC_ENDPOINTS = frozenset({"auth.login", "static", "bootstrap.static",
                              "auth.forgot_password", "auth.set_password", "auth.sso_login", "auth.sso_callback"})
API_BLUEPRINT = "api"
ALL_ROLES = ROLES
PLAN_SUBMITTERS = ("rep", "manager", "leader")


def allow(*roles: str) -> Callable:
    """Declare which roles may call a view (put it under the route decorator)."""

    def decorator(view: Callable) -> Callable:
        view._allowed_roles = roles  # read by the before_request check
        return view

    return decorator


def _check_request():
    endpoint = request.endpoint
    if endpoint is None or endpoint in PUBLIC_ENDPOINTS:
        return None
    if request.blueprint == API_BLUEPRINT:
        _authenticate_api_request()
    elif not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))
    from flask import current_app

    view = current_app.view_functions.get(endpoint)
    roles = getattr(view, "_allowed_roles", None)
    if roles is None or current_user.role not in roles:
        abort(403)
    return None


def _authenticate_api_request() -> None:
    """Make the owner of the request's bearer token the current user, or refuse the request.

    The API takes personal access tokens only: a session cookie never authenticates it (so API
    writes need no CSRF token), and a logged-in browser gets 403, not the API's data.
    """
    g.pop("_login_user", None)  # decide from this request's credentials only
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        if current_user.is_authenticated:
            abort(403, description="The API accepts personal access tokens only "
                                   "(Authorization: Bearer <token>), not a session cookie.")
        abort(401, description="Send a personal access token: Authorization: Bearer <token>.")
    person = tokens.person_for_token(raw.strip())
    if person is None:
        abort(401, description="The token is unknown, expired or revoked, or its owner is disabled.")
    g._login_user = person  # Flask-Login's current_user for this request only; no session write


@login_manager.user_loader
def _load_user(token: str) -> Person | None:
    """Load a user from the session, refusing cookies issued before logout or disabling."""
    try:
        person_id, version = (int(part) for part in token.split(":"))
    except ValueError:
        return None
    person = people.get_person(person_id)
    if person is None or not person.active or person.session_version != version:
        return None
    return person


def can_view_plan(user: Person, plan: PlanSubmission) -> bool:
    """Plan data is attributed: the rep, their management chain, leaders and admins."""
    if user.role in ("leader", "admin"):
        return True
    if user.role == "hr":
        return False
    return plan.person_id == user.id or people.is_below(plan.person_id, user.id)


def can_decide(user: Person, plan: PlanSubmission) -> bool:
    """The plan owner's direct manager decides; levels above only where PLANS_ABOVE_MAY_DECIDE allows it.

    Levels above always see the plan (`can_view_plan`); never anyone on their own plan.
    """
    return decides_as(user, plan) is not None


def decides_as(user: Person, plan: PlanSubmission) -> str | None:
    """How `user` may decide `plan`: "direct manager", "above" (the setting allows it) or None."""
    from flask import current_app

    if user.role not in ("manager", "leader") or plan.person_id == user.id:
        return None
    owner = people.get_person(plan.person_id)
    if owner is not None and owner.manager_id == user.id:
        return "direct manager"
    if current_app.config.get("PLANS_ABOVE_MAY_DECIDE") and people.is_below(plan.person_id, user.id):
        return "above"
    return None


def plan_scope(user: Person) -> set[int] | None:
    """Owners whose plans and observations a user may list (None: all); the rule of `can_view_plan`."""
    if user.role in ("leader", "admin"):
        return None
    if user.role == "hr":
        return set()
    return {user.id} | people.subtree_ids(user.id)


def visible_person_ids(user: Person) -> set[int] | None:
    """People whose plan data a user may see: None means everyone."""
    if user.role in ("leader", "admin"):
        return None
    if user.role == "manager":
        return people.subtree_ids(user.id)
    return {user.id} if user.role == "rep" else set()


def init_app(app: Flask) -> None:
    """Install the deny-by-default check and the login view."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to continue."
    login_manager.session_protection = "basic"
    app.before_request(_check_request)
    for code in (403, 404, 409):
        app.register_error_handler(code, _error_page)


def _error_page(error):
    from flask import render_template

    if request.path.startswith("/api/"):
        from webapp.api.problems import problem_response

        return problem_response(error.code, detail=error.description)

    return render_template("errors/error.html", error=error), error.code
