"""`groundswell import KIND FILE.csv` (people, targets, observations, actuals): thin commands."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from webapp.store.imports import KINDS, CsvImportError, import_csv

_HELP = {
    "people": "Import people and reporting lines (email,name,role,manager_email,region,territory,"
              "department,hire_date).",
    "targets": "Import plans and top-down targets (email,period,proposed,approved,top_down).",
    "observations": "Import customer observations (id,email,period,text,tag).",
    "actuals": "Import actual results (email,period,actual).",
}


@click.group("import")
def import_group() -> None:
    """Import a CSV file; all rows or none, and importing the same file twice changes nothing."""


def _command(kind: str) -> click.Command:
    @click.command(kind, help=_HELP[kind])
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @with_appcontext
    def run(file: Path) -> None:
        try:
            result = import_csv(kind, file)
        except CsvImportError as exc:
            for line in exc.errors:
                click.echo(line, err=True)
            raise click.exceptions.Exit(1) from None
        click.echo(f"{file.name}: {result.rows} rows, {result.created} created, "
                   f"{result.updated} updated, {result.unchanged} unchanged")

    return run


for _kind in KINDS:
    import_group.add_command(_command(_kind))
