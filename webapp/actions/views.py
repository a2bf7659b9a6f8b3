"""Actions: create one from a theme (leader report) or a driver (HR dashboard), list them, change a status."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from webapp.access import allow
from webapp.store import actions as actions_store
from webapp.store.errors import StoreError
from webapp.actions.forms import KIND_ROLES, ActionFilter, ActionForm, StatusForm, status_form_for

bp = Blueprint("actions", __name__, url_prefix="/actions", template_folder="templates")

#: Who may open the list and change statuses: everyone who can own an action (not reps).
OWNER_ROLES = ("manager", "leader", "hr", "admin")


def _back(kind: str, period: str, subject: str | None = None):
    if kind == "theme" and subject is not None and subject.lstrip("-").isdigit():
        return redirect(url_for("insights.theme", theme_key=int(subject), period=period))
    if kind == "theme":
        return redirect(url_for("insights.report", period=period))
    return redirect(url_for("engagement.dashboard"))


@bp.route("", methods=["GET"])
@allow(*OWNER_ROLES)
def index():
    """Every action, filtered by owner, status (or overdue), theme or driver; managers see their own."""
    form = ActionFilter(request.args)
    owners = actions_store.action_owners()
    form.owner.choices = [SelectChoice("", "Anyone"), SelectChoice("me", "Me")] + [
        SelectChoice(str(i), name) for i, name in owners]
    form.subject.choices = [SelectChoice("", "Any theme or driver"), SelectChoice("kind:theme", "Any theme"),
                            SelectChoice("kind:driver", "Any driver")] + [
        SelectChoice(v, label) for v, label in actions_store.action_subjects()]
    owner = form.owner.data or ""
    owner_id = current_user.id if owner == "me" or current_user.role == "manager" else (
        int(owner) if owner.isdigit() else None)
    status = form.status.data or None
    subject = form.subject.data or ""
    kind, _, value = subject.partition(":")
    rows = actions_store.list_actions(
        owner_id=owner_id, status=status if status not in (None, "overdue") else None,
        kind=value if kind == "kind" and value in KIND_ROLES else None,
        theme_key=int(value) if kind == "theme" and value.lstrip("-").isdigit() else None,
        driver_id=value if kind == "driver" and value else None)
    today = date.today()
    if status == "overdue":
        rows = [r for r in rows if r.overdue(today)]
    return render_template("actions/index.html", form=form, rows=rows, today=today,
                           forms={r.id: status_form_for(r) for r in rows if _may_update(r)},
                           titles=actions_store.STATUS_TITLES, back=request.full_path)


def _may_update(action) -> bool:
    """The owner, and whoever may act on the subject (leaders on themes; HR and leaders on drivers)."""
    return action.owner_id == current_user.id or current_user.role in KIND_ROLES[action.kind]


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
@allow(*OWNER_ROLES)
def status(action_id: int):
    form = StatusForm()
    action = actions_store.get_action(action_id)
    if action is None:
        abort(404)
    if not _may_update(action):
        abort(403)
    if form.validate_on_submit():
        try:
            actions_store.set_status(action_id, form.status.data, expected=form.current.data)
        except StoreError as exc:
            flash(str(exc), "warning")
        else:
            flash(f"Status of “{action.title}” is now {actions_store.STATUS_TITLES[form.status.data]}.", "success")
    else:
        errors = [e for field in form for e in field.errors]
        flash(errors[0] if errors else "Choose a status.", "danger")
    back = form.back.data or ""
    if back.startswith("/") and not back.startswith("//") and "\\" not in back:
        return redirect(back)
    return _back(action.kind, action.period, str(action.theme_key) if action.theme_key is not None else None)
