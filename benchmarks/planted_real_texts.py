"""Planted theme effects on an organisation built from real customer texts (BANKING77).

Issue #4's external check builds organisations from real customer texts with planted effects and
looks at them only through the public interface: the CSV imports and the JSON commands. This is
our own version of that check, so we know how the product does before they run theirs.

What it does, for each seed:

1. Builds an org: a leader, managers (8-15 reps each) in 3 regions, ``--reps`` reps with a
   territory each. ``--n-intents`` BANKING77 intents (drawn at random) are the org's themes, with
   unequal prevalences; ``--planted`` of them get a planted effect on the proposed change (default
   magnitudes spread over 0.06..0.12, alternating signs), the rest are null. Every rep writes 1-4
   observations per period (texts drawn without replacement from the intent's BANKING77 texts).
   Change % of a rep in a period = gauss(``--mean``, ``--sd``) + the sum of the planted effects of
   the distinct intents the rep reported that period. The first period is baseline-only (its
   approved target is the next period's baseline, PRODUCT.md "Change %"); each later period's
   proposed = previous approved x (1 + change), approved = proposed or a manager adjustment,
   top_down per rep; actuals for every period but the last. With ``--ride-along P`` (default 0:
   off, and the org is exactly as without the option) one null intent *rides along* with the
   strongest planted one: a rep who reports the planted intent in a period also reports the
   ride-along intent with probability P (its own draws from a separate generator, so the other
   texts and every change stay as they are); it has no effect of its own.
2. Writes people.csv, targets.csv, observations.csv, actuals.csv in a temporary folder and runs
   the installed console script only: ``groundswell db upgrade``, ``import people|targets|
   observations|actuals``, ``analyze``, ``insights --period P --json`` for every period, on
   ``GROUNDSWELL_DATABASE_URL=sqlite:///<tmp>/x.db``.
3. Reads the JSON: each theme's majority intent from its ``members`` (the ``id`` column written),
   over the union of the members in every period's JSON. A planted intent is *found* in a period
   when a theme whose members are more than half that intent has ``target_link.q < 0.05`` with the
   sign of the planted effect. A null intent *fails* when a theme with a > half majority of it has
   q < 0.05. Detection pooled over periods is not available through the JSON, so everything is
   per period (plus "found in at least one period").

Prints per planted intent its effect and, per period, the best right-signed q (and theme label);
per null intent any q < 0.05; theme recovery (share of an intent's observations in the theme that
holds most of them); number of themes; time of every command. With ``--seeds N`` loops over
seeds ``--seed .. --seed+N-1`` and prints a summary.

The data are read from ``../shared/data/banking77`` (CC-BY-4.0, Casanueva et al. 2020; see its
SOURCE.md) and never copied into this repository; the CSVs live in a temporary folder.

Usage::

    .venv/bin/python benchmarks/planted_real_texts.py [--reps 150] [--periods 3] [--seed 0]
        [--seeds 1] [--planted 5] [--effect 0.06,0.12] [--n-intents 16] [--keep DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "banking77"
GROUNDSWELL = ROOT / ".venv" / "bin" / "groundswell"
REGIONS = ("North", "Central", "South")
Q = 0.05  # significance bar on the BH q-value
TEXTS_PER_REP = (1, 2, 3, 4)
TEXTS_WEIGHTS = (0.30, 0.35, 0.20, 0.15)  # ~2.2 observations per rep and period


# ----------------------------------------------------------------------------------------------
# Data and org


def load_banking77(data_dir: Path = DATA) -> dict[str, list[str]]:
    """Distinct texts per intent from train.csv and test.csv (in file order)."""
    by_intent: dict[str, list[str]] = defaultdict(list)
    seen: set[str] = set()
    for name in ("train.csv", "test.csv"):
        with open(data_dir / name, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                text = " ".join(row["text"].split())
                if text and text not in seen:
                    seen.add(text)
                    by_intent[row["category"]].append(text)
    return dict(by_intent)


def planted_effects(k: int, lo: float, hi: float) -> list[float]:
    """k effects with magnitudes spread evenly over [lo, hi] and alternating signs (+, -, +, ...)."""
    if k <= 0:
        return []
    mags = [lo] if k == 1 else [lo + (hi - lo) * i / (k - 1) for i in range(k)]
    return [m if i % 2 == 0 else -m for i, m in enumerate(mags)]


def period_codes(start_year: int, start_quarter: int, n: int) -> list[str]:
    codes, y, q = [], start_year, start_quarter
    for _ in range(n):
        codes.append(f"{y}-Q{q}")
        y, q = (y + 1, 1) if q == 4 else (y, q + 1)
    return codes


@dataclass
class Spec:
    reps: int = 150
    periods: int = 3
    seed: int = 0
    planted: int = 5
    effect_lo: float = 0.06
    effect_hi: float = 0.12
    n_intents: int = 16
    mean: float = 0.04
    sd: float = 0.06
    start: tuple[int, int] = (2026, 1)
    ride_along: float = 0.0  # probability that a rep reporting the lead intent also reports the rider


@dataclass
class Org:
    spec: Spec
    periods: list[str]
    intents: list[str]
    effects: dict[str, float]  # intent -> planted effect (0.0 for null intents)
    prevalence: dict[str, float]
    people: list[dict]
    targets: list[dict]
    observations: list[dict]
    actuals: list[dict]
    obs_intent: dict[str, str] = field(default_factory=dict)  # observation id -> intent
    obs_rep: dict[str, str] = field(default_factory=dict)  # observation id -> rep email
    changes: dict[tuple[str, str], float] = field(default_factory=dict)  # (email, period) -> change
    lead_intent: str | None = None  # the planted intent the ride-along intent follows
    ride_intent: str | None = None  # a null intent co-reported with the lead intent (no effect of its own)

    @property
    def planted(self) -> dict[str, float]:
        return {i: e for i, e in self.effects.items() if e != 0}

    @property
    def nulls(self) -> list[str]:
        return [i for i in self.intents if self.effects[i] == 0]


def build_org(spec: Spec, texts_by_intent: dict[str, list[str]]) -> Org:
    """A realistic org with planted effects; every random choice comes from ``spec.seed``."""
    rng = random.Random(spec.seed)
    if spec.planted > spec.n_intents:
        raise ValueError("--planted cannot exceed --n-intents")
    intents = rng.sample(sorted(texts_by_intent), spec.n_intents)
    planted = rng.sample(intents, spec.planted)
    effects = {i: 0.0 for i in intents}
    for intent, eff in zip(planted, planted_effects(spec.planted, spec.effect_lo, spec.effect_hi)):
        effects[intent] = eff
    weights = {i: rng.uniform(0.6, 1.6) for i in intents}
    total = sum(weights.values())
    prevalence = {i: w / total for i, w in weights.items()}
    pools = {i: rng.sample(texts_by_intent[i], len(texts_by_intent[i])) for i in intents}
    used = Counter()

    def draw_text(intent: str) -> str:
        pool = pools[intent]
        text = pool[used[intent] % len(pool)]  # cycles (repeats) only if an intent runs out
        used[intent] += 1
        return text

    # People: leader, managers (8-15 reps each) spread over 3 regions, reps with a territory each.
    # Their own generator, so the texts and changes do not move when the org chart's code does.
    org_rng = random.Random(f"{spec.seed}-people")
    people = [dict(email="leader@org.test", name="Lee Leader", role="leader", manager_email="",
                   region="", territory="", department="Sales", hire_date="2015-03-02")]
    sizes = []
    left = spec.reps
    while left > 0:
        size = min(left, org_rng.randint(8, 15))
        if 0 < left - size < 8 and sizes:  # do not leave a team of fewer than 8
            size = left
        sizes.append(size)
        left -= size
    while len(sizes) > 1 and max(sizes) > 15:  # the last team may have absorbed a remainder
        sizes[sizes.index(max(sizes))] -= 1
        sizes[sizes.index(min(sizes))] += 1
    reps: list[dict] = []
    for m, size in enumerate(sizes):
        region = REGIONS[m % len(REGIONS)]
        manager = f"manager{m + 1}@org.test"
        people.append(dict(email=manager, name=f"Manager {m + 1}", role="manager",
                           manager_email="leader@org.test", region=region, territory="",
                           department="Sales", hire_date=f"{org_rng.randint(2012, 2022)}-0{org_rng.randint(1, 9)}-15"))
        for _ in range(size):
            n = len(reps) + 1
            rep = dict(email=f"rep{n}@org.test", name=f"Rep {n}", role="rep", manager_email=manager,
                       region=region, territory=f"{region}-{n:03d}", department="Sales",
                       hire_date=f"{org_rng.randint(2014, 2026)}-{org_rng.randint(1, 12):02d}-01")
            reps.append(rep)
            people.append(rep)

    periods = period_codes(spec.start[0], spec.start[1], spec.periods)
    org = Org(spec, periods, intents, effects, prevalence, people, [], [], [])
    ride_rng = random.Random(f"{spec.seed}-ride")  # its own stream: the rest of the org does not move
    if spec.ride_along > 0 and org.planted and org.nulls:
        org.lead_intent = max(sorted(org.planted), key=lambda i: abs(org.planted[i]))
        org.ride_intent = ride_rng.choice(sorted(org.nulls))
    region_growth = {r: rng.uniform(0.02, 0.08) for r in REGIONS}
    intent_list = list(intents)
    intent_weights = [prevalence[i] for i in intent_list]
    approved_prev: dict[str, float] = {}
    n_obs = 0
    for p_index, period in enumerate(periods):
        for rep in reps:
            email = rep["email"]
            n_texts = rng.choices(TEXTS_PER_REP, TEXTS_WEIGHTS)[0]
            reported = rng.choices(intent_list, intent_weights, k=n_texts)
            if org.ride_intent is not None and org.lead_intent in reported and ride_rng.random() < spec.ride_along:
                reported = [*reported, org.ride_intent]
            for intent in reported:
                n_obs += 1
                obs_id = f"obs-{n_obs:05d}"
                org.observations.append(dict(id=obs_id, email=email, period=period,
                                             text=draw_text(intent), tag=""))
                org.obs_intent[obs_id] = intent
                org.obs_rep[obs_id] = email
            if p_index == 0:  # baseline-only period: approved is next period's baseline
                approved = round(math.exp(rng.gauss(math.log(400_000), 0.35)), -2)
                proposed = round(approved * (1 + rng.gauss(0.0, 0.03)), 2)
                top_down = round(approved * (1 + rng.gauss(0.03, 0.03)), 2)
            else:
                baseline = approved_prev[email]
                change = rng.gauss(spec.mean, spec.sd) + sum(effects[i] for i in set(reported))
                change = max(change, -0.9)  # proposed must stay > 0
                org.changes[email, period] = change
                proposed = round(baseline * (1 + change), 2)
                adjust = rng.random() < 0.3
                approved = round(proposed * (1 + rng.gauss(-0.03, 0.03)), 2) if adjust else proposed
                top_down = round(baseline * (1 + region_growth[rep["region"]] + rng.gauss(0, 0.03)), 2)
            org.targets.append(dict(email=email, period=period, proposed=f"{proposed:.2f}",
                                    approved=f"{approved:.2f}", top_down=f"{top_down:.2f}"))
            approved_prev[email] = approved
            if p_index < len(periods) - 1:
                actual = round(approved * (1 + rng.gauss(-0.02, 0.08)), 2)
                org.actuals.append(dict(email=email, period=period, actual=f"{actual:.2f}"))
    return org


COLUMNS = {
    "people": ("email", "name", "role", "manager_email", "region", "territory", "department", "hire_date"),
    "targets": ("email", "period", "proposed", "approved", "top_down"),
    "observations": ("id", "email", "period", "text", "tag"),
    "actuals": ("email", "period", "actual"),
}


def write_csvs(org: Org, folder: Path) -> dict[str, Path]:
    paths = {}
    for kind, columns in COLUMNS.items():
        path = folder / f"{kind}.csv"
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns)
            writer.writeheader()
            writer.writerows(getattr(org, kind))
        paths[kind] = path
    return paths


# ----------------------------------------------------------------------------------------------
# The public interface, as subprocesses


class CommandError(RuntimeError):
    pass


def run_cli(args: list[str], env: dict[str, str], timings: dict[str, float], key: str | None = None,
            groundswell: Path = GROUNDSWELL) -> str:
    """Run ``groundswell ARGS``; record its wall time under ``key``; return stdout."""
    started = time.perf_counter()
    proc = subprocess.run([str(groundswell), *args], env=env, capture_output=True, text=True,
                          timeout=900, check=False)
    timings[key or " ".join(args)] = time.perf_counter() - started
    if proc.returncode != 0:
        raise CommandError(f"groundswell {' '.join(args)} exited {proc.returncode}:\n"
                           f"{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    return proc.stdout


def cli_env(workdir: Path) -> dict[str, str]:
    """The environment of every command: a SQLite file in `workdir`, a secret key, no other GROUNDSWELL_*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GROUNDSWELL_")}
    env.update(GROUNDSWELL_DATABASE_URL=f"sqlite:///{workdir / 'x.db'}",
               GROUNDSWELL_SECRET_KEY="planted-real-texts-benchmark-secret-key",
               PYTHONHASHSEED="0")
    return env


