"""Group short texts into named, stable themes: embed, cluster spectrally, label, assign, match refits.

Method (each step measured on BANKING77 in ``benchmarks/themes_banking77.py``):

1. **Represent** each text with a pluggable embedder (default: wordllama static embeddings,
   offline, L2-normalised; :class:`analysis.embedding.SentenceTransformerEmbedder`, a contextual
   model from an optional extra, and :class:`analysis.embedding.TfidfLsaEmbedder` are the
   alternatives; the product picks one with :func:`analysis.embedding.choose_embedder`).
2. **Cluster** a random sample of at most ``max_fit_samples`` texts by spectral clustering: a
   symmetric cosine k-nearest-neighbour graph, the leading eigenvectors of its normalised
   adjacency matrix, row-normalised, then k-means with several initialisations.
3. **Theme count** (``n_themes="auto"``): every count in ``min_themes..min(max_themes, sqrt(n / 2))``
   (a grid of about 20 counts plus its neighbourhood when the range is wider) is clustered from the
   same eigenvectors and scored by the mean cosine silhouette on the embeddings (of a sample of at
   most 2,000 texts); the largest count scoring within a tolerance of the best wins (a split theme
   keeps its link to the numbers, a merged one can lose it): 0.01 for searches up to 10 counts,
   0.05 from 20 counts up, where the curve is flat and jittery near its top (:func:`silhouette_tolerance`).
4. **Assign** texts outside the sample (and, later, new texts) by a similarity-weighted vote of their
   5 nearest fitted texts. :meth:`ThemeModel.assign` marks a text whose similarity to its theme's
   centroid falls below ``threshold_`` (the ``candidate_quantile`` quantile of the fitted texts'
   similarity to their own centroid) as a candidate for a new theme: theme id ``-1``.
5. **Label** each theme by class-based TF-IDF over stems and stem bigrams of the fitted texts,
   mapped back to the most frequent written words; labels are 1 to 4 words and unique. A bigram
   is shown (as a key term or in a label) only when people mostly wrote its two words side by
   side: "costs slow", from "freight costs and slow shipping", still helps the scores but is not
   a phrase.
6. **Identity across refits**: ``fit(texts, previous=old_model)`` matches new themes to old ones by
   the Hungarian algorithm on centroid cosine similarity; a matched theme keeps its old id and
   label, an unmatched one gets a fresh id above every id the old model had used. ``previous`` may
   also be a :class:`analysis.theme_state.ThemeState`, the JSON-ready part of a model that this
   matching reads (``model.to_state()`` / ``ThemeState.from_state(...)``), which is what to store.

Theme ids are non-negative ``int`` values; ``-1`` (:data:`NO_THEME`) means "no theme" (a text with
no words, or a candidate from :meth:`ThemeModel.assign`). Without ``previous``, ids are ``0..k-1``
from the largest theme down.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import numpy as np
import scipy.sparse as sp
from scipy.linalg import eigh
from scipy.optimize import linear_sum_assignment
from scipy.sparse.linalg import eigsh
from sklearn.base import BaseEstimator, clone
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.metrics import silhouette_score
from sklearn.neighbors import kneighbors_graph
from sklearn.preprocessing import normalize
from sklearn.utils import check_random_state

from analysis.embedding import WordLlamaEmbedder
from analysis.text import SurfaceForms, TextAnalyzer, has_words
from analysis.theme_state import ThemeState

__all__ = ["NO_THEME", "Theme", "ThemeModel", "TooFewTextsError"]

NO_THEME = -1

ProgressCallback = Callable[[str, int, int], None]

_CHUNK = 4096
_VOTE_NEIGHBOURS = 5
_SILHOUETTE_SAMPLE = 2000
# How far below the best silhouette the chosen count may score: 0.01 when at most 10 counts are
# searched (a few hundred texts), 0.05 from 20 counts up (800 texts and more), linear between.
# See silhouette_tolerance().
_NARROW_TOLERANCE, _NARROW_SEARCH = 0.01, 10
_WIDE_TOLERANCE, _WIDE_SEARCH = 0.05, 20
_SCORE_N_INIT = 3  # k-means initialisations per candidate count while choosing the count
_DENSE_EIGEN_LIMIT = 1000


class TooFewTextsError(ValueError):
    """Raised by :meth:`ThemeModel.fit` when there are too few texts with words to find themes."""

    def __init__(self, n_texts: int, min_texts: int) -> None:
        self.n_texts = n_texts
        self.min_texts = min_texts
        super().__init__(
            f"too few texts to find themes: {n_texts} with words, at least {min_texts} needed"
        )


@dataclass(frozen=True)
class Theme:
    """One theme: stable id, readable label, key terms, size and representative quotes."""

    theme_id: int
    label: str
    terms: tuple[str, ...]
    size: int
    examples: tuple[str, ...]

    def to_dict(self) -> dict:
        """Return a JSON-ready dict ``{theme_id, label, terms, size, examples}``."""
        d = asdict(self)
        d["terms"] = list(self.terms)
        d["examples"] = list(self.examples)
        return d


class ThemeModel(BaseEstimator):
    """Find themes in short texts, name them, and assign new texts to them.

    Parameters
    ----------
    n_themes : "auto" or int, default "auto"
        Number of themes; ``"auto"`` picks it by silhouette (see the module docstring). A fixed
        count larger than the number of fitted texts is reduced to that number.
    embedder : transformer, optional
        ``fit(texts)`` / ``transform(texts) -> unit-length float array``; default
        :class:`analysis.embedding.WordLlamaEmbedder`. Cloned before fitting.
    min_themes, max_themes : int, default 2 and 60
        Range searched by ``"auto"``; the upper end is also capped at ``sqrt(n / 2)`` for ``n``
        texts with words (the classic rule of thumb), e.g. 7 themes at most for 100 texts.
    count_tolerance : float or None, default None
        How far below the best silhouette the ``"auto"`` count may score (the largest such count
        wins); ``None``: :func:`silhouette_tolerance` of the searched range.
    n_neighbors : int, default 10
        Neighbours per text in the spectral clustering graph.
    max_fit_samples : int, default 5000
        Cluster at most this many texts (a random sample); the rest are assigned by vote.
    min_texts : int, default 10
        Fewer texts with words than this raise :class:`TooFewTextsError`.
    candidate_quantile : float, default 0.02
        Quantile of fitted texts' similarity to their own theme centroid used as ``threshold_``.
    match_threshold : float or None, default None
        Minimum centroid cosine similarity for a refit theme to inherit an old id. ``None``: the
        new centroid must be closer to the old one than that old theme's nearest other old theme
        is, and at least 0.5.
    n_terms : int, default 8
        Key terms kept per theme.
    n_examples : int, default 3
        Representative quotes per theme (distinct texts nearest the centroid).
    random_state : int, RandomState or None, default 0
        Seed for sampling, eigen-solver start vector and k-means.
    progress : callable, optional
        ``progress(stage, done, total)`` is called as work advances (stages: ``"embedding"``,
        ``"clustering"``, ``"assigning"``, ``"labelling"``).

    Attributes
    ----------
    labels_ : ndarray of int, shape (n_texts,)
        Theme id of each fitted text (every text with words gets a theme; others ``-1``).
    themes_ : list of Theme
        Themes from the largest down; ``themes_[i]`` belongs to row ``i`` of ``centroids_``.
    theme_ids_ : ndarray of int, shape (n_themes_,)
    centroids_ : ndarray of float32, shape (n_themes_, n_features)
        Unit-length mean embedding of each theme's fitted texts.
    n_themes_ : int
    k_scores_ : dict of int to float
        Silhouette of each theme count tried by ``"auto"`` (empty for a fixed count).
    threshold_ : float
        Centroid similarity under which :meth:`assign` returns a candidate (``-1``).
    matches_ : dict of int to float
        For a refit, each inherited theme id and its centroid similarity to the old theme.
    next_theme_id_ : int
        Smallest id never used by this model or its predecessors.
    embedder_ : transformer
        The fitted embedder.
    """

    def __init__(
        self,
        n_themes: int | str = "auto",
        *,
        embedder=None,
        min_themes: int = 2,
        max_themes: int = 60,
        count_tolerance: float | None = None,
        n_neighbors: int = 10,
        max_fit_samples: int = 5000,
        min_texts: int = 10,
        candidate_quantile: float = 0.02,
        match_threshold: float | None = None,
        n_terms: int = 8,
        n_examples: int = 3,
        random_state=0,
        progress: ProgressCallback | None = None,
    ) -> None:
        self.n_themes = n_themes
        self.embedder = embedder
        self.min_themes = min_themes
        self.max_themes = max_themes
        self.count_tolerance = count_tolerance
        self.n_neighbors = n_neighbors
        self.max_fit_samples = max_fit_samples
        self.min_texts = min_texts
        self.candidate_quantile = candidate_quantile
        self.match_threshold = match_threshold
        self.n_terms = n_terms
        self.n_examples = n_examples
        self.random_state = random_state
        self.progress = progress

    # ------------------------------------------------------------------ fitting

    def fit(self, texts: Sequence[str], y=None, *, previous: ThemeModel | ThemeState | None = None) -> ThemeModel:
        """Find themes in ``texts``; with ``previous``, keep the ids of themes that persist.

        Identical texts are embedded and clustered once, weighted by how often they occur.

        Parameters
        ----------
        texts : sequence of str
        y : ignored
        previous : ThemeModel or ThemeState, optional
            An earlier fitted model with the same kind of embedder, or its state (read back from
            :meth:`to_state` with :meth:`ThemeState.from_state`): the matching is the same.

        Returns
        -------
        self

        Raises
        ------
        TooFewTextsError
            Fewer than ``min_texts`` texts contain a word.
        ValueError
            Bad ``n_themes``, or ``previous`` has a different representation.
        """
        texts = [t if isinstance(t, str) else "" for t in texts]
        fixed_k = self._check_n_themes()
        # distinct texts with words, and how often each occurs
        first: dict[str, int] = {}
        row_unique = np.full(len(texts), -1, dtype=np.int64)
        for i, t in enumerate(texts):
            key = t.strip()
            u = first.get(key)
            if u is None and has_words(key):
                u = first[key] = len(first)
            if u is not None:
                row_unique[i] = u
        uniq = list(first)
        weights_all = np.bincount(row_unique[row_unique >= 0], minlength=len(uniq)).astype(np.float64)
        n_valid = int(weights_all.sum())
        min_texts = max(self.min_texts, 2)
        if n_valid < min_texts or len(uniq) < 2:
            raise TooFewTextsError(n_valid, min_texts)
        rng = check_random_state(self.random_state)
        seed = int(rng.randint(np.iinfo(np.int32).max))

        if len(uniq) > self.max_fit_samples:
            fit_u = np.sort(rng.choice(len(uniq), self.max_fit_samples, replace=False))
        else:
            fit_u = np.arange(len(uniq))
        fit_texts = [uniq[i] for i in fit_u]
        weights = weights_all[fit_u]
        n_fit = len(fit_texts)

        self.embedder_ = clone(self.embedder) if self.embedder is not None else WordLlamaEmbedder()
        self.embedder_.fit(fit_texts)
        X = self._embed(fit_texts, "embedding", total=len(uniq))

        # --- spectral clustering of the sample
        self._report("clustering", 0, 1)
        if fixed_k:
            k_hi = fixed_k
        else:
            # at most sqrt(n/2) themes (the classic rule of thumb): a count a person can read
            k_hi = max(self.min_themes, min(self.max_themes, int(math.sqrt(n_valid / 2))))
        k_hi = max(1, min(k_hi, n_fit))
        vectors = _spectral_vectors(X, min(self.n_neighbors, n_fit - 1), k_hi, rng)
        if fixed_k:
            k = k_hi
            self.k_scores_ = {}
        else:
            k_lo = max(1, min(self.min_themes, k_hi))
            k, self.k_scores_ = self._choose_k(X, vectors, weights, k_lo, k_hi, rng, seed)
        fit_rows = _kmeans(vectors[:, :k], k, n_init=10, seed=seed, weights=weights)
        self._report("clustering", 1, 1)
        fit_rows = _relabel_by_size(fit_rows)
        k = int(fit_rows.max()) + 1

        # --- assign the distinct texts outside the sample
        uniq_rows = np.full(len(uniq), -1, dtype=np.int64)
        uniq_rows[fit_u] = fit_rows
        rest = np.setdiff1d(np.arange(len(uniq)), fit_u, assume_unique=True)
        for start in range(0, len(rest), _CHUNK):
            chunk = rest[start : start + _CHUNK]
            E = self.embedder_.transform([uniq[i] for i in chunk])
            uniq_rows[chunk] = _vote(E, X, fit_rows, k)
            self._report("embedding", n_fit + len(chunk) + start, len(uniq))
            self._report("assigning", start + len(chunk), len(rest))

        # final order: largest theme over all texts first
        sizes = np.bincount(uniq_rows, weights=weights_all, minlength=k).round().astype(np.int64)
        order = np.argsort(-sizes, kind="stable")
        remap = np.empty(k, dtype=np.int64)
        remap[order] = np.arange(k)
        uniq_rows = remap[uniq_rows]
        fit_rows = remap[fit_rows]
        sizes = sizes[order]
        centroids = _centroids(X, fit_rows, k, weights)

        own_sim = np.einsum("ij,ij->i", X, centroids[fit_rows])
        self.threshold_ = float(np.quantile(own_sim, self.candidate_quantile))
        self.centroids_ = centroids
        self.fit_embeddings_ = X
        self.fit_rows_ = fit_rows
        self.n_themes_ = k

        # --- ids, stable across refits
        ids, inherited, self.matches_, self.next_theme_id_ = self._match_ids(previous)
        self.theme_ids_ = ids
        self.labels_ = np.where(row_unique >= 0, ids[uniq_rows[np.maximum(row_unique, 0)]], NO_THEME)

        # --- labels, key terms, quotes
        self._report("labelling", 0, 1)
        self.themes_ = self._describe(fit_texts, weights, X, fit_rows, sizes, inherited)
        self._report("labelling", 1, 1)
        return self

    def fit_predict(self, texts: Sequence[str], y=None, **fit_params) -> np.ndarray:
        """Fit and return ``labels_``."""
        return self.fit(texts, **fit_params).labels_

    def refit(self, texts: Sequence[str]) -> ThemeModel:
        """Return a new model fitted on ``texts`` whose persisting themes keep this model's ids."""
        return clone(self).fit(texts, previous=self)

    def to_state(self) -> dict:
        """Return what a later ``fit(texts, previous=...)`` needs from this model, as a JSON-ready dict.

        Read it back with :meth:`analysis.theme_state.ThemeState.from_state`; see that module.
        """
        return ThemeState.from_model(self).to_state()

    # --------------------------------------------------------------- using it

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        """Return the cosine similarity of each text to each theme centroid, shape (n, n_themes_)."""
        return self.embedder_.transform(list(texts)) @ self.centroids_.T

    def assign(self, texts: Sequence[str], *, return_similarity: bool = False):
        """Assign texts to the fitted themes; far texts become candidates (id ``-1``).

        Parameters
        ----------
        texts : sequence of str
        return_similarity : bool, default False
            Also return each text's similarity to the centroid of the theme it was voted into.

        Returns
        -------
        ids : ndarray of int
            Theme id per text; ``-1`` for texts without words and for candidates (similarity
            below ``threshold_``).
        similarity : ndarray of float, optional
        """
        texts = [t if isinstance(t, str) else "" for t in texts]
        ids = np.full(len(texts), NO_THEME, dtype=np.int64)
        sims = np.zeros(len(texts), dtype=np.float32)
        valid = np.flatnonzero([has_words(t) for t in texts])
        for start in range(0, len(valid), _CHUNK):
            chunk = valid[start : start + _CHUNK]
            E = self.embedder_.transform([texts[i] for i in chunk])
            rows = _vote(E, self.fit_embeddings_, self.fit_rows_, self.n_themes_)
            s = np.einsum("ij,ij->i", E, self.centroids_[rows])
            sims[chunk] = s
            ids[chunk] = np.where(s >= self.threshold_, self.theme_ids_[rows], NO_THEME)
        return (ids, sims) if return_similarity else ids

    predict = assign

    def theme(self, theme_id: int) -> Theme:
        """Return the theme with this id (``KeyError`` if none)."""
        for t in self.themes_:
            if t.theme_id == theme_id:
                return t
        raise KeyError(theme_id)

    # -------------------------------------------------------------- internals

    def _report(self, stage: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(stage, done, total)

    def _check_n_themes(self) -> int | None:
        if self.count_tolerance is not None and not 0 <= self.count_tolerance < 2:
            raise ValueError(f"count_tolerance must be None or in [0, 2), not {self.count_tolerance!r}")
        if isinstance(self.n_themes, str) and self.n_themes == "auto":
            return None
        if isinstance(self.n_themes, bool) or not isinstance(self.n_themes, (int, np.integer)):
            raise ValueError(f"n_themes must be 'auto' or a positive integer, not {self.n_themes!r}")
        if self.n_themes < 1:
            raise ValueError(f"n_themes must be at least 1, not {self.n_themes}")
        return int(self.n_themes)

    def _embed(self, texts: list[str], stage: str, total: int) -> np.ndarray:
        parts = []
        for start in range(0, len(texts), _CHUNK):
            parts.append(self.embedder_.transform(texts[start : start + _CHUNK]))
            self._report(stage, min(start + _CHUNK, len(texts)), total)
        return np.ascontiguousarray(np.vstack(parts), dtype=np.float32)

    def _choose_k(self, X, vectors, weights, k_lo, k_hi, rng, seed) -> tuple[int, dict[int, float]]:
        n = X.shape[0]
        sub = np.sort(rng.choice(n, _SILHOUETTE_SAMPLE, replace=False)) if n > _SILHOUETTE_SAMPLE else np.arange(n)
        dist = np.clip(1.0 - X[sub] @ X[sub].T, 0.0, 2.0)
        np.fill_diagonal(dist, 0.0)
        scores: dict[int, float] = {}

        def score(k: int) -> None:
            if k in scores or k < 2:
                return
            lab = _kmeans(vectors[:, :k], k, n_init=_SCORE_N_INIT, seed=seed, weights=weights)[sub]
            n_lab = len(np.unique(lab))
            scores[k] = float(silhouette_score(dist, lab, metric="precomputed")) if 1 < n_lab < len(sub) else -1.0

        if k_hi < 2:
            return 1, scores
        grid = list(range(max(2, k_lo), k_hi + 1))
        if len(grid) > 24:
            coarse = sorted({int(round(v)) for v in np.linspace(grid[0], k_hi, 20)})
            for k in coarse:
                score(k)
            step = coarse[1] - coarse[0]
            best = max(scores, key=lambda kk: (scores[kk], -kk))
            for k in range(max(grid[0], best - step + 1), min(k_hi, best + step - 1) + 1):
                score(k)
        else:
            for k in grid:
                score(k)
        # The silhouette curve is often flat near its top. Of the counts within the tolerance of
        # the best score take the largest: a theme split in two still shows its link to the
        # numbers, while two topics merged into one can hide it.
        top = max(scores.values())
        tolerance = silhouette_tolerance(k_hi) if self.count_tolerance is None else self.count_tolerance
        best = max(kk for kk, v in scores.items() if v >= top - tolerance)
        return best, scores

    def _match_ids(self, previous):
        k = self.n_themes_
        if previous is None:
            return np.arange(k, dtype=np.int64), {}, {}, k
        if not isinstance(previous, ThemeState):
            previous = ThemeState.from_model(previous)
        if previous.centroids.shape[1] != self.centroids_.shape[1]:
            raise ValueError("previous model uses a different representation (embedding size differs)")
        sim = self.centroids_ @ previous.centroids.T
        if self.match_threshold is None:
            old_sim = previous.centroids @ previous.centroids.T
            np.fill_diagonal(old_sim, -np.inf)
            limit = np.maximum(old_sim.max(axis=1), 0.5) if len(old_sim) > 1 else np.full(1, 0.5)
        else:
            limit = np.full(previous.n_themes, float(self.match_threshold))
        rows, cols = linear_sum_assignment(-sim)
        ids = np.full(k, -1, dtype=np.int64)
        inherited: dict[int, str] = {}
        matches: dict[int, float] = {}
        for r, c in zip(rows, cols):
            if sim[r, c] >= limit[c]:
                old_id = previous.theme_ids[c]
                ids[r] = old_id
                inherited[r] = previous.labels[c]
                matches[old_id] = float(sim[r, c])
        next_id = previous.next_theme_id
        for r in range(k):
            if ids[r] < 0:
                ids[r] = next_id
                next_id += 1
        return ids, inherited, matches, next_id

    def _describe(self, fit_texts, weights, X, fit_rows, sizes, inherited) -> list[Theme]:
        k = self.n_themes_
        analyzer = TextAnalyzer()
        counter = CountVectorizer(analyzer=analyzer, dtype=np.float64)
        try:
            counts = counter.fit_transform(fit_texts)
            vocab = counter.get_feature_names_out()
        except ValueError:  # no term survives stop words (e.g. only numbers of length 1)
            counts, vocab = sp.csr_matrix((len(fit_texts), 0)), np.array([], dtype=object)
        member = _membership(fit_rows, k, weights)
        class_tf = np.asarray((member @ counts).todense())  # (k, V)
        doc_freq = np.asarray((member @ (counts > 0).astype(np.float64)).todense())
        term_total = class_tf.sum(axis=0)
        avg_words = max(class_tf.sum() / k, 1.0)
        # c-TF-IDF (Grootendorst 2022): in-theme term frequency times log(1 + A / overall frequency)
        ctfidf = (class_tf / np.maximum(class_tf.sum(axis=1, keepdims=True), 1.0)) * np.log1p(
            avg_words / np.maximum(term_total, 1.0)
        )
        theme_sizes = np.bincount(fit_rows, weights=weights, minlength=k)
        # a key term must recur in the theme, unless the theme is tiny
        ctfidf[(doc_freq < 2) & (theme_sizes[:, None] >= 4)] = 0.0
        surface = SurfaceForms(analyzer).update(fit_texts)
        sims = np.einsum("ij,ij->i", X, self.centroids_[fit_rows])

        used: set[str] = {lbl.lower() for lbl in inherited.values()}
        themes: list[Theme] = []
        for r in range(k):
            ranked = [int(j) for j in np.argsort(-ctfidf[r], kind="stable")[: max(self.n_terms * 3, 12)]
                      if ctfidf[r, j] > 0 and surface.written_together(vocab[j])]
            terms = _dedupe([surface.surface(vocab[j]) for j in ranked])
            scores = {surface.surface(vocab[j]): ctfidf[r, j] for j in ranked}
            if r in inherited:
                label = inherited[r]
            else:
                label = _make_label(terms, scores, used, self.theme_ids_[r])
                used.add(label.lower())
            members = np.flatnonzero(fit_rows == r)
            examples = _dedupe([fit_texts[i].strip() for i in members[np.argsort(-sims[members], kind="stable")]])
            themes.append(
                Theme(
                    theme_id=int(self.theme_ids_[r]),
                    label=label,
                    terms=tuple(terms[: self.n_terms]),
                    size=int(sizes[r]),
                    examples=tuple(examples[: self.n_examples]),
                )
            )
        return themes


# ------------------------------------------------------------------ helpers


def silhouette_tolerance(k_hi: int) -> float:
    """How far below the best silhouette the automatic count may score when searching ``2..k_hi``.

    Small searches (``k_hi`` <= 10, up to ~240 texts) take 0.01: there each count changes the
    themes a lot, and a flat corpus of a few clear topics should come back as those topics, not
    halves of them. Wide searches (``k_hi`` >= 20, ~800 texts and more) take 0.05, linear between:
    there the silhouette jitters by 0.01-0.05 between neighbouring counts and stays near its top
    over a long stretch, sibling topics (declined vs unrecognised card payments) are only
    separated towards the fine end, and a theme split in two still has enough reps on each side
    for its link to the numbers. Measured on orgs built from real customer texts with planted
    effects (``benchmarks/RESULTS.md``, "A wider count tolerance for larger orgs").
    """
    if k_hi <= _NARROW_SEARCH:
        return _NARROW_TOLERANCE
    if k_hi >= _WIDE_SEARCH:
        return _WIDE_TOLERANCE
    share = (k_hi - _NARROW_SEARCH) / (_WIDE_SEARCH - _NARROW_SEARCH)
    return _NARROW_TOLERANCE + share * (_WIDE_TOLERANCE - _NARROW_TOLERANCE)


def _spectral_vectors(X: np.ndarray, n_neighbors: int, n_vectors: int, rng) -> np.ndarray:
    """Return the leading eigenvectors of the normalised symmetric kNN adjacency of ``X``."""
    n = X.shape[0]
    n_neighbors = max(1, n_neighbors)
    A = kneighbors_graph(X, n_neighbors, metric="cosine", include_self=False, n_jobs=None)
    A = 0.5 * (A + A.T)
    deg = np.asarray(A.sum(axis=1)).ravel()
    d = sp.diags(1.0 / np.sqrt(np.maximum(deg, 1e-12)))
    M = (d @ A @ d).tocsr()
    if n <= _DENSE_EIGEN_LIMIT or n_vectors >= n - 1:
        vals, vecs = eigh(M.toarray(), subset_by_index=[n - n_vectors, n - 1])
    else:
        v0 = rng.uniform(-1.0, 1.0, n)
        vals, vecs = eigsh(M, k=n_vectors, which="LA", v0=v0, tol=1e-6)
    order = np.argsort(-vals, kind="stable")
    vecs = vecs[:, order]
    # eigenvector signs are arbitrary; fix them so runs are bit-for-bit repeatable
    signs = np.sign(vecs[np.abs(vecs).argmax(axis=0), np.arange(vecs.shape[1])])
    return vecs * np.where(signs == 0, 1.0, signs)


def _kmeans(vectors: np.ndarray, k: int, n_init: int, seed: int, weights: np.ndarray) -> np.ndarray:
    if k <= 1:
        return np.zeros(vectors.shape[0], dtype=np.int64)
    V = normalize(vectors)
    km = KMeans(k, n_init=n_init, random_state=seed)
    with warnings.catch_warnings():
        # fewer distinct points than k (tiny inputs) just yields fewer themes
        warnings.simplefilter("ignore", ConvergenceWarning)
        return km.fit_predict(V, sample_weight=weights).astype(np.int64)


def _relabel_by_size(rows: np.ndarray) -> np.ndarray:
    sizes = np.bincount(rows)
    present = np.flatnonzero(sizes)
    order = present[np.argsort(-sizes[present], kind="stable")]
    remap = np.full(len(sizes), -1, dtype=np.int64)
    remap[order] = np.arange(len(order))
    return remap[rows]


def _membership(rows: np.ndarray, k: int, weights: np.ndarray) -> sp.csr_matrix:
    """Return the (k, n) sparse matrix with each text's weight in its theme's row."""
    return sp.csr_matrix((np.asarray(weights, dtype=np.float64), (rows, np.arange(len(rows)))), shape=(k, len(rows)))


def _centroids(X: np.ndarray, rows: np.ndarray, k: int, weights: np.ndarray) -> np.ndarray:
    return normalize(np.asarray(_membership(rows, k, weights) @ X, dtype=np.float32))


def _vote(E: np.ndarray, X: np.ndarray, rows: np.ndarray, k: int) -> np.ndarray:
    """Return the theme row each embedding gets by a similarity-weighted vote of its nearest fitted texts."""
    sim = E @ X.T
    n, m = sim.shape
    nn = min(_VOTE_NEIGHBOURS, m)
    # the nn-th largest similarity per row; ties may add a voter, which is harmless
    kth = np.partition(sim, m - nn, axis=1)[:, m - nn]
    r, c = np.nonzero(sim >= kth[:, None])
    w = np.maximum(sim[r, c], 1e-6).astype(np.float64)
    votes = np.bincount(r * k + rows[c], weights=w, minlength=n * k).reshape(n, k)
    return votes.argmax(axis=1)


def _dedupe(items: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        key = item.lower()
        if item and key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _make_label(terms: list[str], scores: dict[str, float], used: set[str], theme_id: int) -> str:
    """Build a unique 1-4 word label from the leading terms.

    The best phrase or word comes first. A lone word says little ("left", "sites"), so when the
    next terms hold a distinct word or phrase nearly as distinctive, the label gets it after a
    comma ("left, champion"; "price, pushback"). Words of further terms are added if the label is
    already taken by another theme.
    """
    if not terms:
        base = f"theme {theme_id}"
        return base if base.lower() not in used else f"{base} ({theme_id})"
    top = terms[0]
    head = top.split()
    # a phrase among the leading terms reads better than a lone word when nearly as distinctive
    if len(head) == 1:
        for t in terms[1:4]:
            if " " in t and top in t.split() and scores.get(t, 0.0) >= 0.5 * scores[top]:
                head = t.split()
                break
    tail: list[str] = []
    if len(head) == 1:
        for t in terms[1:4]:
            words = t.split()
            if len(words) <= 2 and not set(words) & set(head) and scores.get(t, 0.0) >= 0.4 * scores[top]:
                tail = words
                break

    def join() -> str:
        return " ".join(head) + (", " + " ".join(tail) if tail else "")

    label = join()
    for t in terms[1:]:
        if label.lower() not in used:
            break
        extra = [w for w in t.split() if w not in head and w not in tail]
        if extra and len(head) + len(tail) + len(extra) <= 4:
            tail = tail + extra
            label = join()
    if label.lower() in used:
        label = f"{' '.join((head + tail)[:3])} ({theme_id})"
    return label
