"""Forecast accuracy of bottom-up, manager-approved and top-down targets against actuals, and the value added by manager adjustments.

Definitions (PRODUCT.md), for each forecast F in {proposed, approved, top_down}:
WAPE = sum|actual - F| / sum actual; bias = sum(F - actual) / sum actual (positive = over-forecast);
per-rep APE = |actual - F| / actual. All three are fractions (0.12 is 12%). A rep without a value
for F is left out of F's figures (and counted in ``n`` only where present). Forecast value added
(FVA) of manager adjustments = WAPE(proposed) - WAPE(approved) over the reps that have both:
positive means adjusting made the forecast more accurate.

Per approval layer (PRODUCT.md "Forecast value added"): a plan goes rep -> direct manager -> each
level above; :attr:`RepForecast.chain` holds the amount each level passed on. FVA of a layer =
WAPE of what it received - WAPE of what it passed on, over the decided plans with an actual (a level
that did not touch a plan passes it on unchanged), so the managers' layers add up to the total
proposed -> approved FVA. With the rep's baseline (last period's target) the rep layer is scored
too: FVA of the reps = WAPE(baseline) - WAPE(proposed), the value of asking the field over the naive
"same as last period" forecast. :func:`layer_fva` does one period, :func:`layer_fva_by_period` each
period and all of them pooled, :func:`describe_fva` says it in a sentence.
"""

from __future__ import annotations

import inspect
import math
import re
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

__all__ = [
    "FORECASTS",
    "FVA",
    "AccuracyReport",
    "FVAHistory",
    "FVAReport",
    "ForecastError",
    "LayerFVAReport",
    "RepError",
    "RepForecast",
    "Step",
    "accuracy",
    "describe_fva",
    "forecast_error",
    "forecast_value_added",
    "fva",
    "layer_fva",
    "layer_fva_by_period",
    "layer_name",
    "period_phrase",
]

FORECASTS = ("proposed", "approved", "top_down")


def _check_number(value, what: str) -> None:
    if value is not None and (isinstance(value, bool) or not math.isfinite(value)):
        raise ValueError(f"{what} must be a finite number, got {value!r}")


@dataclass(frozen=True)
class Step:
    """One level of a plan's approval chain: the manager there and the amount they passed on.

    ``amount`` None means the level passed the plan on unchanged (approved as received, or never
    saw it because the level below had the last word).
    """

    manager_id: Hashable
    amount: float | None = None

    def __post_init__(self) -> None:
        _check_number(self.amount, f"amount of step {self.manager_id!r}")


@dataclass(frozen=True)
class RepForecast:
    """One rep's forecasts and actual for a period (money; ``None`` where missing).

    ``chain`` lists the approval levels, direct manager first, with the amount each passed on; the
    last amount given must equal ``approved``. Empty: the direct manager (``manager_id``) decided
    ``approved`` alone. ``baseline`` (last period's approved target) scores the rep layer.
    """

    rep_id: Hashable
    actual: float | None
    proposed: float | None = None
    approved: float | None = None
    top_down: float | None = None
    region: str | None = None
    manager_id: Hashable | None = None
    baseline: float | None = None
    chain: tuple[Step, ...] = ()

    def __post_init__(self) -> None:
        for name in ("actual", "baseline", *FORECASTS):
            _check_number(getattr(self, name), f"{name} of rep {self.rep_id!r}")
        if self.actual is not None and self.actual < 0:
            raise ValueError(f"actual of rep {self.rep_id!r} must not be negative")
        object.__setattr__(self, "chain", tuple(self.chain))
        if self.chain:
            amounts = [s.amount for s in self.chain if s.amount is not None]
            last = amounts[-1] if amounts else self.proposed
            if self.approved is None or last is None or abs(last - self.approved) > 1e-9 * max(1.0, abs(last)):
                raise ValueError(f"the chain of rep {self.rep_id!r} ends at {last!r}, not at approved "
                                 f"{self.approved!r}")

    def steps(self) -> tuple[Step, ...]:
        """The approval chain, or the direct manager's decision when no chain was given."""
        if self.chain:
            return self.chain
        return (Step(self.manager_id, self.approved),) if self.approved is not None else ()


@dataclass(frozen=True)
class ForecastError:
    """WAPE and bias of one forecast over a set of reps (``None`` when sum of actuals is 0)."""

    forecast: str
    n: int
    total_actual: float
    total_forecast: float
    wape: float | None
    bias: float | None


