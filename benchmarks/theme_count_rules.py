"""Theme-count rules compared on orgs built from real customer texts (in process, texts embedded once).

``planted_real_texts.py`` checks the product end to end through its CLI, one rule at a time. To
choose *how many themes* the engine should find, many orgs must be clustered under several rules,
so this script builds the same orgs (``build_org``, same defaults), embeds each org's distinct
texts once with the contextual model, and fits :class:`analysis.themes.ThemeModel` under each rule:

- ``default``: the product's rule (:func:`analysis.themes.silhouette_tolerance` of the range);
- a number such as ``0.01``: the largest count within that tolerance of the best silhouette;
- ``k22``: a fixed count of 22;
- ``truth``: the org's true intents (perfect grouping, no clustering).

Each grouping is scored as ``planted_real_texts.py`` scores the JSON: per period, the reps who
reported each theme against the others with :func:`analysis.linkage.link_themes` (Mann-Whitney,
Benjamini-Hochberg q over the period's themes, at least 5 reps a side); a planted intent is
*found* when a theme more than half that intent has q < 0.05 with the planted sign in some
period; a null intent *fails* likewise. "pass" is issue #4's whole bar: all planted found, no
null failing. The engine uses ``max_themes=30`` as ``groundswell analyze`` does.

Prints one line per seed and a summary per rule: mean found (of ``--planted``), orgs with all
found, mean null failures, orgs with none, orgs passing, mean theme count.

Needs the ``transformer`` extra and ``../shared/data/banking77`` (never copied here).

Usage::

    .venv/bin/python benchmarks/theme_count_rules.py [--reps 150] [--seeds 30] [--seed 0]
        [--rules truth,default,0.01,0.05,k22]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from analysis.embedding import SentenceTransformerEmbedder  # noqa: E402
from analysis.linkage import link_themes  # noqa: E402
from analysis.themes import ThemeModel  # noqa: E402
from planted_real_texts import Org, Spec, build_org, load_banking77  # noqa: E402

MAX_THEMES = 30  # as webapp.cli.analyze.MAX_THEMES
Q = 0.05


def score(org: Org, labels: list) -> tuple[int, int]:
    """(planted intents found, null intents failing) for one grouping of ``org.observations``."""
    composition: dict = defaultdict(Counter)
    for obs, label in zip(org.observations, labels):
        composition[label][org.obs_intent[obs["id"]]] += 1
    majority = {}
    for label, counts in composition.items():
        intent, n = counts.most_common(1)[0]
        if n > sum(counts.values()) / 2:
            majority[label] = intent
    found, failing = set(), set()
    for period in org.periods[1:]:
        changes = {email: c for (email, p), c in org.changes.items() if p == period}
        members: dict = defaultdict(set)
        for obs, label in zip(org.observations, labels):
            if obs["period"] == period:
                members[label].add(obs["email"])
        for label, result in link_themes(changes, members, n_resamples=100, random_state=0).items():
            link = result.link
            if link is None or link.q >= Q or label not in majority:
                continue
            intent = majority[label]
            effect = org.effects[intent]
            if effect == 0:
                failing.add(intent)
            elif math.copysign(1, link.diff) == math.copysign(1, effect):
                found.add(intent)
    return len(found), len(failing)


def group(rule: str, org: Org, texts: list[str], vectors: dict) -> tuple[list, int]:
    """Labels of ``texts`` under ``rule`` and the number of themes.

    ``vectors`` holds every distinct text's MiniLM vector: the embedder starts from them (as
    ``groundswell analyze`` starts from its kept vectors), so no text is embedded again.
    """
    if rule == "truth":
        return [org.obs_intent[o["id"]] for o in org.observations], len(org.intents)
    n_themes = int(rule[1:]) if rule.startswith("k") else "auto"
    tolerance = None if rule == "default" or rule.startswith("k") else float(rule)
    model = ThemeModel(n_themes, max_themes=MAX_THEMES, count_tolerance=tolerance, random_state=0,
                       embedder=SentenceTransformerEmbedder(known=vectors))
    labels = list(model.fit_predict(texts))
    if model.embedder_.n_embedded_:
        raise RuntimeError(f"{model.embedder_.n_embedded_} texts were embedded again")
    return labels, model.n_themes_


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=150)
    ap.add_argument("--seeds", type=int, default=30)
    ap.add_argument("--seed", type=int, default=0, help="first seed")
    ap.add_argument("--planted", type=int, default=5)
    ap.add_argument("--rules", default="truth,default,0.01,0.05,k22")
    args = ap.parse_args(argv)
    rules = args.rules.split(",")
    texts_by_intent = load_banking77()
    embedder = SentenceTransformerEmbedder().fit([])
    results: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for seed in range(args.seed, args.seed + args.seeds):
        start = time.perf_counter()
        org = build_org(Spec(reps=args.reps, seed=seed, planted=args.planted), texts_by_intent)
        texts = [o["text"] for o in org.observations]
        distinct = sorted({t.strip() for t in texts})
        vectors = dict(zip(distinct, embedder.transform(distinct)))
        line = []
        for rule in rules:
            labels, n_themes = group(rule, org, texts, vectors)
            found, failing = score(org, labels)
            results[rule].append((found, failing, n_themes))
            line.append(f"{rule} {found}/{failing}/{n_themes}")
        print(f"seed {seed} ({len(texts)} notes, {time.perf_counter() - start:.0f} s): " + "  ".join(line), flush=True)
    print(f"\n{args.reps} reps, seeds {args.seed}..{args.seed + args.seeds - 1}; found of {args.planted}")
    print("| rule | found | all found | null failures | none failing | pass | themes |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for rule in rules:
        r = np.array(results[rule])
        all_found = r[:, 0] == args.planted
        clean = r[:, 1] == 0
        n = len(r)
        print(
            f"| {rule} | {r[:, 0].mean():.2f} | {all_found.sum()}/{n} | {r[:, 1].mean():.2f} | {clean.sum()}/{n} "
            f"| {(all_found & clean).sum()}/{n} | {r[:, 2].mean():.1f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
