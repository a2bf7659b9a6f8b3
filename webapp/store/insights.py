"""What the leader report reads: themed observations, change % per rep, forecasts, roll-up.

Reads in a handful of batched queries (no per-rep query) and hands plain rows to
`analysis.insights` and `analysis.forecast`; the page and `groundswell insights --json` both call
`leader_report`, so they show the same numbers.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from analysis.forecast import AccuracyReport, RepForecast, accuracy
from analysis.insights import (
    NO_THEME,
    PeriodInsights,
    ThemeDetail,
    ThemedObservation,
    ThemeInfo,
    ThemeMembers,
    build_period_insights_from_counts,
    build_theme_detail,
)
from analysis.linkage import link_themes
from webapp.extensions import db
from webapp.models import (
    Actual,
    AnalysisRun,
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
LINK_SEED = 0  # bootstrap seed shared by the page and the JSON command


@dataclass(frozen=True)
class RunInfo:
    id: int
    created_at: datetime
    n_texts: int
    parameters: dict


@dataclass(frozen=True)
class LeaderReport:
    """Everything the leader report shows for one period (and optionally one region)."""

    period: str
    region: str | None
    regions: tuple[str, ...]
    run: RunInfo | None  # None until `groundswell analyze` has run
    insights: PeriodInsights | None
    rollup: tuple[rollup_store.RollupRow, ...]
    rollup_total: rollup_store.RollupRow
    accuracy: AccuracyReport | None  # None when the period has no actuals


def region_names() -> list[str]:
    return list(db.session.scalars(select(Region.name).order_by(Region.name)))


def _period(code: str) -> Period:
    period = rollup_store.period_by_code(code)
    if period is None:
        raise NotFound(f"No period {code!r}.")
    return period


def _people_in_region(region: str | None) -> set[int] | None:
    if region is None:
        return None
    return set(db.session.scalars(
        select(Person.id).join(Territory, Person.territory_id == Territory.id)
        .join(Region, Territory.region_id == Region.id).where(Region.name == region)
    ))


def _run_info() -> RunInfo | None:
    run = db.session.execute(
        select(AnalysisRun.id, AnalysisRun.created_at, AnalysisRun.n_texts, AnalysisRun.parameters)
        .where(AnalysisRun.kind == KIND).order_by(AnalysisRun.id.desc()).limit(1)
    ).first()
    return RunInfo(*run) if run else None


def _same_kind_periods(period: Period) -> list[str]:
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

    Reads `observation_theme_stat` (written by `groundswell analyze`); computes it once if the run
    has none yet (a run stored before the table existed).
    """
    from webapp.store.analysis import store_theme_stats

    def read():
        return db.session.execute(
            select(Period.code, ObservationThemeStat.theme_key, ObservationThemeStat.person_id,
                   ObservationThemeStat.n)
            .join(Period, ObservationThemeStat.period_id == Period.id)
            .where(ObservationThemeStat.run_id == run_id, Period.code.in_(periods))
        ).all()

    rows = read()
    if not rows and db.session.scalar(select(ObservationThemeStat.id)
                                      .where(ObservationThemeStat.run_id == run_id).limit(1)) is None:
        if store_theme_stats(run_id):
            rows = read()
    totals: dict[str, int] = defaultdict(int)
    counts: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for code, key, person, n in rows:
        if person_ids is not None and person not in person_ids:
            continue
        totals[code] += n
        if key != NO_THEME:
            counts[code][key] += n
    members: dict[int, list] = defaultdict(lambda: [[], set(), 0.0, 0])
    for key, person, ids, n_sentiment, total in db.session.execute(
        select(ObservationThemeStat.theme_key, ObservationThemeStat.person_id, ObservationThemeStat.members,
               ObservationThemeStat.n_sentiment, ObservationThemeStat.sentiment_sum)
        .where(ObservationThemeStat.run_id == run_id, ObservationThemeStat.period_id == period.id,
               ObservationThemeStat.theme_key != NO_THEME)
        .order_by(ObservationThemeStat.theme_key, ObservationThemeStat.person_id)
    ):
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


def theme_infos(run_id: int) -> list[ThemeInfo]:
    rows = db.session.execute(
        select(ThemeRecord.theme_key, ThemeRecord.label, ThemeRecord.terms).where(ThemeRecord.run_id == run_id)
    ).all()
    return [ThemeInfo(k, label, tuple(terms or ())) for k, label, terms in rows]


