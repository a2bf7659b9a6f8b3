"""Group short texts into named, stable themes: embed, cluster spectrally, label, assign, match refits.

Method (each step measured on BANKING77 in ``benchmarks/themes_banking77.py``):

1. **Represent** each text with a pluggable embedder (default: wordllama static embeddings,
   offline, L2-normalised; :class:`analysis.embedding.SentenceTransformerEmbedder`, a contextual
   model from an optional extra, and :class:`analysis.embedding.TfidfLsaEmbedder` are the
   alternatives; the product picks one with :func:`analysis.embedding.choose_embedder`).
   **Phrasings** (``merge_phrasings``, on with ``count_rule="phrasings"``): texts that read the
   same once entity mentions (see step 6), slot fillers (tokens holding a digit: amounts, counts,
   quarters), case and punctuation are set aside are one *phrasing*, clustered as one point
   weighted by how often it occurs, and the embedder reads each text without its slot fillers
   (names stay: a name may be what a theme is about, "Apple Pay"). "Lost a deal to Corelli on
   price" and "lost a deal to Vantix on price." are one way of saying one thing: many copies of
   a phrasing do not make a theme of their own, and a quarter or an amount written in texts of
   several signals does not pull them together. Without it, identical texts are one point.
2. **Cluster** a random sample of at most ``max_fit_samples`` texts by spectral clustering: a
   symmetric cosine k-nearest-neighbour graph, the leading eigenvectors of its normalised
   adjacency matrix weighted by ``eigenvalue ** t`` (a diffusion map, ``t`` such that the last
   eigenvector keeps half its weight), row-normalised, then k-means with several initialisations.
3. **Theme count** (``n_themes="auto"``, ``count_rule="spectral"``): the number of eigenvalues of
   the normalised adjacency at or above 0.825, on a graph of ``min(n_neighbors, sqrt(n) / 2)``
   neighbours, within ``min_themes..max_themes``. An eigenvalue near 1 is a group of texts whose
   nearest neighbours lie mostly among themselves (1 - eigenvalue is about the share of its links
   that leave it), so the count is the number of groups a reader would see as separate, whatever
   the number of texts: BANKING77 subsets of 10 / 20 / 40 intents give 10-11 / 22-26 / 42, the demo
   generator's 14 planted signals 15-19. The neighbour count shrinks for small inputs so that a
   theme need only be larger than the neighbourhood. ``count_rule="silhouette"`` (also chosen when
   ``count_tolerance`` is given) is the earlier rule: every count in
   ``min_themes..min(max_themes, sqrt(n / 2))`` scored by the mean cosine silhouette, the largest
   within :func:`silhouette_tolerance` of the best wins. ``count_rule="phrasings"`` is the
   silhouette rule over phrasings (step 1): the points are the distinct phrasings and the cap is
   ``sqrt(p / 2)`` for ``p`` phrasings, since a reader sees as many themes as there are different
   things written, not copies of them. Measured with MiniLM (``benchmarks/demo_themes.py``,
   ``benchmarks/planted_verdicts.py --count-rule``): the demo generator's ~1,300 texts are ~450
   phrasings, 14-15 themes for its 14 signals (NMI 0.77-0.81) where the silhouette rule sits at
   its cap sqrt(1,300 / 2) = 25 (NMI 0.72-0.74); but at 14-15 themes two close signals (the two
   price signals, expansion and vendor consolidation) share a theme more often: 130 of 140
   signals recovered under a keyword name over seeds 0-9, against 138 at 25 themes. On 30
   real-text planted orgs it finds the same share of planted effects (0.82 of perfect grouping,
   0.83 with the silhouette rule). Not the default of ``analyze`` for that reason.
4. **One theme per signal** (automatic count only, :meth:`ThemeModel._consolidate`): a theme of
   fewer than ``max(3, 0.2 x mean theme size)`` texts is absorbed by the nearest themes; two
   themes are merged when one's best name is among the other's three leading names and that
   phrase is held mostly by their texts. Under the silhouette rule (``merge_to_spectral``; the
   phrasings rule already counts distinct phrasings, not copies), the themes are then merged
   pairwise down to the spectral rule's count (step 3), the pair most alike first
   (:func:`_merge_to_count`): alike in the words they use (cosine of their c-TF-IDF profiles)
   *and* in whose neighbours their texts are (links between them in the k-nearest-neighbour
   graph over the product of their link volumes, the modularity gain of the merge). The
   silhouette rule's k-means partition separates close signals better than k-means at the
   spectral count does, but splits a signal along its phrasings; merging the pieces keeps the
   first and undoes the second, as BERTopic's topic reduction merges topics by c-TF-IDF, here
   gated by the graph. Measured on the demo generator (``benchmarks/demo_themes.py``, seeds
   0-4): 16-18 themes for its 14 signals where the silhouette rule alone gives 25, the same 14,
   14, 14, 13, 13 signals recovered, NMI 0.73-0.76 against 0.72-0.74.
5. **Assign** texts outside the sample (and, later, new texts) by a similarity-weighted vote of their
   5 nearest fitted texts. :meth:`ThemeModel.assign` marks a text whose similarity to its theme's
   centroid falls below ``threshold_`` (the ``candidate_quantile`` quantile of the fitted texts'
   similarity to their own centroid) as a candidate for a new theme: theme id ``-1``.
6. **Name** each theme with a phrase people wrote (:meth:`_Phrases.rank`): candidates are the 1-4
   word spans of its texts that start and end on content words (a phrasal verb's particle may
   end one: "top up", but not a preposition, a particle people never end a sentence with:
   "turnover in"), never cut a hyphenated compound ("sign-off", "multi-year", shown with its
   hyphen), hold no number or amount, do not end on a word people rarely end on
   ("new", "auto", "closed" [the ticket]) and hold a content word that is not an entity; each is
   scored by coverage, distinctiveness (class-based TF-IDF) and centrality (closeness of its
   texts to the centroid), phrases before single words, unique across themes (largest first).
   **Entities** (:func:`analysis.text.find_entities`: words capitalised away from sentence
   starts in most of their occurrences, no list of names) are listed as ``Theme.mentions``.
   **Key terms** stay class-based TF-IDF over stems and stem bigrams, shown as written; a bigram
   is shown only when people mostly wrote its two words side by side.
7. **Identity across refits**: ``fit(texts, previous=old_model)`` matches new themes to old ones by
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
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

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
from analysis.text import (
    _CASED_TOKEN_RE,
    Dangling,
    SurfaceForms,
    TextAnalyzer,
    _mention_runs,
    cased_tokens,
    find_entities,
    has_words,
    is_slot_filler,
    mention_spans,
    phrase_candidates,
)
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
# Automatic count: eigenvalues of the normalised kNN adjacency at or above this (see _spectral).
_COUNT_EIGENVALUE = 0.825
# A theme smaller than this share of the mean theme size (or than _MIN_THEME_TEXTS) is a fragment.
_FRAGMENT_SHARE = 0.2
_MIN_THEME_TEXTS = 3
_MERGE_ROUNDS = 5
_NAME_SHARE = 0.5
_NAME_TOP = 3
_N_MENTIONS = 5
_WORD_NORM = 0.5  # a phrase's word scores are summed over n_words ** this (see _Phrases.rank)
_COUNT_RULES = ("spectral", "silhouette", "phrasings")


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
    """One theme: stable id, readable label, key terms, size, representative quotes and mentions.

    ``label`` is a short phrase written in the theme's texts ("card has not arrived"), never an
    entity alone; ``mentions`` are the names of particular entities (competitors, products,
    customers, places) the theme's texts mention most, as written ("Corelli", "Apple Pay").
    """

    theme_id: int
    label: str
    terms: tuple[str, ...]
    size: int
    examples: tuple[str, ...]
    mentions: tuple[str, ...] = field(default=())

    def to_dict(self, full: bool = False) -> dict:
        """Return a JSON-ready dict ``{theme_id, label, terms, size, examples}``; ``full`` adds ``mentions``."""
        d = asdict(self)
        d["terms"] = list(self.terms)
        d["examples"] = list(self.examples)
        if full:
            d["mentions"] = list(self.mentions)
        else:
            del d["mentions"]
        return d


class ThemeModel(BaseEstimator):
    """Find themes in short texts, name them, and assign new texts to them.

    Parameters
    ----------
    n_themes : "auto" or int, default "auto"
        Number of themes; ``"auto"`` picks it by ``count_rule`` and then merges duplicates and
        absorbs fragments (see the module docstring). A fixed count is kept exactly (no merging),
        except that one larger than the number of fitted texts (phrasings, with
        ``merge_phrasings``) is reduced to that number.
    embedder : transformer, optional
        ``fit(texts)`` / ``transform(texts) -> unit-length float array``; default
        :class:`analysis.embedding.WordLlamaEmbedder`. Cloned before fitting.
    min_themes, max_themes : int, default 2 and 60
        Range of the ``"auto"`` count; under the silhouette rule the upper end is also capped at
        ``sqrt(n / 2)`` for ``n`` texts with words, e.g. 7 themes at most for 100 texts (under the
        phrasings rule, ``n`` distinct phrasings).
    count_tolerance : float or None, default None
        Silhouette and phrasings rules only: how far below the best silhouette the ``"auto"``
        count may score (the largest such count wins); ``None``: :func:`silhouette_tolerance` of
        the searched range. Setting it selects the silhouette rule unless ``count_rule`` is
        ``"phrasings"``.
    count_rule : {"spectral", "silhouette", "phrasings"}, default "spectral"
        How ``"auto"`` counts themes (module docstring, step 3); ``"phrasings"`` also turns
        ``merge_phrasings`` on unless it is set to False.
    merge_to_spectral : bool, default True
        Silhouette rule only: merge its themes down to the spectral rule's count,
        the pair most alike in words and neighbours first (module docstring, step 4).
    merge_phrasings : bool or None, default None
        Cluster distinct phrasings, not texts, and cut slot fillers from what the embedder reads
        (module docstring, step 1); ``None``: on with ``count_rule="phrasings"`` only.
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
        Silhouette of each theme count tried by the silhouette rule (empty otherwise).
    count_eigenvalues_ : ndarray of float
        Eigenvalues the spectral rule counted, largest first: its count, or under the silhouette
        rule the count merged down to (empty when neither).
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
        count_rule: str = "spectral",
        merge_to_spectral: bool = True,
        merge_phrasings: bool | None = None,
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
        self.count_rule = count_rule
        self.merge_to_spectral = merge_to_spectral
        self.merge_phrasings = merge_phrasings
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
        merging = self._merges_phrasings()
        self.phrasing_entities_ = find_entities(uniq) if merging else None
        # cluster distinct phrasings: with merge_phrasings, texts that read the same once names,
        # numbers, case and punctuation are set aside are one point, weighted by how often they occur
        phrasing: dict[str, int] = {}
        inv = np.array([phrasing.setdefault(t, len(phrasing)) for t in self._phrasing_keys(fit_texts)],
                       dtype=np.int64)
        first = np.unique(inv, return_index=True)[1]
        seen_texts = self._masked([fit_texts[i] for i in first])
        self.embedder_.fit(seen_texts)
        Xc = self._embed(seen_texts, "embedding", total=len(uniq) - n_fit + len(seen_texts))
        X = Xc[inv]
        wc = np.bincount(inv, weights=weights, minlength=len(seen_texts))
        n_c = len(seen_texts)
        n_phrasings = len(set(self._phrasing_keys(uniq))) if merging else n_valid

        # --- spectral clustering of the sample
        self._report("clustering", 0, 1)
        nn = min(self.n_neighbors, n_c - 1)
        self.k_scores_ = {}
        self.count_eigenvalues_ = np.zeros(0)
        if n_c < 2:
            k, vals, vectors = 1, np.ones(1), np.ones((n_c, 1))
        elif fixed_k:
            k = max(1, min(fixed_k, n_c))
            vals, vectors = _spectral(Xc, nn, k, rng)
        elif self._rule() in ("silhouette", "phrasings"):
            # at most sqrt(n/2) themes (the classic rule of thumb): a count a person can read; n
            # counts phrasings under the phrasings rule, texts otherwise
            k_hi = max(self.min_themes, min(self.max_themes, int(math.sqrt(n_phrasings / 2))))
            k_hi = max(1, min(k_hi, n_c))
            vals, vectors = _spectral(Xc, nn, k_hi, rng)
            k_lo = max(1, min(self.min_themes, k_hi))
            k, self.k_scores_ = self._choose_k(Xc, _diffuse(vals, vectors, k_hi), wc, k_lo, k_hi, rng, seed)
            vals, vectors = vals[:k], vectors[:, :k]
        else:
            k_hi = max(1, min(self.max_themes, n_c - 1))
            count_nn = _count_neighbours(nn, n_c)
            if count_nn == nn:
                vals, vectors = _spectral(Xc, nn, min(k_hi + 1, n_c), rng)
                count_vals = vals
            else:
                count_vals, _ = _spectral(Xc, count_nn, min(k_hi + 1, n_c), rng, values_only=True)
            self.count_eigenvalues_ = count_vals
            k = self._spectral_count(count_vals, k_hi)
            if count_nn != nn:
                vals, vectors = _spectral(Xc, nn, k, rng)
            vals, vectors = vals[:k], vectors[:, :k]
        fit_rows = _kmeans(_diffuse(vals, vectors, k), k, n_init=10, seed=seed, weights=wc)[inv]
        if not fixed_k:
            fit_rows = self._consolidate(fit_texts, weights, X, fit_rows)
            if self._rule() == "silhouette" and self.merge_to_spectral and n_c > 2:
                # over-segmented by the silhouette rule: merge down to the spectral count
                count_vals, _ = _spectral(Xc, _count_neighbours(nn, n_c), min(self.max_themes + 1, n_c), rng,
                                          values_only=True)
                self.count_eigenvalues_ = count_vals
                target = self._spectral_count(count_vals, self.max_themes)
                fit_rows = _merge_to_count(fit_rows, target, X, weights,
                                           self._term_counts(fit_texts), nn)
        self._report("clustering", 1, 1)
        fit_rows = _relabel_by_size(fit_rows)
        k = int(fit_rows.max()) + 1

        # --- assign the distinct texts outside the sample
        uniq_rows = np.full(len(uniq), -1, dtype=np.int64)
        uniq_rows[fit_u] = fit_rows
        rest = np.setdiff1d(np.arange(len(uniq)), fit_u, assume_unique=True)
        for start in range(0, len(rest), _CHUNK):
            chunk = rest[start : start + _CHUNK]
            E = self.embedder_.transform(self._masked([uniq[i] for i in chunk]))
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
        return self.embedder_.transform(self._masked(list(texts))) @ self.centroids_.T

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
            E = self.embedder_.transform(self._masked([texts[i] for i in chunk]))
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

    def _merges_phrasings(self) -> bool:
        """Whether the fit clusters phrasings (``merge_phrasings``; ``None``: with the phrasings rule)."""
        if self.merge_phrasings is None:
            return self.count_rule == "phrasings"
        return bool(self.merge_phrasings)

    def _rule(self) -> str:
        """The automatic count's rule: ``"phrasings"`` when asked for; ``"silhouette"`` when asked for or
        when ``count_tolerance`` is set; ``"spectral"`` otherwise."""
        if self.count_rule == "phrasings":
            return "phrasings"
        return "silhouette" if self.count_rule == "silhouette" or self.count_tolerance is not None else "spectral"

    def _check_n_themes(self) -> int | None:
        if self.count_rule not in _COUNT_RULES:
            raise ValueError(f"count_rule must be one of {', '.join(_COUNT_RULES)}, not {self.count_rule!r}")
        if self.count_tolerance is not None and not 0 <= self.count_tolerance < 2:
            raise ValueError(f"count_tolerance must be None or in [0, 2), not {self.count_tolerance!r}")
        if isinstance(self.n_themes, str) and self.n_themes == "auto":
            return None
        if isinstance(self.n_themes, bool) or not isinstance(self.n_themes, (int, np.integer)):
            raise ValueError(f"n_themes must be 'auto' or a positive integer, not {self.n_themes!r}")
        if self.n_themes < 1:
            raise ValueError(f"n_themes must be at least 1, not {self.n_themes}")
        return int(self.n_themes)

    def _masked(self, texts: list[str]) -> list[str]:
        """The texts as the embedder reads them: without slot fillers when ``merge_phrasings`` (:func:`_mask_text`)."""
        entities = getattr(self, "phrasing_entities_", None)
        if entities is None:
            return texts
        return [_mask_text(t, entities)[0] for t in texts]

    def _phrasing_keys(self, texts: list[str]) -> list[str]:
        """One key per text; texts with the same key are one point of the clustering (see ``merge_phrasings``)."""
        entities = getattr(self, "phrasing_entities_", None)
        if entities is None:
            return texts
        return [_mask_text(t, entities)[1] for t in texts]

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

    def _spectral_count(self, count_vals: np.ndarray, k_hi: int) -> int:
        """The spectral rule's count: eigenvalues at or above ``_COUNT_EIGENVALUE``, within the range."""
        k = int(np.sum(count_vals >= _COUNT_EIGENVALUE))
        return max(1, min(max(k, self.min_themes), k_hi))

    def _term_counts(self, fit_texts) -> sp.csr_matrix:
        """Text x term counts (stems and stem bigrams of :class:`TextAnalyzer`), empty when no term survives."""
        cached = getattr(self, "_term_cache", None)
        if cached is None or cached[0] is not fit_texts:
            counter = CountVectorizer(analyzer=TextAnalyzer(), dtype=np.float64)
            try:
                counts = counter.fit_transform(fit_texts)
                vocab = counter.get_feature_names_out()
            except ValueError:  # no term survives stop words (e.g. only numbers of length 1)
                counts, vocab = sp.csr_matrix((len(fit_texts), 0)), np.array([], dtype=object)
            cached = (fit_texts, counts, vocab)
            self._term_cache = cached
        return cached[1]

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

    def _consolidate(self, fit_texts, weights, X, rows) -> np.ndarray:
        """One theme per signal: absorb fragments, then merge themes that would carry the same name.

        1. **Fragments**: a theme holding fewer than ``max(3, 0.2 x the mean theme size)`` texts
           is dissolved, each of its texts moving to the nearest centroid of the themes left.
        2. **Duplicates**: themes whose best name (the top phrase of :meth:`_Phrases.rank`) is
           the same phrase are one signal to a reader, split by wording: they are merged, when
           at least half of all the texts holding that phrase are in them and the phrase is at
           least twice as common in them as in all texts (a phrase every theme uses, "note" or
           "my card", merges nothing). Repeated until no two themes share a best
           name (at most a few rounds).

        Applies to the automatic count only: a fixed count is kept as asked.
        """
        rows = _relabel_by_size(rows)
        for _ in range(3):
            k = int(rows.max()) + 1
            sizes = np.bincount(rows, weights=weights, minlength=k)
            tiny = sizes < max(_MIN_THEME_TEXTS, _FRAGMENT_SHARE * sizes.sum() / k)
            if not tiny.any() or tiny.all():
                break
            keep = np.flatnonzero(~tiny)
            moved = np.flatnonzero(tiny[rows])
            centroids = _centroids(X, rows, k, weights)[keep]
            rows = rows.copy()
            rows[moved] = keep[(X[moved] @ centroids.T).argmax(axis=1)]
            rows = _relabel_by_size(rows)
        phrases = self._phrases(fit_texts, weights)
        for _ in range(_MERGE_ROUNDS):
            k = int(rows.max()) + 1
            if k < 2:
                break
            sims = np.einsum("ij,ij->i", X, _centroids(X, rows, k, weights)[rows])
            ranked = phrases.rank(rows, k, weights, sims)
            held = np.asarray((_membership(rows, k, weights) @ phrases.matrix).todense())
            sizes = np.bincount(rows, weights=weights, minlength=k)
            # a theme's best name among another's leading names: the pair is one signal
            parent = list(range(k))
            merged = False
            for a, order in enumerate(ranked):
                if not order:
                    continue
                for b in range(k):
                    if b != a and order[0] in ranked[b][:_NAME_TOP] and _name_is_theirs(held, sizes, [a, b], order[0]):
                        ra, rb = _root(parent, a), _root(parent, b)
                        if ra != rb:
                            parent[max(ra, rb)] = min(ra, rb)
                            merged = True
            if not merged:
                break
            target = np.array([_root(parent, r) for r in range(k)])
            rows = _relabel_by_size(target[rows])
        return rows

    def _phrases(self, fit_texts, weights) -> _Phrases:
        cached = getattr(self, "_phrase_cache", None)
        if cached is None or cached[0] is not fit_texts:
            cached = (fit_texts, _Phrases(fit_texts, weights))
            self._phrase_cache = cached
        return cached[1]

    def _describe(self, fit_texts, weights, X, fit_rows, sizes, inherited) -> list[Theme]:
        """Name each theme, pick its key terms, quotes and mentions.

        **Name**: the best candidate phrase of :meth:`_Phrases.rank` (a 2-4 word phrase written in
        the theme's texts, grammatical at both ends, no slot fillers, never an entity alone) not
        yet taken by a larger theme; a single word when the theme has no phrase; the key-term
        label of earlier versions when it has neither. An inherited theme keeps its old name.
        **Terms**: class-based TF-IDF over stems and stem bigrams, as written; entity words and
        slot fillers are left to ``mentions``.
        """
        k = self.n_themes_
        analyzer = TextAnalyzer()
        counts = self._term_counts(fit_texts)
        vocab = self._term_cache[2]
        self._term_cache = None
        member = _membership(fit_rows, k, weights)
        doc_freq = np.asarray((member @ (counts > 0).astype(np.float64)).todense())
        ctfidf = _class_tfidf(member, counts)
        theme_sizes = np.bincount(fit_rows, weights=weights, minlength=k)
        # a key term must recur in the theme, unless the theme is tiny
        ctfidf[(doc_freq < 2) & (theme_sizes[:, None] >= 4)] = 0.0
        surface = SurfaceForms(analyzer).update(fit_texts)
        sims = np.einsum("ij,ij->i", X, self.centroids_[fit_rows])
        phrases = self._phrases(fit_texts, weights)
        self._phrase_cache = None
        ranked_names = phrases.rank(fit_rows, k, weights, sims)
        entities = phrases.entities

        def plain(term: str) -> bool:
            return not any(w in entities or is_slot_filler(w) for w in term.lower().split())

        used: set[str] = {lbl.lower() for lbl in inherited.values()}
        themes: list[Theme] = []
        for r in range(k):
            ranked = [int(j) for j in np.argsort(-ctfidf[r], kind="stable")[: max(self.n_terms * 3, 12)]
                      if ctfidf[r, j] > 0 and surface.written_together(vocab[j])]
            terms = [t for t in _dedupe([surface.surface(vocab[j]) for j in ranked]) if plain(t)]
            scores = {surface.surface(vocab[j]): ctfidf[r, j] for j in ranked}
            if r in inherited:
                label = inherited[r]
            else:
                label = next((name for name in (phrases.show(j) for j in ranked_names[r])
                              if name.lower() not in used), None)
                if label is None:
                    label = _make_label(terms, scores, used, self.theme_ids_[r])
                used.add(label.lower())
            members = np.flatnonzero(fit_rows == r)
            examples = _dedupe([fit_texts[i].strip() for i in members[np.argsort(-sims[members], kind="stable")]])
            themes.append(
                Theme(
                    theme_id=int(self.theme_ids_[r]),
                    label=label,
                    terms=tuple(_adding_words(terms)[: self.n_terms]),
                    size=int(sizes[r]),
                    examples=tuple(examples[: self.n_examples]),
                    mentions=phrases.theme_mentions(members, weights),
                )
            )
        return themes

