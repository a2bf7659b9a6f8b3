"""Text representations for theme finding: offline static embeddings (wordllama) and TF-IDF + LSA.

Each representation is a scikit-learn-style transformer whose ``transform(texts)`` returns an
L2-normalised ``float32`` array, so it can be swapped into :class:`analysis.themes.ThemeModel`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from analysis.text import TextAnalyzer

__all__ = ["TfidfLsaEmbedder", "WordLlamaEmbedder", "load_wordllama"]

_MODEL_LOCK = threading.Lock()
_MODELS: dict[int, object] = {}


def load_wordllama(dim: int = 256):
    """Load the wordllama model bundled in its package, never touching the network.

    Parameters
    ----------
    dim : int, default 256
        Matryoshka truncation of the bundled 256-dimensional model (64, 128 or 256).

    Returns
    -------
    wordllama.inference.WordLlamaInference
        Loaded once per process and dimension, then shared.
    """
    with _MODEL_LOCK:
        if dim not in _MODELS:
            root = logging.getLogger()
            handlers, level = list(root.handlers), root.level
            # wordllama calls logging.basicConfig(INFO) at import; undo that global side effect.
            import wordllama
            from wordllama import WordLlama

            for handler in root.handlers[:]:
                if handler not in handlers:
                    root.removeHandler(handler)
            root.setLevel(level)
            _MODELS[dim] = WordLlama.load(
                dim=dim, cache_dir=Path(wordllama.__file__).parent, disable_download=True
            )
        return _MODELS[dim]


class WordLlamaEmbedder(TransformerMixin, BaseEstimator):
    """Embed texts with wordllama's bundled static token embeddings (mean pooled, L2-normalised).

    Parameters
    ----------
    dim : int, default 256
        Embedding size (the bundled model is Matryoshka-trained: 64, 128 or 256).
    batch_size : int, default 64
        Texts tokenised per batch.
    """

    def __init__(self, dim: int = 256, batch_size: int = 64) -> None:
        self.dim = dim
        self.batch_size = batch_size

    def fit(self, texts: Sequence[str], y=None) -> WordLlamaEmbedder:
        """Load the model; the representation itself is not learned from ``texts``."""
        load_wordllama(self.dim)
        self.n_features_out_ = self.dim
        return self

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        """Return an ``(n, dim)`` array of unit-length embeddings (zeros for empty texts)."""
        texts = [t if isinstance(t, str) else "" for t in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = load_wordllama(self.dim)
        # batches of similar length pad less: about twice as fast on short texts
        order = np.argsort([len(t) for t in texts], kind="stable")
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        out[order] = model.embed([texts[i] for i in order], norm=False, batch_size=self.batch_size)[:, : self.dim]
        return normalize(out, copy=False)


class TfidfLsaEmbedder(TransformerMixin, BaseEstimator):
    """Represent texts by TF-IDF over stems and stem bigrams reduced with truncated SVD (LSA).

    Parameters
    ----------
    n_components : int, default 100
        LSA dimensions (capped by the vocabulary size).
    min_df : int, default 2
        Ignore terms in fewer texts than this.
    random_state : int or None, default 0
        Seed of the randomised SVD.
    """

    def __init__(self, n_components: int = 100, min_df: int = 2, random_state: int | None = 0):
        self.n_components = n_components
        self.min_df = min_df
        self.random_state = random_state

    def fit(self, texts: Sequence[str], y=None) -> TfidfLsaEmbedder:
        """Learn the vocabulary, IDF weights and the SVD basis from ``texts``."""
        texts = list(texts)
        min_df = self.min_df if len(texts) >= 5 * self.min_df else 1
        self.vectorizer_ = TfidfVectorizer(
            analyzer=TextAnalyzer(), sublinear_tf=True, min_df=min_df, dtype=np.float32
        )
        tfidf = self.vectorizer_.fit_transform(texts)
        n_comp = max(1, min(self.n_components, tfidf.shape[1] - 1, tfidf.shape[0] - 1))
        self.svd_ = TruncatedSVD(n_comp, random_state=self.random_state).fit(tfidf)
        self.n_features_out_ = n_comp
        return self

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        """Return an ``(n, n_components)`` array of unit-length LSA vectors."""
        reduced = self.svd_.transform(self.vectorizer_.transform(list(texts)))
        return normalize(reduced.astype(np.float32), copy=False)
