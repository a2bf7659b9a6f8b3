"""Template filters that format money, fractions and dates the same way on every page."""

from __future__ import annotations

from decimal import Decimal

from flask import Flask


def money(value: Decimal | float | None) -> str:
    """Format an amount with thousands separators and two decimals; a dash for none."""
    if value is None:
        return "–"
    return f"{Decimal(value):,.2f}"


def pct(fraction: float | None, signed: bool = True) -> str:
    """Format a fraction as a percentage, e.g. -0.098 → "-9.8%"."""
    if fraction is None:
        return "–"
    return f"{fraction * 100:+.1f}%" if signed else f"{fraction * 100:.1f}%"


def init_app(app: Flask) -> None:
    app.add_template_filter(money, "money")
    app.add_template_filter(pct, "pct")
