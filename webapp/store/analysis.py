"""Analysis results: the texts a run reads, replacing a kind's run atomically, theme versions and corrections."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import delete, func, select, update

from webapp.extensions import db
from webapp.models import (
    AnalysisRun,
    Campaign,
    Observation,
    ObservationTheme,
    ObservationThemeStat,
    Period,
    Person,
    ThemeRecord,
)
from webapp.models.analysis import ThemeCorrection, ThemeVersion

PROPOSAL_KIND = "retheme-proposal"  # a re-theme prepared and shown, not yet applied


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
    mentions: Sequence[str] = field(default=())


@dataclass(frozen=True)
class StoredAssignment:
    """The theme a run gave one observation, and the digest of the text it was given for."""

    theme_key: int
    similarity: float | None
    sentiment: float | None
    text_sha256: str | None


@dataclass(frozen=True)
class PeriodCampaigns:
    """A period, its first day and the statuses of its campaigns (what "closed" is decided from)."""

    code: str
    starts_on: date
    statuses: tuple[str, ...]


@dataclass(frozen=True)
class ThemeVersionInfo:
    """One version of the observation themes, as reports name it."""

    number: int
    created_at: datetime
    actor: str
    action: str
    summary: str


@dataclass(frozen=True)
class CorrectionRow:
    """One stored correction of the themes (see ``ThemeCorrection``)."""

    id: int
    version: int
    created_at: datetime
    actor: str
    action: str
    theme_key: int
    source_key: int | None
    label: str | None
    old_label: str | None
    observation_ids: tuple[int, ...]


@dataclass(frozen=True)
class ThemedText:
    """An observation in a theme, as the correction page lists it."""

    observation_id: int
    external_id: str
    period: str
    text: str
    similarity: float | None


def observation_texts() -> list[StoredText]:
    """Return every stored observation, oldest period first, in a stable order."""
    rows = db.session.execute(
        select(Observation.id, Observation.text, Period.code)
        .join(Period, Observation.period_id == Period.id)
        .order_by(Period.starts_on, Observation.id)
    ).all()
    return [StoredText(i, t or "", p) for i, t, p in rows]


def period_campaigns() -> list[PeriodCampaigns]:
    """Return every period, oldest first, with the statuses of its campaigns."""
    statuses: dict[int, list[str]] = {}
    for period_id, status in db.session.execute(select(Campaign.period_id, Campaign.status)):
        statuses.setdefault(period_id, []).append(status)
    return [PeriodCampaigns(code, starts_on, tuple(sorted(statuses.get(pid, ()))))
            for pid, code, starts_on in db.session.execute(
                select(Period.id, Period.code, Period.starts_on).order_by(Period.starts_on))]


def stored_assignments(run_id: int) -> dict[int, StoredAssignment]:
    """Return {observation id: StoredAssignment} as a run stored them."""
    return {o: StoredAssignment(k, s, m, d) for o, k, s, m, d in db.session.execute(
        select(ObservationTheme.observation_id, ObservationTheme.theme_key, ObservationTheme.similarity,
               ObservationTheme.sentiment, ObservationTheme.text_sha256).where(ObservationTheme.run_id == run_id))}


def run_themes(run_id: int) -> list[ThemeRow]:
    """Return a run's stored themes as ThemeRows, by theme key."""
    return [ThemeRow(r.theme_key, r.label, tuple(r.terms or ()), r.size, tuple(r.examples or ()), r.sentiment,
                     tuple(r.mentions or ()))
            for r in db.session.scalars(select(ThemeRecord).where(ThemeRecord.run_id == run_id)
                                        .order_by(ThemeRecord.theme_key))]


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
    assignments: Iterable[tuple],
    n_texts: int,
    commit: bool = True,
) -> AnalysisRun:
    """Store a run, its themes and `(observation_id, theme_key, similarity, sentiment[, text_sha256])` rows.

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
                    size=int(t.size), examples=list(t.examples), sentiment=t.sentiment,
                    mentions=list(getattr(t, "mentions", ()) or ()))
        for t in themes
    )
    rows = [
        {"observation_id": int(a[0]), "run_id": run.id, "theme_key": int(a[1]), "similarity": a[2],
         "sentiment": a[3], "text_sha256": a[4] if len(a) > 4 else None}
        for a in assignments
    ]
    for start in range(0, len(rows), 5000):
        db.session.execute(ObservationTheme.__table__.insert(), rows[start:start + 5000])
    store_theme_stats(run.id, commit=False)
    if commit:
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


# ------------------------------------------------------------------ versions and corrections


def _version_info(v: ThemeVersion) -> ThemeVersionInfo:
    return ThemeVersionInfo(v.id, v.created_at, v.actor, v.action, v.summary)


def current_theme_version() -> ThemeVersionInfo | None:
    """Return the version of the observation themes the current results are (None before the first run)."""
    v = db.session.scalar(select(ThemeVersion).order_by(ThemeVersion.id.desc()).limit(1))
    return None if v is None else _version_info(v)


def theme_versions() -> list[ThemeVersionInfo]:
    """Return every version of the observation themes, newest first."""
    return [_version_info(v) for v in db.session.scalars(select(ThemeVersion).order_by(ThemeVersion.id.desc()))]


def version_diff(number: int) -> dict | None:
    """Return the before/after diff a version recorded (re-themes), or None."""
    return db.session.scalar(select(ThemeVersion.diff).where(ThemeVersion.id == number))


def record_version(*, action: str, summary: str, actor: str, actor_id: int | None = None, diff: dict | None = None,
                   commit: bool = True) -> int:
    """Add a version of the observation themes; return its number."""
    version = ThemeVersion(action=action, summary=summary, actor=actor, actor_id=actor_id, diff=diff)
    db.session.add(version)
    db.session.flush()
    if commit:
        db.session.commit()
    return version.id


def theme_corrections() -> list[CorrectionRow]:
    """Return every correction, oldest first (the order later runs apply them in)."""
    return [CorrectionRow(c.id, c.version_id, c.created_at, c.actor, c.action, c.theme_key, c.source_key, c.label,
                          c.old_label, tuple(c.observation_ids or ()))
            for c in db.session.scalars(select(ThemeCorrection).order_by(ThemeCorrection.id))]


def moved_observations() -> dict[int, int]:
    """Observation id -> id of the latest correction that moved it (a person placed it in a theme)."""
    out: dict[int, int] = {}
    for c in db.session.execute(select(ThemeCorrection.id, ThemeCorrection.observation_ids)
                                .where(ThemeCorrection.action == "move").order_by(ThemeCorrection.id)):
        out.update(dict.fromkeys((int(i) for i in c.observation_ids or ()), c.id))
    return out


def actor_email(person_id: int | None) -> str | None:
    """Return a person's email (who made a correction), or None."""
    return None if person_id is None else db.session.scalar(select(Person.email).where(Person.id == person_id))