class _Phrases:
    """Candidate names of the fitted texts (see :func:`analysis.text.phrase_candidates`) and their mentions.

    Built once per fit: which candidate phrases each text holds (a sparse text x phrase
    matrix), the form each phrase is written in most often, and the entity mentions of each text.
    """

    def __init__(self, texts: Sequence[str], weights: np.ndarray | None = None) -> None:
        token_lists = [cased_tokens(text) for text in texts]
        self.entities = find_entities(texts, tokens=token_lists)
        dangling = Dangling().update(token_lists)
        vocab: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        self.forms: dict[str, Counter] = defaultdict(Counter)
        self.mentions: list[list[str]] = []
        for i, tokens in enumerate(token_lists):
            seen: set[str] = set()
            for key, words in phrase_candidates(tokens, self.entities, dangling=dangling):
                self.forms[key][words] += 1
                if key not in seen:
                    seen.add(key)
                    rows.append(i)
                    cols.append(vocab.setdefault(key, len(vocab)))
            self.mentions.append(list(dict.fromkeys(mention_spans(tokens, self.entities))))
        matrix = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(texts), len(vocab)))
        # a candidate written once can only name a theme of one text: kept only for tiny inputs
        w = np.ones(len(texts)) if weights is None else np.asarray(weights, dtype=np.float64)
        held = np.asarray(matrix.T @ w).ravel()
        keep = np.flatnonzero(held >= 2) if len(texts) >= 50 else np.arange(len(vocab))
        self.matrix = matrix[:, keep].tocsr()
        all_keys = list(vocab)
        self.keys = [all_keys[j] for j in keep]
        vocab = {key: j for j, key in enumerate(self.keys)}
        self.multi = np.array([" " in key for key in self.keys], dtype=bool)
        # for each phrase, the single-word candidates among its words (its content words)
        width = max((len(key.split(" ")) for key in self.keys), default=1)
        self.word_of = np.zeros((len(self.keys), width), dtype=np.int64)
        self.word_mask = np.zeros((len(self.keys), width), dtype=np.float64)
        for j, key in enumerate(self.keys):
            for o, part in enumerate(key.split(" ")):
                w = vocab.get(part)
                if w is not None:
                    self.word_of[j, o] = w
                    self.word_mask[j, o] = 1.0

    def show(self, j: int) -> str:
        """The phrase as people write it: its most frequent wording, entities and acronyms in their case."""
        words = min(self.forms[self.keys[j]].items(), key=lambda kv: (-kv[1], kv[0]))[0]
        return " ".join("-".join(self.entities.show(part) for part in w.split("-")) for w in words)

    def rank(self, rows: np.ndarray, k: int, weights: np.ndarray, sims: np.ndarray) -> list[list[int]]:
        """Return, per theme, its candidate phrases best first: phrases of 2-4 words, then single words.

        For theme t and candidate p (a word or a phrase), with coverage(p) the share of t's texts
        holding p, distinctiveness(p) the share of all texts holding p that are in t (a
        class-based TF-IDF in [0, 1]) and centrality(p) the mean similarity to t's centroid of
        t's texts holding p over that of all of t's texts:

        * a word scores ``coverage x distinctiveness x centrality``;
        * a phrase scores ``sqrt(coverage) x distinctiveness x centrality`` times the sum of its
          words' scores over the square root of its number of scored words: a name is a phrase
          people wrote that is made of the theme's own words ("competitor discounting"), not a
          rare template fragment ("giving the first year") nor a common one ("my card").

        A candidate must occur in at least two of the theme's texts (one in a theme of fewer
        than four).
        """
        if not self.keys:
            return [[] for _ in range(k)]
        member = _membership(rows, k, weights)
        near = _membership(rows, k, weights * np.maximum(sims, 0.0))
        df = np.asarray((member @ self.matrix).todense())  # (k, candidates): weighted texts holding it
        close = np.asarray((near @ self.matrix).todense())  # the same, each text weighted by its similarity
        size = np.maximum(np.asarray(member.sum(axis=1)).ravel(), 1e-12)[:, None]
        mean_sim = np.maximum(np.asarray(near.sum(axis=1)).ravel()[:, None] / size, 1e-12)
        total = np.maximum(df.sum(axis=0, keepdims=True), 1e-12)
        centrality = close / np.maximum(df, 1e-12) / mean_sim
        distinct = df / total
        score = (df / size) * distinct * centrality
        too_rare = df < np.where(size >= 4, 2.0, 1.0) - 1e-9
        score[too_rare] = 0.0
        word_sum = np.zeros_like(score)
        for o in range(self.word_of.shape[1]):  # sum the scores of each phrase's words
            word_sum += score[:, self.word_of[:, o]] * self.word_mask[:, o]
        n_words = np.maximum(self.word_mask.sum(axis=1), 1.0)
        phrase = np.sqrt(df / size) * distinct * centrality * word_sum / n_words**_WORD_NORM
        score = np.where(self.multi[None, :], phrase, score)
        score[too_rare] = 0.0
        out = []
        for r in range(k):
            cand = np.flatnonzero(score[r] > 0)
            order = cand[np.lexsort((cand, -score[r, cand], ~self.multi[cand]))]
            out.append(order.tolist())
        return out

    def theme_mentions(self, members: np.ndarray, weights: np.ndarray) -> tuple[str, ...]:
        """The entity mentions most texts of a theme hold (in at least two, or one in a tiny theme)."""
        counts: Counter[str] = Counter()
        forms: dict[str, Counter[str]] = defaultdict(Counter)
        for i in members:
            for m in self.mentions[i]:
                counts[m.lower()] += weights[i]
                forms[m.lower()][m] += weights[i]
        floor = 2 if weights[members].sum() >= 4 else 1
        ranked = sorted((key for key, n in counts.items() if n >= floor), key=lambda key: (-counts[key], key))
        return tuple(min(forms[key].items(), key=lambda kv: (-kv[1], kv[0]))[0] for key in ranked[:_N_MENTIONS])


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


