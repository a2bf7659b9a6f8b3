"""Tests for analysis.linkage: theme <-> target-change links, BH q-values and their wording."""

import numpy as np
import pytest
from scipy import stats

from analysis.linkage import (
    TOO_FEW,
    TargetLink,
    ThemeLinkResult,
    benjamini_hochberg,
    bootstrap_diff_ci,
    describe_link,
    link_themes,
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


def test_describe_significant_link():
    link = TargetLink("t", 30, 50, -0.098, 0.041, -0.139, -0.19, -0.08, 0.0001, 0.001)
    assert describe_link("competitor discounting", link) == (
        "Reps reporting competitor discounting proposed -9.8% on average against +4.1% for the others "
        "(difference -13.9 points, 95% CI -19.0 to -8.0; q = 0.001)."
    )


def test_describe_insignificant_link():
    link = TargetLink("t", 30, 50, 0.012, 0.008, 0.004, -0.031, 0.039, 0.6, 0.62)
    text = describe_link("weather", link)
    assert "no clear difference" in text
    assert text.endswith("(difference +0.4 points, 95% CI -3.1 to 3.9; q = 0.62).")


def test_describe_too_few():
    text = describe_link("rare theme", ThemeLinkResult("t", 3, 40, None))
    assert text.startswith("Too few reps to tell") and "3 reporting it" in text
    assert "Too few reps to tell" in describe_link("x", None)
