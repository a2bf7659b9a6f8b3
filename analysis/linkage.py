"""Theme <-> target link: do reps who report a theme propose different target changes than the others?

Definition (PRODUCT.md): for theme T in period P, reps with at least one observation in T versus
the other reps with a change %; the difference of mean change %, a 95% percentile bootstrap
confidence interval (each group resampled independently), a two-sided Mann-Whitney p-value and a
Benjamini-Hochberg q across all themes of the period that had enough reps. A link needs at least 5
reps on each side; otherwise the theme is "too few reps to tell". Changes are fractions (-0.12 is
-12%).

Verdicts that agree with their intervals
----------------------------------------
A period tests m themes at once, so a 95% interval that excludes zero is not yet a finding: some
of m null themes do that by chance. What the page calls a **finding** is decided on intervals
adjusted for that selection, the false-coverage-rate (FCR) adjusted intervals of Benjamini &
Yekutieli (2005, JASA 100:71-81): the R themes selected by the Benjamini-Hochberg procedure at
level q = 0.05 get (1 - R q / m) intervals. Here the selection is made *on the intervals
themselves*: R is the largest k such that at least k of the m themes have a (1 - k q / m)
interval that excludes zero (BH step-up on the p-values dual to the intervals), and every theme
of the period is shown at the one level ``adj_level = 1 - max(R, 1) q / m``. By construction a
theme is a finding exactly when its adjusted interval excludes zero; with no finding (R = 0) the
level is 1 - q / m, the level at which none of them excludes zero.

The intervals are those of the Mann-Whitney test the link already reports: the
Hodges-Lehmann / Moses interval for the *shift* between the two groups (the median of all
rep-with minus rep-without differences, ``shift``), i.e. every shift d for which the two-sided
Mann-Whitney test of "with - d" against "without" (normal approximation, tie-corrected variance,
continuity correction, as ``scipy.stats.mannwhitneyu`` computes p for all but tiny groups) does not
reject at the level. Being dual to that test, the selection on intervals is BH on the stable
``p``: a finding is a theme with BH ``q <= 0.05`` (except when ties put an interval end exactly at
zero, or both groups have fewer than 8 reps and scipy uses the exact test), so the verdict, the
q in the JSON and the interval shown beside it all agree. Why not a mean-based interval: the
adjusted levels are 99.5-99.9%, and deep in the tails neither the percentile bootstrap (scipy's,
too narrow for 5-40 reps) nor Welch's t (its variance estimate moves with the mean when changes
are skewed) keeps its level: in simulated periods with no effect at all they made a finding in
15% (bootstrap, normal changes) and 24% (Welch, skewed changes) of periods where the FDR bound
is 5%; the rank-based intervals 4% in both (``benchmarks/verdict_calibration.py``,
benchmarks/RESULTS.md). scipy has no Hodges-Lehmann interval, hence :func:`shift_interval`. The
95% bootstrap interval of the difference of *means* stays in ``ci_low``/``ci_high`` (PRODUCT.md's
stable fields) and is not used by the verdict.

Three verdicts, stated by :data:`LINK_LEGEND`:

* ``"clear"`` -- a finding: the adjusted interval excludes zero;
* ``"suggestive"`` -- not a finding, but the theme's own 95% shift interval (``own_ci_low``/
  ``own_ci_high``; equivalently its Mann-Whitney p < 0.05) excludes zero;
* ``"no sign"`` -- even the theme's own 95% interval includes zero.

The sentence quotes intervals, not q: "q" is what the adjusted interval already says.

Themes together
---------------
:func:`joint_link_themes` fits change % on all themes of the period at once (an indicator per
theme), region dummies and log baseline size, with heteroskedasticity-robust (HC3) or
manager-clustered errors (statsmodels OLS), so that a theme that only rides along with an
effective one (reported by the same reps) is not flagged; it marks where the joint and the
one-at-a-time views disagree.
"""

from __future__ import annotations

import inspect
import math
import zlib
from collections import Counter
from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "FINDING_Q",
    "JOINT_MIN_CLUSTERS",
    "JOINT_MIN_DF",
    "LINK_LEGEND",
    "MIN_REPS",
    "TOO_FEW",
    "VERDICTS",
    "JointEstimate",
    "JointModel",
    "JointThemeResult",
    "TargetLink",
    "ThemeLinkResult",
    "benjamini_hochberg",
    "bootstrap_diff_ci",
    "bootstrap_diff_distribution",
    "describe_joint",
    "describe_link",
    "fcr_selection",
    "format_level",
    "joint_link_themes",
    "link_themes",
    "percentile_interval",
    "shift_interval",
]

MIN_REPS = 5
TOO_FEW = "too few reps to tell"
FINDING_Q = 0.05  # BH / FCR level of the findings
N_RESAMPLES = 2000  # bootstrap draws of the (unadjusted) 95% interval
VERDICTS = ("clear", "suggestive", "no sign")
LINK_LEGEND = (
    "Each bar is the range for the typical gap in proposed change between reps who report the theme "
    "and the others, widened for the number of themes tested at once: a theme is a finding "
    "(\"clear\") only when its whole widened range lies on one side of zero; \"suggestive\" means only "
    "the theme's own 95% range excludes zero, which some themes do by chance when many are tested; "
    "\"no sign\" means even that range includes zero."
)
JOINT_MIN_DF = 10  # residual degrees of freedom the joint model keeps at least
JOINT_MIN_CLUSTERS = 10  # managers needed before errors are clustered by manager
_CHUNK_ELEMENTS = 2_000_000  # bound on resample indices held in memory at once


