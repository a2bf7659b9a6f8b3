"""Quality smoke test on a BANKING77 subset (real customer texts; skipped without the data)."""

import csv
import random

from sklearn.metrics import normalized_mutual_info_score

from analysis.themes import ThemeModel


def _subset(folder, n_intents=20, seed=0):
    with open(folder / "test.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    intents = random.Random(seed).sample(sorted({r["category"] for r in rows}), n_intents)
    rows = [r for r in rows if r["category"] in intents]
    return [r["text"] for r in rows], [r["category"] for r in rows]


def test_banking77_subset_fixed_count(banking77):
    texts, truth = _subset(banking77)
    model = ThemeModel(20, random_state=0).fit(texts)
    assert normalized_mutual_info_score(truth, model.labels_) >= 0.75


def test_banking77_subset_auto_count(banking77):
    texts, truth = _subset(banking77)
    model = ThemeModel("auto", random_state=0).fit(texts)
    assert 8 <= model.n_themes_ <= 20
    assert normalized_mutual_info_score(truth, model.labels_) >= 0.65
