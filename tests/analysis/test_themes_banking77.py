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


def _stem_match(model, truth):
    from analysis.text import FUNCTION_WORDS, stem, tokenize

    by_id = {t.theme_id: t for t in model.themes_}
    hits = 0
    for intent in set(truth):
        ids = [t for t, y in zip(model.labels_, truth) if y == intent and t >= 0]
        label = by_id[max(set(ids), key=ids.count)].label
        hits += bool({stem(w) for w in intent.lower().split("_") if w not in FUNCTION_WORDS}
                     & {stem(w) for w in tokenize(label)})
    return hits / len(set(truth))


def test_banking77_subset_names_share_a_stem_with_the_intent(banking77):
    """The theme holding most of an intent's texts is named with a word of the intent's name."""
    from analysis.text import FUNCTION_WORDS, find_entities, tokenize

    texts, truth = _subset(banking77)
    model = ThemeModel(20, random_state=0).fit(texts)
    assert _stem_match(model, truth) >= 0.75
    entities = find_entities(texts)
    assert not [t.label for t in model.themes_ if all(w in entities or w in FUNCTION_WORDS for w in tokenize(t.label))]
    assert all(2 <= len(tokenize(t.label)) <= 4 for t in model.themes_)
