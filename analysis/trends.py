"""Theme prevalence per period, and which themes are emerging, fading or stable.

Test: a theme's share of texts in the latest period is compared with its pooled share over all
earlier periods. With every expected cell count at least 5 the two-proportion z-test (pooled
variance, two-sided) is used, otherwise Fisher's exact test on the 2x2 table. A theme is
**emerging** when p < ``alpha`` and its share rose by at least ``min_effect`` (absolute), **fading**
when p < ``alpha`` and it fell by at least ``min_effect``, and **stable** otherwise, including when
there is no earlier period to compare with (then ``p_value`` is ``None``).

Periods are any sortable labels; ``YYYY-Qn`` and ``YYYY-MM`` sort chronologically as strings.
Texts with theme id -1 count in the period totals but belong to no theme.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass


__all__ = ["ThemeTrend", "prevalence", "theme_trends", "two_proportion_test"]


@dataclass(frozen=True)
class ThemeTrend:
    """A theme's trend: latest vs earlier share, the test used and its verdict."""

    theme_id: int
    trend: str  # "emerging", "fading" or "stable"
    share_last: float
    share_before: float | None
    count_last: int
    count_before: int
    p_value: float | None
    test: str | None  # "z" or "fisher"


def _ordered_periods(periods: Sequence[Hashable], order: Sequence[Hashable] | None) -> list:
    present = set(periods)
    if order is None:
        return sorted(present)
    missing = present - set(order)
    if missing:
        raise ValueError(f"periods not in the given order: {sorted(map(str, missing))}")
    return [p for p in order if p in present]


def prevalence(
    periods: Sequence[Hashable],
    theme_ids: Sequence[int],
    *,
    order: Sequence[Hashable] | None = None,
) -> dict[Hashable, dict[int, float]]:
    """Return each theme's share of the texts of each period.

    Parameters
    ----------
    periods : sequence
        Period of each text.
    theme_ids : sequence of int
        Theme of each text (-1: none).
    order : sequence, optional
        Chronological order of periods; default: sorted.

    Returns
    -------
    dict
        ``{period: {theme_id: share}}`` in period order; a theme absent from a period has share 0.
    """
    if len(periods) != len(theme_ids):
        raise ValueError(f"{len(periods)} periods but {len(theme_ids)} theme ids")
    themes = sorted({int(t) for t in theme_ids if int(t) >= 0})
    totals = Counter(periods)
    counts = Counter((p, int(t)) for p, t in zip(periods, theme_ids))
    return {
        p: {t: counts[(p, t)] / totals[p] for t in themes} for p in _ordered_periods(periods, order)
    }


def two_proportion_test(x1: int, n1: int, x2: int, n2: int) -> tuple[float, str]:
    """Return the two-sided p-value that x1/n1 and x2/n2 differ, and the test used.

    The pooled two-proportion z-test when every expected count is at least 5; Fisher's exact
    test otherwise.
    """
    if n1 <= 0 or n2 <= 0:
        raise ValueError("both groups need at least one text")
    pooled = (x1 + x2) / (n1 + n2)
    expected = (n1 * pooled, n1 * (1 - pooled), n2 * pooled, n2 * (1 - pooled))
    if min(expected) >= 5:
        se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        if se == 0:
            return 1.0, "z"
        z = (x1 / n1 - x2 / n2) / se
        from scipy.stats import norm  # here, not at import: scipy.stats costs ~0.5 s to import

        return float(2 * norm.sf(abs(z))), "z"
    from scipy.stats import fisher_exact

    _, p = fisher_exact([[x1, n1 - x1], [x2, n2 - x2]], alternative="two-sided")
    return float(min(1.0, p)), "fisher"


def theme_trends(
    periods: Sequence[Hashable],
    theme_ids: Sequence[int],
    *,
    order: Sequence[Hashable] | None = None,
    alpha: float = 0.05,
    min_effect: float = 0.02,
) -> dict[int, ThemeTrend]:
    """Flag each theme as emerging, fading or stable in the latest period (see module docstring).

    Parameters
    ----------
    periods : sequence
        Period of each text.
    theme_ids : sequence of int
        Theme of each text (-1: none).
    order : sequence, optional
        Chronological order of periods; default: sorted.
    alpha : float, default 0.05
        Significance level.
    min_effect : float, default 0.02
        Smallest absolute change of share (2 percentage points) worth flagging.

    Returns
    -------
    dict of int to ThemeTrend
    """
    if len(periods) != len(theme_ids):
        raise ValueError(f"{len(periods)} periods but {len(theme_ids)} theme ids")
    if not periods:
        return {}
    ordered = _ordered_periods(periods, order)
    last = ordered[-1]
    n_last = sum(1 for p in periods if p == last)
    n_before = len(periods) - n_last
    c_last = Counter(int(t) for p, t in zip(periods, theme_ids) if p == last)
    c_before = Counter(int(t) for p, t in zip(periods, theme_ids) if p != last)
    return theme_trends_from_counts(c_last, n_last, c_before, n_before, alpha=alpha, min_effect=min_effect)


def theme_trends_from_counts(
    c_last: Mapping[int, int],
    n_last: int,
    c_before: Mapping[int, int],
    n_before: int,
    *,
    alpha: float = 0.05,
    min_effect: float = 0.02,
) -> dict[int, ThemeTrend]:
    """:func:`theme_trends` from counts: texts per theme in the latest period and in all earlier ones.

    ``n_last`` and ``n_before`` are the numbers of texts (themed or not) in the latest period and
    before it; every theme (id >= 0) with a count in either gets a trend.
    """
    c_last, c_before = Counter(c_last), Counter(c_before)
    result = {}
    for tid in sorted({int(t) for t, n in [*c_last.items(), *c_before.items()] if int(t) >= 0 and n}):
        x1, x2 = c_last[tid], c_before[tid]
        share_last = x1 / n_last
        if n_before == 0:
            result[tid] = ThemeTrend(tid, "stable", share_last, None, x1, 0, None, None)
            continue
        share_before = x2 / n_before
        p, test = two_proportion_test(x1, n_last, x2, n_before)
        diff = share_last - share_before
        if p < alpha and diff >= min_effect:
            trend = "emerging"
        elif p < alpha and diff <= -min_effect:
            trend = "fading"
        else:
            trend = "stable"
        result[tid] = ThemeTrend(tid, trend, share_last, share_before, x1, x2, p, test)
    return result