@dataclass(frozen=True)
class RepError:
    """Per-rep absolute percentage error of each forecast (``None`` if missing or actual is 0)."""

    rep_id: Hashable
    region: str | None
    manager_id: Hashable | None
    ape: dict[str, float | None]


@dataclass(frozen=True)
class AccuracyReport:
    """Forecast errors overall, per region (by forecast name) and per rep."""

    overall: dict[str, ForecastError]
    by_region: dict[str, dict[str, ForecastError]]
    per_rep: list[RepError]


@dataclass(frozen=True)
class FVA:
    """Value added by manager adjustments over the reps with both a proposal and an approval.

    ``n_closer``/``n_further`` count reps whose approved amount is nearer to / farther from the
    actual than their proposal; ``n_unchanged`` counts equal distance (usually no adjustment).

    For one approval layer (:func:`layer_fva`) *proposed* reads "what the layer received" and
    *approved* "what it passed on" (``wape_in``/``wape_out`` say so); ``layer`` names it and
    ``level`` is 0 for the reps, 1 for direct managers, 2 for the level above, and so on (the total
    over all manager layers is ``layer="managers"``, level 1).
    ``fva_ci_low``/``fva_ci_high`` is a paired percentile bootstrap interval of ``fva`` over the
    plans (None where not computed or fewer than 5 plans).
    """

    n: int
    n_adjusted: int
    wape_proposed: float | None
    wape_approved: float | None
    fva: float | None  # wape_proposed - wape_approved; positive = adjusting helped
    n_closer: int
    n_further: int
    n_unchanged: int
    bias_proposed: float | None = None
    bias_approved: float | None = None
    layer: str = "managers"
    level: int = 1
    fva_ci_low: float | None = None
    fva_ci_high: float | None = None

    @property
    def wape_in(self) -> float | None:
        """WAPE of what the layer received."""
        return self.wape_proposed

    @property
    def wape_out(self) -> float | None:
        """WAPE of what the layer passed on."""
        return self.wape_approved

    @property
    def bias_in(self) -> float | None:
        """Bias of what the layer received."""
        return self.bias_proposed

    @property
    def bias_out(self) -> float | None:
        """Bias of what the layer passed on."""
        return self.bias_approved


@dataclass(frozen=True)
class FVAReport:
    """Forecast value added overall, per region and per manager."""

    overall: FVA
    by_region: dict[str, FVA]
    by_manager: dict[Hashable, FVA]


def _with_actual(records: Iterable[RepForecast]) -> list[RepForecast]:
    return [r for r in records if r.actual is not None]


def forecast_error(records: Iterable[RepForecast], forecast: str) -> ForecastError:
    """Compute WAPE and bias of one forecast.

    Parameters
    ----------
    records : iterable of RepForecast
        Reps of one period; reps without an actual or without this forecast are left out.
    forecast : {"proposed", "approved", "top_down"}
        Which forecast to score.

    Returns
    -------
    ForecastError
        ``n`` is the number of reps scored; ``wape``/``bias`` are ``None`` when their actuals sum
        to zero.
    """
    if forecast not in FORECASTS:
        raise ValueError(f"forecast must be one of {FORECASTS}, got {forecast!r}")
    pairs = [(r.actual, getattr(r, forecast)) for r in _with_actual(records) if getattr(r, forecast) is not None]
    total_actual = math.fsum(a for a, _ in pairs)
    total_forecast = math.fsum(f for _, f in pairs)
    if total_actual <= 0:
        return ForecastError(forecast, len(pairs), total_actual, total_forecast, None, None)
    wape = math.fsum(abs(a - f) for a, f in pairs) / total_actual
    bias = math.fsum(f - a for a, f in pairs) / total_actual
    return ForecastError(forecast, len(pairs), total_actual, total_forecast, wape, bias)


def _ape(actual: float, value: float | None) -> float | None:
    if value is None or actual <= 0:
        return None
    return abs(actual - value) / actual


def _by(records: Sequence[RepForecast], key: Callable[[RepForecast], Hashable | None]) -> dict:
    groups: dict = {}
    for r in records:
        k = key(r)
        if k is not None:
            groups.setdefault(k, []).append(r)
    return groups


