"""The leader report's headline: at most five plain sentences on what changed this period.

Pure: takes plain facts (themes with their trend, share and verdict, the roll-up totals, forecast
errors and the managers' value added) and returns sentences, each with the key of the evidence the
page links it to:

* ``"theme:<id>"`` -- one theme (its row, drill-down and forest-plot entry);
* ``"themes"`` -- the theme table as a whole (e.g. "no theme shows a clear link");
* ``"rollup"`` -- the bottom-up vs top-down table;
* ``"accuracy"`` -- the forecast accuracy table;
* ``"fva"`` -- the value-added table and chart.

Order ("strongest first"), a fixed editorial rule rather than a score across kinds of evidence:
the two clearest findings (a theme whose FCR-adjusted interval excludes zero, ranked by how far
that interval stays from zero relative to its width), or one sentence saying there is none; the
bottom-up vs top-down gap; the managers' value added; the two largest moves among emerging and
fading themes (not already cited as a finding); forecast accuracy; then any further findings; cut at
five. Numbers are written as
percentages, percentage points, counts and money in words ("2.41 million"), never as raw fractions.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

from analysis.forecast import FVA, describe_fva, period_phrase
from analysis.linkage import JointThemeResult, TargetLink

__all__ = [
    "MAX_SENTENCES",
    "RollupFact",
    "ThemeFact",
    "headline",
]

MAX_SENTENCES = 5
MAX_FINDINGS_FIRST = 2
MAX_TRENDS = 2
GAP_NEGLIGIBLE = 0.005  # a bottom-up vs top-down gap under half a percent reads "match"
FORECAST_NAMES = {"proposed": "bottom-up proposals", "approved": "approved targets", "top_down": "top-down targets"}


@dataclass(frozen=True)
class ThemeFact:
    """What the headline needs of one theme in the period.

    ``share`` is the theme's share of the period's observations and ``previous_share`` its share
    before (fractions); ``link`` the one-at-a-time :class:`~analysis.linkage.TargetLink` with its
    verdict (None: too few reps) and ``joint`` its entry in the joint model, if fitted.
    """

    theme_id: Hashable
    label: str
    trend: str = "stable"
    share: float | None = None
    previous_share: float | None = None
    link: TargetLink | None = None
    joint: JointThemeResult | None = None


@dataclass(frozen=True)
class RollupFact:
    """Roll-up totals over one base (PRODUCT.md "Roll-up base"): the same people for all three.

    ``approved`` None when nothing is decided; ``n_undecided`` plans without an approved amount.
    """

    proposed: float
    top_down: float | None
    approved: float | None = None
    n_submitted: int | None = None
    n_invited: int | None = None
    n_undecided: int = 0


def _money(x: float) -> str:
    a = abs(x)
    sign = "-" if x < 0 else ""
    if a >= 1e9:
        return f"{sign}{a / 1e9:.2f} billion"
    if a >= 1e6:
        return f"{sign}{a / 1e6:.2f} million"
    if a >= 1e4:
        return f"{sign}{a / 1e3:.0f} thousand"
    return f"{sign}{a:,.0f}"


def _pct(x: float, digits: int = 1) -> str:
    return f"{100 * x:.{digits}f}%"


def _abs_points(x: float) -> str:
    """|x| in percentage points with the decimals needed to keep it off zero."""
    pts = abs(100 * x)
    digits = 1
    while pts and round(pts, digits) == 0 and digits < 6:
        digits += 1
    return f"{pts:.{digits}f}"


def _strength(link: TargetLink) -> float:
    """How far the adjusted interval stays from zero, relative to its width (open: by its near end)."""
    low, high = link.adj_ci_low, link.adj_ci_high
    near = min(abs(low), abs(high))
    width = high - low
    if math.isinf(width):
        return 0.0
    return near / width if width > 0 else float("inf")


def _finding_sentence(t: ThemeFact) -> str:
    link = t.link
    lower = link.adj_ci_high < 0  # a finding's adjusted interval lies on one side of zero
    near, far = sorted((abs(link.adj_ci_low), abs(link.adj_ci_high)))
    direction = "lower" if lower else "higher"
    typical = link.shift if link.shift is not None else link.diff
    span = (f"at least {_abs_points(near)} points {direction}" if math.isinf(far)
            else f"{_abs_points(near)} to {_abs_points(far)} points {direction}")
    text = (f"Reps reporting {t.label} proposed changes typically {_abs_points(typical)} points {direction} than "
            f"the others ({_pct(link.mean_change_with)} against {_pct(link.mean_change_without)} on average; "
            f"adjusted interval {span})")
    if t.joint is not None and t.joint.estimate is not None and not t.joint.estimate.finding:
        text += ", but not once the other themes reported by the same reps are taken into account"
    return text + "."


def _trend_sentence(t: ThemeFact, when: str) -> str:
    verb = "rose" if t.trend == "emerging" else "fell"
    since = f" from {_pct(t.previous_share)} on average before" if t.previous_share is not None else ""
    return (f"{t.trend.capitalize()}: {t.label} {verb} to {_pct(t.share)} of observations {when}{since}.")


def _gap_sentence(r: RollupFact) -> str | None:
    if r.top_down is None or r.top_down <= 0:
        return None
    gap = r.proposed / r.top_down - 1
    inner = f"{_money(r.proposed)} against {_money(r.top_down)}"
    if abs(gap) < GAP_NEGLIGIBLE:
        head = "Bottom-up plans match the top-down targets"
    else:
        head = f"Bottom-up plans total {_pct(abs(gap))} {'below' if gap < 0 else 'above'} the top-down targets"
        inner += " for the same people"
    extra = []
    if r.n_submitted is not None and r.n_invited:
        extra.append(f"{r.n_submitted} of {r.n_invited} invited have submitted")
    if r.n_undecided:
        extra.append(f"{r.n_undecided} plan{'s' if r.n_undecided != 1 else ''} still undecided")
    if extra:
        inner += "; " + ", ".join(extra)
    return f"{head} ({inner})."


def _accuracy_sentence(errors: Mapping[str, float | None]) -> str | None:
    parts = [f"{FORECAST_NAMES.get(k, k)} by {_pct(v)}" for k, v in errors.items() if v is not None]
    if not parts:
        return None
    first, *rest = parts
    text = f"Against actuals, {first.replace(' by ', ' were off by ', 1)} (weighted absolute error)"
    if rest:
        text += (", " + ", ".join(rest[:-1]) if len(rest) > 1 else "") + " and " + rest[-1]
    return text + "."


def headline(
    period: str,
    themes: Sequence[ThemeFact] = (),
    rollup: RollupFact | None = None,
    accuracy: Mapping[str, float | None] | None = None,
    fva: FVA | None = None,
    *,
    limit: int = MAX_SENTENCES,
) -> list[dict[str, str]]:
    """Write the period's headline.

    Parameters
    ----------
    period : str
        Period code (``YYYY-Qn`` reads "this quarter", ``YYYY-MM`` "this month").
    themes : sequence of ThemeFact
        The period's themes.
    rollup : RollupFact, optional
        Roll-up totals over one base.
    accuracy : mapping of forecast name to WAPE, optional
        E.g. ``{"proposed": 0.053, "approved": 0.060, "top_down": 0.071}`` (None values skipped).
    fva : FVA, optional
        The managers' total value added (:attr:`analysis.forecast.LayerFVAReport.total`).
    limit : int, default 5

    Returns
    -------
    list of dict
        At most ``limit`` items ``{"text": ..., "evidence": ...}``, strongest first.
    """
    when = period_phrase(period)
    findings = sorted((t for t in themes if t.link is not None and t.link.finding and t.link.adj_level is not None),
                      key=lambda t: (-_strength(t.link), str(t.theme_id)))
    tested = [t for t in themes if t.link is not None]
    out: list[dict[str, str]] = []
    for t in findings[:MAX_FINDINGS_FIRST]:
        out.append({"text": _finding_sentence(t), "evidence": f"theme:{t.theme_id}"})
    if not findings and tested:
        n = len(tested)
        out.append({"text": (f"No theme shows a clear link with proposed target changes {when} "
                             f"({'the one theme' if n == 1 else f'{n} themes'} with enough reps tested)."),
                    "evidence": "themes"})
    if rollup is not None:
        gap = _gap_sentence(rollup)
        if gap:
            out.append({"text": gap, "evidence": "rollup"})
    if fva is not None and fva.n:
        out.append({"text": describe_fva(fva, period=period, who="Managers'"), "evidence": "fva"})
    cited = {f"theme:{t.theme_id}" for t in findings[:MAX_FINDINGS_FIRST]}
    moves = sorted((t for t in themes if t.trend in ("emerging", "fading") and t.share is not None
                    and f"theme:{t.theme_id}" not in cited),
                   key=lambda t: (-abs(t.share - (t.previous_share or 0.0)), str(t.theme_id)))
    for t in moves[:MAX_TRENDS]:
        out.append({"text": _trend_sentence(t, when), "evidence": f"theme:{t.theme_id}"})
    if accuracy:
        acc = _accuracy_sentence(accuracy)
        if acc:
            out.append({"text": acc, "evidence": "accuracy"})
    for t in findings[MAX_FINDINGS_FIRST:]:
        out.append({"text": _finding_sentence(t), "evidence": f"theme:{t.theme_id}"})
    return out[:max(0, limit)]
