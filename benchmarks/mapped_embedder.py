"""How well mapped static vectors place texts among themes the contextual model drew (BANKING77).

``analysis.embedding.MappedTransformerEmbedder`` embeds the texts a theme model clusters with the
contextual model and maps the wordllama vectors of every other text into that space by a ridge
regression learned on the clustered ones. This measures what the map costs: 77 themes fitted on a
random 5,000 of BANKING77's training texts with the contextual model (MiniLM), then the 3,080 test
texts placed by the theme model's own vote (``analysis.themes._vote``, 5 nearest fitted texts)
three ways -- by their contextual vectors, by their mapped static vectors, and (for reference) by
wordllama throughout, themes fitted on wordllama vectors too. Printed: the share of test texts the
mapped vectors place in the theme their contextual vectors choose, and each way's NMI against the
intents; also the seconds per 1,000 texts of each representation.

Usage: .venv/bin/python benchmarks/mapped_embedder.py [--fit 5000] [--contextual N] [--data ../shared/data/banking77]
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import normalized_mutual_info_score

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.embedding import MappedTransformerEmbedder, SentenceTransformerEmbedder, WordLlamaEmbedder  # noqa: E402
from analysis.themes import ThemeModel, _vote  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fit", type=int, default=5000)
    ap.add_argument("--contextual", type=int, default=None,
                    help="texts of the fit the contextual model embeds (default: the embedder's max_contextual)")
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "banking77")
    args = ap.parse_args(argv)
    if not (args.data / "train.csv").is_file():
        print(f"BANKING77 not found under {args.data}")
        return 1
    with open(args.data / "train.csv", newline="", encoding="utf-8") as fh:
        train = [row["text"] for row in csv.DictReader(fh)]
    with open(args.data / "test.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    test, intents = [r["text"] for r in rows], [r["category"] for r in rows]
    rng = np.random.RandomState(0)
    fit = [train[i] for i in np.sort(rng.choice(len(train), args.fit, replace=False))]

    start = time.perf_counter()
    mapped_embedder = MappedTransformerEmbedder() if args.contextual is None else MappedTransformerEmbedder(
        max_contextual=args.contextual)
    model = ThemeModel(77, embedder=mapped_embedder, random_state=0).fit(fit)
    fit_seconds = time.perf_counter() - start
    X, rows_, k = model.fit_embeddings_, model.fit_rows_, model.n_themes_
    start = time.perf_counter()
    mapped = model.embedder_.transform(test)
    map_seconds = time.perf_counter() - start
    start = time.perf_counter()
    contextual = SentenceTransformerEmbedder().fit([]).transform(test)
    contextual_seconds = time.perf_counter() - start
    by_mapped, by_contextual = _vote(mapped, X, rows_, k), _vote(contextual, X, rows_, k)
    static_model = ThemeModel(77, embedder=WordLlamaEmbedder(), random_state=0).fit(fit)
    by_static = _vote(static_model.embedder_.transform(test), static_model.fit_embeddings_, static_model.fit_rows_,
                      static_model.n_themes_)
    nmi = normalized_mutual_info_score
    print(f"BANKING77: 77 themes fitted on {len(fit)} training texts ({fit_seconds:.1f} s, the contextual model "
          f"on {model.embedder_.n_embedded_} of them); {len(test)} test texts placed by the vote of 5 fitted texts")
    print(f"placed where their contextual vectors place them: {np.mean(by_mapped == by_contextual):.3f}")
    print(f"NMI against the intents: contextual {nmi(intents, by_contextual):.3f}, mapped {nmi(intents, by_mapped):.3f}, "
          f"wordllama throughout {nmi(intents, by_static):.3f}")
    print(f"seconds per 1,000 texts: contextual {1000 * contextual_seconds / len(test):.2f}, "
          f"mapped static {1000 * map_seconds / len(test):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
