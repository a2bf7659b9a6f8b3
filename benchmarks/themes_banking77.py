"""Theme quality on BANKING77 test (3,080 texts, 77 intents): ThemeModel vs TF-IDF + KMeans.

Prints NMI, ARI and time (mean over seeds) for `ThemeModel(77)`, `ThemeModel("auto")` (with the
chosen count), the TF-IDF + KMeans baseline, the same two with the contextual embedder when the
`transformer` extra is installed (its vectors computed once, about 15 s, outside the timings),
and the variants measured while choosing the method. For each ThemeModel line it also prints the
names' figures: *stem match*, the share of intents whose largest theme (the theme holding most
of the intent's texts) has a name sharing a word stem with the intent's name ("card_arrival" ~
"card has not arrived"), and *entity-only*, the number of names made only of entity words.
Usage: python benchmarks/themes_banking77.py [--seeds 3] [--variants] [--names] [--data ../shared/data/banking77]
"""

import argparse
import csv
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.embedding import (  # noqa: E402
    SentenceTransformerEmbedder,
    TfidfLsaEmbedder,
    WordLlamaEmbedder,
    load_sentence_transformer,
    load_wordllama,
    transformer_installed,
)
from analysis.text import FUNCTION_WORDS, find_entities, stem, tokenize
from analysis.themes import ThemeModel


def report(name, runs):
    """Print mean NMI / ARI / time (and theme counts; name figures when given) of the runs."""
    nmi = np.mean([r[0] for r in runs])
    ari = np.mean([r[1] for r in runs])
    secs = np.mean([r[2] for r in runs])
    ks = sorted({r[3] for r in runs})
    names = ""
    if all(len(r) > 4 for r in runs):
        names = (f"  stem match {np.mean([r[4] for r in runs]):.3f}"
                 f"  entity-only names {sorted({r[5] for r in runs})}")
    print(f"{name:42s} NMI {nmi:.3f}  ARI {ari:.3f}  {secs:5.1f} s  themes {ks}{names}", flush=True)


def name_figures(model, truth, texts):
    """(stem-match share, entity-only names, misses) of a fitted model against the intents."""
    entities = find_entities(texts)
    by_id = {t.theme_id: t for t in model.themes_}
    labels = model.labels_
    misses = []
    for intent in sorted(set(truth)):
        ids = labels[[y == intent for y in truth]]
        ids = ids[ids >= 0]
        theme = by_id[int(np.bincount(ids).argmax())]
        intent_stems = {stem(w) for w in intent.lower().split("_") if w not in FUNCTION_WORDS}
        if not intent_stems & {stem(w) for w in tokenize(theme.label)}:
            misses.append((intent, theme.label))
    entity_only = sum(1 for t in model.themes_
                      if all(w in entities or w in FUNCTION_WORDS for w in tokenize(t.label)))
    return 1 - len(misses) / len(set(truth)), entity_only, misses


def main():
    """Run every method over the seeds and print one line each."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--variants", action="store_true", help="also the alternatives measured")
    parser.add_argument("--names", action="store_true", help="also print every name and the intents missed")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "banking77")
    args = parser.parse_args()
    with open(args.data / "test.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    texts = [r["text"] for r in rows]
    truth = [r["category"] for r in rows]
    load_wordllama()  # model load (~0.5 s) once, outside the timings

    def score(fit):
        runs = []
        for seed in range(args.seeds):
            start = time.perf_counter()
            out = fit(seed)
            labels = out.labels_ if isinstance(out, ThemeModel) else out
            run = (normalized_mutual_info_score(truth, labels), adjusted_rand_score(truth, labels),
                   time.perf_counter() - start, len(set(labels.tolist()) - {-1}))
            if isinstance(out, ThemeModel):
                share, entity_only, misses = name_figures(out, truth, texts)
                run += (share, entity_only)
                if args.names and seed == 0:
                    print("   names:", "; ".join(t.label for t in out.themes_))
                    print("   intents whose largest theme's name shares no stem:", misses)
            runs.append(run)
        return runs

    print(f"BANKING77 test: {len(texts)} texts, {len(set(truth))} intents, {args.seeds} seeds")
    report("ThemeModel(77)", score(lambda s: ThemeModel(77, random_state=s).fit(texts)))
    report("ThemeModel('auto')", score(lambda s: ThemeModel("auto", random_state=s).fit(texts)))
    tfidf = lambda s: KMeans(77, n_init=1, random_state=s).fit_predict(  # noqa: E731
        TfidfVectorizer(stop_words="english").fit_transform(texts))
    report("TF-IDF + KMeans(77)", score(tfidf))
    if transformer_installed():  # the `transformer` extra: what GROUNDSWELL_EMBEDDER=auto picks here
        load_sentence_transformer()
        start = time.perf_counter()
        warm = SentenceTransformerEmbedder().fit(texts)
        warm.transform(texts)
        print(f"(MiniLM vectors of the {len(texts)} texts: {time.perf_counter() - start:.1f} s, once)")

        def st():
            return SentenceTransformerEmbedder(known=dict(warm.memo_))

        report("ThemeModel(77, transformer)", score(
            lambda s: ThemeModel(77, embedder=st(), random_state=s).fit(texts)))
        report("ThemeModel('auto', transformer)", score(
            lambda s: ThemeModel("auto", embedder=st(), random_state=s).fit(texts)))
        report("ThemeModel('auto', transformer, max 30)", score(
            lambda s: ThemeModel("auto", embedder=st(), max_themes=30, random_state=s).fit(texts)))
    else:
        print("(transformer extra not installed: pip install 'groundswell[transformer]' for its lines)")
    if args.variants:
        emb = WordLlamaEmbedder().fit(texts).transform(texts)
        report("wordllama + KMeans(77)", score(lambda s: KMeans(77, n_init=3, random_state=s).fit_predict(emb)))
        report("ThemeModel(77, TF-IDF+LSA embedder)", score(
            lambda s: ThemeModel(77, embedder=TfidfLsaEmbedder(random_state=s), random_state=s).fit(texts)))
        report("ThemeModel(77, n_neighbors=20)", score(lambda s: ThemeModel(77, n_neighbors=20, random_state=s).fit(texts)))
        report("ThemeModel(77, max_fit_samples=1500)", score(
            lambda s: ThemeModel(77, max_fit_samples=1500, random_state=s).fit(texts)))
        report("ThemeModel('auto', count_rule='silhouette')", score(
            lambda s: ThemeModel("auto", count_rule="silhouette", random_state=s).fit(texts)))


if __name__ == "__main__":
    main()
