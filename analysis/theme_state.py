"""The part of a fitted theme model that a refit needs to keep theme ids, as versioned JSON-ready data.

``ThemeModel.fit(texts, previous=...)`` matches new themes to old ones by centroid similarity and
gives a matched theme its old id and label; an unmatched theme gets an id from ``next_theme_id``.
That is all it reads from the earlier model, so that is all a :class:`ThemeState` holds: ids,
labels, unit-length centroids and the next free id. Unlike a pickled model it is plain data
(numbers and strings), safe to store in a database and to read back from one.

Centroids are written as the exact ``float32`` values widened to JSON numbers, so a state read back
matches themes exactly as the model it came from would.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["STATE_FORMAT", "STATE_VERSION", "InvalidThemeStateError", "ThemeState"]

STATE_FORMAT = "groundswell.theme-state"
STATE_VERSION = 1


class InvalidThemeStateError(ValueError):
    """Raised by :meth:`ThemeState.from_state` for a state of an unknown version or a malformed one."""


@dataclass(frozen=True, eq=False)
class ThemeState:
    """Theme ids, labels and centroids of a fitted model, and the smallest id it never used.

    Pass it as ``ThemeModel.fit(texts, previous=state)``; build it with :meth:`from_model` or
    :meth:`from_state`.

    Attributes
    ----------
    theme_ids : tuple of int
        The model's ``theme_ids_``; ``theme_ids[i]`` belongs to row ``i`` of ``centroids``.
    labels : tuple of str
        The label of each theme, in the same order.
    centroids : ndarray of float32, shape (n_themes, n_features), read-only
    next_theme_id : int
    """

    theme_ids: tuple[int, ...]
    labels: tuple[str, ...]
    centroids: np.ndarray
    next_theme_id: int

    @property
    def n_themes(self) -> int:
        return len(self.theme_ids)

    @classmethod
    def from_model(cls, model) -> ThemeState:
        """Return the state of a fitted ``ThemeModel``."""
        labels = {t.theme_id: t.label for t in model.themes_}
        ids = tuple(int(i) for i in model.theme_ids_)
        return cls(theme_ids=ids, labels=tuple(labels[i] for i in ids),
                   centroids=np.asarray(model.centroids_, dtype=np.float32),
                   next_theme_id=int(model.next_theme_id_))

    def in_new_space(self, embeddings: np.ndarray, theme_ids) -> ThemeState | None:
        """Return this state with its centroids recomputed in another representation.

        A refit can only match centroids of the same representation. When the embedder changes
        (the contextual model installed or removed, or the setting changed), the centroids of the old
        themes are rebuilt from the texts the old run put in them: ``embeddings[i]`` is a text in
        the new representation and ``theme_ids[i]`` the id the old run gave it (``-1``: none).
        Themes left without a text are dropped (their ids stay used: ``next_theme_id`` is kept).
        Returns None when no text belongs to any of the old themes.
        """
        X = np.asarray(embeddings, dtype=np.float32)
        ids = np.asarray(theme_ids, dtype=np.int64)
        keep = [(tid, label) for tid, label in zip(self.theme_ids, self.labels) if np.any(ids == tid)]
        if not keep:
            return None
        rows = [X[ids == tid].sum(axis=0) for tid, _ in keep]
        centroids = np.asarray(rows, dtype=np.float32)
        norms = np.linalg.norm(centroids, axis=1, keepdims=True)
        centroids = centroids / np.where(norms > 0, norms, 1.0)
        centroids.flags.writeable = False
        return ThemeState(theme_ids=tuple(t for t, _ in keep), labels=tuple(lbl for _, lbl in keep),
                          centroids=centroids, next_theme_id=self.next_theme_id)

    def to_state(self) -> dict[str, Any]:
        """Return the state as a JSON-ready dict, tagged with its format and version."""
        return {
            "format": STATE_FORMAT,
            "version": STATE_VERSION,
            "theme_ids": list(self.theme_ids),
            "labels": list(self.labels),
            # float32 -> Python float is exact, and JSON keeps every digit of a float
            "centroids": self.centroids.astype(np.float64).tolist(),
            "next_theme_id": self.next_theme_id,
        }

    @classmethod
    def from_state(cls, state: Any) -> ThemeState:
        """Read a dict made by :meth:`to_state` (e.g. after a JSON round trip).

        Raises
        ------
        InvalidThemeStateError
            ``state`` is not a theme state, has a version other than :data:`STATE_VERSION`, or a
            field is missing or malformed. The message says which.
        """
        if not isinstance(state, dict):
            raise InvalidThemeStateError(f"a theme state is a JSON object, not {type(state).__name__}")
        if state.get("format") != STATE_FORMAT:
            raise InvalidThemeStateError(f"not a theme state: format is {state.get('format')!r}, "
                                         f"expected {STATE_FORMAT!r}")
        version = state.get("version")
        if version != STATE_VERSION or not _is_int(version):
            raise InvalidThemeStateError(f"unknown theme state version {version!r}; "
                                         f"this version of Groundswell reads version {STATE_VERSION}")
        ids = _field(state, "theme_ids", list)
        labels = _field(state, "labels", list)
        rows = _field(state, "centroids", list)
        next_id = _field(state, "next_theme_id", int)
        if not ids:
            raise InvalidThemeStateError("theme state has no themes")
        if not all(_is_int(i) and i >= 0 for i in ids) or len(set(ids)) != len(ids):
            raise InvalidThemeStateError("theme state 'theme_ids' must be distinct non-negative integers")
        if len(labels) != len(ids) or not all(isinstance(s, str) for s in labels):
            raise InvalidThemeStateError(f"theme state 'labels' must be {len(ids)} strings, one per theme")
        if (len(rows) != len(ids) or not all(isinstance(r, list) and r for r in rows)
                or len({len(r) for r in rows}) != 1):
            raise InvalidThemeStateError(f"theme state 'centroids' must be {len(ids)} rows of equal, "
                                         "non-zero length, one per theme")
        if not all(_is_number(x) for r in rows for x in r):
            raise InvalidThemeStateError("theme state 'centroids' must hold finite numbers only")
        if next_id <= max(ids):
            raise InvalidThemeStateError("theme state 'next_theme_id' must be an integer above every theme id")
        centroids = np.array(rows, dtype=np.float32)
        centroids.flags.writeable = False
        return cls(theme_ids=tuple(ids), labels=tuple(labels), centroids=centroids, next_theme_id=next_id)


_KINDS = {list: "a list", int: "an integer"}


def _field(state: dict, name: str, kind: type):
    if name not in state:
        raise InvalidThemeStateError(f"theme state has no {name!r}")
    value = state[name]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise InvalidThemeStateError(f"theme state {name!r} must be {_KINDS[kind]}, not {type(value).__name__}")
    return value


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