def _mask_text(text: str, entities) -> tuple[str, str]:
    """Return ``(shown, key)``: ``text`` as the embedder reads it, and its phrasing key.

    ``shown`` is the text as written less its slot fillers (tokens holding a digit: amounts,
    counts, quarters, codes): "10% cheaper than Corelli in Q3" -> "% cheaper than Corelli in".
    ``key`` is the words left once entity mentions are set aside too, in lower case and without
    punctuation: the same for texts that differ only by names, numbers, case or punctuation
    ("lost a deal to Corelli on price" and "Lost a deal to Vantix on price."). Names stay in
    ``shown``, since a name may be what a theme is about ("Apple Pay"). A text with nothing
    else is returned as it is.
    """
    tokens = cased_tokens(text)
    fillers = {i for i, t in enumerate(tokens) if is_slot_filler(t.lower)}
    names = {i for a, b in _mention_runs(tokens, entities) for i in range(a, b)}
    if len(fillers | names) == len(tokens):
        fillers, names = set(), set()
    key = " ".join(t.lower for i, t in enumerate(tokens) if i not in fillers and i not in names)
    if not fillers:
        return text, key
    matches = list(_CASED_TOKEN_RE.finditer(text))
    if len(matches) != len(tokens):  # tokens from tokenize()'s fallback: no offsets
        return " ".join(t.surface for i, t in enumerate(tokens) if i not in fillers), key
    parts, last = [], 0
    for i in sorted(fillers):
        parts.append(text[last : matches[i].start()])
        last = matches[i].end()
    parts.append(text[last:])
    return " ".join("".join(parts).split()), key


