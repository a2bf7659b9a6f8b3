"""Issue 16's demo bar: the demo generator's observations themed as ``groundswell analyze`` themes them.

For each seed, ``webapp.demo.generator.build_demo_org(seed=...)`` (80 reps, six closed quarters and
the open one, ~1,300 observations drawn from 14 planted signals), every observation text fitted
once by :class:`analysis.themes.ThemeModel` as an analysis run's first fit does (``"auto"``,
``count_rule=OBSERVATION_COUNT_RULE``, ``max_themes=MAX_THEMES``, ``random_state=RANDOM_STATE``,
the contextual model that ``GROUNDSWELL_EMBEDDER=auto`` picks at this size; its vectors computed
once per text and shared across rules). Printed per seed and rule:

* **themes**: the count (bar: within +-30% of the 14 signals, 10-18);
* **recovered**: planted signals that are the majority of a theme whose name holds one of the
  signal's key words by stem (the measure of ``tests/webapp/test_demo_theme_recovery.py``; bar: 14);
  also counted with the theme's first five key terms beside its name (what its row shows);
* **entity-only**: names made only of entity words (bar: none);
* **NMI** of the themes against the signals;
* **template purity** (``--templates``): the share of the texts of each phrasing template that fall
  in that template's largest theme, and of each signal in its largest theme.

Usage::

    .venv/bin/python benchmarks/demo_themes.py [--seeds 0 1 2 3 4] [--rules phrasings silhouette spectral]
        [--embedder transformer|wordllama] [--templates] [--names]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

import numpy as np
from sklearn.metrics import normalized_mutual_info_score

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import webapp.demo.texts as demo_texts
from analysis.embedding import SentenceTransformerEmbedder, WordLlamaEmbedder
from analysis.text import FUNCTION_WORDS, find_entities, stem, tokenize
from analysis.themes import ThemeModel
from webapp.analysis_runs.service import (
    MAX_THEMES,
    OBSERVATION_COUNT_RULE,
    RANDOM_STATE,
)
from webapp.demo import generator

TODAY = date(2026, 12, 3)  # the org's quarters follow the date; fixed so runs compare


def demo_observations(seed: int) -> tuple[list[str], list[str], list[str]]:
    """(texts, signal of each, template of each) of the demo org built with ``seed``."""
    drawn: list[tuple[str, str, str]] = []
    original = generator.generate_observation

    def recording(rng, theme, *, noise=True):
        # the same draws as texts.generate_observation, keeping which template was chosen
        template = rng.choice(theme.templates)
        text = demo_texts._add_noise(rng, demo_texts.fill_template(rng, template), noise)
        drawn.append((text, theme.key, f"{theme.key}#{theme.templates.index(template)}"))
        return text

    generator.generate_observation = recording
    try:
        org = generator.build_demo_org(seed=seed, today=TODAY)
    finally:
        generator.generate_observation = original
    texts = [o.text for p in org.plans for o in p.observations]
    assert texts == [d[0] for d in drawn]
    return texts, [d[1] for d in drawn], [d[2] for d in drawn]


def recovered(model: ThemeModel, truth: list[str], *, key_terms: int = 0) -> set[str]:
    """Signals that are the majority of a theme named with one of their key words (by stem).

    With ``key_terms``, the theme's first ``key_terms`` key terms count as well as its name: what a
    reader sees on the theme's row ("kit arrives late" with "delivery, delays, shipping").
    """
    keywords = {t.key: {stem(w) for w in t.keywords} for t in demo_texts.OBSERVATION_THEMES}
    found = set()
    for theme in model.themes_:
        members = Counter(k for k, tid in zip(truth, model.labels_) if tid == theme.theme_id)
        if not members:
            continue
        key, n = members.most_common(1)[0]
        words = {stem(w) for w in tokenize(theme.label)}
        words |= {stem(w) for term in theme.terms[:key_terms] for w in tokenize(term)}
        if n >= 0.5 * theme.size and words & keywords[key]:
            found.add(key)
    return found


def largest_share(groups: list[str], labels) -> float:
    """Share of texts in their group's largest theme."""
    by_group: dict[str, Counter] = {}
    for g, lab in zip(groups, labels):
        by_group.setdefault(g, Counter())[lab] += 1
    return sum(c.most_common(1)[0][1] for c in by_group.values()) / len(groups)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    ap.add_argument("--rules", nargs="+", default=[OBSERVATION_COUNT_RULE])
    ap.add_argument("--embedder", choices=("transformer", "wordllama"), default="transformer")
    ap.add_argument("--templates", action="store_true", help="also the template and signal purity")
    ap.add_argument("--names", action="store_true", help="also every theme's name, size and majority signal")
    args = ap.parse_args(argv)
    signals = {t.key for t in demo_texts.OBSERVATION_THEMES}
    vectors: dict[str, np.ndarray] = {}
    print(f"demo generator, {len(signals)} signals; analyze's rule is {OBSERVATION_COUNT_RULE!r}, "
          f"max_themes={MAX_THEMES}, embedder {args.embedder}")
    for rule in args.rules:
        counts, hits, row_hits = [], [], []
        for seed in args.seeds:
            texts, truth, templates = demo_observations(seed)
            if args.embedder == "transformer":
                embedder = SentenceTransformerEmbedder(known=vectors)
            else:
                embedder = WordLlamaEmbedder()
            start = time.perf_counter()
            model = ThemeModel("auto", count_rule=rule, embedder=embedder, max_themes=MAX_THEMES,
                               random_state=RANDOM_STATE).fit(texts)
            seconds = time.perf_counter() - start
            if args.embedder == "transformer":
                vectors.update(model.embedder_.memo_)
            entities = find_entities(texts)
            entity_only = [t.label for t in model.themes_
                           if all(w in entities or w in FUNCTION_WORDS for w in tokenize(t.label))]
            found = recovered(model, truth)
            by_row = recovered(model, truth, key_terms=5)
            counts.append(model.n_themes_)
            hits.append(len(found))
            row_hits.append(len(by_row))
            extra = ""
            if args.templates:
                extra = (f", template in its largest theme {largest_share(templates, model.labels_):.3f}"
                         f", signal in its largest theme {largest_share(truth, model.labels_):.3f}")
            print(f"{rule:10s} seed {seed}: {len(texts)} texts, {model.n_themes_} themes, recovered "
                  f"{len(found)}/{len(signals)} (missing {sorted(signals - found)}; by name or first 5 key terms "
                  f"{len(by_row)}), entity-only {entity_only}, "
                  f"NMI {normalized_mutual_info_score(truth, model.labels_):.3f}{extra} ({seconds:.1f} s)", flush=True)
            if args.names:
                for theme in model.themes_:
                    members = Counter(k for k, tid in zip(truth, model.labels_) if tid == theme.theme_id)
                    print(f"    {theme.size:4d} {theme.label!r}: {members.most_common(2)}")
        print(f"{rule}: themes {counts} (bar 10-18 each: {'met' if all(10 <= c <= 18 for c in counts) else 'NOT met'}); "
              f"recovered {hits} of {len(signals)} (bar all: {'met' if min(hits) == len(signals) else 'NOT met'}); "
              f"by name or first 5 key terms {row_hits}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