def accuracy(records: Iterable[RepForecast], forecasts: Sequence[str] = FORECASTS) -> AccuracyReport:
    """Score every forecast overall, per region and per rep.

    Parameters
    ----------
    records : iterable of RepForecast
        Reps of one period; reps without an actual are left out entirely.
    forecasts : sequence of str, default ("proposed", "approved", "top_down")
        Forecasts to score.

    Returns
    -------
    AccuracyReport
        Regions in first-seen order; reps without a region count only in ``overall``.
    """
    recs = _with_actual(records)
    overall = {f: forecast_error(recs, f) for f in forecasts}
    by_region = {
        region: {f: forecast_error(rs, f) for f in forecasts} for region, rs in _by(recs, lambda r: r.region).items()
    }
    per_rep = [
        RepError(r.rep_id, r.region, r.manager_id, {f: _ape(r.actual, getattr(r, f)) for f in forecasts})
        for r in recs
    ]
    return AccuracyReport(overall, by_region, per_rep)


def fva(records: Iterable[RepForecast]) -> FVA:
    """Compute the forecast value added by manager adjustments over a set of reps.

    Parameters
    ----------
    records : iterable of RepForecast
        Reps; only those with an actual, a proposal and an approval are compared (paired).

    Returns
    -------
    FVA
        ``fva = WAPE(proposed) - WAPE(approved)``; positive means the adjustments helped.
    """
    paired = [r for r in _with_actual(records) if r.proposed is not None and r.approved is not None]
    return _fva_of([(r.actual, r.proposed, r.approved) for r in paired])


def _fva_of(triples: Sequence[tuple[float, float, float]], layer: str = "managers", level: int = 1) -> FVA:
    """FVA over (actual, input, output) triples."""
    closer = further = unchanged = adjusted = 0
    for actual, before_amount, after_amount in triples:
        if after_amount != before_amount:
            adjusted += 1
        before, after = abs(actual - before_amount), abs(actual - after_amount)
        if after < before:
            closer += 1
        elif after > before:
            further += 1
        else:
            unchanged += 1
    total = math.fsum(a for a, _, _ in triples)
    if total > 0:
        wp = math.fsum(abs(a - b) for a, b, _ in triples) / total
        wa = math.fsum(abs(a - f) for a, _, f in triples) / total
        bp = math.fsum(b - a for a, b, _ in triples) / total
        ba = math.fsum(f - a for a, _, f in triples) / total
        value = wp - wa
    else:
        wp = wa = bp = ba = value = None
    return FVA(len(triples), adjusted, wp, wa, value, closer, further, unchanged, bp, ba, layer, level)


def forecast_value_added(records: Iterable[RepForecast]) -> FVAReport:
    """Compute the value added by manager adjustments overall, per region and per manager.

    Parameters
    ----------
    records : iterable of RepForecast
        Reps of one period.

    Returns
    -------
    FVAReport
        Per manager groups reps by ``manager_id`` (the rep's direct manager, who decided).
    """
    recs = list(records)
    return FVAReport(
        overall=fva(recs),
        by_region={k: fva(v) for k, v in _by(recs, lambda r: r.region).items()},
        by_manager={k: fva(v) for k, v in _by(recs, lambda r: r.manager_id).items()},
    )


# ----------------------------------------------------------------------------------------------
# Value added per approval layer


MIN_PLANS_FOR_INTERVAL = 5
_ORDINALS = {2: "second", 3: "third", 4: "fourth", 5: "fifth"}


def layer_name(level: int) -> str:
    """The plain name of an approval layer: 0 reps, 1 direct managers, 2 second-level managers, ..."""
    if level == 0:
        return "reps"
    if level == 1:
        return "direct managers"
    if level in _ORDINALS:
        return f"{_ORDINALS[level]}-level managers"
    return f"level-{level} managers"


@dataclass(frozen=True)
class LayerFVAReport:
    """Forecast value added by each approval layer in one period (or several pooled).

    ``layers``: the rep layer (level 0, only when baselines were given) then one entry per manager
    level that any plan went through, direct managers first; the manager layers' ``fva`` add up to
    ``total.fva`` (proposed -> approved). ``by_manager`` maps ``(level, manager_id)`` to the FVA of
    that manager's decisions over the plans that passed them at that level. ``n_undecided`` counts
    plans with an actual and a proposal but no approved amount (left out; never counted as 0).
    """

    period: str | None
    layers: tuple[FVA, ...]
    total: FVA
    by_manager: dict[tuple[int, Hashable], FVA] = field(default_factory=dict)
    n_undecided: int = 0

    def layer(self, level: int) -> FVA | None:
        """The layer at ``level``, or None if no plan went through it."""
        return next((f for f in self.layers if f.level == level), None)


