"""Verdicts on planted effects over many real-text orgs: the engine's grouping against perfect grouping,
one theme at a time against the joint model, with a ride-along theme.

Issue 17's bar replaces the per-organisation pass/fail of ``planted_real_texts.py`` (which perfect
grouping itself meets only about half the time) with rates over many organisations, each with its
interval:

* **planted found** -- per (planted intent, period): a theme more than half that intent is a
  *finding* (its FCR-adjusted interval excludes zero, ``analysis.linkage.link_themes``) with the
  planted sign. Reported for the theme engine's grouping and for perfect grouping (the true
  intents) of the same orgs; bar: engine >= 90% of perfect.
* **null flagged** -- per (null intent, period): some theme more than half that intent is a finding.
  Bar: <= 5% over all orgs. The ride-along intent is counted apart, not as a null.
* **ride-along** -- one null intent co-reported with the strongest planted intent (a rep reporting
  the planted intent also reports it with probability ``--ride-along``; no effect of its own,
  ``planted_real_texts.build_org``): flagged one theme at a time against flagged by the joint model
  (:func:`analysis.linkage.joint_link_themes`: all themes of the period at once, region dummies, log
  baseline, errors clustered by manager).

Also printed: the same rates under the old criterion (Mann-Whitney BH q < 0.05), the joint model's
planted/null rates, and how often the two views disagree.

Intervals: rates are pooled over orgs; their 95% intervals are percentile bootstraps over orgs
(orgs resampled with replacement, 2,000 times), so the dependence between an org's intents and
periods is kept. The engine/perfect ratio's interval is the same bootstrap of the ratio of sums.

How the orgs are grouped: ``planted_real_texts.build_org`` (its defaults: 150 reps, 16 BANKING77
intents, 5 planted effects 0.06-0.12, periods Q1 baseline-only, Q2, Q3), each org's texts embedded
with MiniLM (vectors shared across orgs, so a text is embedded once per run), then
:class:`analysis.themes.ThemeModel` as ``groundswell analyze`` runs it (``"auto"``, at most 30
themes, random_state 0, ``count_rule`` = ``webapp.analysis_runs.service.OBSERVATION_COUNT_RULE``
unless ``--count-rule`` says otherwise) started from those vectors, as ``theme_count_rules.py`` does; the CLI path
(``planted_real_texts.py``) would take ~40 s per org.

Usage::

    .venv/bin/python benchmarks/planted_verdicts.py [--seeds 30] [--seed 0] [--reps 150]
        [--ride-along 0.6] [--n-resamples 2000] [--count-rule phrasings|silhouette|spectral]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from planted_real_texts import Org, Spec, build_org, load_banking77

from analysis.linkage import joint_link_themes, link_themes

MAX_THEMES = 30  # as webapp.analysis_runs.service.MAX_THEMES
Q = 0.05


@dataclass
class Tally:
    """Counts of one grouping and one view (one-at-a-time or joint) in one org."""

    planted_found: int = 0
    planted_tested: int = 0  # (planted intent, period) pairs
    planted_found_q: int = 0  # old criterion: BH q < 0.05 (one-at-a-time only)
    intents_found: int = 0  # planted intents found in at least one period (issue #4's unit)
    intents_planted: int = 0
    null_flagged: int = 0
    null_tested: int = 0
    null_flagged_q: int = 0
    ride_flagged: int = 0
    ride_tested: int = 0
    lead_found: int = 0
    lead_tested: int = 0
    mixed_findings: int = 0  # findings in themes without a > half majority
    disagreements: int = 0  # joint vs one-at-a-time, themes with both verdicts
    unestimable: int = 0  # joint model: themes with >= 5 reps a side but no estimate


@dataclass
class OrgResult:
    seed: int
    n_themes: int
    seconds: float
    tallies: dict[tuple[str, str], Tally] = field(default_factory=dict)  # (grouping, view) -> Tally


def majority_of(org: Org, labels: list) -> dict:
    composition: dict = defaultdict(Counter)
    for obs, label in zip(org.observations, labels):
        composition[label][org.obs_intent[obs["id"]]] += 1
    out = {}
    for label, counts in composition.items():
        intent, n = counts.most_common(1)[0]
        if n > sum(counts.values()) / 2:
            out[label] = intent
    return out


def rep_attributes(org: Org) -> tuple[dict, dict, dict]:
    """(region, manager) per rep, and baseline per (rep, period): the previous period's approved."""
    regions = {p["email"]: p["region"] for p in org.people if p["role"] == "rep"}
    managers = {p["email"]: p["manager_email"] for p in org.people if p["role"] == "rep"}
    approved = {(t["email"], t["period"]): float(t["approved"]) for t in org.targets}
    baselines = {}
    for i, period in enumerate(org.periods[1:], start=1):
        prev = org.periods[i - 1]
        baselines[period] = {e: approved[(e, prev)] for e in regions if (e, prev) in approved}
    return regions, managers, baselines


