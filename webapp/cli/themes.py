"""The ``groundswell themes`` command: find named themes in any CSV of texts, no database.

``groundswell themes INPUT.csv --text-column C [--id-column C] [--themes auto|N] --out OUT.csv
[--summary OUT.json]`` writes OUT.csv with columns ``id,theme_id,theme_label``, one row per input
row in input order. ``id`` is the id column's value, or the 1-based data row number without
``--id-column``. A row whose text has no letters or digits gets ``theme_id`` -1 and
``theme_label`` ``(no text)``. ``--summary`` writes a JSON list of themes, largest first:
``{theme_id, label, terms, size, examples}``. Theme ids are integers from 0, largest theme first.

Errors (missing column, empty file, not UTF-8, unreadable path, too few texts) are one line on
stderr with a non-zero exit status.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path

import click

__all__ = ["NO_TEXT_LABEL", "themes_command"]

NO_TEXT_LABEL = "(no text)"
_PROGRESS_MIN_ROWS = 2000


class ThemeCount(click.ParamType):
    """``auto`` or a positive whole number."""

    name = "auto|N"

    def convert(self, value, param, ctx):
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            text = str(value).strip().lower()
            if text == "auto":
                return "auto"
            try:
                number = int(text)
            except ValueError:
                self.fail(f"{value!r} is neither 'auto' nor a whole number", param, ctx)
        if number < 1:
            self.fail(f"{value!r} must be 'auto' or a number of at least 1", param, ctx)
        return number


def _read_csv(path: str) -> tuple[list[str], list[dict[str, str]]]:
    """Read a UTF-8 CSV with a header row; raise ClickException with a one-line reason."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise click.ClickException(f"cannot read {path}: no such file") from None
    except IsADirectoryError:
        raise click.ClickException(f"cannot read {path}: it is a directory") from None
    except OSError as exc:
        raise click.ClickException(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise click.ClickException(
            f"{path} is not UTF-8 text (invalid byte at line {line}); save it as UTF-8 and retry"
        ) from None
    if not text.strip():
        raise click.ClickException(f"{path} is empty")
    reader = csv.DictReader(text.splitlines(keepends=True))
    try:
        header = [h for h in (reader.fieldnames or []) if h is not None]
        rows = list(reader)
    except csv.Error as exc:
        raise click.ClickException(f"{path} is not a valid CSV file (line {reader.line_num}): {exc}") from None
    if not rows:
        raise click.ClickException(f"{path} has a header row but no data rows")
    return header, rows


def _require_column(path: str, header: list[str], column: str, option: str) -> None:
    if column not in header:
        available = ", ".join(repr(h) for h in header) or "(none)"
        raise click.ClickException(
            f"column {column!r} ({option}) not found in {path}; available columns: {available}"
        )


class _Progress:
    """tqdm bars on stderr, one per stage, fed by ThemeModel's progress callback."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bars: dict = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        bar = self.bars.get(stage)
        if bar is None:
            bar = self.bars[stage] = tqdm(total=total, desc=stage, file=sys.stderr, leave=True)
        bar.total = total
        bar.update(done - bar.n)

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


@click.command("themes")
@click.argument("input_csv", metavar="INPUT.csv")
@click.option("--text-column", required=True, help="Column holding the texts.")
@click.option("--id-column", default=None, help="Column holding row ids (default: 1-based row number).")
@click.option("--themes", "n_themes", type=ThemeCount(), default="auto", show_default=True,
              help="Number of themes, or 'auto' to choose it.")
@click.option("--out", "out_path", required=True, help="Output CSV: id,theme_id,theme_label.")
@click.option("--summary", "summary_path", default=None, help="Output JSON list of themes.")
def themes_command(input_csv, text_column, id_column, n_themes, out_path, summary_path):
    """Group the texts of INPUT.csv into named themes and write each row's theme to --out."""
    header, rows = _read_csv(input_csv)
    _require_column(input_csv, header, text_column, "--text-column")
    if id_column is not None:
        _require_column(input_csv, header, id_column, "--id-column")

    texts = [row.get(text_column) or "" for row in rows]
    ids = [row.get(id_column) or "" for row in rows] if id_column else [str(i) for i in range(1, len(rows) + 1)]

    from analysis.embedding import TransformerUnavailableError, choose_embedder, embedder_name
    from analysis.themes import ThemeModel, TooFewTextsError
    from webapp.config import ConfigError, embedder_from

    try:
        embedder = choose_embedder(embedder_from(os.environ.get("GROUNDSWELL_EMBEDDER")),
                                   len({t.strip() for t in texts} - {""}))
    except (ConfigError, TransformerUnavailableError) as exc:
        raise click.ClickException(str(exc)) from None
    progress = _Progress(enabled=len(rows) >= _PROGRESS_MIN_ROWS)
    model = ThemeModel(n_themes, embedder=embedder, random_state=0, progress=progress)
    try:
        model.fit(texts)
    except TooFewTextsError as exc:
        raise click.ClickException(f"{exc} in column {text_column!r} of {input_csv}") from None
    finally:
        progress.close()

    label_of = {t.theme_id: t.label for t in model.themes_}
    try:
        with open(out_path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["id", "theme_id", "theme_label"])
            for row_id, theme_id in zip(ids, model.labels_.tolist()):
                writer.writerow([row_id, theme_id, label_of.get(theme_id, NO_TEXT_LABEL)])
        if summary_path:
            with open(summary_path, "w", encoding="utf-8") as fh:
                json.dump([t.to_dict() for t in model.themes_], fh, ensure_ascii=False, indent=2)
                fh.write("\n")
    except OSError as exc:
        raise click.ClickException(f"cannot write {exc.filename or out_path}: {exc.strerror or exc}") from None
    click.echo(
        f"{len(model.themes_)} themes over {len(rows)} rows written to {out_path} "
        f"(text representation: {embedder_name(model.embedder_)})", err=True
    )


if __name__ == "__main__":  # pragma: no cover - lets benchmarks run the command directly
    themes_command()