@dataclass(frozen=True)
class FVAHistory:
    """Per-period layer reports (in the order given) and all periods pooled (``period`` "all")."""

    periods: dict[str, LayerFVAReport]
    pooled: LayerFVAReport


def _amounts(r: RepForecast) -> list[tuple[Hashable, float, float]]:
    """(manager, received, passed on) per level of the plan's chain."""
    out, current = [], r.proposed
    for step in r.steps():
        after = current if step.amount is None else step.amount
        out.append((step.manager_id, current, after))
        current = after
    return out


def _fva_interval(triples, confidence: float, n_resamples: int, random_state) -> tuple[float | None, float | None]:
    """Paired percentile bootstrap interval of FVA = (sum|a-in| - sum|a-out|) / sum a over plans."""
    if len(triples) < MIN_PLANS_FOR_INTERVAL:
        return None, None
    a, before, after = (np.array(v, dtype=float) for v in zip(*triples))
    if a.sum() <= 0 or np.all(before == after):
        return (0.0, 0.0) if a.sum() > 0 else (None, None)
    from scipy.stats import bootstrap

    def stat(x, b, f, axis=-1):
        total = np.sum(x, axis=axis)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (np.sum(np.abs(x - b), axis=axis) - np.sum(np.abs(x - f), axis=axis)) / total

    rng = np.random.default_rng(random_state)
    kw = {"rng": rng} if "rng" in inspect.signature(bootstrap).parameters else {"random_state": rng}
    res = bootstrap((a, before, after), stat, paired=True, vectorized=True, n_resamples=n_resamples,
                    confidence_level=confidence, method="percentile", **kw)
    low, high = float(res.confidence_interval.low), float(res.confidence_interval.high)
    if not (math.isfinite(low) and math.isfinite(high)):
        return None, None
    return low, high


def _with_interval(f: FVA, triples, confidence, n_resamples, random_state) -> FVA:
    if confidence is None or f.fva is None:
        return f
    low, high = _fva_interval(triples, confidence, n_resamples, random_state)
    return replace(f, fva_ci_low=low, fva_ci_high=high)


def layer_fva(
    records: Iterable[RepForecast],
    *,
    period: str | None = None,
    confidence: float | None = 0.95,
    n_resamples: int = 2000,
    random_state: int | None = 0,
) -> LayerFVAReport:
    """Compute the forecast value added by each approval layer and each manager.

    Parameters
    ----------
    records : iterable of RepForecast
        Plans of one period (or several, pooled); only plans with an actual, a proposal and an
        approved amount are scored.
    period : str, optional
        Carried into the report (and :func:`describe_fva`'s wording).
    confidence : float or None, default 0.95
        Level of the paired bootstrap interval of each layer's and the total FVA (per manager: none);
        None computes no interval.
    n_resamples : int, default 2000
    random_state : int or None, default 0
        Seed of the intervals (repeatable by default, so the page and the JSON agree).

    Returns
    -------
    LayerFVAReport
    """
    recs = [r for r in _with_actual(records) if r.proposed is not None]
    decided = [r for r in recs if r.approved is not None]
    chains = {id(r): _amounts(r) for r in decided}
    depth = max((len(c) for c in chains.values()), default=0)
    layers: list[FVA] = []
    with_baseline = [(r.actual, r.baseline, r.proposed) for r in decided if r.baseline is not None]
    if with_baseline:
        layers.append(_with_interval(_fva_of(with_baseline, layer_name(0), 0), with_baseline, confidence,
                                     n_resamples, random_state))
    by_manager: dict[tuple[int, Hashable], list] = {}
    for level in range(1, depth + 1):
        triples = []
        for r in decided:
            chain = chains[id(r)]
            if len(chain) >= level:
                manager, before, after = chain[level - 1]
                by_manager.setdefault((level, manager), []).append((r.actual, before, after))
            else:  # the plan stopped below this level: passed on unchanged
                before = after = chain[-1][2] if chain else r.approved
            triples.append((r.actual, before, after))
        layers.append(_with_interval(_fva_of(triples, layer_name(level), level), triples, confidence,
                                     n_resamples, random_state))
    total_triples = [(r.actual, r.proposed, r.approved) for r in decided]
    total = _with_interval(_fva_of(total_triples, "managers", 1), total_triples, confidence, n_resamples,
                           random_state)
    managers = {key: _fva_of(t, layer_name(key[0]), key[0]) for key, t in by_manager.items()}
    return LayerFVAReport(period, tuple(layers), total, managers, len(recs) - len(decided))


