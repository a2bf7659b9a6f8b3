"""People correct the observation themes: rename one, merge two, move observations into a new theme.

Each correction changes the current results at once (the reports show it), makes a new theme
version (who, when, what) and is stored, so every later run and re-theme applies it again
(``webapp.analysis_runs.service``): a renamed theme keeps its name, a merged theme's texts go to the
theme it was merged into, moved observations stay where they were put. The checks live here; the
rows are written by ``webapp.store.analysis``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["MAX_LABEL", "CorrectionRefused", "ThemeHistory", "merge_themes", "move_to_new_theme", "rename_theme",
           "theme_history"]

MAX_LABEL = 80  # a name a person reads at a glance


class CorrectionRefused(ValueError):
    """A correction that cannot be made as asked; the message says why and nothing was written."""


@dataclass(frozen=True)
class ThemeHistory:
    """The versions of the observation themes and the corrections people made, newest first."""

    versions: tuple
    corrections: tuple


def _current_run():
    from webapp.store import analysis as store

    run = store.latest_run("observations")
    if run is None:
        raise CorrectionRefused("There are no themes yet: run the analysis first.")
    return run


def _labels(run) -> dict[int, str]:
    return {t.theme_key: t.label for t in run.themes}


def _clean_label(label: str, labels: dict[int, str], *, except_key: int | None = None) -> str:
    label = " ".join((label or "").split())
    if not label:
        raise CorrectionRefused("A theme's name cannot be empty.")
    if len(label) > MAX_LABEL:
        raise CorrectionRefused(f"A theme's name has at most {MAX_LABEL} characters.")
    taken = {v.lower(): k for k, v in labels.items() if k != except_key}
    if label.lower() in taken:
        raise CorrectionRefused(f"Another theme is already called {label!r}: merge them instead.")
    return label


def _theme(labels: dict[int, str], key: int) -> str:
    if key not in labels:
        raise CorrectionRefused(f"There is no theme {key}.")
    return labels[key]


def rename_theme(theme_key: int, label: str, *, actor: str, actor_id: int | None = None) -> int:
    """Rename a theme; return the new theme version."""
    from webapp.store import analysis as store

    run = _current_run()
    labels = _labels(run)
    old = _theme(labels, theme_key)
    label = _clean_label(label, labels, except_key=theme_key)
    if label == old:
        raise CorrectionRefused("That is already the theme's name.")
    return store.rename_theme(run.id, theme_key, label, actor=actor, actor_id=actor_id,
                              summary=f"Renamed {old!r} to {label!r}.")


def merge_themes(into_key: int, source_key: int, *, actor: str, actor_id: int | None = None) -> int:
    """Merge theme `source_key` into `into_key` (which keeps its name); return the new theme version."""
    from webapp.store import analysis as store

    run = _current_run()
    labels = _labels(run)
    into, source = _theme(labels, into_key), _theme(labels, source_key)
    if into_key == source_key:
        raise CorrectionRefused("A theme cannot be merged into itself.")
    return store.merge_themes(run.id, into_key, source_key, actor=actor, actor_id=actor_id,
                              summary=f"Merged {source!r} into {into!r}.")


def move_to_new_theme(observation_ids: Sequence[int], label: str, *, actor: str,
                      actor_id: int | None = None) -> tuple[int, int]:
    """Move observations into a new theme called `label`; return (its theme key, the new theme version)."""
    from webapp.store import analysis as store

    run = _current_run()
    labels = _labels(run)
    ids = sorted({int(i) for i in observation_ids})
    if not ids:
        raise CorrectionRefused("Choose at least one observation to move.")
    label = _clean_label(label, labels)
    themed = store.observations_in_run(run.id, ids)
    if set(ids) - themed:
        raise CorrectionRefused("Some of those observations have no theme in the current results.")
    key = store.next_theme_key(run.id)
    n = len(ids)
    version = store.move_to_new_theme(run.id, ids, key, label, actor=actor, actor_id=actor_id,
                                      summary=f"Moved {n} observation{'s' if n != 1 else ''} into a new theme "
                                              f"{label!r}.")
    return key, version


def theme_history() -> ThemeHistory:
    """Return every theme version and correction, newest first (who, when, what)."""
    from webapp.store import analysis as store

    return ThemeHistory(tuple(store.theme_versions()), tuple(reversed(store.theme_corrections())))