def run_pipeline(org: Org, workdir: Path, groundswell: Path = GROUNDSWELL) -> tuple[dict[str, dict], dict[str, float]]:
    """Import the org through the CLI, analyse, and return ({period: insights JSON}, timings)."""
    paths = write_csvs(org, workdir)
    env = cli_env(workdir)
    timings: dict[str, float] = {}
    run_cli(["db", "upgrade"], env, timings, groundswell=groundswell)
    for kind in ("people", "targets", "observations", "actuals"):
        run_cli(["import", kind, str(paths[kind])], env, timings, key=f"import {kind}", groundswell=groundswell)
    run_cli(["analyze"], env, timings, groundswell=groundswell)
    reports = {}
    for period in org.periods:
        out = run_cli(["insights", "--period", period, "--json"], env, timings,
                      key=f"insights {period}", groundswell=groundswell)
        reports[period] = json.loads(out)
    return reports, timings


# ----------------------------------------------------------------------------------------------
# Evaluation


@dataclass
class Hit:
    q: float | None
    diff: float | None
    label: str | None
    theme_id: object = None


@dataclass
class Evaluation:
    org: Org
    n_themes: int
    majority: dict  # theme id -> (intent or None, share)
    recovery: dict[str, tuple[float, object]]  # intent -> (share in its biggest theme, theme id)
    planted_hits: dict[str, dict[str, Hit]]  # intent -> period -> best right-signed hit (q may be None)
    null_hits: dict[str, dict[str, Hit]]  # intent -> period -> smallest-q hit of its majority themes
    unattributed: dict[str, list[Hit]]  # period -> significant themes without a > half majority
    link_mismatches: list[str]  # target_link means that disagree with the planted changes
    oracle: dict[str, dict[str, Hit]] = field(default_factory=dict)  # intent -> period -> true-label test
    timings: dict[str, float] = field(default_factory=dict)
    reports: dict[str, dict] = field(default_factory=dict)  # period -> insights JSON

    @property
    def link_periods(self) -> list[str]:
        return self.org.periods[1:]

    def found(self, intent: str, period: str) -> bool:
        hit = self.planted_hits[intent][period]
        return hit.q is not None and hit.q < Q

    def found_any(self, intent: str) -> bool:
        return any(self.found(intent, p) for p in self.link_periods)

    def oracle_found(self, intent: str, period: str) -> bool:
        hit = self.oracle.get(intent, {}).get(period)
        return (hit is not None and hit.q is not None and hit.q < Q
                and math.copysign(1, hit.diff) == math.copysign(1, self.org.effects[intent]))

    def false_positives(self) -> list[tuple[str, str, Hit]]:
        return [(i, p, h) for i, by in self.null_hits.items() for p, h in by.items()
                if h.q is not None and h.q < Q]