def layer_fva_by_period(
    records_by_period: Mapping[str, Iterable[RepForecast]], **kwargs
) -> FVAHistory:
    """:func:`layer_fva` for each period and for all of them pooled (WAPE over the pooled actuals)."""
    lists = {p: list(rs) for p, rs in records_by_period.items()}
    per = {p: layer_fva(rs, period=p, **kwargs) for p, rs in lists.items()}
    pooled = layer_fva([r for rs in lists.values() for r in rs], period="all", **kwargs)
    return FVAHistory(per, pooled)


def period_phrase(period: str | None) -> str:
    """ "this quarter" for ``YYYY-Qn``, "this month" for ``YYYY-MM``, "over all periods" for "all"."""
    if period is None:
        return "this period"
    if period == "all":
        return "over all periods"
    if re.fullmatch(r"\d{4}-Q[1-4]", period):
        return "this quarter"
    if re.fullmatch(r"\d{4}-\d{2}", period):
        return "this month"
    return f"in {period}"


def _points(x: float) -> str:
    return f"{abs(100 * x):.1f} points"


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def describe_fva(f: FVA | None, *, period: str | None = None, who: str | None = None) -> str:
    """Say in one sentence whether a layer's adjustments made the forecast better or worse.

    Parameters
    ----------
    f : FVA or None
        A layer (:attr:`LayerFVAReport.layers`), the total, or :func:`fva`'s result.
    period : str, optional
        Period code for the wording ("this quarter", "this month"); "all" reads "over all periods".
    who : str, optional
        Whose adjustments, e.g. "Managers'" (default: from the layer, "Direct managers'").

    Returns
    -------
    str
        For example "Managers' adjustments made the forecast 0.7 points worse this quarter (error 5.3%
        before, 6.0% after; 12 of 46 plans adjusted)." An interval that includes zero is said so.
    """
    when = period_phrase(period)
    if f is None or f.n == 0:
        return f"No decided plan with an actual {when}: no value added to measure yet."
    name = who or (f.layer[:1].upper() + f.layer[1:] + "'")
    noun = "forecasts" if f.level == 0 else "adjustments"
    if f.level == 0:
        name = who or "Reps'"
    if f.fva is None:
        return f"{name} {noun}: no value added to measure {when} (the actuals sum to zero)."
    if f.level > 0 and f.n_adjusted == 0:
        return f"{layer_name(f.level).capitalize()} adjusted none of the {f.n} plans {when}."
    if f.level == 0:
        head = (f"{name} proposals were {_points(f.fva)} {'more' if f.fva > 0 else 'less'} accurate than "
                f"last period's targets {when}" if round(100 * f.fva, 1) != 0 else
                f"{name} proposals were as accurate as last period's targets {when}")
        detail = f"error {_pct(f.wape_in)} for last period's targets, {_pct(f.wape_out)} for the proposals"
    else:
        if round(100 * f.fva, 1) == 0:
            head = f"{name} {noun} made no measurable difference to the forecast {when}"
        else:
            head = f"{name} {noun} made the forecast {_points(f.fva)} {'better' if f.fva > 0 else 'worse'} {when}"
        detail = (f"error {_pct(f.wape_in)} before, {_pct(f.wape_out)} after; {f.n_adjusted} of {f.n} plans "
                  f"adjusted")
    if f.fva_ci_low is not None and f.fva_ci_high is not None and f.fva_ci_low <= 0 <= f.fva_ci_high \
            and round(100 * f.fva, 1) != 0:
        detail += (f"; within what chance alone could give: 95% interval from {_points(f.fva_ci_low)} "
                   f"{'better' if f.fva_ci_low > 0 else 'worse'} to {_points(f.fva_ci_high)} "
                   f"{'better' if f.fva_ci_high > 0 else 'worse'}")
    return f"{head} ({detail})."
