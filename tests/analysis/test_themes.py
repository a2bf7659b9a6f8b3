"""Tests for ThemeModel: planted themes, labels, determinism, small inputs, assignment, refits."""

from collections import Counter

import numpy as np
import pytest
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.metrics import normalized_mutual_info_score

from analysis.embedding import TfidfLsaEmbedder
from analysis.themes import NO_THEME, Theme, ThemeModel, TooFewTextsError, silhouette_tolerance


PLANTED_WORDS = {
    "delivery": {"delivery", "shipping", "shipment", "courier", "late", "arrived"},
    "price": {"price", "discount", "discounting", "competitor", "cheaper", "expensive", "rival"},
    "support": {"support", "helpdesk", "ticket", "answers"},
    "budget": {"budget", "spending", "froze", "freeze", "cuts"},
}


def test_fixed_count_recovers_planted_themes(corpus):
    """Each planted theme is the bulk of one theme, named with one of its own words."""
    texts, truth = corpus
    model = ThemeModel(4, random_state=0).fit(texts)
    assert model.n_themes_ == 4
    assert normalized_mutual_info_score(truth, model.labels_) > 0.85
    for theme in model.themes_:
        key, n = Counter(k for k, t in zip(truth, model.labels_) if t == theme.theme_id).most_common(1)[0]
        assert n >= 0.8 * theme.size
        assert set(theme.label.split()) & PLANTED_WORDS[key], (key, theme.label)


def test_auto_count_stays_in_readable_range(fitted, corpus):
    # at most sqrt(n/2) = 7 themes for 120 texts, and the planted structure is found
    assert 3 <= fitted.n_themes_ <= 7
    assert set(fitted.k_scores_) <= set(range(2, 8))
    assert normalized_mutual_info_score(corpus[1], fitted.labels_) > 0.7


def test_silhouette_rule_takes_the_finest_of_the_near_best_counts(make_corpus):
    """count_rule="silhouette": of the counts within the tolerance of the best silhouette, the largest wins."""
    texts, _ = make_corpus(n_per_theme=60, seed=3)
    model = ThemeModel("auto", count_rule="silhouette", random_state=0).fit(texts)
    scores = model.k_scores_
    best = max(scores.values())
    assert len(scores) >= 3
    assert silhouette_tolerance(max(scores)) == 0.01  # 240 texts: a search of 2..10 counts
    assert model.n_themes_ == max(k for k, v in scores.items() if v >= best - 0.01)


def test_count_tolerance_widens_with_the_search():
    """0.01 up to 10 counts, 0.05 from 20 counts up, linear between, never decreasing."""
    assert silhouette_tolerance(2) == silhouette_tolerance(10) == 0.01
    assert silhouette_tolerance(15) == pytest.approx(0.03)
    assert silhouette_tolerance(20) == silhouette_tolerance(60) == 0.05
    steps = [silhouette_tolerance(k) for k in range(2, 61)]
    assert steps == sorted(steps)


def test_count_tolerance_can_be_set(make_corpus):
    """A given tolerance replaces the range's own; a negative one is refused (the silhouette count, before merging)."""
    texts, _ = make_corpus(n_per_theme=30, seed=0)
    strict = ThemeModel("auto", count_tolerance=0.0, merge_to_spectral=False, random_state=0).fit(texts)
    assert strict.n_themes_ == max(strict.k_scores_, key=strict.k_scores_.get)
    loose = ThemeModel("auto", count_tolerance=1.0, merge_to_spectral=False, random_state=0).fit(texts)
    assert loose.n_themes_ == max(loose.k_scores_)
    with pytest.raises(ValueError, match="count_tolerance"):
        ThemeModel("auto", count_tolerance=-0.1).fit(texts)


class _VectorTable(TransformerMixin, BaseEstimator):
    """An embedder that looks each text up in a given table of unit vectors."""

    def __init__(self, table=None):
        self.table = table

    def fit(self, texts, y=None):
        return self

    def transform(self, texts):
        return np.array([self.table[t] for t in texts], dtype=np.float32)