# ----------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class TargetLink:
    """The link of one theme to target changes (the ``target_link`` object of the JSON output).

    The first ten fields are the stable interface (``ci_low``/``ci_high``: 95% percentile bootstrap of
    the difference of means). The others say what the page may call it: ``shift`` is the
    Hodges-Lehmann shift (median of the with-minus-without differences), ``adj_ci_low``/
    ``adj_ci_high`` its FCR-adjusted interval at ``adj_level`` (the same level for every theme of
    the period; +-inf where a tiny group leaves it open), ``finding`` holds exactly when it excludes
    zero, ``own_ci_low``/``own_ci_high`` the theme's own 95% shift interval (what "suggestive" reads),
    ``verdict`` one of :data:`VERDICTS`, ``n_tested`` the themes of the period with a link (m) and
    ``n_findings`` the findings among them (R). A link built without them (``adj_level`` None) is
    unadjusted.
    """

    theme_id: Hashable
    n_with: int
    n_without: int
    mean_change_with: float
    mean_change_without: float
    diff: float
    ci_low: float
    ci_high: float
    p: float
    q: float
    adj_ci_low: float | None = None
    adj_ci_high: float | None = None
    adj_level: float | None = None
    finding: bool = False
    verdict: str | None = None
    n_tested: int = 0
    n_findings: int = 0
    own_ci_low: float | None = None
    own_ci_high: float | None = None
    shift: float | None = None

    def as_dict(self) -> dict[str, float | int]:
        """Return the fields PRODUCT.md lists for ``target_link`` (without ``theme_id``)."""
        return {
            "n_with": self.n_with,
            "n_without": self.n_without,
            "mean_change_with": self.mean_change_with,
            "mean_change_without": self.mean_change_without,
            "diff": self.diff,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "p": self.p,
            "q": self.q,
        }

    def verdict_dict(self) -> dict[str, object]:
        """Return the verdict fields (shift, adjusted and own intervals, the level, finding, verdict, m, R)."""
        return {
            "shift": self.shift,
            "adj_ci_low": self.adj_ci_low,
            "adj_ci_high": self.adj_ci_high,
            "adj_level": self.adj_level,
            "own_ci_low": self.own_ci_low,
            "own_ci_high": self.own_ci_high,
            "finding": self.finding,
            "verdict": self.verdict,
            "n_tested": self.n_tested,
            "n_findings": self.n_findings,
        }


@dataclass(frozen=True)
class ThemeLinkResult:
    """A theme's group sizes and, when both groups have enough reps, its :class:`TargetLink`."""

    theme_id: Hashable
    n_with: int
    n_without: int
    link: TargetLink | None

    @property
    def too_few(self) -> bool:
        """Whether the theme is "too few reps to tell"."""
        return self.link is None

    @property
    def status(self) -> str:
        """``"finding"`` when linked (kept for old callers) or ``"too few reps to tell"``."""
        return TOO_FEW if self.link is None else "finding"

    @property
    def verdict(self) -> str:
        """One of :data:`VERDICTS`, or ``"too few reps to tell"``."""
        if self.link is None:
            return TOO_FEW
        return self.link.verdict or _verdict(False, (self.link.ci_low, self.link.ci_high))


# ----------------------------------------------------------------------------------------------
# Building blocks


def benjamini_hochberg(p_values: Sequence[float]) -> np.ndarray:
    """Adjust p-values for the false discovery rate (Benjamini-Hochberg step-up).

    Validates the input, then calls :func:`scipy.stats.false_discovery_control` (``method="bh"``).

    Parameters
    ----------
    p_values : sequence of float
        p-values in [0, 1], no NaN.

    Returns
    -------
    numpy.ndarray
        q-values in the input order: ``q_(i) = min_{j >= i} min(1, m p_(j) / j)`` over the
        ascending order of p.

    Examples
    --------
    >>> benjamini_hochberg([0.01, 0.04, 0.03, 0.20]).round(3).tolist()
    [0.04, 0.053, 0.053, 0.2]
    """
    p = np.asarray(p_values, dtype=float)
    if p.ndim != 1:
        raise ValueError("p_values must be one-dimensional")
    if p.size == 0:
        return p.copy()
    if np.any(np.isnan(p)) or np.any((p < 0) | (p > 1)):
        raise ValueError("p-values must lie in [0, 1]")
    from scipy.stats import false_discovery_control

    return np.minimum(np.asarray(false_discovery_control(p, method="bh"), dtype=float), 1.0)


def _diff_of_means(x, y, axis=-1):
    return np.mean(x, axis=axis) - np.mean(y, axis=axis)


def _rng_keyword() -> str:
    """``rng`` (scipy >= 1.15) or ``random_state`` (older): the name scipy.stats.bootstrap seeds by."""
    from scipy.stats import bootstrap

    return "rng" if "rng" in inspect.signature(bootstrap).parameters else "random_state"


