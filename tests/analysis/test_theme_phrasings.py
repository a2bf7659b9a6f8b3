"""ThemeModel(merge_phrasings=True): one point per phrasing, numbers cut before embedding.

The rule (``analysis.themes``, steps 1 and 3): texts that read the same once entity mentions
(:func:`analysis.text.find_entities`), slot fillers (tokens holding a digit), case and punctuation
are set aside are one point of the clustering, weighted by how often they occur; the embedder
reads each text without its slot fillers (names stay: a name may be the topic); the cap
``sqrt(n / 2)`` of the silhouette search counts phrasings, not texts.
"""

import random
import zlib

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.metrics import normalized_mutual_info_score

from analysis.text import FUNCTION_WORDS, find_entities, tokenize
from analysis.themes import ThemeModel, _mask_text

NAMES = ("Corelli", "Vantix", "Northwind", "Quorra")
OPENERS = ("This week", "Again", "In the north", "Honestly", "At two accounts")
TOPICS = {  # each topic: its clauses, said after any opener (20 phrasings a topic)
    "price": ("we lost a deal to {name} on price, their discount {n}% deeper",
              "buyers say {name} is {n}% cheaper, a price discount we cannot match",
              "we had to discount {n}% on price to beat {name}",
              "our price looks high next to the discount {name} gives"),
    "delivery": ("delivery from the warehouse is {n} weeks late and {name} knows it",
                 "the delivery is late again, {n} weeks, and {name} ships faster",
                 "customers wait {n} weeks for a late delivery while {name} ships at once",
                 "late delivery keeps pushing installs by weeks, and buyers talk to {name}"),
}


class _Words(TransformerMixin, BaseEstimator):
    """A bag-of-words embedder (content words only) in which some words (``heavy``) weigh ``weight`` times more.

    Stands for a representation that a name pulls hard (a contextual model reading "Corelli" in
    every text of a competitor's customers). Records every text it is asked to embed.
    """

    def __init__(self, heavy=(), weight=6.0, dim=64):
        self.heavy = heavy
        self.weight = weight
        self.dim = dim

    def fit(self, texts, y=None):
        self.seen_ = []
        return self

    def _vector(self, word):
        rng = np.random.default_rng(zlib.crc32(word.encode()))
        return rng.normal(size=self.dim)

    def transform(self, texts):
        heavy = {w.lower() for w in self.heavy}
        self.seen_ = getattr(self, "seen_", []) + list(texts)
        out = np.zeros((len(texts), self.dim))
        for i, text in enumerate(texts):
            for w in (w for w in tokenize(text) if w not in FUNCTION_WORDS):
                out[i] += self._vector(w) * (self.weight if w in heavy else 1.0)
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out.astype(np.float32)


def _corpus(seed=0, n=240):
    rng = random.Random(seed)
    texts, truth, quarters = [], [], []
    for i in range(n):
        topic = ("price", "delivery")[i % 2]
        clause = rng.choice(TOPICS[topic]).format(name=rng.choice(NAMES), n=rng.choice((2, 3, 4, 6, 8, 10)))
        quarter = rng.choice(("Q2", "Q3", "Q4"))
        texts.append(f"{rng.choice(OPENERS)} {clause}, {quarter} again.")
        truth.append(topic)
        quarters.append(quarter)
    return texts, truth, quarters


def test_mask_cuts_numbers_and_keys_ignore_names_case_and_punctuation():
    texts, _, _ = _corpus()
    entities = find_entities(texts)
    assert {"corelli", "vantix"} <= set(entities.words)
    shown, key = _mask_text("We had to discount 10% to beat Corelli in Q3.", entities)
    assert shown == "We had to discount % to beat Corelli in ."
    assert key == "we had to discount to beat in"
    assert _mask_text("we had to discount 25% to beat Vantix in q4", entities)[1] == key
    assert _mask_text("Our price looks high.", entities) == ("Our price looks high.", "our price looks high")
    # a text with nothing but names and numbers keeps them
    assert _mask_text("Corelli 10", entities) == ("Corelli 10", "corelli 10")


def test_numbers_that_pull_the_representation_do_not_define_themes():
    """Two topics, each text dated by a quarter code that weighs most in the vectors.

    Without the rule the two themes follow the quarters (NMI with the topics near 0); with it
    they are the topics, and the embedder never reads a number, in fitting, assigning or
    transforming, while the themes' mentions still list the competitors' names.
    """
    texts, truth, quarters = _corpus()
    embedder = _Words(heavy=("q2", "q3", "q4"))
    plain = ThemeModel(2, embedder=embedder, random_state=0).fit(texts)
    assert normalized_mutual_info_score(truth, plain.labels_) < 0.3
    merged = ThemeModel(2, embedder=embedder, merge_phrasings=True, random_state=0).fit(texts)
    assert normalized_mutual_info_score(truth, merged.labels_) > 0.9
    assert normalized_mutual_info_score(quarters, merged.labels_) < 0.1
    new = ["Again we lost a deal to Vantix on price, their discount 20% deeper, Q3 again.",
           "Honestly the delivery is late again, 6 weeks, and Corelli ships faster, Q2 again."]
    assert list(merged.assign(new)) == [_majority(merged.labels_, truth, "price"),
                                        _majority(merged.labels_, truth, "delivery")]
    merged.transform(new)
    assert not any(ch.isdigit() for ch in " ".join(merged.embedder_.seen_))
    assert all(t.mentions and set(t.mentions) <= set(NAMES) for t in merged.themes_)


def _majority(labels, truth, topic):
    values, counts = np.unique([lab for lab, y in zip(labels, truth) if y == topic], return_counts=True)
    return int(values[counts.argmax()])


def test_phrasings_count_once_in_the_silhouette_cap():
    """240 texts but 40 phrasings once names and numbers are set aside: at most sqrt(40 / 2) = 4
    themes are searched (sqrt(240 / 2) = 10 without the mask), each phrasing one clustering point."""
    texts, _, _ = _corpus()
    masked = ThemeModel("auto", count_rule="silhouette", merge_phrasings=True, embedder=_Words(),
                        random_state=0).fit(texts)
    keys = {" ".join(w for w in tokenize(t) if w.isalpha() and w.capitalize() not in NAMES) for t in texts}
    assert len(keys) == 40
    assert max(masked.k_scores_) == 4 and masked.n_themes_ <= 4
    assert len(masked.embedder_.seen_) == 40  # the fit embedded one text per phrasing
    plain = ThemeModel("auto", count_rule="silhouette", embedder=_Words(), random_state=0).fit(texts)
    assert max(plain.k_scores_) == 10


def test_phrasings_rule_is_the_silhouette_rule_over_phrasings():
    """count_rule="phrasings" merges phrasings unless told not to; with it off it is the silhouette rule."""
    texts, _, _ = _corpus()
    rule = ThemeModel("auto", count_rule="phrasings", embedder=_Words(), random_state=0).fit(texts)
    assert max(rule.k_scores_) == 4 and len(rule.embedder_.seen_) == 40
    off = ThemeModel("auto", count_rule="phrasings", merge_phrasings=False, embedder=_Words(),
                     random_state=0).fit(texts)
    silhouette = ThemeModel("auto", count_rule="silhouette", embedder=_Words(), random_state=0).fit(texts)
    assert off.k_scores_ == silhouette.k_scores_ and max(off.k_scores_) == 10
    assert list(off.labels_) == list(silhouette.labels_)