def evaluate(org: Org, reports: dict[str, dict], timings: dict[str, float] | None = None) -> Evaluation:
    """Score the insights JSON of every period against the planted truth."""
    members: dict[object, set[str]] = defaultdict(set)
    labels: dict[object, str] = {}
    for report in reports.values():
        for theme in report["themes"]:
            members[theme["id"]].update(str(m) for m in theme["members"])
            labels[theme["id"]] = theme["label"]
    majority = {}
    for tid, ids in members.items():
        counts = Counter(org.obs_intent[i] for i in ids if i in org.obs_intent)
        if not counts:
            majority[tid] = (None, 0.0)
            continue
        intent, n = counts.most_common(1)[0]
        share = n / len(ids)
        majority[tid] = (intent if share > 0.5 else None, share)
    in_theme: dict[str, Counter] = defaultdict(Counter)
    for tid, ids in members.items():
        for i in ids:
            if i in org.obs_intent:
                in_theme[org.obs_intent[i]][tid] += 1
    total = Counter(org.obs_intent.values())
    recovery = {}
    for intent in org.intents:
        if in_theme[intent]:
            tid, n = in_theme[intent].most_common(1)[0]
            recovery[intent] = (n / total[intent], tid)
        else:
            recovery[intent] = (0.0, None)

    planted_hits = {i: {} for i in org.planted}
    null_hits = {i: {} for i in org.nulls}
    unattributed: dict[str, list[Hit]] = {}
    mismatches: list[str] = []
    for period in org.periods[1:]:
        report = reports[period]
        unattributed[period] = []
        for intent in org.intents:
            (planted_hits if intent in org.planted else null_hits)[intent][period] = Hit(None, None, None)
        linked = [t for t in report["themes"] if t.get("target_link") is not None]
        for theme, q in zip(linked, _bh([t["target_link"]["p"] for t in linked])):
            if abs(theme["target_link"]["q"] - q) > 1e-9:
                mismatches.append(f"{period} theme {theme['id']}: q {theme['target_link']['q']:.4g}, "
                                  f"BH over the period's p gives {q:.4g}")
        for theme in report["themes"]:
            link = theme.get("target_link")
            if link is None:
                continue
            mismatches += _check_link(org, period, theme)
            intent = majority.get(theme["id"], (None, 0))[0]
            hit = Hit(link["q"], link["diff"], theme["label"], theme["id"])
            if intent is None:
                if link["q"] < Q:
                    unattributed[period].append(hit)
                continue
            if intent in org.planted:
                best = planted_hits[intent][period]
                right_sign = math.copysign(1, link["diff"]) == math.copysign(1, org.effects[intent])
                if right_sign and (best.q is None or link["q"] < best.q):
                    planted_hits[intent][period] = hit
            else:
                best = null_hits[intent][period]
                if best.q is None or link["q"] < best.q:
                    null_hits[intent][period] = hit
    return Evaluation(org, len(members), majority, recovery, planted_hits, null_hits, unattributed,
                      mismatches, oracle_links(org), timings or {}, reports)


