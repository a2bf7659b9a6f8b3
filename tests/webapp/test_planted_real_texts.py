"""Planted theme effects on an org built from real customer texts (BANKING77), public interface only.

Runs `benchmarks/planted_real_texts.py`'s pipeline once, seed 2 at its defaults (150 reps under
12 managers in 3 regions, periods 2026-Q1 (baseline only), 2026-Q2, 2026-Q3, ~990 observations of
16 BANKING77 intents, 5 with planted effects +0.12, -0.105, +0.09, -0.075, +0.06 on the proposed
change, sd 0.06): the installed `groundswell` console script imports the CSVs, analyses, and
prints `insights --period P --json`; the JSON is scored against the planted truth. Then, as the
sanity run that shows the test can fail, the same org's targets with every effect set to 0 are
imported over the first ones and the insights read again (same texts, so the same themes).

Measured (2026-11-27, benchmarks/RESULTS.md "Planted effects on real customer texts" and "A wider
count tolerance for larger orgs"), with the contextual embedder of the `transformer` extra (which
`auto` picks at this size) and the count rule that takes the finest of the near-best counts
(tolerance 0.05 at this size), seeds 0-4: planted intents found (a > half-majority theme with
q < 0.05 and the planted sign) in at least one period 4/5, 3/5, 5/5, 4/5, 5/5; the same test on the
true intents finds 5/5 every time, so each miss is a clustering loss (the intent is merged with a
neighbouring intent, e.g. top_up_reverted with pending top-ups, so no theme is more than half that
intent). Null intents with a majority theme at q < 0.05: 1, 0, 0, 0, 0. Over seeds 0-19 the whole
bar holds in 8 of 20, against 12 of 20 for perfect grouping scored the same way (seed 5 draws
three pairs of sibling intents and fails on both counts).

What is asserted (seed 2, the test's seed since the first version), at or below those figures:

* the `target_link` group sizes, mean changes, Mann-Whitney p and BH q follow from the members and
  the planted changes (both runs; the second one also shows that a re-import reaches the report);
* the planted effects are detectable at this size: the true-intent test finds all 5;
* every planted intent with |effect| >= 0.075 that the theme engine recovered (>= 80% of its
  observations in one theme of which it is the > half majority) is found in at least one period,
  and at least 4 of the 5 planted intents are found;
* issue #4's bar: every planted intent found in at least one period;
* no null intent has a majority theme at q < 0.05;
* with every effect set to 0, no theme has q < 0.05 in any period.

About 40 s on a 2-core machine: the start-up of the 12 commands and the contextual model.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCHMARK = ROOT / "benchmarks" / "planted_real_texts.py"
DATA = ROOT.parent / "shared" / "data" / "banking77"
SEED = 2
RECOVERED = 0.8  # share of an intent's observations in its biggest theme, for the per-intent bar
MIN_EFFECT = 0.075
MIN_FOUND = 4


def _groundswell() -> Path | None:
    beside = Path(sys.executable).parent / "groundswell"
    if beside.exists():
        return beside
    found = shutil.which("groundswell")
    return Path(found) if found else None


pytestmark = [
    pytest.mark.skipif(not ((DATA / "train.csv").exists() and (DATA / "test.csv").exists()),
                       reason=f"BANKING77 (CC-BY-4.0 customer texts) not found under {DATA}; "
                              "it is kept outside the repository, in ../shared/data/banking77"),
    pytest.mark.skipif(_groundswell() is None, reason="the `groundswell` console script is not installed"),
]


def _load_benchmark():
    spec = importlib.util.spec_from_file_location("planted_real_texts", BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


prt = _load_benchmark()


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """(evaluation with the planted effects, evaluation of the same org with every effect 0)."""
    groundswell = _groundswell()
    texts = prt.load_banking77(DATA)
    spec = prt.Spec(seed=SEED)
    org = prt.build_org(spec, texts)
    workdir = tmp_path_factory.mktemp("planted")
    reports, timings = prt.run_pipeline(org, workdir, groundswell)
    planted = prt.evaluate(org, reports, timings)

    # Sanity run: the same org (same texts and ids, so the same themes), every effect 0.
    null_org = prt.build_org(dataclasses.replace(spec, effect_lo=0.0, effect_hi=0.0), texts)
    assert null_org.observations == org.observations and not null_org.planted
    null_dir = workdir / "null"
    null_dir.mkdir()
    paths = prt.write_csvs(null_org, null_dir)
    env = prt.cli_env(workdir)  # the first run's database
    null_timings: dict[str, float] = {}
    prt.run_cli(["import", "targets", str(paths["targets"])], env, null_timings, groundswell=groundswell)
    null_reports = {org.periods[0]: reports[org.periods[0]]}
    for period in org.periods[1:]:
        null_reports[period] = prt.json.loads(prt.run_cli(["insights", "--period", period, "--json"], env,
                                                          null_timings, groundswell=groundswell))
    null = prt.evaluate(null_org, null_reports, null_timings)
    return planted, null


def _describe(ev) -> str:
    lines = []
    for intent, effect in ev.org.planted.items():
        hits = "; ".join(f"{p} q={h.q}" for p, h in ev.planted_hits[intent].items())
        lines.append(f"{intent} {effect:+.3f} recovery {ev.recovery[intent][0]:.2f}: {hits}")
    return "\n".join(lines)


def _recovered(ev, intent) -> bool:
    """>= RECOVERED of the intent's observations are in one theme, and the intent is its > half majority."""
    share, theme_id = ev.recovery[intent]
    return share >= RECOVERED and ev.majority.get(theme_id, (None, 0))[0] == intent


def test_target_link_follows_from_members_and_planted_changes(runs):
    planted, null = runs
    assert planted.link_mismatches == []
    assert null.link_mismatches == []  # the re-imported targets reached the report
    for ev in runs:
        for period in ev.link_periods:
            links = [t["target_link"] for t in ev.reports[period]["themes"] if t["target_link"] is not None]
            assert len(links) >= 10, f"{period}: only {len(links)} themes with a target_link"


def test_planted_effects_are_detectable_on_the_true_intents(runs):
    planted, _ = runs
    missed = [i for i in planted.org.planted
              if not any(planted.oracle_found(i, p) for p in planted.link_periods)]
    assert missed == [], "the generator's effects are too weak for this size; the test would be vacuous"


def test_recovered_planted_intents_are_found(runs):
    planted, _ = runs
    org = planted.org
    bar = [i for i, e in org.planted.items() if abs(e) >= MIN_EFFECT and _recovered(planted, i)]
    assert len(bar) >= 2, _describe(planted)  # the bar must cover something
    missed = [i for i in bar if not planted.found_any(i)]
    assert missed == [], _describe(planted)
    found = [i for i in org.planted if planted.found_any(i)]
    assert len(found) >= MIN_FOUND, _describe(planted)


def test_no_null_intent_has_a_significant_theme(runs):
    planted, _ = runs
    assert planted.false_positives() == []


def test_with_every_effect_zero_nothing_is_significant(runs):
    _, null = runs
    significant = [(p, t["label"], t["target_link"]["q"])
                   for p, report in null.reports.items() if p in null.link_periods for t in report["themes"]
                   if t["target_link"] is not None and t["target_link"]["q"] < prt.Q]
    assert significant == []
    assert null.false_positives() == []


def test_every_planted_effect_is_found(runs):
    planted, _ = runs
    assert [i for i in planted.org.planted if not planted.found_any(i)] == [], _describe(planted)
