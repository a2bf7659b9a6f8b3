"""Actions: create one from a theme (leader report) or a driver (HR dashboard), change its status."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from flask_login import current_user
from wtforms import SelectChoice

from webapp.access import allow
from webapp.store import actions as actions_store
from webapp.store.errors import StoreError
from webapp.actions.forms import KIND_ROLES, ActionForm, StatusForm

bp = Blueprint("actions", __name__, url_prefix="/actions")

def _back(kind: str, period: str, subject: str | None = None):
    if kind == "theme" and subject is not None and subject.lstrip("-").isdigit():
        return redirect(url_for("insights.theme", theme_key=int(subject), period=period))
    if kind == "theme":
        return redirect(url_for("insights.report", period=period))
    return redirect(url_for("engagement.dashboard"))


@bp.route("", methods=["POST"])
@allow("leader", "hr", "admin")
def create():
    form = ActionForm()
    form.owner.choices = [SelectChoice(v, label) for v, label in actions_store.owner_choices()]
    # The subject is checked below against the label sent with it; any theme key or driver id is
    # accepted as long as it is well-formed (the reports only show actions for subjects they list).
    form.subject.choices = [SelectChoice(form.subject.data or "", form.subject.data or "")]
    kind = form.kind.data if form.kind.data in KIND_ROLES else None
    if kind is None or current_user.role not in KIND_ROLES[kind]:
        abort(403)
    subject = (form.subject.data or "").strip()
    valid_subject = subject.lstrip("-").isdigit() if kind == "theme" else bool(subject) and len(subject) <= 80
    if not form.validate_on_submit() or not valid_subject:
        errors = "; ".join(f"{getattr(form, f).label.text}: {', '.join(e)}" for f, e in form.errors.items())
        flash(f"The action was not created. {errors or 'Choose what it is about.'}", "danger")
        return _back(kind, form.period.data or "", subject)
    try:
        label = actions_store.subject_label(kind, subject, form.period.data)
        actions_store.create_action(
            theme_key=int(subject) if kind == "theme" else None, driver_id=subject if kind == "driver" else None,
            subject_label=label, title=form.title.data, owner_id=form.owner.data, due_on=form.due_on.data,
            period_code=form.period.data, created_by_id=current_user.id)
    except StoreError as exc:
        flash(str(exc), "danger")
    else:
        flash("Action created.", "success")
    return _back(kind, form.period.data, subject)


@bp.route("/<int:action_id>/status", methods=["POST"])
@allow("leader", "hr", "admin")
def status(action_id: int):
    form = StatusForm()
    action = actions_store.get_action(action_id)
    if action is None:
        abort(404)
    kind = "theme" if action.theme_key is not None else "driver"
    if current_user.role not in KIND_ROLES[kind]:
        abort(403)
    if form.validate_on_submit():
        actions_store.set_status(action_id, form.status.data)
        flash("Status updated.", "success")
    else:
        flash("Choose a status.", "danger")
    return _back(kind, action.period, str(action.theme_key) if action.theme_key is not None else None)
