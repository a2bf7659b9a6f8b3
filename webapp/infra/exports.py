"""CSV exports and chart embedding shared by the leader report and the HR dashboard.

Every CSV cell goes through `neutralise` (CSV-1): text starting with ``= + - @``, a tab or a
carriage return gets a leading apostrophe so spreadsheets do not run it as a formula. Numbers are
written as numbers (a negative change is data, not a formula).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from flask import Response
from markupsafe import Markup

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SUPPRESSED = "not enough responses"  # a hidden value whose reason the caller doesn't know


class Hidden(str):
    """A table cell that is hidden, carrying why (e.g. "fewer than 5 responses"); CSV writes the text."""

    hidden = True


@dataclass(frozen=True)
class Table:
    """A table as the page shows it and the CSV exports it: header and rows of plain cells."""

    name: str
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple, ...]
    caption: str = ""


def neutralise(value) -> str | int | float:
    """Return a CSV-safe cell: text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float, Decimal)):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    """Write a header and rows as CSV text, every cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise(c) for c in row])
    return out.getvalue()


def _filename(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "export"


def csv_response(table: Table, stem: str) -> Response:
    """Send one table as a CSV download."""
    body = "\ufeff" + csv_text(table.header, table.rows)  # BOM: spreadsheets then read UTF-8
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{_filename(stem)}-{_filename(table.name)}.csv"'})


def chart_json(fig) -> Markup:
    """Serialise a figure for a ``<script type="application/json">`` block (no way out of the block)."""
    import plotly.io as pio

    text = pio.to_json(fig, validate=False)
    # bandit B704 is answered: JSON with <, > and & escaped cannot leave its JSON script block.
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))  # nosec B704