def next_theme_key(run_id: int) -> int:
    """Return a theme key no run or correction has used (for a theme a person creates)."""
    state = db.session.scalar(select(AnalysisRun.theme_state).where(AnalysisRun.id == run_id)) or {}
    used = [int(state.get("next_theme_id", 0) or 0)]
    used.append(1 + (db.session.scalar(select(func.max(ThemeRecord.theme_key))) or -1))
    used.append(1 + (db.session.scalar(select(func.max(ThemeCorrection.theme_key))) or -1))
    return max(used)


def _resize(run_id: int) -> None:
    """Set every theme's size of a run to its number of observations, after a correction moved some."""
    sizes = dict(db.session.execute(
        select(ObservationTheme.theme_key, func.count()).where(ObservationTheme.run_id == run_id)
        .group_by(ObservationTheme.theme_key)).all())
    for record in db.session.scalars(select(ThemeRecord).where(ThemeRecord.run_id == run_id)):
        record.size = int(sizes.get(record.theme_key, 0))


def _correct(run_id: int, *, action: str, summary: str, actor: str, actor_id: int | None, theme_key: int,
             source_key: int | None = None, label: str | None = None, old_label: str | None = None,
             observation_ids: Sequence[int] = ()) -> int:
    version = record_version(action=action, summary=summary, actor=actor, actor_id=actor_id, commit=False)
    db.session.add(ThemeCorrection(version_id=version, actor=actor, actor_id=actor_id, action=action,
                                   theme_key=theme_key, source_key=source_key, label=label, old_label=old_label,
                                   observation_ids=[int(i) for i in observation_ids]))
    _resize(run_id)
    store_theme_stats(run_id, commit=False)
    db.session.commit()
    return version


def rename_theme(run_id: int, theme_key: int, label: str, *, summary: str, actor: str,
                 actor_id: int | None = None) -> int:
    """Rename a theme of the current run and record the correction; return the new version."""
    record = db.session.scalar(select(ThemeRecord).where(ThemeRecord.run_id == run_id,
                                                         ThemeRecord.theme_key == theme_key))
    old = record.label
    record.label = label
    return _correct(run_id, action="rename", summary=summary, actor=actor, actor_id=actor_id, theme_key=theme_key,
                    label=label, old_label=old)


def merge_themes(run_id: int, into_key: int, source_key: int, *, summary: str, actor: str,
                 actor_id: int | None = None) -> int:
    """Move every observation of theme `source_key` into `into_key`, drop the source theme, record it."""
    old = db.session.scalar(select(ThemeRecord.label).where(ThemeRecord.run_id == run_id,
                                                            ThemeRecord.theme_key == source_key))
    db.session.execute(update(ObservationTheme).where(ObservationTheme.run_id == run_id,
                                                      ObservationTheme.theme_key == source_key)
                       .values(theme_key=into_key))
    db.session.execute(delete(ThemeRecord).where(ThemeRecord.run_id == run_id, ThemeRecord.theme_key == source_key))
    return _correct(run_id, action="merge", summary=summary, actor=actor, actor_id=actor_id, theme_key=into_key,
                    source_key=source_key, old_label=old)


