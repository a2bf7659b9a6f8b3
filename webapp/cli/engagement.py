"""The ``groundswell engagement --campaign C [--by ATTR] --json`` command: the HR dashboard as JSON.

It calls the same ``webapp.engagement.dashboard.dashboard`` and ``engagement_tables.dashboard_as_dict`` as the
page's data, with the role whose view to print (``--role``, default hr), so the numbers and the
suppression are exactly the page's.
"""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext

__all__ = ["engagement_command"]


@click.command("engagement")
@click.option("--campaign", "campaign_ref", required=True, help="Campaign id or exact name.")
@click.option("--by", default=None, help="Breakdown: department, region, tenure_band, manager or manager_tree.")
@click.option("--role", default="hr", show_default=True, type=click.Choice(["hr", "leader", "admin"]),
              help="Whose view to print (leaders see organisation-wide figures only).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (the only output format yet).")
@with_appcontext
def engagement_command(campaign_ref: str, by: str | None, role: str, as_json: bool) -> None:
    """Print the numbers the HR dashboard shows for a campaign, suppressed the same way."""
    from webapp.engagement.tables import dashboard_as_dict
    from webapp.engagement.dashboard import dashboard
    from webapp.store.errors import NotFound

    try:
        d = dashboard(campaign_ref, role, current_app.config["MIN_GROUP_SIZE"], by)
    except NotFound as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(json.dumps(dashboard_as_dict(d), ensure_ascii=False, indent=None if as_json else 2))