def bootstrap_diff_distribution(
    with_values: Sequence[float],
    without_values: Sequence[float],
    *,
    n_resamples: int = N_RESAMPLES,
    random_state: int | np.random.Generator | None = None,
) -> np.ndarray:
    """Bootstrap distribution of ``mean(with) - mean(without)``, sorted ascending.

    Resampling is :func:`scipy.stats.bootstrap` (each group resampled with replacement,
    independently of the other, in batches so memory stays bounded for large groups); its
    ``bootstrap_distribution`` is returned so that intervals at several levels can be read from
    one set of resamples (:func:`percentile_interval`).

    Parameters
    ----------
    with_values, without_values : sequence of float
        The two samples (at least two values each: scipy's requirement).
    n_resamples : int, default 2000
        Number of bootstrap resamples.
    random_state : int, Generator or None
        Seed or generator; an int makes the distribution repeatable.

    Returns
    -------
    numpy.ndarray
        ``n_resamples`` resampled differences, ascending.
    """
    from scipy.stats import bootstrap

    x = np.asarray(with_values, dtype=float)
    y = np.asarray(without_values, dtype=float)
    if x.size < 2 or y.size < 2:
        raise ValueError("both samples need at least two values")
    if n_resamples < 1:
        raise ValueError("n_resamples must be positive")
    batch = max(1, _CHUNK_ELEMENTS // max(x.size, y.size))
    res = bootstrap(
        (x, y), _diff_of_means, n_resamples=n_resamples, batch=batch, vectorized=True, paired=False,
        method="percentile", **{_rng_keyword(): np.random.default_rng(random_state)},
    )
    return np.sort(np.asarray(res.bootstrap_distribution, dtype=float))


def percentile_interval(sorted_draws: np.ndarray, level: float) -> tuple[float, float]:
    """Two-sided percentile interval at ``level`` from ascending bootstrap draws.

    The quantiles interpolate linearly between order statistics (numpy's default rule), read
    directly off the sorted array, so intervals of one distribution are nested exactly: a higher
    level never gives a narrower interval.
    """
    if not 0 < level < 1:
        raise ValueError("level must lie in (0, 1)")
    d = np.asarray(sorted_draws, dtype=float)
    if d.ndim != 1 or d.size == 0:
        raise ValueError("sorted_draws must be a non-empty one-dimensional array")
    alpha = 1.0 - level
    return _quantile_sorted(d, alpha / 2), _quantile_sorted(d, 1 - alpha / 2)


def _quantile_sorted(d: np.ndarray, prob: float) -> float:
    h = (d.size - 1) * prob
    lo = math.floor(h)
    hi = min(lo + 1, d.size - 1)
    return float(d[lo] + (h - lo) * (d[hi] - d[lo]))


def bootstrap_diff_ci(
    with_values: Sequence[float],
    without_values: Sequence[float],
    *,
    n_resamples: int = N_RESAMPLES,
    confidence: float = 0.95,
    random_state: int | np.random.Generator | None = None,
) -> tuple[float, float]:
    """Percentile bootstrap interval for ``mean(with) - mean(without)``.

    :func:`bootstrap_diff_distribution` then :func:`percentile_interval`.

    Returns
    -------
    tuple of float
        ``(low, high)``.
    """
    if not 0 < confidence < 1:
        raise ValueError("confidence must lie in (0, 1)")
    draws = bootstrap_diff_distribution(with_values, without_values, n_resamples=n_resamples,
                                        random_state=random_state)
    return percentile_interval(draws, confidence)


_SELECT_DIRECT = 1_000_000  # candidate pairs below which an order statistic is read off a sort


def _first_at_most(xs: np.ndarray, ys: np.ndarray, value: float, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Per row i, the first j in [lo_i, hi_i) with xs[i] - ys[j] <= value (hi_i if none).

    ``ys`` ascending, so ``xs[i] - ys[j]`` is non-increasing in j (floating subtraction is monotone):
    a vectorised binary search over all rows at once.
    """
    lo, hi = lo.copy(), hi.copy()
    while True:
        open_ = lo < hi
        if not open_.any():
            return lo
        mid = (lo + hi) // 2
        ok = (xs - ys[np.minimum(mid, ys.size - 1)]) <= value
        hi = np.where(open_ & ok, mid, hi)
        lo = np.where(open_ & ~ok, mid + 1, lo)


def _kth_difference(xs: np.ndarray, ys: np.ndarray, k: int, rng: np.random.Generator,
                    direct: int = _SELECT_DIRECT) -> float:
    """The k-th smallest (1-based) of the n_x n_y differences ``xs[i] - ys[j]``, exactly, in bounded memory.

    ``xs``, ``ys`` ascending. Up to ``direct`` pairs: sort them. Beyond: randomised selection on the
    implicit sorted matrix (each row's candidates are a range of j), shrinking the candidate ranges
    around random pivots until few enough are left to sort.
    """
    n, m = xs.size, ys.size
    lo, hi = np.zeros(n, dtype=np.int64), np.full(n, m, dtype=np.int64)  # candidates j in [lo_i, hi_i)
    below = 0  # differences known to be smaller than every candidate
    while True:
        sizes = hi - lo
        total = int(sizes.sum())
        if total <= direct:
            rows = np.repeat(np.arange(n), sizes)
            cols = np.concatenate([np.arange(a, b) for a, b in zip(lo.tolist(), hi.tolist())]) if total else \
                np.zeros(0, dtype=np.int64)
            cand = xs[rows] - ys[cols]
            return float(np.partition(cand, k - below - 1)[k - below - 1])
        pick = int(rng.integers(total))
        ends = np.cumsum(sizes)
        row = int(np.searchsorted(ends, pick, side="right"))
        col = int(lo[row] + pick - (ends[row - 1] if row else 0))
        pivot = float(xs[row] - ys[col])
        first_le = _first_at_most(xs, ys, pivot, lo, hi)  # candidates <= pivot: j in [first_le_i, hi_i)
        first_lt = _first_at_most(xs, ys, float(np.nextafter(pivot, -np.inf)), first_le, hi)
        n_lt, n_le = int((hi - first_lt).sum()), int((hi - first_le).sum())
        if below + n_lt >= k:
            lo = first_lt
        elif below + n_le >= k:
            return pivot
        else:
            below += n_le
            hi = first_le


def shift_interval(with_values: Sequence[float], without_values: Sequence[float], *,
                   direct: int = _SELECT_DIRECT) -> tuple[float, Callable[[float], tuple[float, float]]]:
    """Hodges-Lehmann shift and its Mann-Whitney (Moses) interval as a function of the level.

    The interval at level L holds every shift d for which the two-sided Mann-Whitney test of
    ``with - d`` against ``without`` does not reject at 1 - L: with U(d) = #{x_i - y_j > d} +
    #{x_i - y_j = d} / 2 and the test's normal approximation (mean n_x n_y / 2, tie-corrected
    standard deviation of the observed data, continuity correction 1/2), it runs from the
    ceil(N/2 - c)-th to the (floor(N/2 + c) + 1)-th smallest of the N = n_x n_y differences, c = z
    sd + 1/2 (an end beyond the differences is +-inf). So "the interval at L excludes zero" is
    "scipy.stats.mannwhitneyu's asymptotic p < 1 - L", up to an end falling exactly on zero.

    Returns
    -------
    tuple
        ``(shift, at)``: the median of the differences and ``at(level) -> (low, high)``.
    """
    from scipy.stats import norm

    xs = np.sort(np.asarray(with_values, dtype=float))
    ys = np.sort(np.asarray(without_values, dtype=float))
    if xs.size < 1 or ys.size < 1:
        raise ValueError("both samples must be non-empty")
    n, m = xs.size, ys.size
    big = n * m
    rng = np.random.default_rng(0)  # pivots only: the result does not depend on them
    cache: dict[int, float] = {}
    every = np.sort(np.subtract.outer(xs, ys), axis=None) if big <= direct else None  # small: sort once

    def kth(k: int) -> float:
        if every is not None:
            return float(every[k - 1])
        if k not in cache:
            cache[k] = _kth_difference(xs, ys, k, rng, direct)
        return cache[k]

    shift = kth((big + 1) // 2) if big % 2 else (kth(big // 2) + kth(big // 2 + 1)) / 2
    _, counts = np.unique(np.concatenate([xs, ys]), return_counts=True)
    total = n + m
    tie = float(np.sum(counts.astype(float) ** 3 - counts)) / (total * (total - 1)) if total > 1 else 0.0
    sd = math.sqrt(max(0.0, big / 12 * ((total + 1) - tie)))

    def at(level: float) -> tuple[float, float]:
        if not 0 < level < 1:
            raise ValueError("level must lie in (0, 1)")
        c = float(norm.ppf(1 - (1 - level) / 2)) * sd + 0.5
        k_low = math.ceil(big / 2 - c)
        k_high = math.floor(big / 2 + c) + 1
        low = kth(k_low) if k_low >= 1 else -math.inf
        high = kth(k_high) if k_high <= big else math.inf
        return low, high

    return shift, at


def _excludes_zero(interval: tuple[float, float]) -> bool:
    low, high = interval
    return bool(low > 0 or high < 0)


def fcr_selection(
    intervals_at: Callable[[float], Sequence[tuple[float, float]]], m: int, *, q: float = FINDING_Q
) -> tuple[int, float]:
    """Benjamini-Hochberg selection and Benjamini-Yekutieli FCR level, decided on intervals.

    Parameters
    ----------
    intervals_at : callable
        ``intervals_at(level)`` returns the m intervals ``(low, high)`` at that level, nested in
        the level (a higher level never gives a narrower interval).
    m : int
        Number of intervals (themes tested).
    q : float, default 0.05
        FDR / FCR level.

    Returns
    -------
    tuple of (int, float)
        ``(R, level)``: R is the largest k with at least k intervals at level ``1 - k q / m``
        excluding zero (BH step-up on the p-values dual to the intervals; 0 if none), and
        ``level = 1 - max(R, 1) q / m``. With nested intervals exactly R of them exclude zero at
        ``level``, so "finding" = "the interval at ``level`` excludes zero" selects the BH set.
    """
    if not 0 < q < 1:
        raise ValueError("q must lie in (0, 1)")
    if m <= 0:
        return 0, 1.0 - q
    for k in range(m, 0, -1):
        level = 1.0 - k * q / m
        if sum(_excludes_zero(iv) for iv in intervals_at(level)) >= k:
            return k, level
    return 0, 1.0 - q / m


def _verdict(finding: bool, own: tuple[float, float]) -> str:
    if finding:
        return "clear"
    return "suggestive" if _excludes_zero(own) else "no sign"


def _theme_rng(random_state: int | np.random.Generator | None, theme_id: Hashable) -> np.random.Generator:
    if isinstance(random_state, np.random.Generator):
        return random_state
    if random_state is None:
        return np.random.default_rng()
    # A stream per (seed, theme): a theme's interval does not depend on which other themes exist.
    return np.random.default_rng([int(random_state), zlib.crc32(repr(theme_id).encode("utf-8"))])


# ----------------------------------------------------------------------------------------------
# One theme at a time


def link_themes(
    changes: Mapping[Hashable, float],
    memberships: Mapping[Hashable, Collection[Hashable]],
    *,
    min_reps: int = MIN_REPS,
    n_resamples: int = N_RESAMPLES,
    confidence: float = 0.95,
    fcr_q: float = FINDING_Q,
    random_state: int | np.random.Generator | None = None,
) -> dict[Hashable, ThemeLinkResult]:
    """Link every theme of a period to the reps' target changes, with verdicts.

    Parameters
    ----------
    changes : mapping of rep id to float
        Change % as a fraction for every rep with a baseline (reps without one are left out by
        the caller). Non-finite values are an error.
    memberships : mapping of theme id to collection of rep ids
        Reps with at least one observation in the theme. Reps absent from ``changes`` are ignored.
    min_reps : int, default 5
        Minimum reps on each side for a link (PRODUCT.md: 5; at least 2).
    n_resamples : int, default 2000
        Bootstrap resamples per theme (for ``ci_low``/``ci_high``).
    confidence : float, default 0.95
        Coverage of the theme's own intervals (bootstrap ``ci_low``/``ci_high``, shift ``own_ci_*``).
    fcr_q : float, default 0.05
        Level of the BH selection and of the FCR adjustment (see the module docstring).
    random_state : int, Generator or None
        With an int, each theme gets its own stream derived from the seed and the theme id, so
        results are repeatable and a theme's intervals do not depend on the other themes.

    Returns
    -------
    dict of theme id to ThemeLinkResult
        In the order of ``memberships``. ``link`` is ``None`` ("too few reps to tell") when either
        side has fewer than ``min_reps`` reps; q, the selection and the adjusted level are computed
        over the themes with a link.
    """
    if min_reps < 2:
        raise ValueError("min_reps must be at least 2")
    if not 0 < confidence < 1:
        raise ValueError("confidence must lie in (0, 1)")
    values = {rep: float(v) for rep, v in changes.items()}
    if any(not np.isfinite(v) for v in values.values()):
        raise ValueError("changes must be finite")
    reps = list(values)
    all_changes = np.array([values[r] for r in reps])

    from scipy import stats  # here, not at import: scipy.stats costs ~0.5 s to import

    partial: dict[Hashable, tuple] = {}
    shifts: dict[Hashable, tuple[float, Callable[[float], tuple[float, float]]]] = {}
    results: dict[Hashable, ThemeLinkResult] = {}
    for theme_id, members in memberships.items():
        member_set = set(members)
        mask = np.array([r in member_set for r in reps], dtype=bool)
        x, y = all_changes[mask], all_changes[~mask]
        results[theme_id] = ThemeLinkResult(theme_id, int(x.size), int(y.size), None)
        if x.size < min_reps or y.size < min_reps:
            continue
        p = float(stats.mannwhitneyu(x, y, alternative="two-sided").pvalue)
        low, high = bootstrap_diff_ci(x, y, n_resamples=n_resamples, confidence=confidence,
                                      random_state=_theme_rng(random_state, theme_id))
        shifts[theme_id] = shift_interval(x, y)
        partial[theme_id] = (float(x.mean()), float(y.mean()), low, high, p)

    m = len(partial)
    q_values = benjamini_hochberg([v[4] for v in partial.values()])
    intervals = [at for _, at in shifts.values()]
    n_findings, level = fcr_selection(lambda lv: [at(lv) for at in intervals], m, q=fcr_q)
    for (theme_id, (m_with, m_without, low, high, p)), q in zip(partial.items(), q_values):
        r = results[theme_id]
        shift, at = shifts[theme_id]
        adj, own = at(level), at(confidence)
        finding = _excludes_zero(adj)
        link = TargetLink(
            theme_id, r.n_with, r.n_without, m_with, m_without, m_with - m_without, low, high, p, float(q),
            adj_ci_low=adj[0], adj_ci_high=adj[1], adj_level=level, finding=finding,
            verdict=_verdict(finding, own), n_tested=m, n_findings=n_findings,
            own_ci_low=own[0], own_ci_high=own[1], shift=shift,
        )
        results[theme_id] = ThemeLinkResult(theme_id, r.n_with, r.n_without, link)
    return results


# ----------------------------------------------------------------------------------------------
# Wording


def format_level(level: float) -> str:
    """A confidence level as a percentage: exact with up to two decimals, else two (or more, never "100%").

    >>> format_level(0.95), format_level(0.998), format_level(1 - 0.05 / 30), format_level(0.99999)
    ('95%', '99.8%', '99.83%', '99.999%')
    """
    pct = 100 * level
    for digits in range(3):
        if abs(round(pct, digits) - pct) < 1e-9 and round(pct, digits) < 100:
            return f"{pct:.{digits}f}%"
    digits = 2
    while round(pct, digits) >= 100 and digits < 12:
        digits += 1
    return f"{pct:.{digits}f}%"


def _pts(value: float) -> str:
    """A change fraction in signed percentage points, with the decimals needed to show its sign."""
    pts = 100 * value
    if pts == 0:
        return "0.0"
    digits = 1
    while round(pts, digits) == 0 and digits < 4:
        digits += 1
    if round(pts, digits) == 0:
        return "just below zero" if pts < 0 else "just above zero"
    return f"{pts:+.{digits}f}"


def _range(low: float, high: float) -> str:
    """An interval in points; an end a tiny group leaves open says so."""
    if math.isinf(low) and math.isinf(high):
        return "open on both sides"
    if math.isinf(low):
        return f"open below, up to {_pts(high)} points"
    if math.isinf(high):
        return f"from {_pts(low)} points, open above"
    return f"{_pts(low)} to {_pts(high)} points"


def _tested(n: int) -> str:
    return "the only theme tested" if n == 1 else f"the {n} themes tested"


def describe_link(label: str, result: ThemeLinkResult | TargetLink | None) -> str:
    """Say in one plain sentence how a theme goes with target changes, in the words of its verdict.

    The sentence quotes the interval its verdict is decided on: the adjusted interval of the shift,
    and for a "suggestive" theme also its own 95% interval; every bound is written with the
    decimals needed to show its sign, so a "clear" sentence never shows an interval that reads as
    including zero.

    Parameters
    ----------
    label : str
        The theme's human-readable label (user data: escape it when rendering HTML).
    result : ThemeLinkResult, TargetLink or None
        The theme's link; ``None`` or a result without a link reads "too few reps to tell".

    Returns
    -------
    str
        For example "Reps reporting competitor discounting proposed -9.8% on average against
        +4.1% for the others: a clear difference, typically -13.0 points (99.6% interval -19.0 to
        -8.0 points, adjusted for the 12 themes tested)."
    """
    link = result.link if isinstance(result, ThemeLinkResult) else result
    if link is None:
        if isinstance(result, ThemeLinkResult):
            return (
                f"Too few reps to tell for {label} ({result.n_with} reporting it, "
                f"{result.n_without} not; at least {MIN_REPS} needed on each side)."
            )
        return f"Too few reps to tell for {label}."
    head = (
        f"Reps reporting {label} proposed {100 * link.mean_change_with:+.1f}% on average against "
        f"{100 * link.mean_change_without:+.1f}% for the others"
    )
    if link.adj_level is None:  # an unadjusted link (built by hand): only its 95% interval to go on
        own = _range(link.ci_low, link.ci_high)
        if _excludes_zero((link.ci_low, link.ci_high)):
            return (f"{head}: suggestive only, {_pts(link.diff)} points (its 95% interval, {own}, excludes "
                    f"zero but is not adjusted for the other themes tested).")
        return f"{head}: no sign of a difference ({_pts(link.diff)} points; 95% interval {own}, includes zero)."
    typical = _pts(link.shift if link.shift is not None else link.diff)
    adj = (f"{format_level(link.adj_level)} interval {_range(link.adj_ci_low, link.adj_ci_high)}, "
           f"adjusted for {_tested(link.n_tested)}")
    own_low, own_high = ((link.own_ci_low, link.own_ci_high) if link.own_ci_low is not None
                         else (link.ci_low, link.ci_high))
    if link.finding:
        return f"{head}: a clear difference, typically {typical} points ({adj})."
    if _excludes_zero((own_low, own_high)):
        return (f"{head}: suggestive only, typically {typical} points (the {adj}, includes zero; this theme's "
                f"own 95% interval, {_range(own_low, own_high)}, does not).")
    return f"{head}: no sign of a difference (typically {typical} points; {adj}, includes zero)."


# ----------------------------------------------------------------------------------------------
# All themes at once


@dataclass(frozen=True)
class JointEstimate:
    """A theme's coefficient in the joint model: the change % difference holding the other themes,
    region and baseline size fixed, with its 95% interval, p, BH q and FCR-adjusted interval."""

    coef: float
    se: float
    ci_low: float
    ci_high: float
    p: float
    q: float
    adj_ci_low: float
    adj_ci_high: float
    adj_level: float
    finding: bool


@dataclass(frozen=True)
class JointThemeResult:
    """One theme in the joint model: its estimate, or None with the reason it has none.

    ``one_at_a_time`` is the theme's one-at-a-time finding (None when not given or not linked);
    ``disagrees`` is True when both views have a verdict and exactly one of them is a finding.
    """

    theme_id: Hashable
    n_with: int
    estimate: JointEstimate | None
    reason: str | None
    one_at_a_time: bool | None = None
    disagrees: bool = False

    @property
    def finding(self) -> bool | None:
        """The joint finding (None when the theme has no estimate)."""
        return None if self.estimate is None else self.estimate.finding


@dataclass(frozen=True)
class JointModel:
    """The joint model of one period.

    ``reason`` is set (and every theme has no estimate) when the model could not be fitted at all.
    ``cov_type`` is ``"HC3"``, ``"HC1"`` (HC3 is undefined when a rep has leverage 1) or
    ``"cluster"`` (by manager); ``notes`` says what was pooled, dropped or fallen back on.
    """

    themes: dict[Hashable, JointThemeResult]
    n_reps: int
    n_terms: int
    cov_type: str | None
    r_squared: float | None
    n_tested: int
    n_findings: int
    adj_level: float | None
    reason: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def disagreements(self) -> list[Hashable]:
        """Theme ids where the joint and the one-at-a-time views disagree."""
        return [t for t, r in self.themes.items() if r.disagrees]


def _name(key) -> str:
    kind, value = key
    return {"theme": f"theme {value}", "region": f"region {value}", "const": "the intercept",
            "baseline": "baseline size"}[kind]


def joint_link_themes(
    changes: Mapping[Hashable, float],
    memberships: Mapping[Hashable, Collection[Hashable]],
    *,
    regions: Mapping[Hashable, Hashable | None] | None = None,
    baselines: Mapping[Hashable, float] | None = None,
    managers: Mapping[Hashable, Hashable | None] | None = None,
    one_at_a_time: Mapping[Hashable, ThemeLinkResult] | None = None,
    min_reps: int = MIN_REPS,
    confidence: float = 0.95,
    fcr_q: float = FINDING_Q,
) -> JointModel:
    """Fit change % on all themes of a period at once, with region and baseline size.

    Model: ``change = b0 + sum_T b_T [rep reported T] + region dummies + c log(baseline) + e``,
    ordinary least squares (statsmodels) with HC3 errors, or errors clustered by manager when
    ``managers`` is given and names at least :data:`JOINT_MIN_CLUSTERS` managers; t-based
    p-values and intervals; BH q over the themes estimated; FCR-adjusted intervals and findings as
    in :func:`link_themes` (the t-test and its interval are dual, so the selection on intervals is
    BH on the joint p-values). Never raises on degenerate input: a theme without an estimate gets a
    reason, and a model that cannot be fitted says why in ``reason``.

    Rules (fixed, not fitted): a theme enters when it has ``min_reps`` reps on each side (as the
    one-at-a-time link); regions with fewer than ``min_reps`` reps are pooled with the largest
    region; themes are added largest first and a theme whose indicator is a linear combination of
    the terms already in (e.g. reported by exactly the same reps as another) is left out and says
    which terms; if the reps are too few for all themes, the smallest are left out so that at least
    :data:`JOINT_MIN_DF` residual degrees of freedom remain.

    Parameters
    ----------
    changes : mapping of rep id to float
        Change % (fraction) of every rep with a baseline. Non-finite values are an error.
    memberships : mapping of theme id to collection of rep ids
        Reps with at least one observation in the theme.
    regions : mapping of rep id to region, optional
        Region of each rep (None or missing: a level of its own, "(none)").
    baselines : mapping of rep id to float, optional
        Baseline amount; its log enters the model. Reps with a missing or non-positive baseline are
        left out when it is given.
    managers : mapping of rep id to manager id, optional
        Direct manager, for clustered errors (a rep without one is its own cluster).
    one_at_a_time : mapping of theme id to ThemeLinkResult, optional
        :func:`link_themes` of the same period, for the disagreement flag.
    min_reps : int, default 5
    confidence : float, default 0.95
        Level of the unadjusted interval.
    fcr_q : float, default 0.05

    Returns
    -------
    JointModel
        ``themes`` in the order of ``memberships``.
    """
    values = {rep: float(v) for rep, v in changes.items()}
    if any(not np.isfinite(v) for v in values.values()):
        raise ValueError("changes must be finite")
    notes: list[str] = []
    reps = list(values)
    if baselines is not None:
        kept = [r for r in reps if r in baselines and baselines[r] is not None
                and np.isfinite(float(baselines[r])) and float(baselines[r]) > 0]
        if len(kept) < len(reps):
            notes.append(f"{len(reps) - len(kept)} reps without a positive baseline left out")
        reps = kept
    n = len(reps)
    y = np.array([values[r] for r in reps], dtype=float)
    rep_index = {r: i for i, r in enumerate(reps)}
    indicators: dict[Hashable, np.ndarray] = {}
    for theme_id, members in memberships.items():
        col = np.zeros(n)
        for r in set(members):
            i = rep_index.get(r)
            if i is not None:
                col[i] = 1.0
        indicators[theme_id] = col
    one = one_at_a_time or {}

    def oat(theme_id):
        res = one.get(theme_id)
        if res is None or res.link is None or res.link.adj_level is None:
            return None
        return bool(res.link.finding)

    def empty(reason: str, extra: dict | None = None) -> JointModel:
        themes = {t: JointThemeResult(t, int(indicators[t].sum()), None, (extra or {}).get(t, reason), oat(t))
                  for t in memberships}
        return JointModel(themes, n, 0, None, None, 0, 0, None, reason, tuple(notes))

    reasons: dict[Hashable, str] = {}
    candidates = []
    for theme_id, col in indicators.items():
        k = int(col.sum())
        if k < min_reps or n - k < min_reps:
            reasons[theme_id] = TOO_FEW
        else:
            candidates.append(theme_id)
    if not candidates:
        return empty(TOO_FEW if memberships else "no themes", reasons)

    # Base terms: intercept, region dummies (small regions pooled), log baseline.
    columns: list[tuple[tuple[str, object], np.ndarray]] = [(("const", None), np.ones(n))]
    if regions is not None:
        level_of = {r: ("(none)" if regions.get(r) is None else regions.get(r)) for r in reps}
        sizes = Counter(level_of.values())
        if sizes:
            largest = max(sizes, key=lambda k: (sizes[k], repr(k)))
            small = sorted((k for k, c in sizes.items() if c < min_reps and k != largest), key=repr)
            if small:
                notes.append(f"regions with fewer than {min_reps} reps pooled with {largest}: "
                             + ", ".join(map(str, small)))
            levels = sorted((k for k in sizes if k != largest and k not in small), key=repr)
            for level in levels:
                columns.append((("region", level), np.array([1.0 if level_of[r] == level else 0.0 for r in reps])))
    if baselines is not None and n:
        logb = np.log(np.array([float(baselines[r]) for r in reps]))
        columns.append((("baseline", None), logb - logb.mean()))

    # Keep base terms that add rank (a constant baseline or a region equal to nothing else).
    def residual(basis: np.ndarray | None, col: np.ndarray) -> tuple[float, np.ndarray | None]:
        norm = float(np.linalg.norm(col))
        if norm == 0:
            return 0.0, None
        if basis is None:
            return 1.0, None
        coef, *_ = np.linalg.lstsq(basis, col, rcond=None)
        return float(np.linalg.norm(col - basis @ coef)) / norm, coef

    kept: list[tuple[tuple[str, object], np.ndarray]] = []
    tol = 1e-8
    for key, col in columns:
        basis = np.column_stack([c for _, c in kept]) if kept else None
        rel, _ = residual(basis, col)
        if rel > tol:
            kept.append((key, col))
        elif key[0] != "const":
            notes.append(f"{_name(key)} left out: no variation beyond the other terms")
    n_base = len(kept)
    max_themes = n - n_base - JOINT_MIN_DF
    if max_themes < 1:
        return empty(f"too few reps for the joint model ({n} reps, {n_base} base terms, "
                     f"{JOINT_MIN_DF} residual degrees of freedom needed)", reasons)
    order = sorted(candidates, key=lambda t: (-int(indicators[t].sum()), list(memberships).index(t)))
    theme_cols: list[Hashable] = []
    for theme_id in order:
        col = indicators[theme_id]
        basis = np.column_stack([c for _, c in kept])
        rel, coef = residual(basis, col)
        if rel <= tol:
            involved = [_name(kept[i][0]) for i in np.flatnonzero(np.abs(coef) > 1e-6)]
            reasons[theme_id] = ("cannot be told apart in the joint model from "
                                 + (", ".join(involved) if involved else "the other terms")
                                 + " (the same reps report them)")
            continue
        if len(theme_cols) >= max_themes:
            reasons[theme_id] = (f"left out of the joint model: too few reps for every theme at once "
                                 f"(the {max_themes} largest are in)")
            continue
        kept.append((("theme", theme_id), col))
        theme_cols.append(theme_id)

    X = np.column_stack([c for _, c in kept])
    p_terms = X.shape[1]
    if float(np.ptp(y)) == 0.0:
        return empty("every rep proposed the same change: nothing to explain", reasons)

    import statsmodels.api as sm

    q_mat, _ = np.linalg.qr(X)
    leverage = np.sum(q_mat ** 2, axis=1)
    cov_type, fit_kwargs = "HC3", {}
    if managers is not None:
        groups = {}
        codes = np.array([groups.setdefault(("m", managers.get(r)) if managers.get(r) is not None else ("r", r),
                                            len(groups)) for r in reps])
        if len(groups) >= JOINT_MIN_CLUSTERS:
            cov_type, fit_kwargs = "cluster", {"cov_kwds": {"groups": codes}}
        else:
            notes.append(f"only {len(groups)} managers: HC3 errors instead of clustering "
                         f"(at least {JOINT_MIN_CLUSTERS} needed)")
    if cov_type == "HC3" and float(leverage.max()) > 1 - 1e-8:
        cov_type = "HC1"
        notes.append("a rep has leverage 1 (HC3 undefined): HC1 errors")
    try:
        fit = sm.OLS(y, X).fit(cov_type=cov_type, use_t=True, **fit_kwargs)
    except (ValueError, np.linalg.LinAlgError) as exc:  # pragma: no cover - guarded above
        return empty(f"the joint model could not be fitted ({exc})", reasons)

    first = n_base
    coefs = np.asarray(fit.params, dtype=float)[first:]
    ses = np.asarray(fit.bse, dtype=float)[first:]
    pvals = np.asarray(fit.pvalues, dtype=float)[first:]
    ok = [i for i in range(len(theme_cols)) if np.isfinite(ses[i]) and ses[i] > 0 and np.isfinite(pvals[i])]
    for i in range(len(theme_cols)):
        if i not in ok:
            reasons[theme_cols[i]] = "no standard error in the joint model (no variation left to estimate it)"

    def intervals(level: float) -> np.ndarray:
        return np.asarray(fit.conf_int(alpha=1 - level), dtype=float)[first:]

    m = len(ok)
    q_values = benjamini_hochberg(pvals[ok]) if m else np.array([])
    n_findings, level = fcr_selection(lambda lv: [tuple(intervals(lv)[i]) for i in ok], m, q=fcr_q)
    ci, adj = intervals(confidence), intervals(level)
    estimates: dict[Hashable, JointEstimate] = {}
    for j, i in enumerate(ok):
        finding = _excludes_zero((adj[i, 0], adj[i, 1]))
        estimates[theme_cols[i]] = JointEstimate(
            float(coefs[i]), float(ses[i]), float(ci[i, 0]), float(ci[i, 1]), float(pvals[i]), float(q_values[j]),
            float(adj[i, 0]), float(adj[i, 1]), level, finding)
    themes = {}
    for theme_id in memberships:
        est = estimates.get(theme_id)
        one_view = oat(theme_id)
        disagrees = bool(est is not None and one_view is not None and est.finding != one_view)
        themes[theme_id] = JointThemeResult(theme_id, int(indicators[theme_id].sum()), est,
                                            None if est is not None else reasons.get(theme_id, TOO_FEW),
                                            one_view, disagrees)
    return JointModel(themes, n, p_terms, cov_type, float(fit.rsquared), m, n_findings, level if m else None,
                      None, tuple(notes))


def describe_joint(label: str, result: JointThemeResult | None) -> str:
    """One plain sentence on a theme in the joint model, saying where it disagrees with one-at-a-time."""
    if result is None or result.estimate is None:
        why = TOO_FEW if result is None else result.reason
        return f"Together with the other themes: no estimate for {label} ({why})."
    e = result.estimate
    adj = f"{format_level(e.adj_level)} interval {_range(e.adj_ci_low, e.adj_ci_high)}"
    if e.finding:
        text = (f"Together with the other themes, region and baseline size, reporting {label} goes with "
                f"{_pts(e.coef)} points of proposed change, a clear difference ({adj}, adjusted)")
    else:
        text = (f"Together with the other themes, region and baseline size, {label} shows no clear difference of "
                f"its own ({_pts(e.coef)} points; {adj}, adjusted, includes zero)")
    if result.disagrees:
        text += ("; one at a time it looked like a finding, so it probably rides along with another theme"
                 if not e.finding else "; one at a time it did not stand out")
    return text + "."
