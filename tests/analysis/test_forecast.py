"""Tests for analysis.forecast: WAPE, bias, APE and forecast value added of adjustments and of each layer."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.forecast import (
    RepForecast,
    Step,
    accuracy,
    describe_fva,
    forecast_error,
    forecast_value_added,
    fva,
    layer_fva,
    layer_fva_by_period,
    layer_name,
    period_phrase,
)


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


# ----------------------------------------------------------------------------------------------
# Value added per approval layer

def chain_reps():
    return [
        RepForecast("a", 100, 150, 110, None, "West", "m1", baseline=120),  # m1 helps
        RepForecast("b", 100, 100, 100, None, "West", "m1", baseline=90),  # untouched
        RepForecast("c", 100, 100, 130, None, "East", "m2", baseline=100,
                    chain=(Step("m2", 120), Step("d1", 130))),  # both levels hurt
        RepForecast("d", 100, 90, None, None, "East", "m2"),  # undecided
    ]


def test_layers_known_answer():
    report = layer_fva(chain_reps(), period="2026-Q3", confidence=None)
    assert [f.level for f in report.layers] == [0, 1, 2]
    assert [f.layer for f in report.layers] == ["reps", "direct managers", "second-level managers"]
    reps, direct, second = report.layers
    assert reps.wape_in == pytest.approx(30 / 300) and reps.wape_out == pytest.approx(50 / 300)
    assert reps.fva == pytest.approx(-20 / 300)
    assert direct.wape_in == pytest.approx(50 / 300) and direct.wape_out == pytest.approx(30 / 300)
    assert direct.fva == pytest.approx(20 / 300) and direct.n_adjusted == 2
    assert second.wape_in == pytest.approx(30 / 300) and second.wape_out == pytest.approx(40 / 300)
    assert second.n_adjusted == 1 and second.n == 3
    assert direct.bias_in == pytest.approx(50 / 300) and second.bias_out == pytest.approx(40 / 300)
    assert report.total.fva == pytest.approx(10 / 300) and report.total.layer == "managers"
    assert report.n_undecided == 1
    assert report.by_manager[(1, "m1")].fva == pytest.approx(0.2)
    assert report.by_manager[(1, "m2")].fva == pytest.approx(-0.2)
    assert report.by_manager[(2, "d1")].fva == pytest.approx(-0.1)
    assert report.layer(2) is second and report.layer(3) is None


def test_without_chain_the_direct_manager_layer_is_fva():
    reps = [make_rep("a", 100, proposed=150, approved=110), make_rep("b", 100, proposed=100, approved=130)]
    report = layer_fva(reps, confidence=None)
    assert [f.level for f in report.layers] == [1]  # no baselines: no rep layer
    old = fva(reps)
    assert report.layers[0].fva == pytest.approx(old.fva) and report.total.fva == pytest.approx(old.fva)
    assert old.bias_proposed == pytest.approx(0.25) and old.bias_approved == pytest.approx(0.2)


def test_chain_must_end_at_approved():
    with pytest.raises(ValueError):
        RepForecast("a", 100, 100, 120, chain=(Step("m1", 110),))
    with pytest.raises(ValueError):
        RepForecast("a", 100, 100, None, chain=(Step("m1", 110),))
    with pytest.raises(ValueError):
        Step("m1", float("nan"))
    assert RepForecast("a", 100, 100, 100, chain=(Step("m1"), Step("d1"))).steps()[1].amount is None


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.floats(1, 1e6), st.floats(1, 1e6), st.lists(st.one_of(st.none(), st.floats(1, 1e6)),
                                                                           max_size=3)), min_size=1, max_size=12))
def test_property_manager_layers_add_up_to_the_total(plans):
    reps = []
    for i, (actual, proposed, amounts) in enumerate(plans):
        given_amounts = [a for a in amounts if a is not None]
        approved = given_amounts[-1] if given_amounts else proposed
        chain = tuple(Step(f"m{j}-{i % 3}", a) for j, a in enumerate(amounts))
        reps.append(RepForecast(i, actual, proposed, approved, chain=chain))
    report = layer_fva(reps, confidence=None)
    managers = [f for f in report.layers if f.level >= 1]
    assert sum(f.fva for f in managers) == pytest.approx(report.total.fva, abs=1e-9)
    assert report.total.fva == pytest.approx(fva(reps).fva, abs=1e-12)
    for f in managers:
        assert f.fva == pytest.approx(f.wape_in - f.wape_out)
        assert f.n == len(reps)


def test_interval_is_repeatable_and_contains_the_estimate():
    import random

    rnd = random.Random(1)
    reps = []
    for i in range(40):
        actual = rnd.uniform(80, 120)
        proposed = actual * rnd.uniform(0.9, 1.1)
        approved = proposed * (1 + rnd.gauss(-0.02, 0.03)) if i % 3 == 0 else proposed
        reps.append(make_rep(i, actual, proposed=proposed, approved=approved))
    a = layer_fva(reps, random_state=3)
    b = layer_fva(reps, random_state=3)
    assert a == b
    total = a.total
    assert total.fva_ci_low <= total.fva <= total.fva_ci_high
    assert layer_fva(reps[:4]).total.fva_ci_low is None  # fewer than 5 plans: no interval


def test_by_period_and_pooled():
    q1 = [make_rep("a", 100, proposed=150, approved=110)]
    q2 = [make_rep("a", 200, proposed=200, approved=260), make_rep("b", 100, proposed=100, approved=100)]
    history = layer_fva_by_period({"2026-Q1": q1, "2026-Q2": q2}, confidence=None)
    assert list(history.periods) == ["2026-Q1", "2026-Q2"]
    assert history.periods["2026-Q1"].total.fva == pytest.approx(0.4)
    assert history.periods["2026-Q2"].total.fva == pytest.approx(-60 / 300)
    assert history.pooled.period == "all"
    assert history.pooled.total.fva == pytest.approx((50 - 10 + 0 - 60) / 400)


def test_sentences():
    from analysis.forecast import FVA

    worse = FVA(46, 12, 0.053, 0.060, -0.007, 5, 7, 34, layer="managers", level=1)
    assert describe_fva(worse, period="2026-Q3") == (
        "Managers' adjustments made the forecast 0.7 points worse this quarter "
        "(error 5.3% before, 6.0% after; 12 of 46 plans adjusted).")
    better = FVA(46, 12, 0.060, 0.053, 0.007, 7, 5, 34, layer="second-level managers", level=2,
                 fva_ci_low=-0.002, fva_ci_high=0.015)
    text = describe_fva(better, period="2026-05")
    assert text.startswith("Second-level managers' adjustments made the forecast 0.7 points better this month")
    assert "within what chance alone could give: 95% interval from 0.2 points worse to 1.5 points better" in text
    same = FVA(10, 3, 0.05, 0.0502, -0.0002, 1, 2, 7)
    assert "made no measurable difference" in describe_fva(same, period="all")
    assert "over all periods" in describe_fva(same, period="all")
    assert describe_fva(FVA(10, 0, 0.05, 0.05, 0.0, 0, 0, 10), period="2026-Q1") == (
        "Direct managers adjusted none of the 10 plans this quarter.")
    assert "no value added to measure yet" in describe_fva(None)
    reps_layer = FVA(10, 10, 0.08, 0.05, 0.03, 8, 2, 0, layer="reps", level=0)
    assert describe_fva(reps_layer).startswith(
        "Reps' proposals were 3.0 points more accurate than last period's targets this period")
    assert "Manager 3's adjustments" in describe_fva(worse, who="Manager 3's")


def test_names_and_phrases():
    assert [layer_name(k) for k in (0, 1, 2, 3, 7)] == [
        "reps", "direct managers", "second-level managers", "third-level managers", "level-7 managers"]
    assert period_phrase("2026-Q1") == "this quarter" and period_phrase("2026-11") == "this month"
    assert period_phrase("FY26") == "in FY26" and period_phrase(None) == "this period"