def oracle_links(org: Org) -> dict[str, dict[str, Hit]]:
    """The same test on the true intents (no clustering): what a perfect theme engine could show.

    Per period: reps who reported the intent versus the others, difference of mean change, two-sided
    Mann-Whitney p, Benjamini-Hochberg q across the intents with >= 5 reps on each side. Only for
    reading the product's figures against; it uses the planted truth, not the product.
    """
    from scipy.stats import mannwhitneyu

    out: dict[str, dict[str, Hit]] = {i: {} for i in org.intents}
    for period in org.periods[1:]:
        changes = {e: c for (e, p), c in org.changes.items() if p == period}
        reps_with: dict[str, set[str]] = defaultdict(set)
        for obs in org.observations:
            if obs["period"] == period:
                reps_with[org.obs_intent[obs["id"]]].add(obs["email"])
        tested = []
        for intent in org.intents:
            with_ = [c for e, c in changes.items() if e in reps_with[intent]]
            without = [c for e, c in changes.items() if e not in reps_with[intent]]
            if len(with_) >= 5 and len(without) >= 5:
                p = float(mannwhitneyu(with_, without, alternative="two-sided").pvalue)
                tested.append((intent, p, sum(with_) / len(with_) - sum(without) / len(without)))
            else:
                out[intent][period] = Hit(None, None, f"{len(with_)} reps")
        for (intent, _p, diff), q in zip(tested, _bh([t[1] for t in tested])):
            out[intent][period] = Hit(q, diff, None)
    return out


