"""Home page: what each role has to do now."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_login import current_user

from webapp.access import ALL_ROLES, allow, visible_person_ids
from webapp.store import campaigns, people, plans

bp = Blueprint("home", __name__)


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
    waiting = 0
    if current_user.role in ("manager", "leader"):
        ids = visible_person_ids(current_user) if current_user.role == "manager" else people.subtree_ids(current_user.id)
        waiting = sum(1 for p in plans.queue_for(current_user, ids) if p.status == "submitted")
    k = current_app.config["MIN_GROUP_SIZE"]
    participation = []
    if current_user.role in ("hr", "admin", "leader"):
        for campaign in campaigns.list_campaigns():
            answered, invited = campaigns.participation_counts(campaign.id)
            # While open, participation is shown only for groups of at least k invitees.
            participation.append({"campaign": campaign, "answered": answered, "invited": invited,
                                  "shown": invited >= k})
    return render_template("home/index.html", open_items=open_items, waiting=waiting,
                           participation=participation, k=k)
