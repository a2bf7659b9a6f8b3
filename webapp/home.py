"""Home page: what each role has to do now."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, render_template
from flask_login import current_user

from webapp.access import ALL_ROLES, allow, decides_as, visible_person_ids
from webapp.actions.forms import status_form_for
from webapp.store import actions as actions_store, campaigns, people, plans, rollup as rollup_store

bp = Blueprint("home", __name__)


def _rollup_summary():
    """The latest period's roll-up total over the people this user may see (the roll-up page's numbers)."""
    if current_user.role not in ("manager", "leader", "admin"):
        return None
    periods = rollup_store.periods_with_plans()
    if not periods:
        return None
    rows = rollup_store.rollup(periods[0], "region", visible_person_ids(current_user))
    return {"period": periods[0], "total": rollup_store.total(rows)}


@bp.route("/")
@allow(*ALL_ROLES)
def index():
    open_items = []
    for campaign in campaigns.open_campaigns_for(current_user):
        plan = plans.plan_for(current_user.id, campaign.period_id)
        open_items.append({
            "campaign": campaign,
            "plan": plan,
            "answered": campaigns.has_participated(campaign.id, current_user.id),
        })
    waiting = waiting_below = 0
    if current_user.role in ("manager", "leader"):
        ids = visible_person_ids(current_user) if current_user.role == "manager" else people.subtree_ids(current_user.id)
        submitted = [p for p in plans.queue_for(current_user, ids) if p.status == "submitted"]
        waiting = sum(1 for p in submitted if decides_as(current_user, p) is not None)  # theirs to decide
        waiting_below = len(submitted) - waiting  # their managers' to decide; they can read them
    k = current_app.config["MIN_GROUP_SIZE"]
    participation = []
    if current_user.role in ("hr", "admin", "leader"):
        for campaign in campaigns.list_campaigns():
            answered, invited = campaigns.participation_counts(campaign.id)
            # While open, participation is shown only for groups of at least k invitees.
            participation.append({"campaign": campaign, "answered": answered, "invited": invited,
                                  "shown": invited >= k})
    my_actions = []
    if current_user.role != "rep":
        my_actions = [a for a in actions_store.list_actions(owner_id=current_user.id) if a.status != "done"]
    return render_template("home/index.html", open_items=open_items, waiting=waiting, waiting_below=waiting_below,
                           participation=participation, k=k, rollup=_rollup_summary(), my_actions=my_actions,
                           action_forms={a.id: status_form_for(a) for a in my_actions},
                           status_titles=actions_store.STATUS_TITLES, today=date.today())
