"""The leader report as tables and charts, built from one `webapp.insights.report.LeaderReport`.

The page, the CSV exports and the standalone HTML report all use these, so they agree.
"""

from __future__ import annotations

from analysis import charts
from webapp.infra.exports import Table

TREND_THEMES = 6  # the largest themes drawn in the share trend chart
NAMES = {"proposed": "Bottom-up proposed", "approved": "Manager approved", "top_down": "Top-down"}


def _r(value, digits: int = 4):
    return None if value is None else round(float(value), digits)


def tables(report, actions: dict | None = None) -> dict[str, Table]:
    """Build the report's tables (themes, roll-up, forecast accuracy), in page order."""
    actions = actions or {}
    out: dict[str, Table] = {}
    if report.insights is not None:
        rows = []
        for t in report.insights.themes:
            link = t.link.link
            rows.append((
                t.theme_id, t.label, ", ".join(t.terms), t.size, _r(t.share), _r(t.sentiment, 3), t.trend,
                t.link.n_with, t.link.n_without,
                *((None,) * 5 if link is None else (_r(link.diff), _r(link.ci_low), _r(link.ci_high), _r(link.p),
                                                    _r(link.q))),
                t.sentence,
                "; ".join(f"{a.title} ({a.owner}, due {a.due_on.isoformat()}, {a.status})"
                          for a in actions.get(t.theme_id, ())),
            ))
        out["themes"] = Table(
            "themes", "Themes",
            ("Theme id", "Theme", "Key terms", "Observations", "Share", "Sentiment", "Trend", "Reps with",
             "Reps without", "Difference in mean change", "CI low", "CI high", "p", "q", "Finding", "Actions"),
            tuple(rows), "Share, changes and intervals are fractions (-0.12 is -12%).")
    rows = [(r.group, r.people, r.submitted, r.proposed, r.approved, r.top_down, r.gap)
            for r in (*report.rollup, report.rollup_total)]
    out["rollup"] = Table("rollup", "Bottom-up vs top-down by region",
                          ("Region", "People", "Submitted", "Proposed", "Approved", "Top-down", "Proposed − top-down"),
                          tuple(rows))
    if report.accuracy is not None:
        rows = [(report.region or "Organisation", NAMES[n], e.n, _r(e.wape), _r(e.bias))
                for n, e in report.accuracy.overall.items()]
        if not report.region:
            rows += [(region, NAMES[n], e.n, _r(e.wape), _r(e.bias))
                     for region, errors in report.accuracy.by_region.items() for n, e in errors.items()]
        out["accuracy"] = Table("accuracy", "Forecast accuracy", ("Scope", "Forecast", "Reps", "WAPE", "Bias"),
                                tuple(rows), "WAPE and bias as fractions.")
    return out


def figures(report) -> dict[str, object]:
    """Build the report's charts: the forest plot of theme links and the theme share trend."""
    out = {}
    if report.insights is None or not report.insights.themes:
        return out
    found = [(t.label, t.link.link.diff, t.link.link.ci_low, t.link.link.ci_high)
             for t in report.insights.themes if t.link.link is not None]
    if found:
        out["forest"] = charts.forest_plot(sorted(found, key=lambda r: r[1]))
    top = report.insights.themes[:TREND_THEMES]
    out["trend"] = charts.theme_share_trend({t.label: t.shares for t in top})
    return out