def forecast_records(period: Period, person_ids: set[int] | None = None) -> list[RepForecast]:
    """One RepForecast per person with an actual in the period."""
    actual = dict(db.session.execute(
        select(Actual.person_id, Actual.amount).where(Actual.period_id == period.id)).all())
    if not actual:
        return []
    plans = {pid: (prop, appr) for pid, prop, appr in db.session.execute(
        select(PlanSubmission.person_id, PlanSubmission.proposed, PlanSubmission.approved)
        .where(PlanSubmission.period_id == period.id, PlanSubmission.status != "draft"))}
    top = dict(db.session.execute(
        select(TopDownTarget.person_id, TopDownTarget.amount).where(TopDownTarget.period_id == period.id)).all())
    people = {pid: (region, manager) for pid, region, manager in db.session.execute(
        select(Person.id, Region.name, Person.manager_id)
        .outerjoin(Territory, Person.territory_id == Territory.id)
        .outerjoin(Region, Territory.region_id == Region.id).where(Person.id.in_(list(actual))))}

    def num(value):
        return float(value) if value is not None else None

    records = []
    for pid in sorted(actual):
        if person_ids is not None and pid not in person_ids:
            continue
        proposed, approved = plans.get(pid, (None, None))
        region, manager = people.get(pid, (None, None))
        records.append(RepForecast(pid, num(actual[pid]), num(proposed), num(approved), num(top.get(pid)),
                                   region, manager))
    return records


_LINKS: OrderedDict = OrderedDict()
_LINKS_LOCK = threading.Lock()
_LINKS_MAX = 64


def _memo_link_themes(changes, memberships, *, random_state):
    """`analysis.linkage.link_themes`, remembered per exact input (the bootstrap is the report's costliest
    step, and its inputs change only when plans or the analysis change). Same inputs, same order, same
    seed: the same result, so the page, the JSON and the API still agree."""
    key = (random_state, tuple(changes.items()),
           tuple((tid, tuple(sorted(reps, key=repr))) for tid, reps in memberships.items()))
    with _LINKS_LOCK:
        hit = _LINKS.get(key)
        if hit is not None:
            _LINKS.move_to_end(key)
            return hit
    links = link_themes(changes, memberships, random_state=random_state)
    with _LINKS_LOCK:
        _LINKS[key] = links
        while len(_LINKS) > _LINKS_MAX:
            _LINKS.popitem(last=False)
    return links


def _insights(period: Period, person_ids: set[int] | None, run: RunInfo | None):
    changes = rep_changes(period, person_ids)
    if run is None:
        return None, changes
    periods = _same_kind_periods(period)
    totals, counts, current = theme_stats(run.id, period, periods, person_ids)
    insights = build_period_insights_from_counts(period.code, periods, totals, counts, current,
                                                 theme_infos(run.id), changes, random_state=LINK_SEED,
                                                 link=_memo_link_themes)
    return insights, changes


def leader_report(period_code: str, region: str | None = None) -> LeaderReport:
    """Gather the leader report of a period, for the whole organisation or one region."""
    period = _period(period_code)
    regions = tuple(region_names())
    if region is not None and region not in regions:
        raise NotFound(f"No region {region!r}.")
    person_ids = _people_in_region(region)
    run = _run_info()
    insights, _ = _insights(period, person_ids, run)
    rows = rollup_store.rollup(period, "region", person_ids)
    records = forecast_records(period, person_ids)
    return LeaderReport(
        period=period.code, region=region, regions=regions, run=run, insights=insights,
        rollup=tuple(rows), rollup_total=rollup_store.total(rows),
        accuracy=accuracy(records) if records else None,
    )


def theme_detail(period_code: str, theme_key: int, region: str | None = None) -> ThemeDetail:
    """Gather one theme's drill-down for a period; NotFound when it has no observation there."""
    period = _period(period_code)
    person_ids = _people_in_region(region) if region else None
    run = _run_info()
    insights, changes = _insights(period, person_ids, run)
    detail = None
    if insights is not None:
        observations = themed_observations(run.id, [period.code], person_ids, theme_key)
        detail = build_theme_detail(insights, theme_key, observations, changes)
    if detail is None:
        raise NotFound(f"No theme {theme_key} in {period.code}.")
    return detail
