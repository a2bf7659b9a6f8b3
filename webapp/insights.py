"""Leader report: themes beside the numbers for a period, and a drill-down page per theme."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from webapp.access import allow
from webapp.store import insights as insights_store, rollup as rollup_store
from webapp.store.errors import NotFound

bp = Blueprint("insights", __name__)


def _period_and_region():
    periods = rollup_store.periods_with_plans()
    code = request.args.get("period") or (periods[0].code if periods else None)
    region = request.args.get("region") or None
    return periods, code, region


@bp.route("/insights")
@allow("leader", "admin")
def report():
    periods, code, region = _period_and_region()
    if code is None:
        return render_template("insights/report.html", periods=[], report=None)
    try:
        report = insights_store.leader_report(code, region)
    except NotFound:
        abort(404)
    return render_template("insights/report.html", periods=periods, report=report)


@bp.route("/insights/themes/<int:theme_key>")
@allow("leader", "admin")
def theme(theme_key: int):
    _, code, region = _period_and_region()
    if code is None:
        abort(404)
    try:
        detail = insights_store.theme_detail(code, theme_key, region)
    except NotFound:
        abort(404)
    return render_template("insights/theme.html", detail=detail, period=code, region=region)
