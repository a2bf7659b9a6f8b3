"""Plotly figure builders for the leader report and the HR dashboard: free functions, plain data in.

Every builder takes plain numbers (already suppressed by the caller where they are engagement
results) and returns a ``plotly.graph_objects.Figure``; pages embed ``fig.to_json()`` in a
``<script type="application/json">`` block that ``static/charts.js`` draws. A suppressed value is
passed as ``None`` and drawn as a gap, never as zero.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go

__all__ = [
    "engagement_trend",
    "forest_plot",
    "fva_bars",
    "theme_share_sparkline",
    "theme_share_trend",
    "verdict_forest_plot",
]

_FONT = {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 12}


def _plain(text: str) -> str:
    """Escape user text so plotly shows it literally (plotly reads a few HTML tags in labels)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_GRID = {"gridcolor": "#e5e5e5", "zerolinecolor": "#bbb"}


def _layout(*, height: int, title: str | None = None, **extra) -> dict:
    """Layout as one dict: plotly validates each update call, so one call keeps pages fast."""
    layout = {"height": height, "margin": {"l": 10, "r": 10, "t": 40 if title else 10, "b": 10}, "font": _FONT,
              "plot_bgcolor": "white", "paper_bgcolor": "white", "xaxis": dict(_GRID), "yaxis": dict(_GRID)}
    if title:
        layout["title"] = {"text": _plain(title)}
    for key, value in extra.items():
        if key in ("xaxis", "yaxis"):
            layout[key].update(value)
        else:
            layout[key] = value
    return layout


