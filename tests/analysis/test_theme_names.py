"""Theme names read as names: phrases people wrote, entities listed as mentions, one theme per signal."""

import random

import numpy as np
import pytest

from analysis.text import FUNCTION_WORDS, find_entities, is_slot_filler, tokenize
from analysis.themes import Theme, ThemeModel

COMPETITORS = ["Northwind", "Brightline", "Vantix", "Corelli", "Quorra"]
TEMPLATES = {
    "price": [
        "{c} undercut our price again on the renewal",
        "lost the deal to {c} on price alone",
        "competitor price cuts from {c} this quarter",
        "{c} is offering competitor price cuts to our accounts",
        "the buyer says {c} is much cheaper than us",
        "price pressure from {c} in every deal",
    ],
    "delivery": [
        "delivery delays on the {n} unit order",
        "customers complain about delivery delays again",
        "the shipment is {n} weeks late",
        "more delivery delays from the warehouse",
        "late shipment of {n} boxes annoyed the client",
        "delivery delays are hurting renewals",
    ],
    "support": [
        "support tickets stay open for weeks",
        "nobody answers the support tickets",
        "support response times are terrible",
        "slow support response times on {n} tickets",
        "the client is angry about support response times",
        "support tickets pile up every month",
    ],
}


def make_texts(n_per_theme=40, seed=0):
    rng = random.Random(seed)
    rows = [(rng.choice(t).format(c=rng.choice(COMPETITORS), n=rng.randint(2, 40)), key)
            for key, t in TEMPLATES.items() for _ in range(n_per_theme)]
    rng.shuffle(rows)
    return [r[0] for r in rows], [r[1] for r in rows]


@pytest.fixture(scope="module")
def named():
    texts, truth = make_texts()
    return ThemeModel(3, random_state=0).fit(texts), texts, truth


def test_names_are_phrases_written_in_the_themes_texts(named):
    model, texts, _ = named
    lowered = [" ".join(tokenize(t)) for t in texts]
    for theme in model.themes_:
        words = tokenize(theme.label)
        assert 2 <= len(words) <= 4, theme.label
        assert words[0] not in FUNCTION_WORDS and words[-1] not in FUNCTION_WORDS, theme.label
        phrase = " ".join(words)
        members = [lowered[i] for i, t in enumerate(model.labels_) if t == theme.theme_id]
        assert sum(f" {phrase} " in f" {m} " for m in members) >= 2, theme.label  # verbatim, recurring
        assert "," not in theme.label


def test_names_are_distinct_and_name_the_signal(named):
    model, _, truth = named
    labels = [t.label for t in model.themes_]
    assert len(set(labels)) == len(labels)
    words = {"price": {"price", "cheaper", "competitor"}, "delivery": {"delivery", "delays", "shipment", "late"},
             "support": {"support", "tickets", "response"}}
    for theme in model.themes_:
        keys = [k for k, t in zip(truth, model.labels_) if t == theme.theme_id]
        key = max(set(keys), key=keys.count)
        assert set(tokenize(theme.label)) & words[key], (key, theme.label)


def test_entities_are_mentions_never_a_name_and_numbers_never_name(named):
    model, _, _ = named
    price = next(t for t in model.themes_ if "price" in t.label or "cheaper" in t.label or "competitor" in t.label)
    assert set(price.mentions) <= set(COMPETITORS) and len(price.mentions) >= 3
    for theme in model.themes_:
        words = tokenize(theme.label)
        assert not any(w in {c.lower() for c in COMPETITORS} for w in words) or len(words) > 1
        assert not any(is_slot_filler(w) for w in words), theme.label
        assert not any(is_slot_filler(w) for term in theme.terms for w in term.split()), theme.terms
        assert not {c.lower() for c in COMPETITORS} & {w for term in theme.terms for w in term.lower().split()}


def test_entities_are_found_by_how_people_capitalise_them():
    texts = ["we lost a deal to Corelli last week", "the buyer prefers Corelli for the price",
             "the ATM swallowed my card", "my card was eaten by an ATM", "Card arrived late",
             "i paid with Apple Pay yesterday", "can i top up with Apple Pay", "I want to pay now",
             "they want open APIs for the warehouse", "our APIs were too slow", "two KPIs and one API"]
    entities = find_entities(texts)
    assert "corelli" in entities and entities.words["corelli"] == "Corelli"
    assert "apple" in entities
    assert "atm" not in entities and entities.show("atm") == "ATM"  # an acronym is a common noun
    assert "apis" not in entities and "kpis" not in entities  # and so are its plurals
    assert "card" not in entities  # capitalised only at a sentence start
    assert "i" not in entities


def test_theme_dict_keeps_its_keys_and_full_adds_mentions(named):
    model, _, _ = named
    theme = model.themes_[0]
    assert set(theme.to_dict()) == {"theme_id", "label", "terms", "size", "examples"}
    assert theme.to_dict(full=True)["mentions"] == list(theme.mentions)
    old_style = Theme(theme_id=1, label="x y", terms=("x",), size=3, examples=("x y z",))
    assert old_style.mentions == ()


def test_automatic_count_counts_groups_of_close_neighbours():
    """The count is the number of eigenvalues >= 0.825: here the three signals (plus two templates
    whose texts differ only by a number, each its own island in the neighbour graph)."""
    texts, truth = make_texts(n_per_theme=120, seed=1)
    model = ThemeModel("auto", random_state=0).fit(texts)
    eig = model.count_eigenvalues_
    assert model.n_themes_ <= int((eig >= 0.825).sum()) == 6  # one of them merged back
    for theme in model.themes_:  # every theme is one signal
        keys = [k for k, t in zip(truth, model.labels_) if t == theme.theme_id]
        assert max(keys.count(k) for k in set(keys)) == len(keys)


def test_themes_sharing_their_best_name_merge_and_fragments_are_absorbed():
    texts, truth = make_texts(n_per_theme=40, seed=3)
    uniq = list(dict.fromkeys(t.strip() for t in texts))
    key = dict(zip((t.strip() for t in texts), truth))
    model = ThemeModel(3, random_state=0).fit(uniq)
    X, rows, w = model.fit_embeddings_, model.fit_rows_.copy(), np.ones(len(uniq))
    delivery = model.labels_[[key[t] == "delivery" for t in uniq]][0]
    # split the delivery theme in two at random: both halves are best named "delivery delays"
    split = rows.copy()
    members = np.flatnonzero(rows == delivery)
    split[members[::2]] = rows.max() + 1
    merged = model._consolidate(uniq, w, X, split)
    assert len(np.unique(merged)) == 3
    # a fragment of two texts is absorbed by its nearest theme
    frag = rows.copy()
    frag[members[:2]] = rows.max() + 1
    assert len(np.unique(model._consolidate(uniq, w, X, frag))) == 3
    assert np.array_equal(model._consolidate(uniq, w, X, rows) >= 0, np.ones(len(rows), dtype=bool))


def test_a_forced_fine_split_is_kept_only_for_a_fixed_count():
    texts, _ = make_texts(n_per_theme=60, seed=2)
    assert ThemeModel(8, random_state=0).fit(texts).n_themes_ == 8
    fine = ThemeModel("auto", min_themes=8, random_state=0).fit(texts)
    sizes = [t.size for t in fine.themes_]
    assert min(sizes) >= max(3, 0.2 * np.mean(sizes))
    assert len({t.label for t in fine.themes_}) == fine.n_themes_


def test_count_rule_is_checked():
    texts, _ = make_texts(n_per_theme=10)
    with pytest.raises(ValueError, match="count_rule"):
        ThemeModel("auto", count_rule="guess").fit(texts)
