"""Template filters that format money, fractions and dates the same way on every page."""

from __future__ import annotations

from decimal import Decimal

from flask import Flask


def money(value: Decimal | float | None) -> str:
    """Format an amount with thousands separators and two decimals; a dash for none."""
    if value is None:
        return "–"
    return f"{Decimal(value):,.2f}"


def points(fraction: float | None, signed: bool = True) -> str:
    """A fraction as percentage points with one decimal, e.g. -0.098 → "-9.8"; a dash for none.

    What rounds to zero reads "0.0", never "-0.0" or "+0.0": a sign there would claim a direction
    the number doesn't have.
    """
    if fraction is None:
        return "–"
    text = f"{fraction * 100:+.1f}" if signed else f"{fraction * 100:.1f}"
    return "0.0" if float(text) == 0 else text


def pct(fraction: float | None, signed: bool = True) -> str:
    """Format a fraction as a percentage, e.g. -0.098 → "-9.8%" (zero unsigned: see :func:`points`)."""
    return "–" if fraction is None else f"{points(fraction, signed)}%"


def init_app(app: Flask) -> None:
    app.add_template_filter(money, "money")
    app.add_template_filter(pct, "pct")
    app.add_template_filter(points, "points")