def score(org: Org, labels: list, *, n_resamples: int, attrs) -> dict[str, Tally]:
    """One grouping of the org's observations scored one-at-a-time ("oat") and jointly ("joint")."""
    regions, managers, baselines = attrs
    majority = majority_of(org, labels)
    oat, joint = Tally(), Tally()
    found_any: dict[str, set] = {"oat": set(), "joint": set()}
    for period in org.periods[1:]:
        changes = {e: c for (e, p), c in org.changes.items() if p == period}
        members: dict = defaultdict(set)
        for obs, label in zip(org.observations, labels):
            if obs["period"] == period and label != -1:
                members[label].add(obs["email"])
        links = link_themes(changes, members, n_resamples=n_resamples, random_state=0)
        model = joint_link_themes(changes, members, regions=regions, baselines=baselines[period],
                                  managers=managers, one_at_a_time=links)
        for view, tally in (("oat", oat), ("joint", joint)):
            found, flagged, flagged_q, found_q = set(), set(), set(), set()
            for label, res in links.items():
                if view == "oat":
                    if res.link is None:
                        continue
                    finding, diff, q_hit = res.link.finding, res.link.diff, res.link.q < Q
                else:
                    j = model.themes[label]
                    if j.estimate is None:
                        if res.link is not None:
                            tally.unestimable += 1
                        continue
                    finding, diff, q_hit = j.estimate.finding, j.estimate.coef, False
                    tally.disagreements += j.disagrees
                intent = majority.get(label)
                if intent is None:
                    tally.mixed_findings += finding
                    continue
                effect = org.effects[intent]
                if effect != 0:
                    right = math.copysign(1, diff) == math.copysign(1, effect)
                    if finding and right:
                        found.add(intent)
                    if q_hit and right:
                        found_q.add(intent)
                else:
                    if finding:
                        flagged.add(intent)
                    if q_hit:
                        flagged_q.add(intent)
            nulls = [i for i in org.nulls if i != org.ride_intent]
            tally.planted_tested += len(org.planted)
            tally.planted_found += len(found)
            found_any[view] |= found
            tally.planted_found_q += len(found_q)
            tally.null_tested += len(nulls)
            tally.null_flagged += len(flagged & set(nulls))
            tally.null_flagged_q += len(flagged_q & set(nulls))
            if org.ride_intent is not None:
                tally.ride_tested += 1
                tally.ride_flagged += org.ride_intent in flagged
                tally.lead_tested += 1
                tally.lead_found += org.lead_intent in found
    for view, tally in (("oat", oat), ("joint", joint)):
        tally.intents_found = len(found_any[view])
        tally.intents_planted = len(org.planted)
    return {"oat": oat, "joint": joint}


def bootstrap_rate(num: np.ndarray, den: np.ndarray, *, n: int = 2000, seed: int = 0) -> tuple[float, float, float]:
    """Pooled rate sum(num)/sum(den) and its 95% percentile bootstrap interval over orgs."""
    num, den = np.asarray(num, float), np.asarray(den, float)
    rate = num.sum() / den.sum() if den.sum() else float("nan")
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(num), size=(n, len(num)))
    with np.errstate(invalid="ignore", divide="ignore"):
        boots = num[idx].sum(axis=1) / den[idx].sum(axis=1)
    boots = boots[np.isfinite(boots)]
    low, high = np.quantile(boots, [0.025, 0.975]) if boots.size else (float("nan"), float("nan"))
    return float(rate), float(low), float(high)


