"""Tests for analysis.linkage: theme <-> target-change links, BH q-values and their wording."""

import math
import re
import warnings
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy import stats

from analysis.linkage import (
    TOO_FEW,
    TargetLink,
    ThemeLinkResult,
    _kth_difference,
    benjamini_hochberg,
    bootstrap_diff_ci,
    bootstrap_diff_distribution,
    describe_link,
    fcr_selection,
    format_level,
    link_themes,
    percentile_interval,
    shift_interval,
)


def make_period(*, n_reps=80, shift=-0.10, seed=0):
    """Synthetic period: theme 'discounting' reps propose `shift` lower; 'weather' is random."""
    rng = np.random.default_rng(seed)
    reps = [f"rep{i}" for i in range(n_reps)]
    discounting = set(reps[: n_reps // 3])
    weather = set(rng.choice(reps, size=n_reps // 3, replace=False).tolist())
    changes = {r: float(rng.normal(0.04, 0.04)) + (shift if r in discounting else 0.0) for r in reps}
    return changes, {"discounting": discounting, "weather": weather}


def test_benjamini_hochberg_known_answer():
    q = benjamini_hochberg([0.01, 0.04, 0.03, 0.20])
    assert q == pytest.approx([0.04, 0.04 * 4 / 3, 0.04 * 4 / 3, 0.20])


def test_benjamini_hochberg_matches_scipy():
    p = np.random.default_rng(3).uniform(size=25) ** 3
    assert benjamini_hochberg(p) == pytest.approx(stats.false_discovery_control(p, method="bh"))


def test_benjamini_hochberg_caps_at_one_and_handles_empty():
    assert benjamini_hochberg([0.9, 0.95]).tolist() == [0.95, 0.95]
    assert benjamini_hochberg([]).size == 0
    with pytest.raises(ValueError):
        benjamini_hochberg([0.5, float("nan")])


def test_planted_effect_found_with_right_sign_and_null_theme_not():
    changes, themes = make_period()
    results = link_themes(changes, themes, random_state=1)
    planted = results["discounting"].link
    null = results["weather"].link
    assert planted.diff == pytest.approx(-0.10, abs=0.03)
    assert planted.ci_low < planted.diff < planted.ci_high < 0
    assert planted.q < 0.05
    assert null.p > 0.05 and null.q >= 0.05
    assert null.ci_low < 0 < null.ci_high


def test_link_fields_are_consistent():
    changes, themes = make_period()
    link = link_themes(changes, themes, random_state=1)["discounting"].link
    with_ = [v for r, v in changes.items() if r in themes["discounting"]]
    without = [v for r, v in changes.items() if r not in themes["discounting"]]
    assert (link.n_with, link.n_without) == (len(with_), len(without))
    assert link.mean_change_with == pytest.approx(np.mean(with_))
    assert link.mean_change_without == pytest.approx(np.mean(without))
    assert link.diff == pytest.approx(np.mean(with_) - np.mean(without))
    assert link.p == pytest.approx(stats.mannwhitneyu(with_, without, alternative="two-sided").pvalue)
    assert set(link.as_dict()) == {
        "n_with", "n_without", "mean_change_with", "mean_change_without", "diff", "ci_low", "ci_high", "p", "q"
    }


def test_bootstrap_is_deterministic_under_random_state():
    changes, themes = make_period()
    a = link_themes(changes, themes, random_state=7)
    b = link_themes(changes, themes, random_state=7)
    assert a == b
    # A theme's interval does not depend on which other themes are in the period.
    alone = link_themes(changes, {"discounting": themes["discounting"]}, random_state=7)["discounting"].link
    assert (alone.ci_low, alone.ci_high) == (a["discounting"].link.ci_low, a["discounting"].link.ci_high)


def test_bootstrap_interval_covers_the_difference_and_is_seeded():
    x, y = [0.1, 0.2, 0.15, 0.3, 0.25], [0.0, -0.1, 0.05, 0.02, -0.05, 0.01]
    low, high = bootstrap_diff_ci(x, y, random_state=0)
    assert low < np.mean(x) - np.mean(y) < high
    assert bootstrap_diff_ci(x, y, random_state=0) == (low, high)


def test_too_few_reps_gives_no_link_but_keeps_counts():
    changes = {f"r{i}": 0.01 * i for i in range(12)}
    results = link_themes(changes, {"rare": {"r0", "r1", "r2", "r3"}, "common": {f"r{i}" for i in range(8)}})
    rare = results["rare"]
    assert rare.link is None and rare.too_few and rare.status == TOO_FEW
    assert (rare.n_with, rare.n_without) == (4, 8)
    assert results["common"].link is None  # only 4 without
    assert (results["common"].n_with, results["common"].n_without) == (8, 4)


def test_reps_without_a_change_are_ignored():
    changes = {f"r{i}": 0.0 for i in range(10)}
    result = link_themes(changes, {"t": {"r0", "r1", "r2", "r3", "r4", "ghost"}})["t"]
    assert (result.n_with, result.n_without) == (5, 5)


def test_q_is_over_themes_with_enough_reps_only():
    changes, themes = make_period()
    themes["tiny"] = {"rep0", "rep1"}
    results = link_themes(changes, themes, random_state=1)
    ps = [results[t].link.p for t in ("discounting", "weather")]
    assert [results[t].link.q for t in ("discounting", "weather")] == pytest.approx(benjamini_hochberg(ps).tolist())


def test_all_equal_changes_give_p_one():
    changes = {f"r{i}": 0.05 for i in range(10)}
    link = link_themes(changes, {"t": {f"r{i}" for i in range(5)}}, random_state=0)["t"].link
    assert link.diff == 0 and link.p == pytest.approx(1.0) and link.ci_low == link.ci_high == 0


def test_non_finite_change_is_refused():
    with pytest.raises(ValueError):
        link_themes({"a": float("nan")}, {})


def test_describe_clear_link_quotes_its_adjusted_interval():
    link = TargetLink("t", 30, 50, -0.098, 0.041, -0.139, -0.19, -0.08, 0.0001, 0.001,
                      adj_ci_low=-0.21, adj_ci_high=-0.07, adj_level=0.996, finding=True, verdict="clear",
                      n_tested=12, n_findings=1, own_ci_low=-0.18, own_ci_high=-0.09, shift=-0.13)
    assert describe_link("competitor discounting", link) == (
        "Reps reporting competitor discounting proposed -9.8% on average against +4.1% for the others: "
        "a clear difference, typically -13.0 points (99.6% interval -21.0 to -7.0 points, adjusted for the 12 "
        "themes tested)."
    )


def test_describe_suggestive_link_names_both_intervals():
    # The contradiction: own 95% interval excludes zero, q = 0.11. Now said as it is.
    link = TargetLink("t", 30, 50, -0.05, 0.031, -0.081, -0.13, -0.02, 0.01, 0.11,
                      adj_ci_low=-0.17, adj_ci_high=0.004, adj_level=0.998, finding=False, verdict="suggestive",
                      n_tested=25, n_findings=0, own_ci_low=-0.134, own_ci_high=-0.021, shift=-0.07)
    text = describe_link("weather", link)
    assert "suggestive only, typically -7.0 points" in text and "clear" not in text
    assert "99.8% interval -17.0 to +0.4 points, adjusted for the 25 themes tested, includes zero" in text
    assert "own 95% interval, -13.4 to -2.1 points, does not" in text
    assert "q =" not in text


def test_describe_no_sign():
    link = TargetLink("t", 30, 50, 0.012, 0.008, 0.004, -0.031, 0.039, 0.6, 0.62,
                      adj_ci_low=-0.05, adj_ci_high=0.06, adj_level=0.95, finding=False, verdict="no sign",
                      n_tested=1, n_findings=0, own_ci_low=-0.05, own_ci_high=0.06, shift=0.003)
    assert describe_link("weather", link).endswith(
        "no sign of a difference (typically +0.3 points; 95% interval -5.0 to +6.0 points, adjusted for the only "
        "theme tested, includes zero).")


def test_describe_unadjusted_link_is_never_called_clear():
    significant = TargetLink("t", 30, 50, -0.098, 0.041, -0.139, -0.19, -0.08, 0.0001, 0.001)
    assert "suggestive only" in describe_link("x", significant) and "not adjusted" in describe_link("x", significant)
    flat = TargetLink("t", 30, 50, 0.012, 0.008, 0.004, -0.031, 0.039, 0.6, 0.62)
    assert "no sign of a difference" in describe_link("x", flat)
    assert ThemeLinkResult("t", 30, 50, significant).verdict == "suggestive"
    assert ThemeLinkResult("t", 30, 50, flat).verdict == "no sign"


def test_bounds_near_zero_keep_their_sign_and_open_ends_say_so():
    link = TargetLink("t", 30, 50, 0.05, 0.04, 0.01, 0.0002, 0.02, 0.01, 0.01,
                      adj_ci_low=0.00004, adj_ci_high=0.03, adj_level=0.99, finding=True, verdict="clear",
                      n_tested=5, n_findings=1, shift=0.01)
    assert "interval +0.004 to +3.0 points" in describe_link("x", link)
    tiny = TargetLink("t", 30, 50, 0.05, 0.04, 0.01, 0.0002, 0.02, 0.01, 0.01,
                      adj_ci_low=1e-12, adj_ci_high=0.03, adj_level=0.99, finding=True, verdict="clear",
                      n_tested=5, n_findings=1, shift=0.01)
    assert "interval just above zero to +3.0 points" in describe_link("x", tiny)
    open_ = TargetLink("t", 5, 6, 0.05, 0.04, 0.01, -0.2, 0.2, 0.5, 0.5,
                       adj_ci_low=-np.inf, adj_ci_high=np.inf, adj_level=0.99, finding=False, verdict="no sign",
                       n_tested=5, n_findings=0, own_ci_low=-np.inf, own_ci_high=0.3, shift=0.01)
    assert "99% interval open on both sides" in describe_link("x", open_)
    below = TargetLink("t", 5, 6, 0.05, 0.04, 0.01, -0.2, 0.2, 0.5, 0.5,
                       adj_ci_low=-np.inf, adj_ci_high=-0.01, adj_level=0.99, finding=True, verdict="clear",
                       n_tested=5, n_findings=1, shift=-0.05)
    assert "99% interval open below, up to -1.0 points" in describe_link("x", below)
    above = TargetLink("t", 5, 6, 0.05, 0.04, 0.01, -0.2, 0.2, 0.5, 0.5,
                       adj_ci_low=0.02, adj_ci_high=np.inf, adj_level=0.99, finding=True, verdict="clear",
                       n_tested=5, n_findings=1, shift=0.05)
    assert "99% interval from +2.0 points, open above" in describe_link("x", above)


def test_describe_too_few():
    text = describe_link("rare theme", ThemeLinkResult("t", 3, 40, None))
    assert text.startswith("Too few reps to tell") and "3 reporting it" in text
    assert "Too few reps to tell" in describe_link("x", None)


# ----------------------------------------------------------------------------------------------
# Verdicts that agree with their intervals (FCR-adjusted, Benjamini & Yekutieli 2005)


def test_planted_effect_is_clear_and_null_has_no_sign():
    changes, themes = make_period()
    results = link_themes(changes, themes, random_state=1)
    planted, null = results["discounting"].link, results["weather"].link
    assert planted.finding and planted.verdict == "clear" and results["discounting"].verdict == "clear"
    assert planted.adj_ci_high < 0
    assert not null.finding and null.verdict == "no sign"
    assert null.adj_ci_low < 0 < null.adj_ci_high
    assert planted.n_tested == null.n_tested == 2 and planted.n_findings == null.n_findings == 1
    assert planted.adj_level == null.adj_level == pytest.approx(1 - 1 * 0.05 / 2)
    assert set(planted.verdict_dict()) == {"shift", "adj_ci_low", "adj_ci_high", "adj_level", "own_ci_low",
                                           "own_ci_high", "finding", "verdict", "n_tested", "n_findings"}


def test_adjusted_interval_contains_the_own_interval():
    changes, themes = make_period()
    for r in link_themes(changes, themes, random_state=3).values():
        link = r.link
        assert link.adj_ci_low <= link.own_ci_low <= link.shift <= link.own_ci_high <= link.adj_ci_high
        assert link.ci_low <= link.diff <= link.ci_high


def test_shift_interval_is_the_mann_whitney_interval():
    rng = np.random.default_rng(2)
    for _ in range(60):
        x = np.round(rng.normal(0.02, 0.05, size=rng.integers(2, 25)), 3)
        y = np.round(rng.normal(0.0, 0.08, size=rng.integers(2, 60)), 3)
        d = np.sort(np.subtract.outer(x, y).ravel())
        shift, at = shift_interval(x, y)
        assert shift == np.median(d)
        p = stats.mannwhitneyu(x, y, method="asymptotic").pvalue
        for level in (0.9, 0.95, 0.99, 0.999):
            low, high = at(level)
            assert low <= shift <= high
            assert low == -np.inf or low in d
            assert high == np.inf or high in d
            if low != 0 and high != 0:  # an end exactly on zero counts as including it
                assert (low > 0 or high < 0) == (p < 1 - level)
        wide, narrow = at(0.999), at(0.9)
        assert wide[0] <= narrow[0] <= narrow[1] <= wide[1]
    with pytest.raises(ValueError):
        at(1.0)
    with pytest.raises(ValueError):
        shift_interval([], [1.0])


def test_shift_interval_known_answer_and_open_ends():
    shift, at = shift_interval([1.0, 2.0, 3.0], [0.0, 0.0])
    assert shift == 2.0  # differences 1, 1, 2, 2, 3, 3
    assert at(0.999) == (-np.inf, np.inf)  # 6 pairs cannot exclude anything at 99.9%
    assert shift_interval([0.1] * 6, [0.1] * 6)[1](0.95) == (0.0, 0.0)  # all tied: the point 0


def test_kth_difference_without_materialising_every_pair():
    rng = np.random.default_rng(5)
    xs = np.sort(np.round(rng.normal(size=40), 1))
    ys = np.sort(np.round(rng.normal(size=70), 1))
    d = np.sort(np.subtract.outer(xs, ys).ravel())
    for k in (1, 2, 700, 1400, 1401, 2799, 2800):
        assert _kth_difference(xs, ys, k, np.random.default_rng(k), direct=7) == d[k - 1]
    same = np.zeros(30)
    assert _kth_difference(same, same, 450, np.random.default_rng(0), direct=3) == 0.0  # all ties


def test_findings_are_bh_on_the_mann_whitney_p():
    changes, themes = make_period(n_reps=120, shift=-0.03, seed=4)
    rng = np.random.default_rng(9)
    reps = list(changes)
    for k in range(8):
        themes[f"extra{k}"] = set(rng.choice(reps, 30, replace=False).tolist())
    results = link_themes(changes, themes, random_state=0)
    links = [r.link for r in results.values()]
    assert [link.finding for link in links] == [link.q <= 0.05 for link in links]
    assert any(link.finding for link in links) and not all(link.finding for link in links)
    for link in links:
        assert link.adj_ci_low <= link.own_ci_low <= link.shift <= link.own_ci_high <= link.adj_ci_high
        assert (link.verdict == "suggestive") == (not link.finding and link.p < 0.05)


def test_no_finding_uses_the_level_at_which_none_excludes_zero():
    rng = np.random.default_rng(5)
    reps = [f"r{i}" for i in range(60)]
    changes = {r: float(rng.normal(0, 0.05)) for r in reps}
    themes = {t: set(rng.choice(reps, 20, replace=False).tolist()) for t in range(6)}
    links = [r.link for r in link_themes(changes, themes, random_state=0).values()]
    assert all(not link.finding for link in links)
    assert [link.adj_level for link in links] == [pytest.approx(1 - 0.05 / 6)] * 6
    assert {link.n_findings for link in links} == {0}


def test_percentile_interval_is_numpy_quantile_and_nested():
    draws = np.sort(np.random.default_rng(0).normal(size=999))
    for level in (0.5, 0.9, 0.95, 0.999):
        assert percentile_interval(draws, level) == pytest.approx(
            tuple(np.quantile(draws, [(1 - level) / 2, 1 - (1 - level) / 2])))
    low, high = percentile_interval(draws, 0.9)
    wide_low, wide_high = percentile_interval(draws, 0.99)
    assert wide_low <= low < high <= wide_high
    with pytest.raises(ValueError):
        percentile_interval(draws, 1.0)
    with pytest.raises(ValueError):
        percentile_interval(np.array([]), 0.9)


def test_bootstrap_distribution_is_scipy_bootstrap():
    x, y = [0.1, 0.2, 0.15, 0.3, 0.25], [0.0, -0.1, 0.05, 0.02, -0.05, 0.01]
    draws = bootstrap_diff_distribution(x, y, n_resamples=500, random_state=4)
    ref = stats.bootstrap((x, y), lambda a, b, axis=-1: a.mean(axis=axis) - b.mean(axis=axis), n_resamples=500,
                          method="percentile", vectorized=True, rng=np.random.default_rng(4))
    assert draws == pytest.approx(np.sort(ref.bootstrap_distribution))
    assert np.all(np.diff(draws) >= 0) and draws.size == 500
    with pytest.raises(ValueError):
        bootstrap_diff_distribution([1.0], [1.0, 2.0])
    with pytest.raises(ValueError):
        bootstrap_diff_distribution(x, y, n_resamples=0)


def test_fcr_selection_known_answer():
    # Intervals est +/- z * se at level L, dual to two-sided normal p-values.
    est = np.array([3.5, 3.0, 2.4, 0.5, -0.2])

    def at(level):
        z = stats.norm.ppf(1 - (1 - level) / 2)
        return [(e - z, e + z) for e in est]

    p = 2 * stats.norm.sf(np.abs(est))
    expected = int((stats.false_discovery_control(p) <= 0.05).sum())
    r, level = fcr_selection(at, len(est))
    assert r == expected == 3 and level == pytest.approx(1 - 3 * 0.05 / 5)
    assert fcr_selection(at, 0) == (0, pytest.approx(0.95))
    assert fcr_selection(lambda lv: [(-1, 1)] * 4, 4) == (0, pytest.approx(1 - 0.05 / 4))
    with pytest.raises(ValueError):
        fcr_selection(at, 5, q=0)


@settings(max_examples=60, deadline=None)
@given(est=st.lists(st.floats(-6, 6, allow_nan=False), min_size=1, max_size=25),
       q=st.sampled_from([0.01, 0.05, 0.1]))
def test_fcr_selection_is_benjamini_hochberg_on_dual_p_values(est, q):
    est = np.array(est)

    def at(level):
        z = stats.norm.ppf(1 - (1 - level) / 2)
        return [(e - z, e + z) for e in est]

    p = 2 * stats.norm.sf(np.abs(est))
    qs = stats.false_discovery_control(p)
    assume(np.all(np.abs(qs - q) > 1e-9))  # no exact ties at the bar
    r, level = fcr_selection(at, len(est), q=q)
    assert r == int((qs <= q).sum())
    assert level == pytest.approx(1 - max(r, 1) * q / len(est))
    assert sum(lo > 0 or hi < 0 for lo, hi in at(level)) == r


def _shown_interval(text):
    """The adjusted interval a sentence prints, as numbers (open ends as infinities)."""
    clause = text[text.index("% interval ") + len("% interval "):]
    clause = clause.split(", adjusted")[0]
    words = {"just below zero": "-1e-9", "just above zero": "1e-9"}
    for k, v in words.items():
        clause = clause.replace(k, v)
    if clause.startswith("open on both sides"):
        return -np.inf, np.inf
    nums = [float(v) for v in re.findall(r"[-+]?\d+(?:\.\d+)?(?:e-?\d+)?", clause)]
    if clause.startswith("open below"):
        return -np.inf, nums[0]
    if clause.endswith("open above"):
        return nums[0], np.inf
    return nums[0], nums[1]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_property_finding_iff_adjusted_interval_excludes_zero(data):
    n = data.draw(st.integers(12, 50), label="reps")
    reps = [f"r{i}" for i in range(n)]
    scale = data.draw(st.sampled_from([0.0, 0.01, 0.1]), label="scale")
    effect = data.draw(st.sampled_from([0.0, 0.05, 0.3]), label="effect")
    n_themes = data.draw(st.integers(1, 6), label="themes")
    themes = {t: set(data.draw(st.lists(st.sampled_from(reps), max_size=n), label=f"theme {t}"))
              for t in range(n_themes)}
    noise = data.draw(st.lists(st.floats(-1, 1, allow_nan=False), min_size=n, max_size=n), label="noise")
    changes = {r: scale * e + (effect if r in themes[0] else 0.0) for r, e in zip(reps, noise)}
    results = link_themes(changes, themes, n_resamples=300, random_state=data.draw(st.integers(0, 10)))
    links = [r.link for r in results.values() if r.link is not None]
    for r in results.values():
        link = r.link
        if link is None:
            assert r.verdict == TOO_FEW
            continue
        excludes = link.adj_ci_low > 0 or link.adj_ci_high < 0
        assert link.finding == excludes
        assert (link.verdict == "clear") == link.finding
        assert (link.verdict == "suggestive") == (not link.finding and (link.own_ci_low > 0 or link.own_ci_high < 0))
        assert link.adj_ci_low <= link.own_ci_low and link.own_ci_high <= link.adj_ci_high
        assert link.n_tested == len(links) and link.n_findings == sum(x.finding for x in links)
        assert link.adj_level == pytest.approx(1 - max(link.n_findings, 1) * 0.05 / len(links))
        # The sentence never contradicts its interval: the adjusted bounds it prints exclude zero
        # exactly for a finding.
        text = describe_link("theme", r)
        low, high = _shown_interval(text)
        assert (low > 0 or high < 0) == link.finding, text
        assert ("clear difference" in text) == link.finding
        assert ("includes zero" in text) == (not link.finding)


def test_shift_interval_same_by_selection_as_by_sorting():
    rng = np.random.default_rng(8)
    x, y = np.round(rng.normal(0.03, 0.05, size=30), 2), np.round(rng.normal(0, 0.05, size=50), 2)
    sorted_shift, sorted_at = shift_interval(x, y)
    selected_shift, selected_at = shift_interval(x, y, direct=10)
    assert selected_shift == sorted_shift
    for level in (0.95, 0.99, 0.9995):
        assert selected_at(level) == sorted_at(level)


# ----------------------------------------------------------------------------------------------
# Edges and messages (what mutation testing found unpinned)


def test_messages_and_bounds_of_the_building_blocks():
    with pytest.raises(ValueError, match="^p_values must be one-dimensional$"):
        benjamini_hochberg([[0.1, 0.2]])
    with pytest.raises(ValueError, match=r"^p-values must lie in \[0, 1\]$"):
        benjamini_hochberg([0.5, 1.5])
    with pytest.raises(ValueError, match=r"^p-values must lie in \[0, 1\]$"):
        benjamini_hochberg([-0.1, 0.5])
    assert benjamini_hochberg([0.0, 1.0]).tolist() == [0.0, 1.0]
    assert benjamini_hochberg([0.3]).tolist() == [0.3]
    with pytest.raises(ValueError, match="^both samples need at least two values$"):
        bootstrap_diff_distribution([1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="^both samples need at least two values$"):
        bootstrap_diff_distribution([1.0, 2.0], [1.0])
    with warnings.catch_warnings():  # scipy's standard error of a single resample
        warnings.simplefilter("ignore", RuntimeWarning)
        assert bootstrap_diff_distribution([1.0, 2.0], [0.0, 1.0], n_resamples=1, random_state=0).size == 1
    with pytest.raises(ValueError, match="^n_resamples must be positive$"):
        bootstrap_diff_distribution([1.0, 2.0], [0.0, 1.0], n_resamples=0)
    with pytest.raises(ValueError, match=r"^level must lie in \(0, 1\)$"):
        percentile_interval(np.array([1.0, 2.0]), 0.0)
    with pytest.raises(ValueError, match="^sorted_draws must be a non-empty one-dimensional array$"):
        percentile_interval(np.array([[1.0, 2.0]]), 0.5)
    for bad in (0.0, 1.0, 1.5):
        with pytest.raises(ValueError, match=r"^confidence must lie in \(0, 1\)$"):
            bootstrap_diff_ci([1.0, 2.0], [0.0, 1.0], confidence=bad)
        with pytest.raises(ValueError, match=r"^q must lie in \(0, 1\)$"):
            fcr_selection(lambda lv: [], 0, q=bad)
    with pytest.raises(ValueError, match="^both samples must be non-empty$"):
        shift_interval([1.0], [])
    assert shift_interval([1.0], [0.0, 2.0])[0] == 0.0  # one value is enough for a shift


def test_link_themes_arguments():
    changes, themes = make_period(n_reps=40)
    with pytest.raises(ValueError, match="^min_reps must be at least 2$"):
        link_themes(changes, themes, min_reps=1)
    assert link_themes(changes, {"t": {"rep0", "rep1"}}, min_reps=2, n_resamples=50)["t"].link is not None
    for bad in (0.0, 1.0, 2.0):
        with pytest.raises(ValueError, match=r"^confidence must lie in \(0, 1\)$"):
            link_themes(changes, themes, confidence=bad)
    with pytest.raises(ValueError, match="^changes must be finite$"):
        link_themes({"a": float("inf")}, {})
    results = link_themes(changes, {**themes, "tiny": {"rep0"}}, n_resamples=300, confidence=0.9, fcr_q=0.2,
                          random_state=3)
    assert results["tiny"].theme_id == "tiny" and results["tiny"].link is None
    assert results["discounting"].theme_id == "discounting"
    link = results["discounting"].link
    assert link.theme_id == "discounting"
    with_ = [v for r, v in changes.items() if r in themes["discounting"]]
    without = [v for r, v in changes.items() if r not in themes["discounting"]]
    stream = np.random.default_rng([3, zlib.crc32(repr("discounting").encode("utf-8"))])
    assert (link.ci_low, link.ci_high) == bootstrap_diff_ci(with_, without, n_resamples=300, confidence=0.9,
                                                            random_state=stream)
    assert (link.own_ci_low, link.own_ci_high) == shift_interval(with_, without)[1](0.9)
    assert link.adj_level == pytest.approx(1 - max(link.n_findings, 1) * 0.2 / link.n_tested)


def test_shift_interval_flips_exactly_at_the_mann_whitney_p():
    # ties within each group, none between them: no difference is exactly zero
    rng = np.random.default_rng(11)
    for _ in range(25):
        x = rng.choice([0.10, 0.20, 0.30, 0.40], size=rng.integers(3, 30))
        y = rng.choice([0.05, 0.15, 0.25, 0.35], size=rng.integers(3, 60))
        p = stats.mannwhitneyu(x, y, method="asymptotic").pvalue
        assume_ok = 1e-6 < p < 1 - 1e-6
        if not assume_ok:
            continue
        _, at = shift_interval(x, y)
        low, high = at(1 - p * (1 + 1e-6))  # alpha just above p: rejects
        assert low > 0 or high < 0
        low, high = at(1 - p * (1 - 1e-6))  # alpha just below p: does not
        assert low <= 0 <= high


def test_shift_interval_ends_at_the_first_and_last_difference():
    # 5 x 5 = 25 differences; at the level where c = N/2 - 1 the ends are the extreme differences
    x, y = np.arange(5.0) + 10, np.arange(5.0) * 0.5
    d = np.sort(np.subtract.outer(x, y).ravel())
    sd = math.sqrt(25 / 12 * 11)
    level = 1 - 2 * stats.norm.sf((25 / 2 - 1 - 0.5 + 1e-9) / sd)
    assert shift_interval(x, y)[1](level) == (d[0], d[-1])
    wider = 1 - 2 * stats.norm.sf((25 / 2 + 0.5) / sd)
    assert shift_interval(x, y)[1](wider) == (-np.inf, np.inf)


def test_format_level():
    assert [format_level(v) for v in (0.5, 0.9, 0.95, 0.998, 0.9975, 1 - 0.05 / 30, 0.99999, 0.9999999)] == [
        "50%", "90%", "95%", "99.8%", "99.75%", "99.83%", "99.999%", "99.99999%"]


def test_points_keep_their_sign_up_to_four_decimals():
    def clear(low):
        return TargetLink("t", 30, 50, 0.2, 0.2, 0.0, 0.0, 0.0, 0.01, 0.01, adj_ci_low=low, adj_ci_high=0.03,
                          adj_level=0.99, finding=True, verdict="clear", n_tested=5, n_findings=1, shift=0.01)

    assert "interval +1.0 to +3.0 points" in describe_link("x", clear(0.01))
    assert "interval +0.0001 to" in describe_link("x", clear(0.0000006))
    assert "interval just above zero to" in describe_link("x", clear(0.0000004))
    below = TargetLink("t", 30, 50, 0.2, 0.2, 0.0, 0.0, 0.0, 0.01, 0.01, adj_ci_low=-0.03, adj_ci_high=-0.0000004,
                       adj_level=0.99, finding=True, verdict="clear", n_tested=5, n_findings=1, shift=-0.01)
    assert "interval -3.0 points to just below zero" not in describe_link("x", below)
    assert "interval -3.0 to just below zero points" in describe_link("x", below)


def test_describe_uses_the_shift_and_own_interval_and_falls_back():
    base = {"adj_ci_low": -0.05, "adj_ci_high": 0.06, "adj_level": 0.99, "finding": False, "n_tested": 3,
            "n_findings": 0}
    with_shift = TargetLink("t", 30, 50, 0.25, 0.2, 0.05, 0.01, 0.09, 0.01, 0.2, own_ci_low=0.002, own_ci_high=0.08,
                            shift=0.04, **base)
    text = describe_link("x", with_shift)
    assert text.startswith("Reps reporting x proposed +25.0% on average against +20.0% for the others")
    assert "suggestive only, typically +4.0 points" in text and "own 95% interval, +0.2 to +8.0 points" in text
    fallback = TargetLink("t", 30, 50, 0.25, 0.2, 0.05, 0.01, 0.09, 0.01, 0.2, **base)
    text = describe_link("x", fallback)
    assert "typically +5.0 points" in text and "own 95% interval, +1.0 to +9.0 points" in text


def test_a_bound_of_exactly_zero_reads_zero():
    link = TargetLink("t", 30, 50, 0.2, 0.2, 0.0, 0.0, 0.0, 0.5, 0.5, adj_ci_low=0.0, adj_ci_high=0.03,
                      adj_level=0.99, finding=False, verdict="no sign", n_tested=5, n_findings=0, own_ci_low=0.0,
                      own_ci_high=0.02, shift=0.0)
    assert describe_link("x", link) == (
        "Reps reporting x proposed +20.0% on average against +20.0% for the others: no sign of a difference "
        "(typically 0.0 points; 99% interval 0.0 to +3.0 points, adjusted for the 5 themes tested, includes zero).")