def _bh(p_values: list[float]) -> list[float]:
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    q = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p_values[i] * m / rank)
        q[i] = running
    return q


def _check_link(org: Org, period: str, theme: dict) -> list[str]:
    """The JSON's group sizes and mean changes must follow from the members and the planted changes."""
    reps_with = {org.obs_rep[str(m)] for m in theme["members"] if str(m) in org.obs_rep}
    changes = {e: c for (e, p), c in org.changes.items() if p == period}
    with_ = [c for e, c in changes.items() if e in reps_with]
    without = [c for e, c in changes.items() if e not in reps_with]
    link = theme["target_link"]
    problems = []
    if (link["n_with"], link["n_without"]) != (len(with_), len(without)):
        problems.append(f"{period} theme {theme['id']}: n_with/n_without {link['n_with']}/{link['n_without']}"
                        f" but the members give {len(with_)}/{len(without)}")
    elif with_ and without:
        from scipy.stats import mannwhitneyu

        for name, values in (("mean_change_with", with_), ("mean_change_without", without)):
            expected = sum(values) / len(values)
            if abs(link[name] - expected) > 1e-4:
                problems.append(f"{period} theme {theme['id']}: {name} {link[name]:.5f}, expected {expected:.5f}")
        p = float(mannwhitneyu(with_, without, alternative="two-sided").pvalue)
        if abs(link["p"] - p) > 1e-3 * max(p, 1e-3):
            problems.append(f"{period} theme {theme['id']}: p {link['p']:.4g}, two-sided Mann-Whitney gives {p:.4g}")
    return problems


