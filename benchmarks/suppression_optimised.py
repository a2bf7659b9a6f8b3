"""Share of groups with at least k respondents that the HR dashboard may show, greedy vs optimised suppression.

Generates organisations of 100, 1,000 and 10,000 people (a manager tree with teams of 3-12 direct
reports, departments under the top managers, regions by team with some members elsewhere, five
tenure bands, 70-85% response per team), builds every group HR can see of one closed campaign
(`analysis.engagement.role_groups`: the whole scope, department, region, tenure band, each
manager's direct team and whole tree) and suppresses them together at k = 5 with

- **greedy**: the earlier path of `campaign_results` -- `secondary_suppression`, then
  `keep_overall_visible`, then `suppress_groups(method="greedy", unions=False)`;
- **optimised**: `suppress_groups(method="optimal")` (integer program + lazy constraints from the
  exact oracle, unions of small cells checked too), the whole scope weighted to stay visible.

Prints, per size and seed, the groups with at least k respondents, the share of them shown, the
suppression wall time of that one call, and checks the optimised result with the exact oracle
(cells and unions). With ``--campaign`` it also times `campaign_results` end to end (participation
over the invitees, results, and every metric -- six items, eNPS, comments -- suppressed per metric,
with 3% of answers skipped per item), the optimised path, and its suppression time: every
`suppress_groups` call of the campaign, the per-metric ones in worker processes from
`analysis.engagement.PARALLEL_MIN_MEMBERSHIPS` up (wall time).

    .venv/bin/python benchmarks/suppression_optimised.py [--sizes 100 1000 10000] [--seeds 3] [--k 5]
        [--no-greedy-above N] [--campaign] [--first-seed S]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis import privacy, workers  # noqa: E402
from analysis.engagement import (  # noqa: E402
    HR_ATTRIBUTES,
    OVERALL,
    OVERALL_WEIGHT,
    ResponseRecord,
    campaign_results,
    keep_overall_visible,
    role_groups,
    secondary_suppression,
    warm_workers,
)

DRIVERS = {"e1": "engagement", "e2": "engagement", "g1": "growth", "g2": "growth", "m1": "manager", "w1": "workload"}

TENURE = (("<1y", 0.15), ("1-2y", 0.2), ("2-5y", 0.3), ("5-10y", 0.2), ("10y+", 0.15))


def make_org(n: int, seed: int) -> tuple[list[dict], dict[str, str | None]]:
    """People (with manager, region, department, tenure band, answered) and the manager chain."""
    rng = random.Random(seed)
    n_regions = max(2, min(8, n // 150))
    regions = [f"R{i}" for i in range(n_regions)]
    people: list[dict] = []
    parent: dict[str, str | None] = {}

    ceo = "p0"
    parent[ceo] = None
    # Breadth-first: each manager gets 3-12 direct reports until n people exist; about one in
    # six reports is a manager in turn (kept going while people remain).
    queue = [(ceo, None, rng.choice(regions), 0)]
    count = 1
    people.append({"id": ceo, "manager": None, "region": queue[0][2], "department": "Executive"})
    departments = {}
    while queue and count < n:
        manager, department, region, depth = queue.pop(0)
        size = min(rng.randint(3, 12), n - count)
        for _ in range(size):
            pid = f"p{count}"
            count += 1
            dept = department or f"D{len(departments)}"
            if department is None:
                departments[pid] = dept
            home = region if rng.random() > 0.1 else rng.choice(regions)  # some work elsewhere
            people.append({"id": pid, "manager": manager, "region": home, "department": dept})
            if depth == 0 or rng.random() < 0.17:
                parent[pid] = manager
                queue.append((pid, dept, region if depth else rng.choice(regions), depth + 1))
        if not queue and count < n:  # the tree ran out of managers: promote someone
            p = rng.choice(people[1:])
            parent[p["id"]] = p["manager"]
            queue.append((p["id"], p["department"], p["region"], 2))
    bands, weights = zip(*TENURE)
    team_rate: dict[str | None, float] = {}
    for p in people:
        p["tenure_band"] = rng.choices(bands, weights)[0]
        rate = team_rate.setdefault(p["manager"], rng.uniform(0.70, 0.85))
        p["answered"] = rng.random() < rate
    return people, parent


def campaign_groups(people: list[dict], parent: dict) -> dict[str, frozenset[str]]:
    records = [ResponseRecord(f"r{i}", attributes={a: p[a] for a in HR_ATTRIBUTES if p.get(a)})
               for i, p in enumerate(people) if p["answered"]]
    return role_groups(records, parent, HR_ATTRIBUTES, manager_trees=True), len(records)


def greedy(groups: dict[str, frozenset[str]], n_records: int, k: int) -> dict[str, str | None]:
    """The earlier suppression of `campaign_results` (before issue 15)."""
    withheld = secondary_suppression(groups, HR_ATTRIBUTES, n_records, k)
    withheld |= keep_overall_visible({n: g for n, g in groups.items() if n not in withheld}, k)
    decisions = privacy.suppress_groups({n: g for n, g in groups.items() if n not in withheld}, k,
                                        method="greedy", unions=False)
    return {n: decisions.get(n, privacy.REASON_PROTECTS_OTHER) for n in groups}


def optimised(groups: dict[str, frozenset[str]], k: int) -> dict[str, str | None]:
    """What `campaign_results` runs for the responses (the whole scope weighted to stay visible)."""
    return privacy.suppress_groups(groups, k, method="optimal", weights={OVERALL: OVERALL_WEIGHT})


def whole_campaign(people: list[dict], parent: dict, k: int, seed: int) -> tuple[float, float]:
    """Seconds of `campaign_results` for one closed campaign with answers (optimised path), and of
    its suppression: every `suppress_groups` call it makes here plus the wall time of the
    per-metric calls it hands to `analysis.workers` (worker processes above
    `PARALLEL_MIN_MEMBERSHIPS`)."""
    warm_workers(len(people))  # as `store_results` does before it reads the answers
    rng = random.Random(seed)
    records = []
    for i, p in enumerate(people):
        if p["answered"]:
            likert = {q: rng.randint(1, 5) for q in DRIVERS if rng.random() > 0.03}
            enps = rng.randint(0, 10) if rng.random() > 0.05 else None
            comments = ("a comment",) if rng.random() < 0.3 else ()
            records.append(ResponseRecord(f"r{i}", likert, enps, comments,
                                          {a: p[a] for a in HR_ATTRIBUTES if p.get(a)}))
    invitees = [(p["answered"], {a: p[a] for a in HR_ATTRIBUTES if p.get(a)}) for p in people]
    spent = [0.0]
    real_suppress, real_run_all = privacy.suppress_groups, workers.run_all

    def timed_suppress(*a, **kw):  # the calls made in this process (participation, responses)
        t0 = time.perf_counter()
        try:
            return real_suppress(*a, **kw)
        finally:
            spent[0] += time.perf_counter() - t0

    def timed_run_all(fn, calls, **kw):  # the per-metric calls, in worker processes or here
        t0 = time.perf_counter()
        try:
            return real_run_all(real_suppress if fn is timed_suppress else fn, calls, **kw)
        finally:
            spent[0] += time.perf_counter() - t0

    privacy.suppress_groups, workers.run_all = timed_suppress, timed_run_all
    try:
        t = time.perf_counter()
        campaign_results(records, invitees, parent, DRIVERS, "engagement", closed=True, k=k)
        return time.perf_counter() - t, spent[0]
    finally:
        privacy.suppress_groups, workers.run_all = real_suppress, real_run_all


def share(groups, decisions, k) -> tuple[int, int]:
    eligible = [n for n, g in groups.items() if len(g) >= k]
    return sum(decisions[n] is None for n in eligible), len(eligible)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--first-seed", type=int, default=0, help="start at this seed (a fresh process per seed)")
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--no-greedy-above", type=int, default=10**9, help="skip the greedy path above this size")
    ap.add_argument("--campaign", action="store_true", help="also time campaign_results end to end")
    args = ap.parse_args(argv)
    print(f"$ .venv/bin/python {' '.join(sys.argv)}")
    print(f"k = {args.k}")
    print("| people | seed | respondents | groups | groups >= k | greedy shown | greedy time | "
          "optimised shown | optimised time | oracle |"
          + (" campaign_results | its suppression |" if args.campaign else ""))
    print("| --- " * (12 if args.campaign else 10) + "|")
    if args.campaign:
        print(f"(worker processes for the per-metric calls: {'yes' if workers.available() else 'no'}, "
              f"{workers.cores()} cores; the first campaign of a process also starts them)")
    for n in args.sizes:
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            people, parent = make_org(n, seed)
            groups, n_records = campaign_groups(people, parent)
            if n <= args.no_greedy_above:
                t = time.perf_counter()
                g = greedy(groups, n_records, args.k)
                tg = time.perf_counter() - t
                gs, elig = share(groups, g, args.k)
                greedy_cells = f"{gs}/{elig} = {100 * gs / elig:.1f}%", f"{tg:.2f} s"
            else:
                greedy_cells = "not run", ""
            t = time.perf_counter()
            o = optimised(groups, args.k)
            to = time.perf_counter() - t
            os_, elig = share(groups, o, args.k)
            shown = list(dict.fromkeys(groups[m] for m, r in o.items() if r is None))
            ok = "safe" if privacy.is_safe(shown, args.k) else "DISCLOSIVE"
            whole = ""
            if args.campaign:
                total, suppression = whole_campaign(people, parent, args.k, seed)
                whole = f" {total:.2f} s | {suppression:.2f} s |"
            print(f"| {n:,} | {seed} | {n_records:,} | {len(groups):,} | {elig:,} | {greedy_cells[0]} | "
                  f"{greedy_cells[1]} | {os_}/{elig} = {100 * os_ / elig:.1f}% | {to:.2f} s | {ok} |{whole}",
                  flush=True)


if __name__ == "__main__":
    main()
