"""The leader report as the JSON object PRODUCT.md lists (``groundswell insights --json`` and the API)."""

from __future__ import annotations

import math
from decimal import Decimal

from webapp.insights.report import SCALE_EXPLANATION, SENTIMENT_RULE

__all__ = ["report_as_dict", "sentiment_fields"]


def _num(value):
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    value = float(value)
    return value if math.isfinite(value) else None


def _rollup_row(row) -> dict:
    """One roll-up row over one base: every amount is of the submitters; `approved` null when undecided."""
    return {"region": row.group, "people": row.people, "submitted": row.submitted,
            "proposed": _num(row.proposed), "approved": _num(row.approved), "top_down": _num(row.top_down),
            "gap": _num(row.gap), "invited": row.base, "coverage": _num(row.coverage), "decided": row.decided,
            "undecided": row.undecided, "proposed_decided": _num(row.proposed_decided),
            "top_down_all": _num(row.top_down_all)}


def _fva(f) -> dict:
    return {"layer": f.layer, "level": f.level, "n": f.n, "n_adjusted": f.n_adjusted,
            "wape_in": _num(f.wape_in), "wape_out": _num(f.wape_out), "bias_in": _num(f.bias_in),
            "bias_out": _num(f.bias_out), "fva": _num(f.fva), "fva_ci_low": _num(f.fva_ci_low),
            "fva_ci_high": _num(f.fva_ci_high), "n_closer": f.n_closer, "n_further": f.n_further}


def _fva_report(rep, names: dict) -> dict | None:
    if rep is None:
        return None
    return {"period": rep.period, "total": _fva(rep.total), "layers": [_fva(f) for f in rep.layers],
            "by_manager": [{"manager_id": m, "manager": names.get(m), **_fva(f)}
                           for (_level, m), f in sorted(rep.by_manager.items(), key=lambda kv: str(kv[0]))],
            "n_undecided": rep.n_undecided}


def _joint(t) -> dict | None:
    j = t.joint
    if j is None:
        return None
    e = j.estimate
    return {"estimate": None if e is None else {k: _num(getattr(e, k)) for k in (
                "coef", "se", "ci_low", "ci_high", "p", "q", "adj_ci_low", "adj_ci_high", "adj_level")},
            "finding": j.finding, "reason": j.reason, "one_at_a_time": j.one_at_a_time, "disagrees": j.disagrees,
            "text": t.joint_sentence}


def _verdict(t) -> dict:
    link = t.link.link
    if link is None:
        return {"verdict": t.link.verdict, "finding": False}
    return {**{k: (_num(v) if isinstance(v, float) else v) for k, v in link.verdict_dict().items()},
            "verdict": t.link.verdict}


def sentiment_fields(s) -> dict:
    """A theme's sentiment summary: shown or not, and why (`sentiment_band` null when not shown).

    The same keys wherever a theme's sentiment is in JSON (leader report themes, HR comment themes).
    """
    if s is None:
        return {"sentiment_shown": False, "sentiment_band": None,
                "sentiment_reason": "no text of this theme has a sentiment score",
                "sentiment_ci_low": None, "sentiment_ci_high": None, "sentiment_n": 0}
    return {"sentiment_shown": s.shown, "sentiment_band": s.band if s.shown else None, "sentiment_reason": s.reason,
            "sentiment_ci_low": _num(s.low), "sentiment_ci_high": _num(s.high), "sentiment_n": s.n}


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
                "verdict": _verdict(t),
                "joint": _joint(t),
                # Added by issue 16 (the keys above are unchanged): whether `sentiment` is sure enough to show
                **sentiment_fields(report.theme_sentiment(t.theme_id)),
                "mentions": list(report.mentions.get(t.theme_id, ())),
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
        # Added by issue 17 (PRODUCT.md's keys above are unchanged):
        "headline": [dict(h, anchor=report.anchor(h["evidence"])) for h in report.headline],
        "theme_version": None if report.theme_version is None else {
            "number": report.theme_version.number, "created_at": report.theme_version.created_at.isoformat(),
            "action": report.theme_version.action, "summary": report.theme_version.summary},
        "legend": report.insights.legend if report.insights else None,
        # Added by issue 16:
        "sentiment_scale": SCALE_EXPLANATION,
        "sentiment_rule": SENTIMENT_RULE,
        "joint_model": _joint_model(report.insights.joint if report.insights else None),
        "fva": None if report.fva is None else {
            "sentence": report.fva_sentence, **_fva_report(report.fva, report.manager_names),
            "pooled": _fva_report(report.fva_pooled, report.manager_names)},
    }


def _joint_model(j) -> dict | None:
    if j is None:
        return None
    return {"n_reps": j.n_reps, "n_terms": j.n_terms, "cov_type": j.cov_type, "r_squared": _num(j.r_squared),
            "n_tested": j.n_tested, "n_findings": j.n_findings, "adj_level": _num(j.adj_level), "reason": j.reason,
            "notes": list(j.notes), "disagreements": list(j.disagreements)}
