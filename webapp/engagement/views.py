"""HR dashboard: engagement, eNPS, participation, drivers by group and comment themes, suppressed.

HR and admins see every breakdown; leaders see the organisation-wide figures only (PRODUCT.md:
HR owns engagement; leaders plan actions on it). Each role's groups are suppressed in one call.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user
from wtforms import SelectChoice

from analysis.sentiment import RULE_EXPLANATION, SCALE_EXPLANATION
from webapp.access import allow
from webapp.actions.forms import KIND_ROLES, ActionForm, status_form_for
from webapp.engagement import dashboard as engagement_dashboard
from webapp.engagement.tables import (
    driver_lines,
    figures,
    heatmap,
    tables,
    team_cards,
    team_drivers,
    team_figures,
    team_hidden_explanation,
    team_trend,
)
from webapp.engagement.teams import team_view
from webapp.infra.exports import chart_json, csv_response
from webapp.store import actions as actions_store
from webapp.store.errors import NotFound

bp = Blueprint("engagement", __name__, template_folder="templates")

#: Comments listed on the page itself; the CSV export (and the JSON) carry all of them.
PAGE_COMMENTS = 200
#: Comments listed under each comment theme on the page (the CSV has all of them).
PAGE_COMMENTS_PER_THEME = 50


def _page_tables(d):
    """The dashboard's tables for the page: a very long comment list is cut to its first PAGE_COMMENTS
    rows (already in random order), with a note pointing to the CSV, so the page stays fast at scale."""
    out = tables(d)
    comments = out.get("comments")
    if comments is not None and len(comments.rows) > PAGE_COMMENTS:
        out["comments"] = replace(
            comments, rows=comments.rows[:PAGE_COMMENTS],
            caption=f"{comments.caption} Showing {PAGE_COMMENTS} of {len(comments.rows):,}; "
                    "the CSV has all of them.")
    return out


def _dashboard(open_on_numbers: bool = False):
    try:
        return engagement_dashboard.dashboard(request.args.get("campaign"), current_user.role,
                                              current_app.config["MIN_GROUP_SIZE"], request.args.get("by"),
                                              query=request.args.get("q"), open_on_numbers=open_on_numbers)
    except NotFound:
        abort(404)


@bp.route("/engagement")
@allow("hr", "admin", "leader")
def dashboard():
    d = _dashboard(open_on_numbers=True)  # exports, the API and the CLI keep the first breakdown
    form = None
    if d.campaign.closed:
        form = ActionForm(kind="driver", period=d.campaign.period)
        form.owner.choices = [SelectChoice(v, label) for v, label in actions_store.owner_choices()]
        form.subject.choices = [SelectChoice(x.id, x.title) for x in d.drivers]
    # Driver actions' status, changed here through the actions' own status form (stale changes refused).
    status_forms = {a.id: status_form_for(a) for a in d.actions
                    if a.owner_id == current_user.id or current_user.role in KIND_ROLES["driver"]}
    return render_template("engagement/dashboard.html", d=d, tables=_page_tables(d), heatmap=heatmap(d),
                           driver_lines=driver_lines(d),
                           charts={name: chart_json(fig) for name, fig in figures(d).items()}, form=form,
                           by_titles=engagement_dashboard.BY_TITLES, status_titles=actions_store.STATUS_TITLES,
                           status_forms=status_forms, today=date.today(), back=request.full_path,
                           page_comments=PAGE_COMMENTS_PER_THEME,
                           sentiment_scale=SCALE_EXPLANATION, sentiment_rule=RULE_EXPLANATION)


@bp.route("/engagement/team")
@allow("hr", "admin")
def team():
    """One manager team's results, picked from the frozen chain's teams: the dashboard's own published rows."""
    try:
        view = team_view(request.args.get("campaign"), current_user.role, current_app.config["MIN_GROUP_SIZE"],
                         request.args.get("team"))
    except NotFound:
        abort(404)
    return render_template("engagement/team.html", v=view, cards=team_cards(view), drivers=team_drivers(view),
                           hidden_why=team_hidden_explanation(view),
                           trend=team_trend(view), charts={name: chart_json(fig) for name, fig in
                                                           team_figures(view).items()})


@bp.route("/engagement/export/<name>.csv")
@allow("hr", "admin", "leader")
def export(name: str):
    d = _dashboard()
    table = tables(d).get(name)
    if table is None:
        abort(404)
    return csv_response(table, f"engagement-{d.campaign.name}-{d.by or 'organisation'}")