def _count_neighbours(n_neighbors: int, n: int) -> int:
    """Neighbours of the graph the spectral count reads: ``min(n_neighbors, sqrt(n) / 2)``, at least 2."""
    return min(n_neighbors, max(2, round(math.sqrt(n) / 2)))


def _class_tfidf(member: sp.csr_matrix, counts: sp.csr_matrix) -> np.ndarray:
    """c-TF-IDF (Grootendorst 2022) of each theme: in-theme term frequency x log(1 + A / overall frequency).

    ``member`` is the (k, n) membership of :func:`_membership`, ``counts`` the (n, V) term counts;
    ``A`` is the mean number of words per theme.
    """
    class_tf = np.asarray((member @ counts).todense())  # (k, V)
    avg_words = max(class_tf.sum() / max(member.shape[0], 1), 1.0)
    return (class_tf / np.maximum(class_tf.sum(axis=1, keepdims=True), 1.0)) * np.log1p(
        avg_words / np.maximum(class_tf.sum(axis=0), 1.0)
    )


def _merge_to_count(rows: np.ndarray, target: int, X: np.ndarray, weights: np.ndarray,
                    counts: sp.csr_matrix, n_neighbors: int) -> np.ndarray:
    """Merge themes pairwise, the most alike first, until ``target`` are left (module docstring, step 4).

    Two themes are alike when they use the same words *and* their texts are each other's
    neighbours: the score of a pair is the cosine of their c-TF-IDF profiles times their link
    density in the symmetric cosine k-nearest-neighbour graph of the texts (links between them
    over the product of their link volumes: the gain in modularity of merging them, up to a
    constant). Either alone joins themes a reader keeps apart: shared words without shared
    neighbours ("price" in competitor discounts and in price rises), shared neighbours without
    shared words (two signals written alike).
    """
    k = int(rows.max()) + 1
    if k <= target or X.shape[0] < 3:
        return rows
    A = kneighbors_graph(X, min(n_neighbors, X.shape[0] - 1), metric="cosine", include_self=False)
    A = 0.5 * (A + A.T)
    rows = rows.copy()
    while k > target:
        member = _membership(rows, k, np.ones(len(rows)))
        links = np.asarray((member @ A @ member.T).todense())
        volume = np.maximum(links.sum(axis=1), 1e-12)
        profile = normalize(_class_tfidf(_membership(rows, k, weights), counts))
        score = links / np.outer(volume, volume) * (profile @ profile.T)
        np.fill_diagonal(score, -np.inf)
        a, b = np.unravel_index(int(np.argmax(score)), score.shape)
        rows[rows == max(a, b)] = min(a, b)
        rows = _relabel_by_size(rows)
        k -= 1
    return rows


