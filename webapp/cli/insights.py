"""The ``groundswell insights --period P --json`` command: the leader report's numbers as JSON.

It calls the same ``webapp.insights.report.leader_report`` as the page, so both show the same numbers.
Fields (PRODUCT.md): ``period``, ``themes`` (``id``, ``label``, ``terms``, ``size``, ``share``,
``sentiment``, ``trend``, ``members``, ``target_link`` or null), ``rollup`` (per region and a
total) and ``forecast_accuracy`` (null where the period has no actuals). Changes are fractions;
money is a number with two decimals. Added keys (the ones above never change): each theme's
``sentiment_shown``, ``sentiment_band``, ``sentiment_reason``, ``sentiment_ci_low``/``_high``,
``sentiment_n`` and ``mentions``; ``sentiment_scale`` and ``sentiment_rule`` once per report.
"""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

__all__ = ["insights_command"]


@click.command("insights")
@click.option("--period", "period_code", required=True, help="Period, e.g. 2026-Q3.")
@click.option("--region", default=None, help="Limit to one region, as the page's filter does.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (the only output format yet).")
@with_appcontext
def insights_command(period_code: str, region: str | None, as_json: bool) -> None:
    """Print the numbers the leader report shows for a period."""
    from webapp.store.errors import NotFound
    from webapp.insights.report import leader_report
    from webapp.insights.report_json import report_as_dict

    try:
        report = leader_report(period_code, region)
    except NotFound as exc:
        raise click.ClickException(str(exc)) from None
    if report.run is None:
        click.echo("Note: no theme analysis stored yet; run `groundswell analyze` first.", err=True)
    click.echo(json.dumps(report_as_dict(report), ensure_ascii=False, indent=2 if not as_json else None))
