"""What the leader report reads: themed observations, change % per rep, forecasts, the latest run.

Reads in a handful of batched queries (no per-rep query) and returns plain rows; the report itself
is assembled in `webapp.insights.report` (the page, the API and `groundswell insights --json` all
call it, so they show the same numbers). Nothing here writes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from analysis.forecast import RepForecast, Step
from analysis.insights import NO_THEME, ThemedObservation, ThemeInfo, ThemeMembers
from webapp.extensions import db
from webapp.models.planning import DECIDED_STATUSES
from webapp.models import (
    Actual,
    AnalysisRun,
    Decision,
    Observation,
    ObservationTheme,
    ObservationThemeStat,
    Period,
    Person,
    PlanSubmission,
    Region,
    Territory,
    ThemeRecord,
    TopDownTarget,
)
from webapp.periods import is_quarter
from webapp.store import rollup as rollup_store
from webapp.store.errors import NotFound
from webapp.store.plans import change_fraction, previous_period

KIND = "observations"


@dataclass(frozen=True)
class RunInfo:
    id: int
    created_at: datetime
    n_texts: int
    parameters: dict


def region_names() -> list[str]:
    return list(db.session.scalars(select(Region.name).order_by(Region.name)))


def period_or_404(code: str) -> Period:
    period = rollup_store.period_by_code(code)
    if period is None:
        raise NotFound(f"No period {code!r}.")
    return period


def people_in_region(region: str | None) -> set[int] | None:
    if region is None:
        return None
    return set(db.session.scalars(
        select(Person.id).join(Territory, Person.territory_id == Territory.id)
        .join(Region, Territory.region_id == Region.id).where(Region.name == region)
    ))


def latest_run_info() -> RunInfo | None:
    from webapp.store.analysis import latest_run_id

    run = db.session.execute(
        select(AnalysisRun.id, AnalysisRun.created_at, AnalysisRun.n_texts, AnalysisRun.parameters)
        .where(AnalysisRun.id == latest_run_id(KIND))
    ).first()
    return RunInfo(*run) if run else None


def same_kind_periods(period: Period) -> list[str]:
    codes = db.session.scalars(select(Period.code).where(Period.starts_on <= period.starts_on)
                               .order_by(Period.starts_on))
    kind = is_quarter(period.code)
    return [c for c in codes if is_quarter(c) == kind]


def rep_changes(period: Period, person_ids: set[int] | None = None) -> dict[int, float]:
    """Change % of every plan of the period that has a baseline (PRODUCT.md), in three queries."""
    prev = previous_period(period)
    if prev is None:
        return {}
    proposed = db.session.execute(
        select(PlanSubmission.person_id, PlanSubmission.proposed)
        .where(PlanSubmission.period_id == period.id, PlanSubmission.status != "draft",
               PlanSubmission.proposed.is_not(None))
    ).all()
    approved = dict(db.session.execute(
        select(PlanSubmission.person_id, PlanSubmission.approved)
        .where(PlanSubmission.period_id == prev.id, PlanSubmission.approved.is_not(None))
    ).all())
    actual = dict(db.session.execute(
        select(Actual.person_id, Actual.amount).where(Actual.period_id == prev.id)
    ).all())
    changes = {}
    for person_id, amount in proposed:
        if person_ids is not None and person_id not in person_ids:
            continue
        baseline = approved.get(person_id, actual.get(person_id))
        change = change_fraction(amount, baseline)
        if change is not None:
            changes[person_id] = change
    return changes


def themed_observations(run_id: int, periods: list[str], person_ids: set[int] | None = None,
                        theme_key: int | None = None) -> list[ThemedObservation]:
    """Observations of the given periods (and optionally one theme) with the theme the run gave them."""
    stmt = (
        select(Observation.external_id, Observation.person_id, Period.code, ObservationTheme.theme_key,
               Observation.text, ObservationTheme.similarity, ObservationTheme.sentiment,
               Territory.name, Region.name)
        .join(Observation, ObservationTheme.observation_id == Observation.id)
        .join(Period, Observation.period_id == Period.id)
        .outerjoin(Territory, Observation.territory_id == Territory.id)
        .outerjoin(Region, Territory.region_id == Region.id)
        .where(ObservationTheme.run_id == run_id, Period.code.in_(periods))
    )
    if theme_key is not None:
        stmt = stmt.where(ObservationTheme.theme_key == theme_key)
    rows = db.session.execute(stmt).all()
    return [ThemedObservation(*row) for row in rows if person_ids is None or row[1] in person_ids]


def theme_stats(run_id: int, period: Period, periods: list[str], person_ids: set[int] | None = None):
    """The run's stored aggregates for the leader report: totals and counts per period, current themes.

    Reads `observation_theme_stat` (written by `groundswell analyze`). A run stored before that
    table existed has none: its aggregates are then computed in memory for this read, never
    written (no GET writes a row; the next `groundswell analyze` stores them).
    """
    from webapp.store.analysis import theme_stat_rows

    rows = db.session.execute(
        select(Period.code, ObservationThemeStat.theme_key, ObservationThemeStat.person_id,
               ObservationThemeStat.n)
        .join(Period, ObservationThemeStat.period_id == Period.id)
        .where(ObservationThemeStat.run_id == run_id, Period.code.in_(periods))
    ).all()
    stored = bool(rows) or db.session.scalar(
        select(ObservationThemeStat.id).where(ObservationThemeStat.run_id == run_id).limit(1)) is not None
    computed = None
    if not stored:
        computed = theme_stat_rows(run_id)
        code_of = dict(db.session.execute(select(Period.id, Period.code)).all())
        rows = [(code_of[r["period_id"]], r["theme_key"], r["person_id"], r["n"]) for r in computed
                if code_of[r["period_id"]] in periods]
    totals: dict[str, int] = defaultdict(int)
    counts: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for code, key, person, n in rows:
        if person_ids is not None and person not in person_ids:
            continue
        totals[code] += n
        if key != NO_THEME:
            counts[code][key] += n
    members: dict[int, list] = defaultdict(lambda: [[], set(), 0.0, 0])
    if computed is None:
        current_rows = db.session.execute(
            select(ObservationThemeStat.theme_key, ObservationThemeStat.person_id, ObservationThemeStat.members,
                   ObservationThemeStat.n_sentiment, ObservationThemeStat.sentiment_sum)
            .where(ObservationThemeStat.run_id == run_id, ObservationThemeStat.period_id == period.id,
                   ObservationThemeStat.theme_key != NO_THEME)
            .order_by(ObservationThemeStat.theme_key, ObservationThemeStat.person_id)
        ).all()
    else:
        current_rows = sorted(((r["theme_key"], r["person_id"], r["members"], r["n_sentiment"], r["sentiment_sum"])
                               for r in computed if r["period_id"] == period.id and r["theme_key"] != NO_THEME),
                              key=lambda r: (r[0], r[1] or 0))
    for key, person, ids, n_sentiment, total in current_rows:
        if person_ids is not None and person not in person_ids:
            continue
        m = members[key]
        m[0].extend(ids)
        m[1].add(person)
        m[2] += total
        m[3] += n_sentiment
    current = {key: ThemeMembers(key, tuple(ids), frozenset(reps), total, n)
               for key, (ids, reps, total, n) in members.items()}
    return totals, counts, current


def theme_sentiment_scores(run_id: int, period: Period, person_ids: set[int] | None = None,
                           theme_key: int | None = None) -> list[tuple[int, float]]:
    """(theme key, sentiment score) of each themed, scored observation of the period, in observation order.

    The order is fixed (by observation row) so the seeded bootstrap over these scores gives the same
    answer on every page that asks.
    """
    stmt = (
        select(ObservationTheme.theme_key, Observation.person_id, ObservationTheme.sentiment)
        .join(Observation, ObservationTheme.observation_id == Observation.id)
        .where(ObservationTheme.run_id == run_id, Observation.period_id == period.id,
               ObservationTheme.theme_key != NO_THEME, ObservationTheme.sentiment.is_not(None))
        .order_by(ObservationTheme.observation_id)
    )
    if theme_key is not None:
        stmt = stmt.where(ObservationTheme.theme_key == theme_key)
    return [(key, float(score)) for key, person, score in db.session.execute(stmt)
            if person_ids is None or person in person_ids]


def theme_mentions(run_id: int) -> dict[int, tuple[str, ...]]:
    """The entity names (competitors, products, places) each theme of the run mentions, by theme key."""
    rows = db.session.execute(
        select(ThemeRecord.theme_key, ThemeRecord.mentions).where(ThemeRecord.run_id == run_id)).all()
    return {key: tuple(mentions or ()) for key, mentions in rows}


def theme_infos(run_id: int) -> list[ThemeInfo]:
    rows = db.session.execute(
        select(ThemeRecord.theme_key, ThemeRecord.label, ThemeRecord.terms).where(ThemeRecord.run_id == run_id)
    ).all()
    return [ThemeInfo(k, label, tuple(terms or ())) for k, label, terms in rows]


def rep_baselines(period: Period, person_ids: set[int] | None = None) -> dict[int, float]:
    """Each submitter's baseline (last period's approved target, else its actual), as PRODUCT.md defines it."""
    prev = previous_period(period)
    if prev is None:
        return {}
    approved = dict(db.session.execute(
        select(PlanSubmission.person_id, PlanSubmission.approved)
        .where(PlanSubmission.period_id == prev.id, PlanSubmission.approved.is_not(None))).all())
    actual = dict(db.session.execute(
        select(Actual.person_id, Actual.amount).where(Actual.period_id == prev.id)).all())
    out = {}
    for pid in set(approved) | set(actual):
        if person_ids is not None and pid not in person_ids:
            continue
        value = approved.get(pid, actual.get(pid))
        if value is not None and value > 0:
            out[pid] = float(value)
    return out


def rep_groups(person_ids) -> dict[int, tuple[str | None, int | None]]:
    """(region, direct manager id) of each given person, for the joint model and per-manager figures."""
    ids = list(person_ids)
    if not ids:
        return {}
    return {pid: (region, manager) for pid, region, manager in db.session.execute(
        select(Person.id, Region.name, Person.manager_id)
        .outerjoin(Territory, Person.territory_id == Territory.id)
        .outerjoin(Region, Territory.region_id == Region.id).where(Person.id.in_(ids)))}


def person_names(person_ids) -> dict[int, str]:
    ids = [i for i in person_ids if i is not None]
    if not ids:
        return {}
    return dict(db.session.execute(select(Person.id, Person.name).where(Person.id.in_(ids))).all())


def periods_with_actuals(period: Period) -> list[Period]:
    """Periods of the same kind as `period`, up to it, that have actuals (oldest first)."""
    kind = is_quarter(period.code)
    rows = db.session.scalars(
        select(Period).where(Period.starts_on <= period.starts_on, Period.id.in_(select(Actual.period_id)))
        .order_by(Period.starts_on))
    return [p for p in rows if is_quarter(p.code) == kind]


def forecast_records(period: Period, person_ids: set[int] | None = None) -> list[RepForecast]:
    """One RepForecast per person with an actual in the period, with baseline and approval chain.

    The chain is the direct manager, and when someone above decided (a setting allows it) that
    person as the level above; the decider is read from the audit trail's last approve/adjust.
    """
    actual = dict(db.session.execute(
        select(Actual.person_id, Actual.amount).where(Actual.period_id == period.id)).all())
    if not actual:
        return []
    plans = {pid: (plan_id, prop, appr, status) for plan_id, pid, prop, appr, status in db.session.execute(
        select(PlanSubmission.id, PlanSubmission.person_id, PlanSubmission.proposed, PlanSubmission.approved,
               PlanSubmission.status)
        .where(PlanSubmission.period_id == period.id, PlanSubmission.status != "draft"))}
    deciders = {}
    for submission_id, actor_id in db.session.execute(
            select(Decision.submission_id, Decision.actor_id)
            .join(PlanSubmission, Decision.submission_id == PlanSubmission.id)
            .where(PlanSubmission.period_id == period.id, Decision.action.in_(("approve", "adjust")))
            .order_by(Decision.id)):
        deciders[submission_id] = actor_id
    top = dict(db.session.execute(
        select(TopDownTarget.person_id, TopDownTarget.amount).where(TopDownTarget.period_id == period.id)).all())
    people = rep_groups(actual)
    baselines = rep_baselines(period, person_ids)

    def num(value):
        return float(value) if value is not None else None

    records = []
    for pid in sorted(actual):
        if person_ids is not None and pid not in person_ids:
            continue
        plan_id, proposed, approved, status = plans.get(pid, (None, None, None, None))
        if status not in DECIDED_STATUSES:
            approved = None  # undecided: no approved amount, never 0
        region, manager = people.get(pid, (None, None))
        decider = deciders.get(plan_id)
        chain = ()
        if approved is not None and decider is not None and manager is not None and decider != manager:
            chain = (Step(manager, None), Step(decider, float(approved)))
        records.append(RepForecast(pid, num(actual[pid]), num(proposed), num(approved), num(top.get(pid)),
                                   region, manager, baselines.get(pid), chain))
    return records
