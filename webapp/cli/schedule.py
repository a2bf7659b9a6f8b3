"""``groundswell scheduler``: run scheduled campaigns, reminders and notifications (foreground or once)."""

from __future__ import annotations

import time
from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext

__all__ = ["scheduler_command"]


@click.command("scheduler")
@click.option("--once", is_flag=True, help="Run what is due once, then exit (for cron).")
@click.option("--now", "now_text", default=None, metavar="YYYY-MM-DDTHH:MM",
              help="With --once: act as if it were this UTC time.")
@with_appcontext
def scheduler_command(once: bool, now_text: str | None) -> None:
    """Open and close scheduled campaigns, send reminders and notifications when due."""
    from webapp.infra.scheduler import tick

    now = None
    if now_text:
        if not once:
            raise click.UsageError("--now needs --once")
        try:
            now = datetime.fromisoformat(now_text).replace(tzinfo=None)
        except ValueError:
            raise click.BadParameter(f"{now_text!r} is not a time like 2027-01-04T09:00", param_hint="--now") from None
    if once:
        click.echo(tick(now))
        return
    every = float(current_app.config["SCHEDULER_EVERY"])
    click.echo(f"Scheduler running every {every:g} s; Ctrl+C stops it.")
    while True:
        click.echo(tick())
        time.sleep(every)
