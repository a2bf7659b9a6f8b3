"""Tests for theme prevalence per period and the emerging / fading / stable test."""

import pytest

from analysis.trends import prevalence, theme_trends, two_proportion_test


def test_prevalence_is_share_of_each_period_in_order():
    shares = prevalence(["2026-Q2", "2026-Q1", "2026-Q1", "2026-Q2"], [0, 0, 1, -1])
    assert list(shares) == ["2026-Q1", "2026-Q2"]
    assert shares["2026-Q1"] == {0: 0.5, 1: 0.5}
    assert shares["2026-Q2"] == {0: 0.5, 1: 0.0}


def test_rising_theme_is_emerging_and_falling_theme_fading():
    periods = ["2026-Q1"] * 100 + ["2026-Q2"] * 100
    themes = [0] * 10 + [1] * 90 + [0] * 40 + [1] * 60
    trends = theme_trends(periods, themes)
    assert trends[0].trend == "emerging"
    assert trends[1].trend == "fading"
    assert trends[0].test == "z"
    assert trends[0].p_value < 0.001


def test_small_change_is_stable():
    periods = ["a"] * 200 + ["b"] * 200
    themes = [0] * 100 + [1] * 100 + [0] * 104 + [1] * 96
    assert {t.trend for t in theme_trends(periods, themes).values()} == {"stable"}


def test_significant_but_tiny_effect_is_stable():
    periods = ["a"] * 100_000 + ["b"] * 100_000
    themes = [0] * 10_000 + [1] * 90_000 + [0] * 11_000 + [1] * 89_000
    trend = theme_trends(periods, themes, min_effect=0.02)[0]
    assert trend.p_value < 0.05
    assert trend.trend == "stable"


def test_small_counts_use_fisher_exact():
    periods = ["a"] * 20 + ["b"] * 20
    themes = [0] * 0 + [1] * 20 + [0] * 8 + [1] * 12
    trend = theme_trends(periods, themes)[0]
    assert trend.test == "fisher"
    assert trend.trend == "emerging"


def test_single_period_is_stable_without_p_value():
    trend = theme_trends(["2026-Q1"] * 3, [0, 0, 1])[0]
    assert trend.trend == "stable"
    assert trend.p_value is None


def test_explicit_order_decides_latest_period():
    periods = ["new", "new", "old", "old"]
    assert theme_trends(periods, [0, 0, 1, 1], order=["old", "new"])[0].count_last == 2
    with pytest.raises(ValueError):
        theme_trends(periods, [0, 0, 1, 1], order=["old"])


def test_two_proportion_test_identical_groups():
    p, test = two_proportion_test(50, 100, 50, 100)
    assert p == pytest.approx(1.0)
    assert test == "z"
