"""Authorisation: one place that decides who may open which page and touch which object.

Deny by default: every endpoint must be declared public or carry `@allow(...roles)`; anything
else answers 403 even for logged-in users, and anonymous users are sent to the login page.
"""

from __future__ import annotations

from collections.abc import Callable
from flask import Flask, abort, redirect, request, url_for
from flask_login import current_user

from webapp.extensions import login_manager
from webapp.models import Person, PlanSubmission
from webapp.store import people

PUBLIC_ENDPOINTS = frozenset({"auth.login", "static", "bootstrap.static"})
ALL_ROLES = ("rep", "manager", "leader", "hr", "admin")
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
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))
    from flask import current_app

    view = current_app.view_functions.get(endpoint)
    roles = getattr(view, "_allowed_roles", None)
    if roles is None or current_user.role not in roles:
        abort(403)
    return None


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
    """Only someone above the plan's owner in the tree decides (never on their own plan)."""
    return user.role in ("manager", "leader") and plan.person_id != user.id and people.is_below(
        plan.person_id, user.id
    )


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

    return render_template("errors/error.html", error=error), error.code
