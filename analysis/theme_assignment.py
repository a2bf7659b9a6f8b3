"""Assign texts to the themes of a stored state without refitting: nearest centroid, and who is a candidate.

A routine analysis run must not move anything a closed period shows, so it does not refit: it
gives each new text the theme whose centroid (``analysis.theme_state.ThemeState``) is nearest
(:func:`assign_to_centroids`), and tells a group of new texts that is none of the existing themes
(:func:`is_new_theme`, the rule a refit uses to tell that a theme persists). Plain arrays in and out.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["MATCH_FLOOR", "assign_to_centroids", "centroids_of", "is_new_theme"]

#: The least centroid similarity at which a group of texts can be an existing theme (as in a refit).
MATCH_FLOOR = 0.5


def assign_to_centroids(embeddings: np.ndarray, centroids: np.ndarray,
                        theme_ids: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Return the nearest theme id of each embedding and its cosine similarity to that centroid.

    Parameters
    ----------
    embeddings : ndarray, shape (n, d)
        Unit-length text vectors.
    centroids : ndarray, shape (k, d)
        Unit-length theme centroids, ``centroids[i]`` of theme ``theme_ids[i]``.
    theme_ids : sequence of int

    Returns
    -------
    ids : ndarray of int, shape (n,)
    similarity : ndarray of float, shape (n,)
    """
    X = np.asarray(embeddings, dtype=np.float32)
    ids = np.asarray(theme_ids, dtype=np.int64)
    if len(X) == 0 or len(ids) == 0:
        return np.full(len(X), -1, dtype=np.int64), np.zeros(len(X), dtype=np.float64)
    sims = X @ np.asarray(centroids, dtype=np.float32).T
    best = sims.argmax(axis=1)
    return ids[best], sims[np.arange(len(X)), best].astype(np.float64)


def is_new_theme(centroid: np.ndarray, centroids: np.ndarray, floor: float = MATCH_FLOOR) -> bool:
    """Tell whether a group of new texts (its unit-length centroid) is none of the existing themes.

    The rule a refit uses to tell that a theme persists (``ThemeModel`` with ``match_threshold=None``):
    a group is existing theme *j* when its centroid is closer to *j*'s than *j*'s nearest other theme
    is, and at least ``floor`` close. A group that is no existing theme is new.
    """
    C = np.asarray(centroids, dtype=np.float32)
    if len(C) == 0:
        return True
    sims = C @ np.asarray(centroid, dtype=np.float32)
    j = int(sims.argmax())
    others = C @ C[j]
    others[j] = -np.inf
    limit = max(float(others.max()) if len(C) > 1 else floor, floor)
    return float(sims[j]) < limit


def centroids_of(embeddings: np.ndarray, theme_ids: Sequence[int], wanted: Sequence[int]) -> np.ndarray:
    """Return the unit-length mean embedding of each theme in ``wanted`` (zeros for one without texts)."""
    X = np.asarray(embeddings, dtype=np.float32)
    ids = np.asarray(theme_ids, dtype=np.int64)
    rows = np.zeros((len(wanted), X.shape[1] if X.ndim == 2 else 0), dtype=np.float32)
    for i, key in enumerate(wanted):
        members = ids == key
        if members.any():
            rows[i] = X[members].sum(axis=0)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.where(norms > 0, norms, 1.0)
