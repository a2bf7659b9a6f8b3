"""Tests for analysis.forecast: WAPE, bias, APE and forecast value added of adjustments."""

import pytest

from analysis.forecast import RepForecast, accuracy, forecast_error, forecast_value_added, fva


def make_rep(rep_id, actual, *, proposed=None, approved=None, top_down=None, region="West", manager_id="m1"):
    return RepForecast(rep_id, actual, proposed, approved, top_down, region, manager_id)


def test_wape_and_bias_known_answer():
    reps = [make_rep("a", 100, proposed=110), make_rep("b", 200, proposed=150), make_rep("c", 100, proposed=100)]
    e = forecast_error(reps, "proposed")
    assert e.n == 3
    assert e.wape == pytest.approx((10 + 50 + 0) / 400)
    assert e.bias == pytest.approx((10 - 50 + 0) / 400)


def test_missing_forecasts_are_excluded_and_counted():
    reps = [make_rep("a", 100, proposed=110, top_down=None), make_rep("b", 100, proposed=90, top_down=120),
            make_rep("c", None, proposed=5)]
    report = accuracy(reps)
    assert report.overall["proposed"].n == 2
    assert report.overall["top_down"].n == 1 and report.overall["top_down"].wape == pytest.approx(0.2)
    assert report.overall["approved"].n == 0 and report.overall["approved"].wape is None
    assert [r.rep_id for r in report.per_rep] == ["a", "b"]
    assert report.per_rep[0].ape == {"proposed": pytest.approx(0.1), "approved": None, "top_down": None}


def test_per_region():
    reps = [make_rep("a", 100, proposed=120, region="West"), make_rep("b", 100, proposed=100, region="East")]
    report = accuracy(reps)
    assert report.by_region["West"]["proposed"].wape == pytest.approx(0.2)
    assert report.by_region["East"]["proposed"].wape == 0
    assert report.overall["proposed"].wape == pytest.approx(0.1)


def test_zero_actuals_give_no_wape():
    e = forecast_error([make_rep("a", 0, proposed=10)], "proposed")
    assert e.wape is None and e.bias is None and e.n == 1
    assert accuracy([make_rep("a", 0, proposed=10)]).per_rep[0].ape["proposed"] is None


def test_non_finite_values_are_refused():
    with pytest.raises(ValueError):
        make_rep("a", float("nan"))
    with pytest.raises(ValueError):
        make_rep("a", 100, proposed=float("inf"))


def test_forecast_value_added():
    reps = [
        make_rep("a", 100, proposed=150, approved=110, manager_id="m1", region="West"),  # closer
        make_rep("b", 100, proposed=100, approved=100, manager_id="m1", region="West"),  # unchanged
        make_rep("c", 100, proposed=100, approved=130, manager_id="m2", region="East"),  # further
        make_rep("d", 100, proposed=90, approved=None, manager_id="m2", region="East"),  # not decided
    ]
    overall = fva(reps)
    assert overall.n == 3 and overall.n_adjusted == 2
    assert overall.wape_proposed == pytest.approx(50 / 300)
    assert overall.wape_approved == pytest.approx(40 / 300)
    assert overall.fva == pytest.approx(10 / 300)
    assert (overall.n_closer, overall.n_further, overall.n_unchanged) == (1, 1, 1)
    report = forecast_value_added(reps)
    assert report.by_manager["m1"].fva == pytest.approx(0.2) and report.by_manager["m1"].n == 2
    assert report.by_manager["m2"].fva == pytest.approx(-0.3) and report.by_manager["m2"].n == 1
    assert report.by_region["East"].n_further == 1


def test_unknown_forecast_name():
    with pytest.raises(ValueError):
        forecast_error([], "gut_feeling")