def bootstrap_ratio(a: np.ndarray, b: np.ndarray, *, n: int = 2000, seed: int = 1) -> tuple[float, float, float]:
    """sum(a)/sum(b) (engine found / perfect found) with its 95% bootstrap interval over orgs."""
    return bootstrap_rate(a, b, n=n, seed=seed)


def fmt(rate: tuple[float, float, float], pct: bool = True) -> str:
    r, lo, hi = rate
    if pct:
        return f"{100 * r:.1f}% [{100 * lo:.1f}, {100 * hi:.1f}]"
    return f"{r:.3f} [{lo:.3f}, {hi:.3f}]"


def run(args) -> list[OrgResult]:
    from analysis.embedding import SentenceTransformerEmbedder
    from analysis.themes import ThemeModel

    texts_by_intent = load_banking77()
    embedder = SentenceTransformerEmbedder().fit([])
    vectors: dict[str, np.ndarray] = {}
    results = []
    for seed in range(args.seed, args.seed + args.seeds):
        start = time.perf_counter()
        org = build_org(Spec(reps=args.reps, seed=seed, ride_along=args.ride_along), texts_by_intent)
        texts = [o["text"] for o in org.observations]
        new = sorted({t.strip() for t in texts} - set(vectors))
        if new:
            vectors.update(zip(new, embedder.transform(new)))
        model = ThemeModel("auto", max_themes=MAX_THEMES, random_state=0, count_rule=args.count_rule,
                           embedder=SentenceTransformerEmbedder(known=vectors))
        engine = [int(v) for v in model.fit_predict(texts)]
        truth = [org.obs_intent[o["id"]] for o in org.observations]
        attrs = rep_attributes(org)
        res = OrgResult(seed, model.n_themes_, 0.0)
        for grouping, labels in (("engine", engine), ("perfect", truth)):
            for view, tally in score(org, labels, n_resamples=args.n_resamples, attrs=attrs).items():
                res.tallies[grouping, view] = tally
        res.seconds = time.perf_counter() - start
        e, p = res.tallies["engine", "oat"], res.tallies["perfect", "oat"]
        ej, pj = res.tallies["engine", "joint"], res.tallies["perfect", "joint"]
        print(f"seed {seed:3d} ({len(texts)} notes, {res.n_themes} themes, {res.seconds:4.0f} s): "
              f"planted found engine {e.planted_found}/{e.planted_tested} perfect {p.planted_found}/{p.planted_tested}"
              f"; null flagged {e.null_flagged}/{p.null_flagged} of {e.null_tested}"
              f"; ride flagged oat {e.ride_flagged}/{p.ride_flagged} joint {ej.ride_flagged}/{pj.ride_flagged} "
              f"of {e.ride_tested} (engine/perfect) [{org.lead_intent} -> {org.ride_intent}]", flush=True)
        results.append(res)
    return results


