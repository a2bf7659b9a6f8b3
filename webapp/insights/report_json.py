"""The leader report as the JSON object PRODUCT.md lists (``groundswell insights --json`` and the API)."""

from __future__ import annotations

import math
from decimal import Decimal

__all__ = ["report_as_dict"]


def _num(value):
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    value = float(value)
    return value if math.isfinite(value) else None


def _rollup_row(row) -> dict:
    return {"region": row.group, "people": row.people, "submitted": row.submitted,
            "proposed": _num(row.proposed), "approved": _num(row.approved), "top_down": _num(row.top_down),
            "gap": _num(row.gap)}


def _errors(errors: dict) -> dict:
    return {name: {"n": e.n, "total_actual": _num(e.total_actual), "total_forecast": _num(e.total_forecast),
                   "wape": _num(e.wape), "bias": _num(e.bias)} for name, e in errors.items()}


def report_as_dict(report) -> dict:
    """Turn a LeaderReport into the JSON object PRODUCT.md lists."""
    themes = []
    if report.insights is not None:
        for t in report.insights.themes:
            themes.append({
                "id": t.theme_id, "label": t.label, "terms": list(t.terms), "size": t.size,
                "share": t.share, "sentiment": _num(t.sentiment), "trend": t.trend,
                "shares": [{"period": p, "share": s} for p, s in t.shares],
                "n_reps": t.n_reps, "members": list(t.members),
                "target_link": t.link.link.as_dict() if t.link.link is not None else None,
                "target_link_text": t.sentence,
            })
    accuracy = None
    if report.accuracy is not None:
        accuracy = {"overall": _errors(report.accuracy.overall),
                    "by_region": {r: _errors(e) for r, e in report.accuracy.by_region.items()}}
    return {
        "period": report.period,
        "region": report.region,
        "analysis_run": None if report.run is None else {
            "id": report.run.id, "created_at": report.run.created_at.isoformat(), "n_texts": report.run.n_texts},
        "n_observations": report.insights.n_observations if report.insights else 0,
        "n_reps_with_change": report.insights.n_reps_with_change if report.insights else 0,
        "themes": themes,
        "rollup": {"by_region": [_rollup_row(r) for r in report.rollup],
                   "total": _rollup_row(report.rollup_total)},
        "forecast_accuracy": accuracy,
    }
