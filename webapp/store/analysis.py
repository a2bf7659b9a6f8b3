"""Analysis results: the texts a run reads, and replacing a kind's run with a new one atomically."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, select

from webapp.extensions import db
from webapp.models import AnalysisRun, Observation, ObservationTheme, ObservationThemeStat, Period, ThemeRecord


@dataclass(frozen=True)
class StoredText:
    """One stored observation as the theme engine reads it."""

    id: int
    text: str
    period: str


@dataclass(frozen=True)
class ThemeRow:
    """A theme to store: the engine's id, label, key terms, size, quotes and mean sentiment."""

    theme_key: int
    label: str
    terms: Sequence[str]
    size: int
    examples: Sequence[str]
    sentiment: float | None


def observation_texts() -> list[StoredText]:
    """Return every stored observation, oldest period first, in a stable order."""
    rows = db.session.execute(
        select(Observation.id, Observation.text, Period.code)
        .join(Period, Observation.period_id == Period.id)
        .order_by(Period.starts_on, Observation.id)
    ).all()
    return [StoredText(i, t or "", p) for i, t, p in rows]


def run_assignments(run_id: int) -> dict[int, int]:
    """Return {observation id: theme key} as a run stored them."""
    return dict(db.session.execute(
        select(ObservationTheme.observation_id, ObservationTheme.theme_key).where(ObservationTheme.run_id == run_id)
    ).all())


def _latest(kind: str):
    """The one definition of "the current run of a kind": its latest by id."""
    return select(AnalysisRun.id).where(AnalysisRun.kind == kind).order_by(AnalysisRun.id.desc()).limit(1)


def latest_run_id(kind: str) -> int | None:
    """Return the id of the current (latest) run of a kind, or None."""
    return db.session.scalar(_latest(kind))


def latest_run(kind: str) -> AnalysisRun | None:
    """Return the current (latest) run of a kind, or None."""
    return db.session.scalar(select(AnalysisRun).where(AnalysisRun.id == _latest(kind).scalar_subquery()))


def replace_run(
    *,
    kind: str,
    scope: str,
    parameters: dict,
    theme_state: dict | None = None,
    themes: Iterable[ThemeRow],
    assignments: Iterable[tuple[int, int, float | None, float | None]],
    n_texts: int,
) -> AnalysisRun:
    """Store a run, its themes and `(observation_id, theme_key, similarity, sentiment)` rows.

    `theme_state` is the fitted model's JSON-ready state (`ThemeModel.to_state()`), which the next
    run reads to keep theme ids.

    Earlier runs of the same kind and their rows are deleted in the same transaction, so
    re-running an analysis replaces its results instead of piling them up.
    """
    old_ids = list(db.session.scalars(select(AnalysisRun.id).where(AnalysisRun.kind == kind)))
    if old_ids:
        db.session.execute(delete(ObservationTheme).where(ObservationTheme.run_id.in_(old_ids)))
        db.session.execute(delete(ThemeRecord).where(ThemeRecord.run_id.in_(old_ids)))
        db.session.execute(delete(AnalysisRun).where(AnalysisRun.id.in_(old_ids)))
    run = AnalysisRun(kind=kind, scope=scope, parameters=dict(parameters), theme_state=theme_state,
                      n_texts=n_texts)
    db.session.add(run)
    db.session.flush()
    db.session.add_all(
        ThemeRecord(run_id=run.id, theme_key=int(t.theme_key), label=t.label, terms=list(t.terms),
                    size=int(t.size), examples=list(t.examples), sentiment=t.sentiment)
        for t in themes
    )
    rows = [
        {"observation_id": int(o), "run_id": run.id, "theme_key": int(k), "similarity": s, "sentiment": m}
        for o, k, s, m in assignments
    ]
    if rows:
        db.session.execute(ObservationTheme.__table__.insert(), rows)
    store_theme_stats(run.id, commit=False)
    db.session.commit()
    return run


def theme_stat_rows(run_id: int) -> list[dict]:
    """Aggregate a run's themed observations per (period, theme, person), without writing.

    Each row holds the observation count, the sentiment sum over the observations that have one, and
    the observation ids (external ids), so the leader report reads a few thousand rows instead of
    every observation.
    """
    result = db.session.execute(
        select(Observation.period_id, ObservationTheme.theme_key, Observation.person_id, Observation.external_id,
               ObservationTheme.sentiment)
        .join(Observation, ObservationTheme.observation_id == Observation.id)
        .where(ObservationTheme.run_id == run_id).order_by(ObservationTheme.observation_id)
        .execution_options(yield_per=20000)
    )
    agg: dict[tuple, list] = {}
    for period_id, theme_key, person_id, external_id, sentiment in result:
        row = agg.get((period_id, theme_key, person_id))
        if row is None:
            row = agg[(period_id, theme_key, person_id)] = [0, 0, 0.0, []]
        row[0] += 1
        if sentiment is not None:
            row[1] += 1
            row[2] += sentiment
        row[3].append(external_id)
    rows = [{"run_id": run_id, "period_id": p, "theme_key": int(k), "person_id": person, "n": n,
             "n_sentiment": ns, "sentiment_sum": total, "members": sorted(members)}
            for (p, k, person), (n, ns, total, members) in sorted(agg.items(), key=lambda kv: (kv[0][0], kv[0][1],
                                                                                               kv[0][2] or 0))]
    return rows


def store_theme_stats(run_id: int, *, commit: bool = True) -> int:
    """Store `theme_stat_rows` in `observation_theme_stat`, replacing the run's earlier aggregates.

    Returns the number of rows written.
    """
    rows = theme_stat_rows(run_id)
    db.session.execute(delete(ObservationThemeStat).where(ObservationThemeStat.run_id == run_id))
    for i in range(0, len(rows), 2000):
        db.session.execute(ObservationThemeStat.__table__.insert(), rows[i:i + 2000])
    if commit:
        db.session.commit()
    return len(rows)


def run_counts(kind: str) -> dict[str, int]:
    """Count stored runs, themes and assignments of a kind (for checks and summaries)."""
    run_ids = select(AnalysisRun.id).where(AnalysisRun.kind == kind)
    return {
        "runs": db.session.scalar(select(func.count()).select_from(AnalysisRun).where(AnalysisRun.kind == kind)),
        "themes": db.session.scalar(select(func.count()).select_from(ThemeRecord)
                                    .where(ThemeRecord.run_id.in_(run_ids))),
        "assignments": db.session.scalar(select(func.count()).select_from(ObservationTheme)
                                         .where(ObservationTheme.run_id.in_(run_ids))),
    }
