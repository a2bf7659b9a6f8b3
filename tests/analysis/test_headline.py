"""Tests for analysis.headline (and the insights glue that feeds it): at most five plain sentences."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.forecast import FVA
from analysis.headline import MAX_SENTENCES, RollupFact, ThemeFact, headline
from analysis.insights import (
    ThemedObservation,
    ThemeInfo,
    ThemeMembers,
    build_period_insights,
    build_period_insights_from_counts,
    theme_facts,
)
from analysis.linkage import LINK_LEGEND, JointEstimate, JointThemeResult, TargetLink

RAW_FRACTION = re.compile(r"(?<![\d.])[-+]?0\.\d{3,}")


def link(diff, adj_low, adj_high, *, finding=None, with_=0.05, theme="t", shift=None):
    finding = (adj_low > 0 or adj_high < 0) if finding is None else finding
    return TargetLink(theme, 30, 50, with_, with_ - diff, diff, adj_low * 0.8, adj_high * 0.8, 0.01, 0.02,
                      adj_ci_low=adj_low, adj_ci_high=adj_high, adj_level=0.995, finding=finding,
                      verdict="clear" if finding else "no sign", n_tested=10, n_findings=2,
                      shift=diff if shift is None else shift)


def facts():
    return [
        ThemeFact(1, "competitor discounting", "stable", 0.12, 0.11, link(-0.139, -0.19, -0.08, shift=-0.13)),
        ThemeFact(2, "new budget approvals", "emerging", 0.10, 0.04, link(0.06, 0.01, 0.11)),
        ThemeFact(3, "weather", "fading", 0.03, 0.09, link(0.004, -0.03, 0.04)),
        ThemeFact(4, "tiny theme", "stable", 0.01, 0.01, None),
    ]


def test_strongest_finding_first_and_each_sentence_names_its_evidence():
    items = headline("2026-Q3", facts(), RollupFact(2_410_000, 2_516_000, None, 46, 80, 46),
                     {"proposed": 0.053, "approved": 0.060, "top_down": 0.071},
                     FVA(46, 12, 0.053, 0.060, -0.007, 5, 7, 34, layer="managers"))
    assert len(items) == MAX_SENTENCES
    assert [i["evidence"] for i in items] == ["theme:1", "theme:2", "rollup", "fva", "theme:3"]
    assert items[0]["text"] == (
        "Reps reporting competitor discounting proposed changes typically 13.0 points lower than the others "
        "(5.0% against 18.9% on average; adjusted interval 8.0 to 19.0 points lower).")
    assert items[1]["text"].startswith("Reps reporting new budget approvals proposed changes typically 6.0 points "
                                       "higher")
    assert items[2]["text"] == (
        "Bottom-up plans total 4.2% below the top-down targets (2.41 million against 2.52 million for the same "
        "people; 46 of 80 invited have submitted, 46 plans still undecided).")
    assert items[3]["text"] == (
        "Managers' adjustments made the forecast 0.7 points worse this quarter "
        "(error 5.3% before, 6.0% after; 12 of 46 plans adjusted).")
    assert items[4]["text"] == "Fading: weather fell to 3.0% of observations this quarter from 9.0% on average before."


def test_no_finding_is_said_and_accuracy_comes_in():
    quiet = [ThemeFact(3, "weather", "stable", 0.03, 0.03, link(0.004, -0.03, 0.04))]
    items = headline("2026-05", quiet, accuracy={"proposed": 0.053, "approved": None, "top_down": 0.071})
    assert items == [
        {"text": "No theme shows a clear link with proposed target changes this month (the one theme with "
                 "enough reps tested).", "evidence": "themes"},
        {"text": "Against actuals, bottom-up proposals were off by 5.3% (weighted absolute error) and top-down "
                 "targets by 7.1%.", "evidence": "accuracy"},
    ]
    three = headline("2026-Q1", (), accuracy={"proposed": 0.05, "approved": 0.06, "top_down": 0.07})
    assert three[0]["text"].endswith("error), approved targets by 6.0% and top-down targets by 7.0%.")
    assert headline("2026-Q1") == []


def test_ride_along_finding_says_so():
    est = JointEstimate(0.01, 0.01, -0.01, 0.03, 0.3, 0.5, -0.02, 0.04, 0.995, False)
    t = ThemeFact(5, "pending top-ups", "stable", 0.1, 0.1, link(0.07, 0.02, 0.12),
                  JointThemeResult(5, 30, est, None, True, True))
    text = headline("2026-Q2", [t])[0]["text"]
    assert text.endswith("but not once the other themes reported by the same reps are taken into account.")


def test_open_interval_finding():
    t = ThemeFact(7, "fees", "stable", 0.05, 0.05, link(-0.2, float("-inf"), -0.05))
    assert "adjusted interval at least 5.0 points lower" in headline("2026-Q2", [t])[0]["text"]


def test_gap_that_matches_and_money_in_words():
    items = headline("2026-Q1", rollup=RollupFact(8_400, 8_410))
    assert items == [{"text": "Bottom-up plans match the top-down targets (8,400 against 8,410).",
                      "evidence": "rollup"}]
    assert headline("2026-Q1", rollup=RollupFact(100.0, None)) == []
    assert "1.50 billion" in headline("2026-Q1", rollup=RollupFact(1.5e9, 1.2e9))[0]["text"]


def test_limit():
    assert len(headline("2026-Q3", facts(), limit=2)) == 2
    assert headline("2026-Q3", facts(), limit=0) == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(-0.3, 0.3), st.floats(0.001, 0.2), st.sampled_from(["emerging", "fading",
                                                                                           "stable"]),
                          st.floats(0, 1), st.floats(0, 1)), max_size=12),
       st.floats(1, 1e10), st.floats(1, 1e10), st.floats(0, 0.5), st.floats(-0.2, 0.2))
def test_property_at_most_five_plain_sentences(rows, proposed, top_down, wape, value):
    themes = []
    for i, (diff, half, trend, share, prev) in enumerate(rows):
        themes.append(ThemeFact(i, f"theme {i}", trend, share, prev, link(diff, diff - half, diff + half)))
    items = headline("2026-Q4", themes, RollupFact(proposed, top_down), {"proposed": wape, "top_down": wape},
                     FVA(10, 3, wape, wape - value, value, 1, 1, 8))
    assert len(items) <= MAX_SENTENCES
    for item in items:
        assert set(item) == {"text", "evidence"}
        assert re.fullmatch(r"theme:\d+|themes|rollup|accuracy|fva", item["evidence"])
        assert not RAW_FRACTION.search(item["text"]), item["text"]
        assert "e-" not in item["text"] and "e+" not in item["text"]
        assert item["text"].endswith(".")
    findings = [t for t in themes if t.link.finding]
    if findings:
        assert items[0]["evidence"].startswith("theme:")


def test_insights_carry_verdicts_joint_model_and_facts():
    rng = np.random.default_rng(0)
    reps = [f"r{i}" for i in range(90)]
    obs, changes = [], {}
    for i, rep in enumerate(reps):
        for period in ("2026-Q1", "2026-Q2"):
            tid = 1 if i < 30 else (2 if i < 60 else 3)
            obs.append(ThemedObservation(f"{rep}-{period}", rep, period, tid, "text"))
        changes[rep] = float(rng.normal(0.04, 0.03)) + (-0.1 if i < 30 else 0.0)
    infos = [ThemeInfo(1, "discounting"), ThemeInfo(2, "weather"), ThemeInfo(3, "budgets")]
    plain = build_period_insights("2026-Q2", ["2026-Q1", "2026-Q2"], obs, infos, changes)
    assert plain.joint is None and plain.legend == LINK_LEGEND and plain.themes[0].joint is None
    regions = {r: "North" if i % 2 else "South" for i, r in enumerate(reps)}
    members = {}
    for o in obs:
        if o.period == "2026-Q2":
            members.setdefault(o.theme_id, []).append(o)
    current = {tid: ThemeMembers(tid, tuple(o.observation_id for o in os_), frozenset(o.rep_id for o in os_), 0.0, 0)
               for tid, os_ in members.items()}
    counts = {p: {tid: 30 for tid in (1, 2, 3)} for p in ("2026-Q1", "2026-Q2")}
    joint = build_period_insights_from_counts("2026-Q2", ["2026-Q1", "2026-Q2"], {"2026-Q1": 90, "2026-Q2": 90},
                                              counts, current, infos, changes, regions=regions)
    assert joint.joint is not None
    disc = joint.theme(1)
    assert disc.link.link.finding and disc.link.verdict == "clear"
    assert disc.joint is not None and disc.joint_sentence.startswith("Together with the other themes")
    facts_ = theme_facts(joint)
    assert [f.theme_id for f in facts_] == [t.theme_id for t in joint.themes]
    assert facts_[0].previous_share == pytest.approx(1 / 3)
    assert headline("2026-Q2", facts_)[0]["evidence"] == "theme:1"