def _sibling_corpus(seed: int, n_topics: int = 10, per_side: int = 50, dim: int = 64):
    """Texts of ``n_topics`` topics with two close sub-topics each (siblings), as unit vectors."""
    rng = np.random.default_rng(seed)
    table, truth = {}, {}
    for topic in range(n_topics):
        centre = rng.normal(size=dim)
        centre /= np.linalg.norm(centre)
        for side in range(2):
            away = rng.normal(size=dim)
            away -= (away @ centre) * centre
            sub = centre + 0.3 * away / np.linalg.norm(away)
            for i in range(per_side):
                v = sub + 0.3 * rng.normal(size=dim) / np.sqrt(dim)
                text = f"topic {topic} side {side} note {i}"
                table[text] = v / np.linalg.norm(v)
                truth[text] = (topic, side)
    return list(table), truth, table


@pytest.mark.parametrize("rule", ["spectral", "silhouette"])
@pytest.mark.parametrize("seed", [0, 4])
def test_wide_search_keeps_sibling_sub_topics_apart(seed, rule):
    """1,000 notes in 20 sub-topics, paired into 10 close siblings: every sub-topic keeps a theme.

    The silhouette scores 19 themes (two siblings merged) above the true 20 on these corpora;
    within the wide search's tolerance the finer count wins, so no sibling is hidden in another.
    The spectral rule counts 20 groups whose neighbours lie mostly among themselves.
    """
    texts, truth, table = _sibling_corpus(seed)
    model = ThemeModel("auto", count_rule=rule, random_state=0, embedder=_VectorTable(table)).fit(texts)
    if rule == "silhouette":
        scores = model.k_scores_
        assert max(scores, key=scores.get) < 20  # the best silhouette merges two siblings
        assert model.n_themes_ >= 20
    else:
        assert model.n_themes_ == 20
    themes_of = {}
    for text, theme in zip(texts, model.labels_):
        themes_of.setdefault(truth[text], []).append(int(theme))
    members = Counter(int(t) for t in model.labels_)
    for sub_topic, themes in themes_of.items():
        theme, n = Counter(themes).most_common(1)[0]
        assert n >= 0.9 * len(themes), sub_topic  # the sub-topic is (nearly) whole in one theme
        assert n >= 0.9 * members[theme], sub_topic  # and that theme is (nearly) only it


def test_themes_have_unique_short_labels_terms_and_three_quotes(fitted, corpus):
    labels = [t.label for t in fitted.themes_]
    assert len(set(labels)) == len(labels)
    for theme in fitted.themes_:
        assert isinstance(theme, Theme)
        assert 1 <= len(theme.label.split()) <= 4
        assert theme.terms and len(theme.terms) <= 8
        assert len(theme.examples) == 3
        assert all(e in corpus[0] for e in theme.examples)
    sizes = [t.size for t in fitted.themes_]
    assert sizes == sorted(sizes, reverse=True)
    assert sum(sizes) == len(corpus[0])


def test_labels_and_terms_show_only_phrases_people_wrote():
    """A bigram that skips a stop word ("costs slow" from "costs and slow") is never shown."""
    texts = ([f"freight costs and slow shipping {w}" for w in ("again", "today", "hurt us", "this month")] * 3
             + [f"the helpdesk ticket is still open {w}" for w in ("again", "today", "for weeks", "since May")] * 3)
    model = ThemeModel(2, random_state=0).fit(texts)
    shown = [t.label for t in model.themes_] + [term for t in model.themes_ for term in t.terms]
    assert not [s for s in shown if "costs slow" in s or "costs, slow" in s]
    assert any("freight costs" in s or "slow shipping" in s for s in shown)


def test_theme_ids_are_ints_from_zero_largest_first(fitted):
    assert [t.theme_id for t in fitted.themes_] == list(range(fitted.n_themes_))
    assert set(np.unique(fitted.labels_)) == set(range(fitted.n_themes_))
    assert fitted.theme(0) is fitted.themes_[0]


