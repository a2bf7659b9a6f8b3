"""Plans: the manager's review queue and decisions, the rep's history, and the team roll-up."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectChoice, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from surveys.answers import AnswerError, parse_money
from webapp.access import PLAN_SUBMITTERS, allow, can_decide, can_view_plan, decides_as, visible_person_ids
from webapp.planning.queue import OUTLIER_RULE, review_queue
from webapp.store import plans, rollup as rollup_store
from webapp.store.errors import StaleDecision, StoreError
from webapp.infra.text_rules import no_nul

bp = Blueprint("plans", __name__, template_folder="templates")


class DecisionForm(FlaskForm):
    action = RadioField(
        "Decision",
        choices=[SelectChoice("approve", "Approve as proposed"), SelectChoice("adjust", "Adjust the amount"),
                 SelectChoice("return", "Return for revision")],
        validators=[InputRequired(message="Choose approve, adjust or return.")],
    )
    amount = StringField("New amount (for an adjustment)")
    reason = TextAreaField("Reason (needed to adjust or return)", validators=[Length(max=2000), no_nul])
    version = HiddenField()
    submit = SubmitField("Record decision")

    def validate_amount(self, field):
        if self.action.data != "adjust":
            return
        try:
            field.parsed = parse_money(field.data or "")
        except AnswerError as exc:
            raise ValidationError(str(exc)) from None

    def validate_reason(self, field):
        if self.action.data in ("adjust", "return") and not (field.data or "").strip():
            raise ValidationError("Give a reason, so the rep knows why.")

    def validate_version(self, field):
        if not (field.data or "").isdigit():
            raise ValidationError("The form is out of date; reload the page.")


class BulkApproveForm(FlaskForm):
    """Approve the selected plans as proposed; each plan's version rides along as `version-<id>`."""

    submit = SubmitField("Approve selected as proposed")


def _queue_people():
    person_ids = visible_person_ids(current_user)
    if person_ids is None:  # leaders see the people below them, like any manager
        from webapp.store import people

        person_ids = people.subtree_ids(current_user.id)
    return person_ids


@bp.route("/queue")
@allow("manager", "leader")
def queue():
    items = review_queue(current_user, _queue_people(), decides_as)
    return render_template("plans/queue.html", items=items, bulk=BulkApproveForm(), outlier_rule=OUTLIER_RULE,
                           above_may_decide=_above_may_decide())


def _above_may_decide() -> bool:
    """GROUNDSWELL_ABOVE_MAY_DECIDE: levels above the direct manager may decide (the decision records it)."""
    return current_app.config.get("PLANS_ABOVE_MAY_DECIDE", False)


@bp.route("/queue/approve", methods=["POST"])
@allow("manager", "leader")
def bulk_approve():
    """Approve each selected plan as proposed, one decision (and audit entry) per plan, each version-checked."""
    form = BulkApproveForm()
    if not form.validate_on_submit():
        flash("The form is out of date; reload the queue and try again.", "danger")
        return redirect(url_for("plans.queue"))
    selected = [v for v in request.form.getlist("plan") if v.isdigit() and len(v) <= 12]
    if not selected:
        flash("Select at least one plan to approve.", "warning")
        return redirect(url_for("plans.queue"))
    done, stale, refused = [], [], []
    for raw in dict.fromkeys(selected):
        try:
            plan = plans.get_plan(int(raw))
        except StoreError:
            refused.append(raw)
            continue
        if not can_view_plan(current_user, plan) or not can_decide(current_user, plan):
            refused.append(plan.person.name if can_view_plan(current_user, plan) else raw)
            continue
        version = request.form.get(f"version-{plan.id}", "")
        if not version.isdigit():
            stale.append(plan.person.name)
            continue
        try:
            plans.decide(current_user, plan.id, action="approve", expected_version=int(version),
                         above_may_decide=_above_may_decide())
        except StaleDecision:
            stale.append(plan.person.name)
        except StoreError:
            refused.append(plan.person.name)
        else:
            done.append(plan.person.name)
    if done:
        flash(f"Approved as proposed: {', '.join(done)}.", "success")
    if stale:
        flash(f"Not approved, changed since you opened the queue (reload to see them): {', '.join(stale)}.",
              "warning")
    if refused:
        flash(f"Not approved, not yours to decide or no longer waiting: {', '.join(refused)}.", "danger")
    return redirect(url_for("plans.queue"))


@bp.route("/plans/<int:plan_id>", methods=["GET"])
@allow(*PLAN_SUBMITTERS, "admin")
def detail(plan_id: int):
    plan = _visible_plan(plan_id)
    form = DecisionForm(version=str(plan.version)) if _decidable(plan) else None
    return _render_detail(plan, form)


@bp.route("/plans/<int:plan_id>/decide", methods=["POST"])
@allow("manager", "leader")
def decide(plan_id: int):
    plan = _visible_plan(plan_id)
    if not can_decide(current_user, plan):
        abort(403)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _render_detail(plan, form), 400
    try:
        plans.decide(current_user, plan.id, action=form.action.data,
                     expected_version=int(form.version.data),
                     amount=getattr(form.amount, "parsed", None), reason=form.reason.data,
                     above_may_decide=_above_may_decide())
    except StaleDecision as exc:
        flash(str(exc), "warning")
        plan = plans.get_plan(plan_id)
        return _render_detail(plan, DecisionForm(version=str(plan.version)) if _decidable(plan) else None), 409
    except StoreError as exc:
        flash(str(exc), "danger")
        return _render_detail(plans.get_plan(plan_id), form), 400
    flash(f"Decision recorded for {plan.person.name}.", "success")
    return redirect(url_for("plans.queue"))


@bp.route("/plans/history")
@allow(*PLAN_SUBMITTERS)
def history():
    items = [(plan, plans.baseline_for(plan.person_id, plan.period))
             for plan in plans.history_for(current_user.id)]
    return render_template("plans/history.html", items=items, change=plans.change_fraction)


@bp.route("/rollup")
@allow("manager", "leader", "admin")
def rollup():
    periods = rollup_store.periods_with_plans()
    code = request.args.get("period") or (periods[0].code if periods else None)
    by = request.args.get("by", "region")
    if by not in rollup_store.GROUPINGS:
        abort(400)
    period = rollup_store.period_by_code(code) if code else None
    if code and period is None:
        abort(404)
    rows = rollup_store.rollup(period, by, visible_person_ids(current_user)) if period else []
    return render_template("plans/rollup.html", periods=periods, period=period, by=by, rows=rows,
                           total=rollup_store.total(rows), groupings=rollup_store.GROUPINGS,
                           rollup_base=rollup_store.BASE_RULE)


def _visible_plan(plan_id: int):
    try:
        plan = plans.get_plan(plan_id)
    except StoreError:
        abort(404)
    if not can_view_plan(current_user, plan):
        abort(404)  # don't confirm that someone else's plan exists
    return plan


def _decidable(plan) -> bool:
    return plan.status == "submitted" and can_decide(current_user, plan)


def _render_detail(plan, form):
    baseline = plans.baseline_for(plan.person_id, plan.period)
    return render_template("plans/detail.html", plan=plan, form=form, baseline=baseline,
                           change=plans.change_fraction(plan.proposed, baseline.amount),
                           decides_as=decides_as(current_user, plan) if current_user.role in ("manager", "leader")
                           else None)
