"""Forecast accuracy of bottom-up, manager-approved and top-down targets against actuals, and the value added by manager adjustments.

Definitions (PRODUCT.md), for each forecast F in {proposed, approved, top_down}:
WAPE = sum|actual - F| / sum actual; bias = sum(F - actual) / sum actual (positive = over-forecast);
per-rep APE = |actual - F| / actual. All three are fractions (0.12 is 12%). A rep without a value
for F is left out of F's figures (and counted in ``n`` only where present). Forecast value added
(FVA) of manager adjustments = WAPE(proposed) - WAPE(approved) over the reps that have both:
positive means adjusting made the forecast more accurate.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "FORECASTS",
    "AccuracyReport",
    "FVA",
    "FVAReport",
    "ForecastError",
    "RepError",
    "RepForecast",
    "accuracy",
    "forecast_error",
    "forecast_value_added",
    "fva",
]

FORECASTS = ("proposed", "approved", "top_down")


@dataclass(frozen=True)
class RepForecast:
    """One rep's forecasts and actual for a period (money; ``None`` where missing)."""

    rep_id: Hashable
    actual: float | None
    proposed: float | None = None
    approved: float | None = None
    top_down: float | None = None
    region: str | None = None
    manager_id: Hashable | None = None

    def __post_init__(self) -> None:
        for name in ("actual", *FORECASTS):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not math.isfinite(value)):
                raise ValueError(f"{name} of rep {self.rep_id!r} must be a finite number, got {value!r}")
        if self.actual is not None and self.actual < 0:
            raise ValueError(f"actual of rep {self.rep_id!r} must not be negative")


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
    """

    n: int
    n_adjusted: int
    wape_proposed: float | None
    wape_approved: float | None
    fva: float | None  # wape_proposed - wape_approved; positive = adjusting helped
    n_closer: int
    n_further: int
    n_unchanged: int


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
    closer = further = unchanged = adjusted = 0
    for r in paired:
        if r.approved != r.proposed:
            adjusted += 1
        before, after = abs(r.actual - r.proposed), abs(r.actual - r.approved)
        if after < before:
            closer += 1
        elif after > before:
            further += 1
        else:
            unchanged += 1
    wp = forecast_error(paired, "proposed").wape
    wa = forecast_error(paired, "approved").wape
    value = wp - wa if wp is not None and wa is not None else None
    return FVA(len(paired), adjusted, wp, wa, value, closer, further, unchanged)


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
