"""The `groundswell` command line: a Flask CLI group, one module per command group, each command thin.

Commands parse their arguments and call the same store, analysis-run and read-model functions as
the pages; none imports a view.
"""

from __future__ import annotations

import os
import sys

import click
from flask.cli import FlaskGroup

from webapp import create_app
from webapp.cli.analyze import analyze_command
from webapp.cli.demo import demo_command, seed_demo_command
from webapp.cli.engagement import engagement_command
from webapp.cli.imports import import_group
from webapp.cli.insights import insights_command
from webapp.cli.retheme import retheme_command
from webapp.cli.schedule import scheduler_command
from webapp.cli.serve import serve_command, worker_command
from webapp.cli.themes import themes_command
from webapp.cli.users import create_user_command

__all__ = ["cli", "main"]


def _make_app():
    from webapp.config import ConfigError

    try:
        return create_app()
    except ConfigError as exc:  # a bad environment variable: one line saying which and why
        raise click.ClickException(str(exc)) from exc


cli = FlaskGroup(create_app=_make_app, add_default_commands=False, load_dotenv=False,
                 help="Groundswell: bottom-up sales planning, field themes and engagement.")
for _command in (demo_command, seed_demo_command, create_user_command, serve_command,
                 worker_command, import_group, themes_command, analyze_command, insights_command,
                 engagement_command, scheduler_command, retheme_command):
    cli.add_command(_command)


def main() -> None:
    """Entry point of the `groundswell` console script."""
    os.environ.setdefault("FLASK_RUN_FROM_CLI", "false")
    cli.main(args=sys.argv[1:], prog_name="groundswell")