def theme_share_sparkline(shares: Sequence[tuple[str, float]]) -> go.Figure:
    """Draw one theme's share of observations across periods as a small line with no axes.

    Parameters
    ----------
    shares : sequence of (period, share)
        Oldest first; shares are fractions 0..1.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    periods = [p for p, _ in shares]
    values = [100.0 * s for _, s in shares]
    return go.Figure(
        go.Scatter(x=periods, y=values, mode="lines+markers", line={"width": 2}, marker={"size": 4},
                   hovertemplate="%{x}: %{y:.1f}%<extra></extra>"),
        _layout(height=60, width=160, showlegend=False, xaxis={"visible": False},
                yaxis={"visible": False, "rangemode": "tozero"}))


def theme_share_trend(series: Mapping[str, Sequence[tuple[str, float]]], *, title: str | None = None) -> go.Figure:
    """Draw several themes' shares across periods, one line per theme.

    Parameters
    ----------
    series : mapping of label to sequence of (period, share)
        Shares are fractions 0..1, oldest period first.
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure
    """
    traces = [
        go.Scatter(x=[p for p, _ in shares], y=[100.0 * s for _, s in shares], name=_plain(label),
                   mode="lines+markers", hovertemplate="%{x}: %{y:.1f}%<extra>%{fullData.name}</extra>")
        for label, shares in series.items()
    ]
    return go.Figure(traces, _layout(height=320, title=title,
                                     yaxis={"title": {"text": "share of observations (%)"}, "rangemode": "tozero"}))


def forest_plot(rows: Sequence[tuple[str, float, float, float]], *, title: str | None = None) -> go.Figure:
    """Draw theme-to-change differences with their 95% intervals (a forest plot).

    Parameters
    ----------
    rows : sequence of (label, diff, ci_low, ci_high)
        Differences of mean change % (fractions) between reps reporting a theme and the others.
        Rows without a finding (too few reps) should be left out by the caller.
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure
        Points at ``diff`` in percentage points with asymmetric error bars, a zero line.
    """
    labels = [_plain(r[0]) for r in rows]
    diff = [100.0 * r[1] for r in rows]
    plus = [100.0 * (r[3] - r[1]) for r in rows]
    minus = [100.0 * (r[1] - r[2]) for r in rows]
    zero = {"type": "line", "xref": "x", "yref": "paper", "x0": 0, "x1": 0, "y0": 0, "y1": 1,
            "line": {"color": "#888", "dash": "dash"}}
    return go.Figure(
        go.Scatter(x=diff, y=labels, mode="markers", marker={"size": 9},
                   error_x={"type": "data", "symmetric": False, "array": plus, "arrayminus": minus,
                            "thickness": 1.5},
                   hovertemplate="%{y}: %{x:+.1f} points<extra></extra>"),
        _layout(height=max(160, 60 + 28 * len(rows)), title=title, shapes=[zero],
                xaxis={"title": {"text": "difference in mean target change (percentage points, 95% CI)"},
                       "zeroline": False},
                yaxis={"autorange": "reversed", "automargin": True}))


def engagement_trend(periods: Sequence[str], percent: Mapping[str, Sequence[tuple[str, float | None]]],
                     enps: Mapping[str, Sequence[tuple[str, float | None]]], *,
                     title: str | None = None) -> go.Figure:
    """Draw engagement across campaigns: percentages on one axis, eNPS points on its own axis below.

    Parameters
    ----------
    periods : sequence of str
        Every period shown, oldest first (the shared x axis, so surveys run in different periods
        line up in time).
    percent : mapping of series name to (period, value) pairs
        Series in % (0..100), e.g. one engagement-index series per survey and participation;
        ``None`` where the value is suppressed (drawn as a gap).
    enps : mapping of series name to (period, value) pairs
        eNPS series in points (-100..100), one per survey.
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure
        Two stacked panels sharing the period axis; each survey is its own series.
    """
    traces = []
    for name, points in percent.items():
        traces.append(go.Scatter(x=[p for p, _ in points], y=[v for _, v in points], name=_plain(name),
                                 mode="lines+markers", connectgaps=False, xaxis="x", yaxis="y",
                                 hovertemplate="%{x}: %{y:.1f}%<extra>" + _plain(name) + "</extra>"))
    for name, points in enps.items():
        traces.append(go.Scatter(x=[p for p, _ in points], y=[v for _, v in points], name=_plain(name),
                                 mode="lines+markers", connectgaps=False, xaxis="x2", yaxis="y2",
                                 line={"dash": "dash"},
                                 hovertemplate="%{x}: %{y:+.0f} points<extra>" + _plain(name) + "</extra>"))
    order = {"categoryorder": "array", "categoryarray": [_plain(p) for p in periods], "type": "category"}
    layout = _layout(height=460, title=title, legend={"orientation": "h", "y": -0.12},
                     xaxis={**order, "anchor": "y", "showticklabels": False},
                     yaxis={"title": {"text": "% (index, participation)"}, "range": [0, 100], "domain": [0.45, 1]})
    layout["xaxis2"] = {**_GRID, **order, "anchor": "y2", "matches": "x"}
    layout["yaxis2"] = {**_GRID, "title": {"text": "eNPS (points)"}, "range": [-100, 100], "domain": [0, 0.38],
                        "zeroline": True}
    return go.Figure(traces, layout)

VERDICT_STYLE = {  # marker per verdict of analysis.linkage.VERDICTS: findings filled and dark
    "clear": {"color": "#0b5394", "symbol": "circle", "size": 11},
    "suggestive": {"color": "#c27c0e", "symbol": "circle-open", "size": 10},
    "no sign": {"color": "#888888", "symbol": "circle-open", "size": 9},
}
VERDICT_NAMES = {"clear": "finding (clear)", "suggestive": "suggestive only", "no sign": "no sign"}


def verdict_forest_plot(rows: Sequence[tuple[str, float, float, float, str]], *, level_text: str = "adjusted",
                        title: str | None = None) -> go.Figure:
    """Draw each theme's difference with the interval its verdict is decided on, findings marked.

    Parameters
    ----------
    rows : sequence of (label, shift, low, high, verdict)
        The typical difference in change % (the Hodges-Lehmann shift, fractions: the estimate the
        interval is built around, so the dot always lies inside its bar) with the FCR-adjusted
        interval and the verdict (one of "clear", "suggestive", "no sign"); a "clear" row's
        interval excludes zero.
    level_text : str, default "adjusted"
        How the axis names the interval (e.g. "98.75% adjusted").
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure
        One trace per verdict (so the legend names them); a dashed zero line.
    """
    labels = [_plain(r[0]) for r in rows]
    traces = []
    for verdict, style in VERDICT_STYLE.items():
        idx = [i for i, r in enumerate(rows) if r[4] == verdict]
        if not idx:
            continue
        traces.append(go.Scatter(
            x=[100.0 * rows[i][1] for i in idx], y=[labels[i] for i in idx], mode="markers",
            name=VERDICT_NAMES[verdict],
            marker={"size": style["size"], "color": style["color"], "symbol": style["symbol"],
                    "line": {"width": 2, "color": style["color"]}},
            error_x={"type": "data", "symmetric": False, "color": style["color"], "thickness": 2 if verdict == "clear" else 1.2,
                     "array": [100.0 * (rows[i][3] - rows[i][1]) for i in idx],
                     "arrayminus": [100.0 * (rows[i][1] - rows[i][2]) for i in idx]},
            hovertemplate="%{y}: %{x:+.1f} points<extra>" + VERDICT_NAMES[verdict] + "</extra>"))
    zero = {"type": "line", "xref": "x", "yref": "paper", "x0": 0, "x1": 0, "y0": 0, "y1": 1,
            "line": {"color": "#555", "dash": "dash"}}
    return go.Figure(traces, _layout(
        height=max(200, 90 + 26 * len(rows)), title=title, shapes=[zero],
        # above the plot: below it, a legend placed in paper units lands on the x-axis title at some heights
        legend={"orientation": "h", "x": 0, "y": 1, "yanchor": "bottom"},
        xaxis={"title": {"text": f"typical difference in proposed change (points, {_plain(level_text)} interval)"},
               "zeroline": False},
        yaxis={"autorange": "reversed", "automargin": True, "categoryorder": "array", "categoryarray": labels}))


def fva_bars(rows: Sequence[tuple[str, float | None, float | None, float | None]], *,
             title: str | None = None) -> go.Figure:
    """Draw forecast value added per approval layer or manager as horizontal bars.

    Parameters
    ----------
    rows : sequence of (name, fva, ci_low, ci_high)
        FVA as a fraction (WAPE before - WAPE after; positive = the layer made the forecast better),
        with an optional interval (None: not drawn). Rows with ``fva`` None are left out.
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure
        Green bars for value added, red for value lost, in percentage points.
    """
    rows = [r for r in rows if r[1] is not None]
    names = [_plain(r[0]) for r in rows]
    values = [100.0 * r[1] for r in rows]
    has_ci = [r[2] is not None and r[3] is not None for r in rows]
    error = None
    if any(has_ci):
        error = {"type": "data", "symmetric": False, "color": "#333", "thickness": 1.2,
                 "array": [100.0 * (r[3] - r[1]) if ok else 0 for r, ok in zip(rows, has_ci)],
                 "arrayminus": [100.0 * (r[1] - r[2]) if ok else 0 for r, ok in zip(rows, has_ci)]}
    return go.Figure(
        go.Bar(x=values, y=names, orientation="h", error_x=error,
               marker={"color": ["#2e7d32" if v >= 0 else "#c62828" for v in values]},
               hovertemplate="%{y}: %{x:+.1f} points<extra></extra>"),
        _layout(height=max(160, 70 + 26 * len(rows)), title=title,
                xaxis={"title": {"text": "value added (points of WAPE; right = more accurate)"}},
                yaxis={"autorange": "reversed", "automargin": True}))