def test_to_dict_is_json_shaped(fitted):
    d = fitted.themes_[0].to_dict()
    assert set(d) == {"theme_id", "label", "terms", "size", "examples"}
    assert isinstance(d["terms"], list)


def test_same_seed_gives_same_result(corpus):
    a = ThemeModel("auto", random_state=7).fit(corpus[0])
    b = ThemeModel("auto", random_state=7).fit(corpus[0])
    assert np.array_equal(a.labels_, b.labels_)
    assert a.themes_ == b.themes_


def test_twenty_texts_give_a_few_themes(make_corpus):
    texts, _ = make_corpus(n_per_theme=5, seed=3)
    model = ThemeModel("auto").fit(texts)
    assert 2 <= model.n_themes_ <= 3
    assert len(model.labels_) == 20


def test_too_few_texts_raise_a_clear_error():
    with pytest.raises(TooFewTextsError, match="too few texts to find themes"):
        ThemeModel().fit(["late delivery", "price too high", "", "   "])


def test_texts_without_words_get_no_theme(corpus):
    texts = ["", "?!", *corpus[0][:40]]
    model = ThemeModel(3).fit(texts)
    assert model.labels_[0] == model.labels_[1] == NO_THEME
    assert (model.labels_[2:] >= 0).all()


def test_duplicates_count_in_sizes(make_corpus):
    texts, _ = make_corpus(n_per_theme=10)
    model = ThemeModel(4).fit(texts + ["the courier lost the printer parcel"] * 30)
    assert sum(t.size for t in model.themes_) == len(texts) + 30


def test_fixed_count_above_text_count_is_capped(make_corpus):
    texts, _ = make_corpus(n_per_theme=3)
    model = ThemeModel(50).fit(texts)
    assert model.n_themes_ <= 12


@pytest.mark.parametrize("bad", [0, -3, "many", 2.5, True])
def test_bad_theme_count_is_rejected(corpus, bad):
    with pytest.raises(ValueError, match="n_themes"):
        ThemeModel(bad).fit(corpus[0])


def test_assign_puts_new_texts_in_matching_themes(fitted, corpus):
    new = ["the laptop delivery arrived late again", "support never answers calls about the server"]
    ids = fitted.assign(new)
    by_text = dict(zip(corpus[0], fitted.labels_))
    assert ids[0] == by_text.get("the laptop delivery arrived late again", ids[0])
    assert ids[0] != ids[1]
    assert (ids >= 0).all()


def test_assign_marks_far_texts_as_candidates(fitted):
    ids, sims = fitted.assign(
        ["photosynthesis converts sunlight into chemical energy in chloroplasts", "", "shipping delays on the router order"],
        return_similarity=True,
    )
    assert ids[0] == NO_THEME
    assert sims[0] < fitted.threshold_
    assert ids[1] == NO_THEME
    assert ids[2] >= 0


def test_transform_gives_similarity_to_each_theme(fitted):
    sims = fitted.transform(["budget cuts stopped the server deal"])
    assert sims.shape == (1, fitted.n_themes_)
    assert fitted.theme_ids_[sims.argmax()] == fitted.assign(["budget cuts stopped the server deal"])[0]


def test_refit_keeps_ids_of_persisting_themes(make_corpus):
    first_texts, _ = make_corpus(n_per_theme=30, seed=1)
    first = ThemeModel(4, random_state=0).fit(first_texts)
    second_texts, truth = make_corpus(n_per_theme=30, seed=2)
    second = first.refit(second_texts)
    assert set(second.theme_ids_) == set(first.theme_ids_)
    for key in ("delivery", "price", "support", "budget"):
        # texts of one planted theme land in the same theme id in both periods
        old = first.assign([t for t, k in zip(second_texts, truth) if k == key])
        new = second.labels_[[k == key for k in truth]]
        assert np.bincount(old[old >= 0]).argmax() == np.bincount(new).argmax()
    assert [second.theme(i).label for i in first.theme_ids_] == [first.theme(i).label for i in first.theme_ids_]


