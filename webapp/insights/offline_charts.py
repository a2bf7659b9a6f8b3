"""The offline report's charts as inline SVG, drawn on the server from the numbers the report already has.

Why not plotly here: the offline report is the file a leader forwards and prints. Inlining plotly.js
made it 4.8 MB, needed a script to draw anything (blank when scripts are off, and in print previews
that run no script), and redrew itself when resized. Hand-built SVG costs a few kilobytes per chart,
runs no script at all, prints exactly as it shows, and scales with its box (a ``viewBox`` and
``width: 100%``): each chart is laid out for a narrow column (labels above their bars, not beside
them) so its text stays readable on a 375 px phone. Every chart carries a ``<title>`` and a
``<desc>`` that state its numbers, and the report prints each chart's table beside it.

The live pages keep their interactive plotly charts (`webapp.insights.tables.figures`); these builders
are free functions, plain numbers in, ``markupsafe.Markup`` out, with every piece of text escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup, escape

from analysis.linkage import format_level

__all__ = ["bars", "forest", "report_charts", "sparkline"]

WIDTH = 380  # viewBox width: at 375 px (335 px of text column) a 13-unit label is still ~11.5 px
PAD = 6
INK, MUTED, RULE = "#1d2329", "#5f6b76", "#d9dee3"
VERDICT_STYLE = {  # verdict of analysis.linkage -> (colour, filled?, legend); findings filled and dark
    "clear": ("#0b5394", True, "finding"),
    "suggestive": ("#c27c0e", False, "suggestive only"),
    "no sign": ("#7a7a7a", False, "no sign"),
}
POSITIVE, NEGATIVE = "#2e7d32", "#c62828"
ABOVE, BELOW = "#0b5394", "#a0522d"  # roll-up: proposed above / below top-down (neither is good or bad)


def _f(x: float) -> str:
    """A coordinate with one decimal: enough for a chart, small in the file."""
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _signed(x: float, digits: int = 1, unit: str = "", *, sign: bool = True) -> str:
    """A signed number with a real minus sign and its unit, e.g. "−8.7 pts", "+0.4%"; zero unsigned."""
    text = f"{x:+.{digits}f}"
    if float(text) == 0 or not sign:
        text = text.lstrip("+")
        text = text.lstrip("-") if float(text) == 0 else text
    text = text.replace("-", "\u2212")
    return f"{text}{unit}" if unit in ("", "%") else f"{text} {unit}"


# Text over grid lines: a white outline drawn under each glyph keeps labels legible (and prints).
_HALO = 'paint-order="stroke" stroke="#fff" stroke-width="3" stroke-linejoin="round"'


def _label(text: str, limit: int) -> str:
    """Shorten a label to `limit` characters (the full text stays in the row's title and the table)."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _ticks(low: float, high: float, n: int = 5) -> list[float]:
    """Round tick values covering [low, high] (1, 2 or 5 times a power of ten apart)."""
    if high <= low:
        high = low + 1.0
    raw = (high - low) / max(n - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    ticks, value = [], first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


class _Scale:
    """Map values to x between the side paddings, over round ticks that include zero."""

    def __init__(self, values: Sequence[float], *, left: float = PAD, right: float = WIDTH - PAD):
        values = [v for v in values if v is not None] + [0.0]
        self.ticks = _ticks(min(values), max(values))
        self.lo, self.hi = self.ticks[0], self.ticks[-1]
        self.left, self.right = left, right

    def __call__(self, value: float) -> float:
        return self.left + (value - self.lo) / (self.hi - self.lo) * (self.right - self.left)


def _svg(key: str, height: float, title: str, desc: str, body: list[str]) -> Markup:
    head = (f'<svg class="svg-chart" viewBox="0 0 {WIDTH} {_f(height)}" width="100%" role="img" '
            f'aria-labelledby="{key}-t {key}-d" font-size="12" fill="{INK}">'
            f'<title id="{key}-t">{escape(title)}</title><desc id="{key}-d">{escape(desc)}</desc>')
    # bandit B704 is answered: every text in `head` and `body` goes through escape(); the rest is
    # numbers formatted here and keys the module chooses.
    return Markup(head + "".join(body) + "</svg>")  # nosec B704


def _axis(scale: _Scale, top: float, bottom: float, fmt) -> list[str]:
    """Grid lines from `top` to `bottom`, tick labels under them, a solid zero line."""
    out = []
    for t in scale.ticks:
        x = _f(scale(t))
        colour, width = ("#555", 1.2) if t == 0 else (RULE, 1)
        dash = ' stroke-dasharray="4 3"' if t == 0 else ""
        out.append(f'<line x1="{x}" x2="{x}" y1="{_f(top)}" y2="{_f(bottom)}" stroke="{colour}" '
                   f'stroke-width="{width}"{dash}/>')
        anchor = "start" if t == scale.lo else ("end" if t == scale.hi else "middle")  # stay inside the box
        out.append(f'<text x="{x}" y="{_f(bottom + 14)}" text-anchor="{anchor}" font-size="11" '
                   f'fill="{MUTED}">{escape(fmt(t))}</text>')
    return out


def _dot(x: float, y: float, colour: str, filled: bool, r: float = 5) -> str:
    fill = colour if filled else "#fff"
    return f'<circle cx="{_f(x)}" cy="{_f(y)}" r="{r}" fill="{fill}" stroke="{colour}" stroke-width="2"/>'


def forest(rows: Sequence[tuple[str, float, float, float, str]], *, key: str, title: str,
           interval_text: str) -> Markup:
    """Draw each theme's typical difference with the interval its verdict is decided on; findings filled.

    `rows` are (label, diff, low, high, verdict) with fractions (0.05 is 5 points) and a verdict of
    ``analysis.linkage`` ("clear", "suggestive" or "no sign"); drawn in the order given. An
    interval end may be infinite (a tiny group leaves it open): it runs to the edge with an arrow.
    `key` makes the chart's element ids unique in the document.
    """
    legend_h, row_h, label_limit = 22, 36, 42
    scale = _Scale([v for r in rows for v in (100 * r[1], 100 * r[2], 100 * r[3]) if math.isfinite(v)])

    def end(value: float) -> str:
        return _signed(100 * value) if math.isfinite(value) else "open"

    body, x = [], PAD
    for verdict, (colour, filled, name) in VERDICT_STYLE.items():
        if any(r[4] == verdict for r in rows):
            body.append(_dot(x + 5, 10, colour, filled, r=4.5))
            body.append(f'<text x="{_f(x + 14)}" y="14" font-size="11" fill="{MUTED}">{escape(name)}</text>')
            x += 22 + 6.2 * len(name)
    top = legend_h + 4
    bottom = top + row_h * len(rows)
    body += _axis(scale, top, bottom, lambda t: _signed(t, 0))
    desc = []
    for i, (label, diff, low, high, verdict) in enumerate(rows):
        colour, filled, name = VERDICT_STYLE.get(verdict, VERDICT_STYLE["no sign"])
        y = top + i * row_h
        body.append(f'<g><title>{escape(label)}: {_signed(100 * diff)} points, interval {end(low)} '
                    f'to {end(high)} ({escape(name)})</title>')
        weight = ' font-weight="600"' if verdict == "clear" else ""
        body.append(f'<text x="{PAD}" y="{_f(y + 13)}" font-size="13" {_HALO}{weight}>'
                    f'{escape(_label(label, label_limit))}</text><text x="{WIDTH - PAD}" y="{_f(y + 13)}" '
                    f'font-size="12" text-anchor="end" fill="{colour}" {_HALO}{weight}>{_signed(100 * diff, unit="pts")}'
                    f'</text>')
        ly = y + 25
        x_low = scale(100 * low) if math.isfinite(low) else scale.left
        x_high = scale(100 * high) if math.isfinite(high) else scale.right
        body.append(f'<line x1="{_f(x_low)}" x2="{_f(x_high)}" y1="{_f(ly)}" y2="{_f(ly)}" '
                    f'stroke="{colour}" stroke-width="{3 if filled else 2}" stroke-linecap="round"/>')
        for open_end, x_end, direction in ((low, x_low, -1), (high, x_high, 1)):
            if not math.isfinite(open_end):  # an arrowhead: the interval goes on past the edge
                body.append(f'<path d="M{_f(x_end)} {_f(ly)}l{-6 * direction} -4v8z" fill="{colour}"/>')
        body.append(_dot(scale(100 * diff), ly, colour, filled) + "</g>")
        desc.append(f"{label} {_signed(100 * diff)} ({end(low)} to {end(high)}, {name})")
    return _svg(key, bottom + 22, title, f"Points; {interval_text}. " + "; ".join(desc) + ".", body)


def bars(rows: Sequence[tuple[str, float | None, float | None, float | None]], *, key: str, title: str,
         unit: str, colours: tuple[str, str] = (POSITIVE, NEGATIVE), strong: frozenset = frozenset(),
         signed: bool = True) -> Markup | None:
    """Draw one horizontal bar per row from zero, with an optional interval; None when no row has a value.

    `rows` are (label, value, low, high) in the unit drawn ("pts" or "%"); `colours` are for values
    above zero and below it (a value that rounds to zero is grey); labels in `strong` (e.g. a total)
    are bold; `signed` False for amounts that have no sign (an error).
    """
    rows = [r for r in rows if r[1] is not None]
    if not rows:
        return None
    row_h, label_limit = 34, 40
    scale = _Scale([v for r in rows for v in r[1:] if v is not None])
    top, bottom = 4, 4 + row_h * len(rows)
    body = _axis(scale, top, bottom, lambda t: _signed(t, 0, sign=signed))
    desc = []
    for i, (label, value, low, high) in enumerate(rows):
        colour = MUTED if round(value, 1) == 0 else (colours[0] if value > 0 else colours[1])
        y = top + i * row_h
        x0, x1 = sorted((scale(0), scale(value)))
        ci = low is not None and high is not None
        shown = _signed(value, unit=unit, sign=signed)
        tip = f"{label}: {shown}" + (f", interval {_signed(low)} to {_signed(high)}" if ci else "")
        weight = ' font-weight="600"' if label in strong else ""
        body.append(f'<g><title>{escape(tip)}</title>'
                    f'<text x="{PAD}" y="{_f(y + 13)}" font-size="13" {_HALO}{weight}>'
                    f'{escape(_label(label, label_limit))}</text>'
                    f'<text x="{WIDTH - PAD}" y="{_f(y + 13)}" font-size="12" text-anchor="end" fill="{colour}" '
                    f'font-weight="600" {_HALO}>{escape(shown)}</text>'
                    f'<rect x="{_f(x0)}" y="{_f(y + 18)}" width="{_f(max(x1 - x0, 1))}" height="11" fill="{colour}" '
                    f'rx="1.5"/>')
        if ci:
            ly = y + 23.5
            body.append(f'<line x1="{_f(scale(low))}" x2="{_f(scale(high))}" y1="{_f(ly)}" y2="{_f(ly)}" '
                        f'stroke="{INK}" stroke-width="1.2"/>'
                        + "".join(f'<line x1="{_f(scale(v))}" x2="{_f(scale(v))}" y1="{_f(ly - 4)}" '
                                  f'y2="{_f(ly + 4)}" stroke="{INK}" stroke-width="1.2"/>' for v in (low, high)))
        body.append("</g>")
        desc.append(f"{label} {shown}" + (f" ({_signed(low)} to {_signed(high)})" if ci else ""))
    return _svg(key, bottom + 20, title, "; ".join(desc) + ".", body)


def sparkline(points: Sequence[tuple[str, float]], *, key: str, label: str) -> Markup | None:
    """Draw one theme's share of observations across periods as a small line from zero; None under two periods.

    `points` are (period, share) oldest first, shares as fractions; the last period is marked.
    """
    if len(points) < 2:
        return None
    w, h, pad = 160, 40, 4
    top = max(s for _, s in points) or 1.0
    xs = [pad + i * (w - 2 * pad) / (len(points) - 1) for i in range(len(points))]
    ys = [h - pad - s / top * (h - 2 * pad) for _, s in points]
    path = " ".join(f"{_f(x)},{_f(y)}" for x, y in zip(xs, ys))
    text = ", ".join(f"{p} {100 * s:.1f}%" for p, s in points)
    # bandit B704 is answered: the label and the periods are escaped; the rest is numbers.
    return Markup(  # nosec B704
        f'<svg class="spark" viewBox="0 0 {w} {h}" width="100%" role="img" aria-labelledby="{key}-t">'
        f'<title id="{key}-t">{escape(label)}, share of observations: {escape(text)}</title>'
        f'<line x1="{pad}" x2="{w - pad}" y1="{h - pad}" y2="{h - pad}" stroke="{RULE}"/>'
        f'<polyline points="{path}" fill="none" stroke="#0b5394" stroke-width="2" stroke-linejoin="round"/>'
        f'<circle cx="{_f(xs[-1])}" cy="{_f(ys[-1])}" r="3.5" fill="#0b5394"/></svg>')


def report_charts(report) -> dict:
    """Build the offline report's charts from a `webapp.insights.report.LeaderReport`.

    Keys: "forest" (theme links with their adjusted intervals), "fva" (value added by layer and
    manager), "accuracy" (WAPE of each forecast), "rollup" (proposed against top-down by region),
    "trend" (theme id -> sparkline of its share); a chart without numbers is left out.
    """
    out: dict = {}
    themes = report.insights.themes if report.insights is not None else ()
    linked = [t for t in themes if t.link.link is not None and t.link.link.adj_level is not None]
    if linked:
        level = format_level(linked[0].link.link.adj_level)
        # The point is the typical difference (Hodges-Lehmann shift) the adjusted interval is built around, as
        # the sentences say it ("typically +8.7 points"); the mean difference is in the table.
        rows = sorted(((t.label, t.link.link.shift if t.link.link.shift is not None else t.link.link.diff,
                        t.link.link.adj_ci_low, t.link.link.adj_ci_high, t.link.verdict) for t in linked),
                      key=lambda r: r[1])
        out["forest"] = forest(rows, key="chart-forest", interval_text=f"{level} adjusted intervals",
                               title="Typical difference in proposed change between reps who report each theme "
                                     f"and the others, with {level} adjusted intervals")
    fva = bars([(name, *(None if v is None else 100 * v for v in (f.fva, f.fva_ci_low, f.fva_ci_high)))
                for name, f in report.fva_rows()], key="chart-fva", unit="pts",
               title="Forecast value added by approval layer and manager (points of WAPE; positive: more accurate)")
    if fva is not None:
        out["fva"] = fva
    if report.accuracy is not None:
        names = {"proposed": "Bottom-up proposed", "approved": "Manager approved", "top_down": "Top-down"}
        wape = bars([(names.get(n, n), 100 * e.wape, None, None) for n, e in report.accuracy.overall.items()
                     if e.wape is not None], key="chart-accuracy", unit="%", colours=(MUTED, MUTED), signed=False,
                    title="Forecast error (WAPE) of each forecast; lower is better")
        if wape is not None:
            out["accuracy"] = wape
    gaps = [(r.group, 100 * (float(r.proposed) / float(r.top_down) - 1), None, None)
            for r in (*report.rollup, report.rollup_total) if r.submitted and r.top_down]
    rollup = bars(gaps, key="chart-rollup", unit="%", colours=(ABOVE, BELOW),
                  strong=frozenset({report.rollup_total.group}),
                  title="Bottom-up proposed against the same people's top-down target, by region")
    if rollup is not None:
        out["rollup"] = rollup
    out["trend"] = {t.theme_id: spark for t in themes
                    if (spark := sparkline(t.shares, key=f"trend-{t.theme_id}", label=t.label)) is not None}
    return out
