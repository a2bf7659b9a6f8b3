"""Theme <-> target link: do reps who report a theme propose different target changes than the others?

Definition (PRODUCT.md): for theme T in period P, reps with at least one observation in T versus
the other reps with a change %; the difference of mean change %, a 95% percentile bootstrap
confidence interval (each group resampled independently), a two-sided Mann-Whitney p-value and a
Benjamini-Hochberg q across all themes of the period that had enough reps. A finding needs at
least 5 reps on each side; otherwise the theme is "too few reps to tell". Changes are fractions
(-0.12 is -12%).
"""

from __future__ import annotations

import zlib
from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "MIN_REPS",
    "TOO_FEW",
    "TargetLink",
    "ThemeLinkResult",
    "benjamini_hochberg",
    "bootstrap_diff_ci",
    "describe_link",
    "link_themes",
]

MIN_REPS = 5
TOO_FEW = "too few reps to tell"
_CHUNK_ELEMENTS = 2_000_000  # bound on resample indices held in memory at once


@dataclass(frozen=True)
class TargetLink:
    """The link of one theme to target changes (the ``target_link`` object of the JSON output)."""

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
        """``"finding"`` or ``"too few reps to tell"``."""
        return TOO_FEW if self.link is None else "finding"


def benjamini_hochberg(p_values: Sequence[float]) -> np.ndarray:
    """Adjust p-values for the false discovery rate (Benjamini-Hochberg step-up).

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
    m = p.size
    order = np.argsort(p, kind="stable")
    scaled = p[order] * m / np.arange(1, m + 1)
    q_sorted = np.minimum.accumulate(scaled[::-1])[::-1]
    q = np.empty(m)
    q[order] = np.minimum(q_sorted, 1.0)
    return q


def bootstrap_diff_ci(
    with_values: Sequence[float],
    without_values: Sequence[float],
    *,
    n_resamples: int = 2000,
    confidence: float = 0.95,
    random_state: int | np.random.Generator | None = None,
) -> tuple[float, float]:
    """Percentile bootstrap interval for ``mean(with) - mean(without)``.

    Each group is resampled with replacement independently of the other, ``n_resamples`` times,
    vectorised with numpy (in chunks, so memory stays bounded for large groups).

    Parameters
    ----------
    with_values, without_values : sequence of float
        The two samples (non-empty).
    n_resamples : int, default 2000
        Number of bootstrap resamples.
    confidence : float, default 0.95
        Coverage of the interval.
    random_state : int, Generator or None
        Seed or generator; an int makes the interval repeatable.

    Returns
    -------
    tuple of float
        ``(low, high)``.
    """
    x = np.asarray(with_values, dtype=float)
    y = np.asarray(without_values, dtype=float)
    if x.size == 0 or y.size == 0:
        raise ValueError("both samples must be non-empty")
    if not 0 < confidence < 1:
        raise ValueError("confidence must lie in (0, 1)")
    rng = np.random.default_rng(random_state)
    diffs = np.empty(n_resamples)
    chunk = max(1, _CHUNK_ELEMENTS // max(x.size, y.size))
    for start in range(0, n_resamples, chunk):
        b = min(chunk, n_resamples - start)
        mx = x[rng.integers(0, x.size, size=(b, x.size))].mean(axis=1)
        my = y[rng.integers(0, y.size, size=(b, y.size))].mean(axis=1)
        diffs[start:start + b] = mx - my
    alpha = 1.0 - confidence
    low, high = np.quantile(diffs, [alpha / 2, 1 - alpha / 2])
    return float(low), float(high)


def _theme_rng(random_state: int | np.random.Generator | None, theme_id: Hashable) -> np.random.Generator:
    if isinstance(random_state, np.random.Generator):
        return random_state
    if random_state is None:
        return np.random.default_rng()
    # A stream per (seed, theme): a theme's interval does not depend on which other themes exist.
    return np.random.default_rng([int(random_state), zlib.crc32(repr(theme_id).encode("utf-8"))])


def link_themes(
    changes: Mapping[Hashable, float],
    memberships: Mapping[Hashable, Collection[Hashable]],
    *,
    min_reps: int = MIN_REPS,
    n_resamples: int = 2000,
    confidence: float = 0.95,
    random_state: int | np.random.Generator | None = None,
) -> dict[Hashable, ThemeLinkResult]:
    """Link every theme of a period to the reps' target changes.

    Parameters
    ----------
    changes : mapping of rep id to float
        Change % as a fraction for every rep with a baseline (reps without one are left out by
        the caller). Non-finite values are an error.
    memberships : mapping of theme id to collection of rep ids
        Reps with at least one observation in the theme. Reps absent from ``changes`` are ignored.
    min_reps : int, default 5
        Minimum reps on each side for a finding (PRODUCT.md: 5).
    n_resamples : int, default 2000
        Bootstrap resamples per theme.
    confidence : float, default 0.95
        Coverage of the bootstrap interval.
    random_state : int, Generator or None
        With an int, each theme gets its own stream derived from the seed and the theme id, so
        results are repeatable and independent of the other themes.

    Returns
    -------
    dict of theme id to ThemeLinkResult
        In the order of ``memberships``. ``link`` is ``None`` ("too few reps to tell") when either
        side has fewer than ``min_reps`` reps; q is computed over the themes with a link.
    """
    values = {rep: float(v) for rep, v in changes.items()}
    if any(not np.isfinite(v) for v in values.values()):
        raise ValueError("changes must be finite")
    reps = list(values)
    all_changes = np.array([values[r] for r in reps])

    from scipy import stats  # here, not at import: scipy.stats costs ~0.5 s to import

    partial: dict[Hashable, tuple] = {}
    results: dict[Hashable, ThemeLinkResult] = {}
    for theme_id, members in memberships.items():
        member_set = set(members)
        mask = np.array([r in member_set for r in reps], dtype=bool)
        x, y = all_changes[mask], all_changes[~mask]
        results[theme_id] = ThemeLinkResult(theme_id, int(x.size), int(y.size), None)
        if x.size < min_reps or y.size < min_reps:
            continue
        p = float(stats.mannwhitneyu(x, y, alternative="two-sided").pvalue)
        low, high = bootstrap_diff_ci(
            x, y, n_resamples=n_resamples, confidence=confidence, random_state=_theme_rng(random_state, theme_id)
        )
        partial[theme_id] = (float(x.mean()), float(y.mean()), low, high, p)

    q_values = benjamini_hochberg([v[4] for v in partial.values()])
    for (theme_id, (m_with, m_without, low, high, p)), q in zip(partial.items(), q_values):
        r = results[theme_id]
        link = TargetLink(
            theme_id, r.n_with, r.n_without, m_with, m_without, m_with - m_without, low, high, p, float(q)
        )
        results[theme_id] = ThemeLinkResult(theme_id, r.n_with, r.n_without, link)
    return results


def _fmt_q(q: float) -> str:
    if q < 0.001:
        return "q < 0.001"
    if q < 0.01:
        return f"q = {q:.3f}"
    return f"q = {q:.2f}"


def describe_link(label: str, result: ThemeLinkResult | TargetLink | None, *, alpha: float = 0.05) -> str:
    """Say in one plain sentence how a theme goes with target changes.

    Parameters
    ----------
    label : str
        The theme's human-readable label (user data: escape it when rendering HTML).
    result : ThemeLinkResult, TargetLink or None
        The theme's link; ``None`` or a result without a link reads "too few reps to tell".
    alpha : float, default 0.05
        A difference with ``q < alpha`` is stated as a finding; otherwise "no clear difference".

    Returns
    -------
    str
        For example "Reps reporting competitor discounting proposed -9.8% on average against
        +4.1% for the others (difference -13.9 points, 95% CI -19.0 to -8.0; q = 0.001)."
    """
    link = result.link if isinstance(result, ThemeLinkResult) else result
    if link is None:
        if isinstance(result, ThemeLinkResult):
            return (
                f"Too few reps to tell for {label} ({result.n_with} reporting it, "
                f"{result.n_without} not; at least {MIN_REPS} needed on each side)."
            )
        return f"Too few reps to tell for {label}."
    detail = (
        f"difference {100 * link.diff:+.1f} points, 95% CI {100 * link.ci_low:.1f} to "
        f"{100 * link.ci_high:.1f}; {_fmt_q(link.q)}"
    )
    head = (
        f"Reps reporting {label} proposed {100 * link.mean_change_with:+.1f}% on average against "
        f"{100 * link.mean_change_without:+.1f}% for the others"
    )
    if link.q < alpha:
        return f"{head} ({detail})."
    return f"{head}: no clear difference ({detail})."