def _spectral(X: np.ndarray, n_neighbors: int, n_vectors: int, rng, values_only: bool = False):
    """Return the leading eigenvalues and eigenvectors of the normalised symmetric kNN adjacency of ``X``.

    Eigenvalues come largest first; each is 1 minus (about) how much of a group's neighbour links
    leave it, so a group of texts whose neighbours lie mostly among themselves has one near 1.
    """
    n = X.shape[0]
    n_vectors = max(1, min(n_vectors, n))
    if n < 2:
        return np.ones(1), np.ones((n, 1))
    n_neighbors = max(1, min(n_neighbors, n - 1))
    A = kneighbors_graph(X, n_neighbors, metric="cosine", include_self=False, n_jobs=None)
    A = 0.5 * (A + A.T)
    deg = np.asarray(A.sum(axis=1)).ravel()
    d = sp.diags(1.0 / np.sqrt(np.maximum(deg, 1e-12)))
    M = (d @ A @ d).tocsr()
    vecs = None
    if n <= _DENSE_EIGEN_LIMIT or n_vectors >= n - 1:
        dense = M.toarray()
        if values_only:
            vals = eigh(dense, subset_by_index=[n - n_vectors, n - 1], eigvals_only=True)
        else:
            vals, vecs = eigh(dense, subset_by_index=[n - n_vectors, n - 1])
    else:
        v0 = rng.uniform(-1.0, 1.0, n)
        out = eigsh(M, k=n_vectors, which="LA", v0=v0, tol=1e-6, return_eigenvectors=not values_only)
        vals, vecs = (out, None) if values_only else out
    order = np.argsort(-vals, kind="stable")
    vals = vals[order]
    if values_only:
        return vals, None
    vecs = vecs[:, order]
    # eigenvector signs are arbitrary; fix them so runs are bit-for-bit repeatable
    signs = np.sign(vecs[np.abs(vecs).argmax(axis=0), np.arange(vecs.shape[1])])
    return vals, vecs * np.where(signs == 0, 1.0, signs)


