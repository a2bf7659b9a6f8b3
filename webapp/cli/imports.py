"""`groundswell import KIND FILE.csv` (people, targets, observations, actuals): thin commands."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

import click
from flask.cli import with_appcontext

from webapp.store.imports import KINDS, CsvImportError, ImportOptions, import_csv

_HELP = {
    "people": "Import people and reporting lines (email,name,role,manager_email,region,territory,"
              "department,hire_date).",
    "targets": "Import plans and top-down targets (email,period,proposed,approved,top_down).",
    "observations": "Import customer observations (id,email,period,text,tag).",
    "actuals": "Import actual results (email,period,actual).",
}


def _via(kind: str) -> str:
    """How the audit trail names a CLI import: the command and the OS account that ran it."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no login name and no password-database entry (some containers)
        user = f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"
    return f"groundswell import {kind} (CLI, OS user {user})"


@click.group("import")
def import_group() -> None:
    """Import a CSV file; all rows or none, and importing the same file twice changes nothing."""


def _command(kind: str) -> click.Command:
    @click.command(kind, help=_HELP[kind])
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--override-decisions", is_flag=True, hidden=kind != "targets",
                  help="Change plans answered in the app (drafts, submissions, decisions); each "
                       "change is recorded as a decision by --by.")
    @click.option("--by", "by_email", metavar="EMAIL",
                  help="The admin answering for this import, recorded as who made each change in "
                       "the audit trail; without it the audit rows name the CLI and the OS user.")
    @with_appcontext
    def run(file: Path, override_decisions: bool, by_email: str | None) -> None:
        from webapp.store.people import person_by_email

        actor = person_by_email(by_email) if by_email else None
        if by_email and (actor is None or actor.role != "admin"):
            raise click.ClickException(f"--by {by_email}: no admin with that email")
        if override_decisions and actor is None:
            raise click.ClickException("--override-decisions needs --by EMAIL (an admin), who is "
                                       "recorded as deciding each change")
        options = ImportOptions(override_decisions=override_decisions,
                                actor_id=actor.id if actor else None, via=_via(kind))
        try:
            result = import_csv(kind, file, options=options)
        except CsvImportError as exc:
            for line in exc.errors:
                click.echo(line, err=True)
            raise click.exceptions.Exit(1) from None
        click.echo(f"{file.name}: {result.rows} rows, {result.created} created, "
                   f"{result.updated} updated, {result.unchanged} unchanged")

    return run


for _kind in KINDS:
    import_group.add_command(_command(_kind))