# ----------------------------------------------------------------------------------------------
# Output


def _fmt_hit(hit: Hit) -> str:
    if hit.q is None:
        return "-"
    mark = "FOUND" if hit.q < Q else "miss"
    return f"{mark} q={hit.q:.3g} d={hit.diff:+.3f} [{(hit.label or '')[:28]}]"


def print_evaluation(ev: Evaluation, out=sys.stdout) -> None:
    org = ev.org
    spec = org.spec
    reps_with = defaultdict(set)
    for obs_id, intent in org.obs_intent.items():
        reps_with[intent].add(org.obs_rep[obs_id])
    total = Counter(org.obs_intent.values())
    print(f"\n=== seed {spec.seed}: {spec.reps} reps, periods {', '.join(org.periods)} "
          f"(first baseline-only), {len(org.observations)} observations, {len(org.intents)} intents, "
          f"{len(org.planted)} planted; {ev.n_themes} themes found", file=out)
    w = max(len(i) for i in org.intents)
    print(f"\nplanted intents (found = a > half-majority theme with q < {Q} and the planted sign; "
          f"'-' = no such theme had a target_link)", file=out)
    for intent, eff in sorted(org.planted.items(), key=lambda kv: -abs(kv[1])):
        rec, _tid = ev.recovery[intent]
        print(f"  {intent:{w}s} effect {eff:+.3f}  obs {total[intent]:4d}  recovery {rec:.2f}  "
              f"found {'yes' if ev.found_any(intent) else 'NO '}", file=out)
        for period in ev.link_periods:
            oracle = ev.oracle.get(intent, {}).get(period)
            o = "" if oracle is None or oracle.q is None else f"   (true intent: q={oracle.q:.3g} d={oracle.diff:+.3f})"
            print(f"      {period}: {_fmt_hit(ev.planted_hits[intent][period])}{o}", file=out)
    print(f"\nnull intents (fail = a > half-majority theme with q < {Q})", file=out)
    for intent in org.nulls:
        rec, _tid = ev.recovery[intent]
        fails = [f"{p} q={h.q:.3g} d={h.diff:+.3f}" for p, h in ev.null_hits[intent].items()
                 if h.q is not None and h.q < Q]
        best = min((h.q for h in ev.null_hits[intent].values() if h.q is not None), default=None)
        rider = f" (rides along with {org.lead_intent})" if intent == org.ride_intent else ""
        print(f"  {intent:{w}s} obs {total[intent]:4d}  recovery {rec:.2f}  "
              f"{'FALSE POSITIVE ' + '; '.join(fails) if fails else 'ok'}{rider}"
              f"{'' if best is None else f'  (min q {best:.3g})'}", file=out)
    no_majority = [tid for tid, (intent, _s) in ev.majority.items() if intent is None]
    print(f"\nthemes without a > half majority intent: {len(no_majority)} of {ev.n_themes}", file=out)
    for period, hits in ev.unattributed.items():
        for h in hits:
            print(f"  {period}: significant mixed theme {h.theme_id} q={h.q:.3g} d={h.diff:+.3f} [{h.label}]",
                  file=out)
    if ev.link_mismatches:
        print("\nTARGET_LINK MISMATCHES (JSON vs planted changes):", file=out)
        for line in ev.link_mismatches:
            print("  " + line, file=out)
    else:
        print("target_link n_with/n_without, mean changes, Mann-Whitney p and BH q agree with the planted "
              "changes", file=out)
    if ev.timings:
        print("\ntimings: " + ", ".join(f"{k} {v:.1f} s" for k, v in ev.timings.items())
              + f"; total {sum(ev.timings.values()):.1f} s", file=out)


