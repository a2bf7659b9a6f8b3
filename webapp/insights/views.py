"""Leader report: themes beside the numbers for a period, and a drill-down page per theme."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user
from wtforms import SelectChoice

from analysis.forecast import describe_fva
from webapp.access import allow
from webapp.actions.forms import ActionForm, status_form_for
from webapp.infra.exports import chart_json, csv_response
from webapp.insights.tables import FVA_CAPTION, ROLLUP_BASE, figures, tables
from webapp.insights import offline_charts, report as insights_report
from webapp.store import actions as actions_store, rollup as rollup_store
from webapp.store.errors import NotFound

bp = Blueprint("insights", __name__, template_folder="templates")


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
    report = _report(code, region)
    actions = actions_store.theme_actions(report.period)
    return render_template("insights/report.html", periods=periods, report=report, actions=actions,
                           charts={name: chart_json(fig) for name, fig in figures(report).items()},
                           **_words(report))


def _words(report) -> dict:
    """The captions and the pooled value-added sentence the page and the offline copy share."""
    pooled = None
    if report.fva_pooled is not None:
        pooled = describe_fva(report.fva_pooled.total, period="all", who="Managers'")
    return {"rollup_base": ROLLUP_BASE, "fva_caption": FVA_CAPTION, "describe_pooled": pooled, **_sentiment_words()}


def _sentiment_words() -> dict:
    """The scale and the rule, stated wherever a sentiment is shown."""
    return {"sentiment_scale": insights_report.SCALE_EXPLANATION, "sentiment_rule": insights_report.SENTIMENT_RULE}


def _report(code, region):
    try:
        return insights_report.leader_report(code, region)
    except NotFound:
        abort(404)


@bp.route("/insights/export/<name>.csv")
@allow("leader", "admin")
def export(name: str):
    _, code, region = _period_and_region()
    if code is None:
        abort(404)
    report = _report(code, region)
    table = tables(report, actions_store.theme_actions(report.period)).get(name)
    if table is None:
        abort(404)
    return csv_response(table, f"insights-{report.period}-{report.region or 'all'}")


@bp.route("/insights/report.html")
@allow("leader", "admin")
def standalone():
    """A self-contained HTML file of the report to download: tables and inline SVG charts, no script.

    The charts are drawn on the server (`offline_charts`), so the file needs no network and no
    script, prints as it shows and stays small. It is an attachment, and sandboxed if rendered.
    """
    _, code, region = _period_and_region()
    if code is None:
        abort(404)
    report = _report(code, region)
    actions = actions_store.theme_actions(report.period)
    html = render_template("insights/standalone.html", report=report, actions=actions,
                           quotes=insights_report.theme_quotes(report), charts=offline_charts.report_charts(report),
                           **_words(report))
    name = f"groundswell-insights-{report.period}{'-' + report.region if report.region else ''}.html"
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in name)
    return Response(html, mimetype="text/html", headers={
        "Content-Disposition": f'attachment; filename="{safe}"',
        # Belt and braces: even if rendered, it must not run on our origin.
        "Content-Security-Policy": "sandbox; default-src 'none'"})


@bp.route("/insights/themes/<int:theme_key>")
@allow("leader", "admin")
def theme(theme_key: int):
    _, code, region = _period_and_region()
    if code is None:
        abort(404)
    try:
        page = insights_report.theme_detail(code, theme_key, region)
    except NotFound:
        abort(404)
    detail = page.detail
    form = None
    if current_user.role in ("leader", "admin"):
        form = ActionForm(kind="theme", period=code)
        form.subject.choices = [SelectChoice(str(detail.theme.theme_id), detail.theme.label)]
        form.owner.choices = [SelectChoice(v, label) for v, label in actions_store.owner_choices()]
    actions = actions_store.theme_actions(code).get(detail.theme.theme_id, [])
    status_forms = {a.id: status_form_for(a) for a in actions if form is not None or a.owner_id == current_user.id}
    return render_template("insights/theme.html", detail=detail, page=page, period=code, region=region, form=form,
                           actions=actions, status_forms=status_forms, status_titles=actions_store.STATUS_TITLES,
                           today=date.today(), **_sentiment_words())