def _diffuse(vals: np.ndarray, vectors: np.ndarray, k: int) -> np.ndarray:
    """Weight the first ``k`` eigenvectors by ``eigenvalue ** t``: a diffusion-map embedding.

    ``t`` is the diffusion time at which the ``k``-th eigenvector keeps half its weight
    (``lambda_k ** t = 1/2``), so directions that separate groups barely (small eigenvalues)
    count less than those that separate them clearly, whatever the count. BANKING77 test, MiniLM,
    77 themes, 4 seeds: NMI 0.830 against 0.827 unweighted; demo generator mixes 0.71-0.72 either way.
    """
    k = max(1, min(k, vectors.shape[1]))
    lam = np.clip(vals[: vectors.shape[1]], 0.0, 1.0)
    last = float(lam[k - 1])
    if not 0.0 < last < 1.0:
        return vectors
    t = math.log(0.5) / math.log(last)
    return vectors * lam**t


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
    # the nn most similar fitted texts of each row (of tied ones, any), read where they lie
    near = np.argpartition(sim, m - nn, axis=1)[:, m - nn:]
    w = np.maximum(np.take_along_axis(sim, near, axis=1), 1e-6).astype(np.float64)
    votes = np.bincount((np.arange(n)[:, None] * k + rows[near]).ravel(), weights=w.ravel(),
                        minlength=n * k).reshape(n, k)
    return votes.argmax(axis=1)


def _name_is_theirs(held: np.ndarray, sizes: np.ndarray, group: list[int], j: int) -> bool:
    """Phrase ``j`` is the group's own: most texts holding it are in the group, and it is at least
    twice as common in the group as in all texts (``held``: weighted texts per theme and phrase)."""
    share = held[group, j].sum() / max(held[:, j].sum(), 1e-12)
    return share >= _NAME_SHARE and share >= 2.0 * sizes[group].sum() / sizes.sum()


def _root(parent: list[int], r: int) -> int:
    """Union-find root of ``r``, halving the path on the way."""
    while parent[r] != r:
        parent[r] = parent[parent[r]]
        r = parent[r]
    return r


def _dedupe(items: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        key = item.lower()
        if item and key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _adding_words(terms: list[str]) -> list[str]:
    """The terms, best first, each adding a word the earlier ones lack: "price", "increase", then
    not "price increase"; "buyers ask", then not "ask" nor "buyers". A reader's eight key terms say
    eight things, not three things several ways."""
    held: set[str] = set()
    out = []
    for term in terms:
        words = set(term.lower().split(" "))
        if not words <= held:
            held |= words
            out.append(term)
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