def move_to_new_theme(run_id: int, observation_ids: Sequence[int], theme_key: int, label: str, *, summary: str,
                      actor: str, actor_id: int | None = None) -> int:
    """Put observations into a new theme `theme_key` called `label`, and record the correction."""
    ids = sorted({int(i) for i in observation_ids})
    texts = list(db.session.scalars(select(Observation.text).where(Observation.id.in_(ids))
                                    .order_by(Observation.id).limit(3)))
    db.session.execute(update(ObservationTheme).where(ObservationTheme.run_id == run_id,
                                                      ObservationTheme.observation_id.in_(ids))
                       .values(theme_key=theme_key))
    db.session.add(ThemeRecord(run_id=run_id, theme_key=theme_key, label=label, terms=[], size=len(ids),
                               examples=texts, sentiment=None, mentions=[]))
    return _correct(run_id, action="move", summary=summary, actor=actor, actor_id=actor_id, theme_key=theme_key,
                    label=label, observation_ids=ids)


def theme_texts(run_id: int, theme_key: int, *, limit: int = 500) -> list[ThemedText]:
    """Return the observations a run put in a theme, newest period first, nearest the theme first."""
    rows = db.session.execute(
        select(Observation.id, Observation.external_id, Period.code, Observation.text, ObservationTheme.similarity)
        .join(Observation, ObservationTheme.observation_id == Observation.id)
        .join(Period, Observation.period_id == Period.id)
        .where(ObservationTheme.run_id == run_id, ObservationTheme.theme_key == theme_key)
        .order_by(Period.starts_on.desc(), ObservationTheme.similarity.desc(), Observation.id).limit(limit)
    ).all()
    return [ThemedText(*r) for r in rows]


def theme_period_counts(run_id: int) -> dict[int, dict[str, int]]:
    """Return {theme key: {period code: observations}} of a run."""
    out: dict[int, dict[str, int]] = {}
    for key, code, n in db.session.execute(
            select(ObservationTheme.theme_key, Period.code, func.count())
            .join(Observation, ObservationTheme.observation_id == Observation.id)
            .join(Period, Observation.period_id == Period.id)
            .where(ObservationTheme.run_id == run_id).group_by(ObservationTheme.theme_key, Period.code)):
        out.setdefault(key, {})[code] = n
    return out


def observations_in_run(run_id: int, observation_ids: Sequence[int]) -> set[int]:
    """Return those of `observation_ids` the run has a theme for."""
    ids = [int(i) for i in observation_ids]
    return set(db.session.scalars(select(ObservationTheme.observation_id).where(
        ObservationTheme.run_id == run_id, ObservationTheme.observation_id.in_(ids))))


def promote_proposal(proposal_id: int, *, summary: str, actor: str, actor_id: int | None, diff: dict) -> int:
    """Make a prepared re-theme the current observations run and record its version, in one transaction."""
    old_ids = list(db.session.scalars(select(AnalysisRun.id).where(AnalysisRun.kind == "observations")))
    if old_ids:
        db.session.execute(delete(ObservationThemeStat).where(ObservationThemeStat.run_id.in_(old_ids)))
        db.session.execute(delete(ObservationTheme).where(ObservationTheme.run_id.in_(old_ids)))
        db.session.execute(delete(ThemeRecord).where(ThemeRecord.run_id.in_(old_ids)))
        db.session.execute(delete(AnalysisRun).where(AnalysisRun.id.in_(old_ids)))
    db.session.execute(update(AnalysisRun).where(AnalysisRun.id == proposal_id).values(kind="observations"))
    version = record_version(action="retheme", summary=summary, actor=actor, actor_id=actor_id, diff=diff,
                             commit=False)
    db.session.commit()
    return version


def discard_proposals() -> None:
    """Delete prepared re-themes that were not applied."""
    ids = list(db.session.scalars(select(AnalysisRun.id).where(AnalysisRun.kind == PROPOSAL_KIND)))
    if ids:
        db.session.execute(delete(ObservationThemeStat).where(ObservationThemeStat.run_id.in_(ids)))
        db.session.execute(delete(ObservationTheme).where(ObservationTheme.run_id.in_(ids)))
        db.session.execute(delete(ThemeRecord).where(ThemeRecord.run_id.in_(ids)))
        db.session.execute(delete(AnalysisRun).where(AnalysisRun.id.in_(ids)))
        db.session.commit()


def run_by_id(run_id: int) -> AnalysisRun | None:
    """Return a stored run by id, or None."""
    return db.session.get(AnalysisRun, run_id)


def set_run_parameters(run_id: int, parameters: dict) -> None:
    """Replace a run's parameters (e.g. a prepared re-theme's diff, known only once it is stored)."""
    db.session.execute(update(AnalysisRun).where(AnalysisRun.id == run_id).values(parameters=dict(parameters)))
    db.session.commit()
