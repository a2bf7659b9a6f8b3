"""How often do the theme-link verdicts call a finding when nothing is there? (simulated periods, no effects)

Each simulated period: ``--reps`` reps, ``--themes`` themes; every rep reports 1-4 observations
(weights 0.30/0.35/0.20/0.15, as ``planted_real_texts.py``) of themes drawn uniformly; change % is
drawn with no link to any theme: normal (mean 0.04, sd 0.06), or ``--skewed``: 0.04 + 0.06 x a
standardised lognormal(0, 0.75) (a long right tail of optimistic reps). With every theme null the
false discovery rate is the probability of any finding in the period, which BH / FCR control at
q = 0.05.

Prints, per procedure, the share of periods with at least one finding and the share of themes
flagged, each with a 95% Wilson interval:

* ``shift-fcr`` -- the product's verdict (analysis.linkage.link_themes: the Mann-Whitney shift
  intervals adjusted for the selection, Benjamini & Yekutieli 2005);
* ``welch-fcr`` -- the same selection on Welch t intervals of the difference of means
  (``scipy.stats.ttest_ind(equal_var=False).confidence_interval``);
* ``bootstrap-fcr`` -- the same selection on percentile bootstrap intervals of the difference of
  means (``--n-resamples`` draws of ``scipy.stats.bootstrap``);
* ``mw-bh`` -- the old criterion, Mann-Whitney BH q < 0.05;
* ``joint`` -- the joint model (analysis.linkage.joint_link_themes, HC3, no regions or baselines).

Usage::

    .venv/bin/python benchmarks/verdict_calibration.py [--periods 200] [--reps 150] [--themes 16]
        [--skewed] [--n-resamples 10000] [--seed 0]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.linkage import (  # noqa: E402
    bootstrap_diff_distribution,
    fcr_selection,
    joint_link_themes,
    link_themes,
    percentile_interval,
)

TEXTS_PER_REP = (1, 2, 3, 4)
TEXTS_WEIGHTS = (0.30, 0.35, 0.20, 0.15)


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    if n == 0:
        return float("nan"), float("nan")
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def simulate(rng: np.random.Generator, reps: int, themes: int, skewed: bool):
    names = [f"r{i}" for i in range(reps)]
    n_texts = rng.choice(TEXTS_PER_REP, p=TEXTS_WEIGHTS, size=reps)
    members: dict[int, set] = {k: set() for k in range(themes)}
    for name, n in zip(names, n_texts):
        for k in rng.integers(0, themes, size=n):
            members[int(k)].add(name)
    if skewed:
        sigma = 0.75
        raw = rng.lognormal(0.0, sigma, size=reps)
        mean, sd = math.exp(sigma ** 2 / 2), math.sqrt((math.exp(sigma ** 2) - 1) * math.exp(sigma ** 2))
        values = 0.04 + 0.06 * (raw - mean) / sd
    else:
        values = rng.normal(0.04, 0.06, size=reps)
    return dict(zip(names, map(float, values))), members


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--periods", type=int, default=200)
    ap.add_argument("--reps", type=int, default=150)
    ap.add_argument("--themes", type=int, default=16)
    ap.add_argument("--skewed", action="store_true")
    ap.add_argument("--n-resamples", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    from scipy.stats import ttest_ind

    procedures = ("shift-fcr", "welch-fcr", "bootstrap-fcr", "mw-bh", "joint")
    any_hit = dict.fromkeys(procedures, 0)
    flagged = dict.fromkeys(procedures, 0)
    tested = dict.fromkeys(procedures, 0)
    started = time.perf_counter()
    for period in range(args.periods):
        changes, members = simulate(rng, args.reps, args.themes, args.skewed)
        links = link_themes(changes, members, n_resamples=200, random_state=period)
        linked = [t for t, r in links.items() if r.link is not None]
        counts = {"shift-fcr": sum(links[t].link.finding for t in linked),
                  "mw-bh": sum(links[t].link.q < 0.05 for t in linked)}
        draws, welch = [], []
        for t in linked:
            x = [v for r, v in changes.items() if r in members[t]]
            y = [v for r, v in changes.items() if r not in members[t]]
            draws.append(bootstrap_diff_distribution(x, y, n_resamples=args.n_resamples, random_state=period))
            welch.append(ttest_ind(x, y, equal_var=False))
        counts["bootstrap-fcr"] = fcr_selection(lambda lv: [percentile_interval(d, lv) for d in draws], len(draws))[0]
        counts["welch-fcr"] = fcr_selection(
            lambda lv: [tuple(w.confidence_interval(lv)) for w in welch], len(welch))[0]
        joint = joint_link_themes(changes, members)
        estimated = [r for r in joint.themes.values() if r.estimate is not None]
        counts["joint"] = sum(r.estimate.finding for r in estimated)
        for proc in procedures:
            n = len(estimated) if proc == "joint" else len(linked)
            tested[proc] += n
            flagged[proc] += counts[proc]
            any_hit[proc] += counts[proc] > 0
    seconds = time.perf_counter() - started
    dist = "skewed (lognormal sigma 0.75)" if args.skewed else "normal"
    print(f"{args.periods} simulated periods, {args.reps} reps, {args.themes} themes, no effect, changes {dist}; "
          f"bootstrap {args.n_resamples} draws; {seconds:.0f} s")
    print("| procedure | periods with any finding (FDR; bar 5%) | themes flagged |")
    print("| --- | --- | --- |")
    for proc in procedures:
        lo, hi = wilson(any_hit[proc], args.periods)
        flo, fhi = wilson(flagged[proc], tested[proc])
        print(f"| {proc} | {100 * any_hit[proc] / args.periods:.1f}% [{100 * lo:.1f}, {100 * hi:.1f}] "
              f"| {100 * flagged[proc] / max(tested[proc], 1):.2f}% [{100 * flo:.2f}, {100 * fhi:.2f}] |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
