"""``groundswell analyze [--period P] [--themes auto|N]``: run the analysis use case with tqdm bars.

The work is `webapp.analysis_runs.run_analysis` (shared with the background job); this command
checks the period, shows progress on stderr and prints the run's lines.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from webapp.cli.themes import ThemeCount, _Progress

__all__ = ["analyze_command"]


def _say(message: str, err: bool = False) -> None:
    click.echo(message, err=err)


@click.command("analyze")
@click.option("--period", "period_code", default=None, help="Period whose themes to print afterwards.")
@click.option("--themes", "n_themes", type=ThemeCount(), default="auto", show_default=True,
              help="Number of themes, or 'auto' to choose it.")
@with_appcontext
def analyze_command(period_code: str | None, n_themes) -> None:
    """Group every stored observation into themes and store the results."""
    from webapp.analysis_runs import AnalysisUnavailable, run_analysis
    from webapp.store.rollup import period_by_code

    if period_code is not None and period_by_code(period_code) is None:
        raise click.ClickException(f"no period {period_code!r} in the database")
    progress = _Progress(enabled=True)
    try:
        run_analysis(n_themes, embedder_choice=current_app.config["EMBEDDER"],
                     min_group_size=current_app.config["MIN_GROUP_SIZE"], period_code=period_code,
                     progress=progress, say=_say)
    except AnalysisUnavailable as exc:
        raise click.ClickException(str(exc)) from None
