"""The leader report as tables and charts, built from one `webapp.insights.report.LeaderReport`.

The page, the CSV exports and the standalone HTML report all use these, so they agree.
"""

from __future__ import annotations

from analysis import charts
from analysis.linkage import format_level
from webapp.infra.exports import Table
from webapp.insights.report import SCALE_EXPLANATION, SENTIMENT_RULE
from webapp.store.rollup import BASE_RULE as ROLLUP_BASE

TREND_THEMES = 6  # the largest themes drawn in the share trend chart
FVA_CAPTION = ("Value added = forecast error (WAPE) of what a layer received − error of what it passed on; "
               "positive: the layer made the forecast more accurate. The reps' layer compares their proposals "
               "with last period's target.")
NAMES = {"proposed": "Bottom-up proposed", "approved": "Manager approved", "top_down": "Top-down"}


def _r(value, digits: int = 4):
    return None if value is None else round(float(value), digits)


def sentiment_cells(s) -> tuple:
    """Whether the theme's sentiment is shown, its band when it is, and why not when it is not (CSV cells)."""
    if s is None:
        return "unclear", "", "no text of this theme has a sentiment score"
    return ("yes", s.band, "") if s.shown else ("unclear", "", s.reason)


def tables(report, actions: dict | None = None) -> dict[str, Table]:
    """Build the report's tables (themes, roll-up, forecast accuracy), in page order."""
    actions = actions or {}
    out: dict[str, Table] = {}
    if report.insights is not None:
        rows = []
        for t in report.insights.themes:
            link = t.link.link
            joint = t.joint.estimate if t.joint is not None else None
            rows.append((
                t.theme_id, t.label, ", ".join(t.terms), t.size, _r(t.share), _r(t.sentiment, 3), t.trend,
                t.link.n_with, t.link.n_without,
                *((None,) * 5 if link is None else (_r(link.diff), _r(link.ci_low), _r(link.ci_high), _r(link.p),
                                                    _r(link.q))),
                t.link.verdict,
                *((None,) * 3 if link is None or link.adj_level is None else (
                    _r(link.adj_level, 6), _r(link.adj_ci_low), _r(link.adj_ci_high))),
                *((None,) * 4 if joint is None else (_r(joint.coef), _r(joint.adj_ci_low), _r(joint.adj_ci_high),
                                                     "clear" if joint.finding else "no clear difference")),
                "yes" if t.joint is not None and t.joint.disagrees else "",
                t.sentence,
                "; ".join(f"{a.title} ({a.owner}, due {a.due_on.isoformat()}, {a.status})"
                          for a in actions.get(t.theme_id, ())),
                *sentiment_cells(report.theme_sentiment(t.theme_id)),
                ", ".join(report.mentions.get(t.theme_id, ())),
            ))
        out["themes"] = Table(
            "themes", "Themes",
            ("Theme id", "Theme", "Key terms", "Observations", "Share", "Sentiment", "Trend", "Reps with",
             "Reps without", "Difference in mean change", "CI low", "CI high", "p", "q", "Verdict",
             "Adjusted level", "Adjusted CI low", "Adjusted CI high", "Joint difference", "Joint adjusted CI low",
             "Joint adjusted CI high", "Joint verdict", "Joint and one-at-a-time disagree", "In words", "Actions",
             # added by issue 16, after the columns above (which keep their order)
             "Sentiment shown", "Sentiment band", "Sentiment note", "Mentions"),
            tuple(rows), "Share, changes and intervals are fractions (-0.12 is -12%). " + report.insights.legend
            + " " + SCALE_EXPLANATION + " " + SENTIMENT_RULE)
    rows = [(r.group, r.base, r.submitted, _r(r.coverage), r.proposed,
             "undecided" if r.approved is None else r.approved, r.decided, r.undecided, r.top_down, r.gap,
             r.top_down_all)
            for r in (*report.rollup, report.rollup_total)]
    out["rollup"] = Table("rollup", "Bottom-up vs top-down by region",
                          ("Region", "Invited", "Submitted", "Coverage", "Proposed", "Approved (decided plans)",
                           "Decided", "Undecided", "Top-down", "Proposed − top-down", "Top-down of everyone invited"),
                          tuple(rows), ROLLUP_BASE)
    if report.accuracy is not None:
        rows = [(report.region or "Organisation", NAMES[n], e.n, _r(e.wape), _r(e.bias))
                for n, e in report.accuracy.overall.items()]
        if not report.region:
            rows += [(region, NAMES[n], e.n, _r(e.wape), _r(e.bias))
                     for region, errors in report.accuracy.by_region.items() for n, e in errors.items()]
        out["accuracy"] = Table("accuracy", "Forecast accuracy", ("Scope", "Forecast", "Reps", "WAPE", "Bias"),
                                tuple(rows), "WAPE and bias as fractions.")
    if report.fva is not None:
        rows = [(name, f.n, f.n_adjusted, _r(f.wape_in), _r(f.wape_out), _r(f.fva), _r(f.fva_ci_low),
                 _r(f.fva_ci_high), _r(f.bias_in), _r(f.bias_out)) for name, f in report.fva_rows()]
        out["fva"] = Table("fva", "Forecast value added by approval layer and manager",
                           ("Layer or manager", "Plans", "Adjusted", "WAPE before", "WAPE after", "Value added",
                            "CI low", "CI high", "Bias before", "Bias after"), tuple(rows),
                           FVA_CAPTION)
    return out


def figures(report) -> dict[str, object]:
    """Build the report's charts: value added, the forest plot of theme links and the theme share trend."""
    out = {}
    fva = fva_figure(report)
    if fva is not None:
        out["fva"] = fva
    if report.insights is None or not report.insights.themes:
        return out
    linked = [t for t in report.insights.themes if t.link.link is not None and t.link.link.adj_level is not None]
    if linked:
        level = linked[0].link.link.adj_level
        # The dot is the typical (Hodges-Lehmann) difference the interval is built around, as the
        # sentences quote it; the mean difference stays in the themes table.
        rows = [(t.label, t.link.link.diff if t.link.link.shift is None else t.link.link.shift,
                 t.link.link.adj_ci_low, t.link.link.adj_ci_high, t.link.verdict) for t in linked]
        out["forest"] = charts.verdict_forest_plot(sorted(rows, key=lambda r: r[1]),
                                                   level_text=f"{format_level(level)} adjusted")
    top = report.insights.themes[:TREND_THEMES]
    out["trend"] = charts.theme_share_trend({t.label: t.shares for t in top})
    return out


def fva_figure(report):
    """The value-added chart: each approval layer, then each manager (None without actuals)."""
    rows = [(name, f.fva, f.fva_ci_low, f.fva_ci_high) for name, f in report.fva_rows()]
    return charts.fva_bars(rows) if any(r[1] is not None for r in rows) else None