def summarise(results: list[OrgResult], args, seconds: float) -> None:
    def col(grouping, view, name):
        return np.array([getattr(r.tallies[grouping, view], name) for r in results], dtype=float)

    n = len(results)
    print(f"\n{n} orgs (seeds {results[0].seed}..{results[-1].seed}), {args.reps} reps, ride-along "
          f"{args.ride_along}; rates pooled over orgs, [95% bootstrap interval over orgs]; "
          f"{seconds:.0f} s in all ({seconds / n:.0f} s per org)")
    print("\nFinding = FCR-adjusted interval excludes zero (analysis.linkage); one theme at a time unless said.\n")
    print("| measure | engine grouping | perfect grouping |")
    print("| --- | --- | --- |")
    for label, grouping_cols in (
        ("planted found (intent-periods)", ("planted_found", "planted_tested")),
        ("null flagged (intent-periods)", ("null_flagged", "null_tested")),
        ("ride-along flagged, one at a time", ("ride_flagged", "ride_tested")),
        ("lead (strongest planted) found, one at a time", ("lead_found", "lead_tested")),
    ):
        cells = [fmt(bootstrap_rate(col(g, "oat", grouping_cols[0]), col(g, "oat", grouping_cols[1])))
                 for g in ("engine", "perfect")]
        print(f"| {label} | {cells[0]} | {cells[1]} |")
    for label, grouping_cols in (
        ("planted found, joint model", ("planted_found", "planted_tested")),
        ("null flagged, joint model", ("null_flagged", "null_tested")),
        ("ride-along flagged, joint model", ("ride_flagged", "ride_tested")),
        ("lead found, joint model", ("lead_found", "lead_tested")),
    ):
        cells = [fmt(bootstrap_rate(col(g, "joint", grouping_cols[0]), col(g, "joint", grouping_cols[1])))
                 for g in ("engine", "perfect")]
        print(f"| {label} | {cells[0]} | {cells[1]} |")
    for label, grouping_cols in (
        ("planted found, old criterion q < 0.05", ("planted_found_q", "planted_tested")),
        ("null flagged, old criterion q < 0.05", ("null_flagged_q", "null_tested")),
    ):
        cells = [fmt(bootstrap_rate(col(g, "oat", grouping_cols[0]), col(g, "oat", grouping_cols[1])))
                 for g in ("engine", "perfect")]
        print(f"| {label} | {cells[0]} | {cells[1]} |")
    for g in ("engine", "perfect"):
        mixed = col(g, "oat", "mixed_findings").sum()
        dis = col(g, "joint", "disagreements").sum()
        une = col(g, "joint", "unestimable").sum()
        print(f"{g}: findings in themes without a majority intent {mixed:.0f}; joint vs one-at-a-time "
              f"disagreements {dis:.0f}; themes the joint model could not estimate {une:.0f}")
    ratio_any = bootstrap_ratio(col("engine", "oat", "intents_found"), col("perfect", "oat", "intents_found"))
    print("planted intents found in at least one period (issue #4's unit), one at a time: engine "
          f"{fmt(bootstrap_rate(col('engine', 'oat', 'intents_found'), col('engine', 'oat', 'intents_planted')))}, "
          f"perfect {fmt(bootstrap_rate(col('perfect', 'oat', 'intents_found'), col('perfect', 'oat', 'intents_planted')))}"
          f"; engine / perfect {fmt(ratio_any, pct=False)}")
    ratio = bootstrap_ratio(col("engine", "oat", "planted_found"), col("perfect", "oat", "planted_found"))
    ratio_joint = bootstrap_ratio(col("engine", "joint", "planted_found"), col("perfect", "joint", "planted_found"))
    null = bootstrap_rate(col("engine", "oat", "null_flagged"), col("engine", "oat", "null_tested"))
    print(f"\nengine found / perfect found (intent-periods, one at a time): {fmt(ratio, pct=False)}  (bar >= 0.90: "
          f"{'met' if ratio[0] >= 0.9 else 'NOT met'}; interval above 0.90: {'yes' if ratio[1] >= 0.9 else 'no'})")
    print(f"engine found / perfect found (intent-periods, joint model):   {fmt(ratio_joint, pct=False)}")
    print(f"null flagged, engine (one at a time): {fmt(null)}  (bar <= 5%: {'met' if null[0] <= 0.05 else 'NOT met'}"
          f"; interval below 5%: {'yes' if null[2] <= 0.05 else 'no'})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=30)
    ap.add_argument("--seed", type=int, default=0, help="first seed")
    ap.add_argument("--reps", type=int, default=150)
    ap.add_argument("--ride-along", type=float, default=0.6)
    ap.add_argument("--n-resamples", type=int, default=2000, help="bootstrap resamples per theme (product: 2000)")
    ap.add_argument("--count-rule", default=None,
                    help="the engine's count rule (default: analyze's, OBSERVATION_COUNT_RULE)")
    args = ap.parse_args(argv)
    if args.count_rule is None:
        from webapp.analysis_runs.service import OBSERVATION_COUNT_RULE

        args.count_rule = OBSERVATION_COUNT_RULE
    print(f"count rule: {args.count_rule}", flush=True)
    started = time.perf_counter()
    results = run(args)
    summarise(results, args, time.perf_counter() - started)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