def test_refit_gives_new_theme_a_fresh_id(make_corpus):
    texts, truth = make_corpus(n_per_theme=30, seed=1)
    three = [t for t, k in zip(texts, truth) if k != "budget"]
    first = ThemeModel(3, random_state=0).fit(three)
    second = ThemeModel(4, random_state=0).fit(texts, previous=first)
    assert set(first.theme_ids_) < set(second.theme_ids_)
    new_id = (set(second.theme_ids_) - set(first.theme_ids_)).pop()
    assert new_id == 3 == first.next_theme_id_
    assert "budget" in second.theme(new_id).label or "budget" in second.theme(new_id).terms
    assert second.next_theme_id_ == 4


def test_refit_with_other_representation_is_rejected(corpus):
    first = ThemeModel(4).fit(corpus[0])
    with pytest.raises(ValueError, match="representation"):
        ThemeModel(4, embedder=TfidfLsaEmbedder(n_components=20)).fit(corpus[0], previous=first)


def test_tfidf_lsa_embedder_plugs_in(corpus):
    model = ThemeModel(4, embedder=TfidfLsaEmbedder(n_components=20)).fit(corpus[0])
    assert normalized_mutual_info_score(corpus[1], model.labels_) > 0.6


def test_progress_callback_reports_stages(corpus):
    stages = []
    ThemeModel(4, progress=lambda stage, done, total: stages.append(stage)).fit(corpus[0])
    assert {"embedding", "clustering", "labelling"} <= set(stages)


def test_large_input_is_fitted_on_a_sample_and_all_texts_assigned(make_corpus):
    texts, truth = make_corpus(n_per_theme=150, seed=4)
    model = ThemeModel(4, max_fit_samples=200).fit(texts)
    assert model.fit_embeddings_.shape[0] <= 200
    assert (model.labels_ >= 0).all()
    assert normalized_mutual_info_score(truth, model.labels_) > 0.8


def test_merging_to_a_count_rejoins_the_pieces_of_each_theme():
    """Each planted theme cut in two by template: merged back to four, every piece finds its twin."""
    from sklearn.feature_extraction.text import CountVectorizer

    from analysis.embedding import WordLlamaEmbedder
    from analysis.text import TextAnalyzer
    from analysis.themes import _merge_to_count
    from tests.analysis.conftest import ITEMS, PLANTED

    texts, truth, piece = [], [], []
    for t, (key, templates) in enumerate(sorted(PLANTED.items())):
        for i, template in enumerate(templates):
            for item in ITEMS[:5]:
                texts.append(template.format(item=item))
                truth.append(key)
                piece.append(2 * t + i % 2)  # the theme's even templates, then its odd ones
    piece = np.array(piece)
    X = WordLlamaEmbedder().fit(texts).transform(texts)
    counts = CountVectorizer(analyzer=TextAnalyzer(), dtype=np.float64).fit_transform(texts)
    rows = _merge_to_count(piece.copy(), 4, X, np.ones(len(texts)), counts, 10)
    assert len(set(rows.tolist())) == 4
    for key in PLANTED:
        assert len({r for r, k in zip(rows.tolist(), truth) if k == key}) == 1  # one theme per planted theme
    # at or below the count already: unchanged
    assert _merge_to_count(piece.copy(), 8, X, np.ones(len(texts)), counts, 10).tolist() == piece.tolist()


def test_key_terms_each_add_a_word():
    """No key term is made only of words earlier terms show ("price increase" after "price", "increase")."""
    from analysis.themes import _adding_words

    assert _adding_words(["price", "increase", "price increase", "pushback", "buyers ask", "ask", "buyers"]) == [
        "price", "increase", "pushback", "buyers ask"]


def test_fitted_key_terms_never_repeat_their_words(fitted):
    for theme in fitted.themes_:
        held: set[str] = set()
        for term in theme.terms:
            words = set(term.lower().split(" "))
            assert not words <= held, (theme.label, theme.terms)
            held |= words