def summarise(evs: list[Evaluation], out=sys.stdout) -> None:
    """One line per seed, then found / tested by |effect| over all seeds."""
    print("\n=== summary (found = q < 0.05 with the planted sign in a > half-majority theme; "
          "'true-intent test' = the same test on the planted intents, no clustering)", file=out)
    print(f"{'seed':>4s}  {'found in >= 1 period':22s}  {'found per period':30s}  {'null FP':>7s}  "
          f"{'themes':>6s}  {'mixed sig':>9s}  {'total s':>7s}", file=out)
    for ev in evs:
        planted = ev.org.planted
        n_found = sum(ev.found_any(i) for i in planted)
        oracle = sum(any(ev.oracle_found(i, p) for p in ev.link_periods) for i in planted)
        per = " ".join(f"{p}:{sum(ev.found(i, p) for i in planted)}/{len(planted)}" for p in ev.link_periods)
        oracle_fp = sum(1 for i in ev.org.nulls for h in ev.oracle.get(i, {}).values()
                        if h.q is not None and h.q < Q)
        fps = f"{len(ev.false_positives())} ({oracle_fp})"
        mixed = sum(len(h) for h in ev.unattributed.values())
        found = f"{n_found}/{len(planted)} (true-intent {oracle})"
        print(f"{ev.org.spec.seed:4d}  {found:22s}  {per:30s}  {fps:>7s}  {ev.n_themes:6d}  {mixed:9d}  "
              f"{sum(ev.timings.values()):7.1f}", file=out)
    by_mag = defaultdict(lambda: [0, 0, 0])
    for ev in evs:
        for intent, eff in ev.org.planted.items():
            row = by_mag[round(abs(eff), 3)]
            row[0] += ev.found_any(intent)
            row[1] += any(ev.oracle_found(intent, p) for p in ev.link_periods)
            row[2] += 1
    if by_mag:
        print("found in >= 1 period by |effect| (product / true-intent test / planted): "
              + ", ".join(f"{m:.3f}: {a}/{o}/{b}" for m, (a, o, b) in sorted(by_mag.items())), file=out)
    print("null FP = null intents with a > half-majority theme at q < 0.05 (in brackets: the true-intent "
          "test's null q < 0.05)", file=out)


