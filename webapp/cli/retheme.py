"""``groundswell retheme [--apply] [--themes auto|N]``: refit history explicitly, print the diff, apply on request."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from webapp.cli.themes import ThemeCount, _Progress

__all__ = ["retheme_command"]


@click.command("retheme")
@click.option("--apply", "apply_", is_flag=True, help="Make the re-theme current and record a version.")
@click.option("--themes", "n_themes", type=ThemeCount(), default="auto", show_default=True,
              help="Number of themes, or 'auto' to choose it.")
@with_appcontext
def retheme_command(apply_: bool, n_themes) -> None:
    """Re-theme every observation, closed periods included, and print what would move."""
    from webapp.analysis_runs import AnalysisUnavailable
    from webapp.analysis_runs.retheme import (
        RethemeRefused,
        apply_retheme,
        describe_diff,
        prepare_retheme,
    )

    try:
        proposal = prepare_retheme(n_themes, embedder_choice=current_app.config["EMBEDDER"],
                                   progress=_Progress(enabled=True), say=lambda m, err=False: click.echo(m, err=err))
    except AnalysisUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    for line in describe_diff(proposal.diff):
        click.echo(line)
    if not apply_:
        click.echo("Nothing applied: the reports still show the current themes. Run `groundswell retheme --apply`, "
                   "or apply it on the Themes page (/themes).")
        return
    try:
        version = apply_retheme(proposal.proposal_id, actor="groundswell retheme")
    except RethemeRefused as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Applied: themes version {version}.")