def run_seed(spec: Spec, texts: dict[str, list[str]], keep: Path | None = None,
             groundswell: Path = GROUNDSWELL) -> Evaluation:
    org = build_org(spec, texts)
    if keep is not None:
        folder = keep / f"seed{spec.seed}"
        folder.mkdir(parents=True, exist_ok=True)
        if (folder / "x.db").exists():
            (folder / "x.db").unlink()
        reports, timings = run_pipeline(org, folder, groundswell)
    else:
        with tempfile.TemporaryDirectory(prefix="planted-real-") as tmp:
            reports, timings = run_pipeline(org, Path(tmp), groundswell)
    return evaluate(org, reports, timings)


def parse_effect(value: str) -> tuple[float, float]:
    parts = [float(x) for x in value.split(",")]
    if len(parts) == 1:
        return parts[0], parts[0]
    if len(parts) == 2:
        return parts[0], parts[1]
    raise argparse.ArgumentTypeError("--effect is X or LO,HI")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=150)
    parser.add_argument("--periods", type=int, default=3, help="including the baseline-only first period")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--seeds", type=int, default=1, help="run seeds SEED .. SEED+N-1")
    parser.add_argument("--planted", type=int, default=5, help="number of intents with a planted effect")
    parser.add_argument("--effect", type=parse_effect, default=(0.06, 0.12),
                        help="planted |effect|: X, or LO,HI spread over the planted intents (signs alternate)")
    parser.add_argument("--n-intents", type=int, default=16, help="intents (themes) in the org")
    parser.add_argument("--mean", type=float, default=0.04, help="mean change % without effects")
    parser.add_argument("--sd", type=float, default=0.06, help="sd of the change % between reps")
    parser.add_argument("--ride-along", type=float, default=0.0,
                        help="probability that a rep reporting the strongest planted intent also reports a "
                             "null 'ride-along' intent (0: off)")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--keep", type=Path, default=None, help="keep CSVs and database under this folder")
    args = parser.parse_args(argv)
    if not (args.data / "train.csv").exists():
        print(f"BANKING77 not found under {args.data}", file=sys.stderr)
        return 2
    texts = load_banking77(args.data)
    evs = []
    for seed in range(args.seed, args.seed + args.seeds):
        spec = Spec(reps=args.reps, periods=args.periods, seed=seed, planted=args.planted,
                    effect_lo=args.effect[0], effect_hi=args.effect[1], n_intents=args.n_intents,
                    mean=args.mean, sd=args.sd, ride_along=args.ride_along)
        ev = run_seed(spec, texts, args.keep)
        print_evaluation(ev)
        evs.append(ev)
        sys.stdout.flush()
    summarise(evs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
