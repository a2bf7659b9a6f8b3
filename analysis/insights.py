"""Per-period theme insights from plain rows: size, share, trend, sentiment and the target link.

Pure: takes themed observations and change fractions as plain dataclasses and dicts (the webapp's
store reads them from the database) and returns frozen dataclasses that the leader report, its
drill-down page and ``groundswell insights --json`` all render, so they show the same numbers.

Trends come from :func:`analysis.trends.theme_trends`: the theme's share of the period's
observations against its pooled share over all earlier periods of the same kind (two-proportion
z-test or Fisher's exact test; emerging / fading when p < 0.05 and the share moved by at least
2 points, otherwise stable).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

from analysis.headline import ThemeFact
from analysis.linkage import (
    LINK_LEGEND,
    JointModel,
    JointThemeResult,
    ThemeLinkResult,
    describe_joint,
    describe_link,
    joint_link_themes,
    link_themes,
)
from analysis.trends import theme_trends_from_counts

__all__ = [
    "PeriodInsights",
    "ThemeDetail",
    "ThemeInfo",
    "ThemeInsight",
    "ThemeMembers",
    "ThemedObservation",
    "build_period_insights",
    "build_period_insights_from_counts",
    "build_theme_detail",
    "theme_facts",
]

NO_THEME = -1


@dataclass(frozen=True)
class ThemedObservation:
    """One stored observation with the theme an analysis run gave it."""

    observation_id: str  # the caller's external id
    rep_id: Hashable
    period: str
    theme_id: int
    text: str
    similarity: float | None = None
    sentiment: float | None = None
    territory: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class ThemeInfo:
    """A theme's stable id, label and key terms."""

    theme_id: int
    label: str
    terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class ThemeInsight:
    """One theme in one period (the ``themes`` items of the insights JSON)."""

    theme_id: int
    label: str
    terms: tuple[str, ...]
    size: int
    share: float
    sentiment: float | None
    trend: str
    shares: tuple[tuple[str, float], ...]  # (period, share) from the oldest period to this one
    members: tuple[str, ...]  # observation ids
    n_reps: int
    link: ThemeLinkResult
    sentence: str
    joint: JointThemeResult | None = None  # the theme in the joint model (None: not fitted)
    joint_sentence: str | None = None


@dataclass(frozen=True)
class PeriodInsights:
    """The themes of one period, largest first.

    ``legend`` is the line the page shows beside the intervals (:data:`analysis.linkage.LINK_LEGEND`);
    ``joint`` the joint model of the period's themes, when the caller gave regions or baselines.
    """

    period: str
    n_observations: int
    n_reps_with_change: int
    themes: tuple[ThemeInsight, ...]
    joint: JointModel | None = None
    legend: str = LINK_LEGEND

    def theme(self, theme_id: int) -> ThemeInsight | None:
        """Return the theme with this id, or None if it has no observation in the period."""
        return next((t for t in self.themes if t.theme_id == theme_id), None)


@dataclass(frozen=True)
class ThemeDetail:
    """What the drill-down page shows for one theme in one period."""

    theme: ThemeInsight
    quotes: tuple[str, ...]  # most typical first
    territories: tuple[tuple[str, int], ...]  # (territory, observations), most first
    n_reps: int
    changes: tuple[float, ...]  # change % of reps reporting the theme who have a baseline, ascending


def build_period_insights(
    period: str,
    periods: Sequence[str],
    observations: Sequence[ThemedObservation],
    themes: Sequence[ThemeInfo],
    changes: Mapping[Hashable, float],
    *,
    random_state: int = 0,
) -> PeriodInsights:
    """Build the theme insights of one period.

    Parameters
    ----------
    period : str
        The period reported on.
    periods : sequence of str
        Period codes in chronological order, including ``period``; the ones before it give the
        trend (periods without observations are skipped).
    observations : sequence of ThemedObservation
        Themed observations of any periods (others than ``periods`` are ignored); ``theme_id`` -1
        (no theme) counts in the period's total but in no theme.
    themes : sequence of ThemeInfo
        Labels and terms by theme id.
    changes : mapping of rep id to float
        Change % (fraction) of each rep of ``period`` who has a baseline.
    random_state : int, default 0
        Seed of the bootstrap intervals, so the page and the JSON agree.

    Returns
    -------
    PeriodInsights
        Themes with at least one observation in ``period``, largest first (ties by id).
    """
    if period not in periods:
        raise ValueError(f"period {period!r} is not among the periods given")
    history = list(periods[: list(periods).index(period) + 1])
    totals: Counter = Counter()
    counts: dict[str, Counter] = defaultdict(Counter)
    for o in observations:
        if o.period in history:
            totals[o.period] += 1
            if o.theme_id != NO_THEME:
                counts[o.period][o.theme_id] += 1
    current: dict[int, ThemeMembers] = {}
    grouped: dict[int, list[ThemedObservation]] = defaultdict(list)
    for o in observations:
        if o.period == period and o.theme_id != NO_THEME:
            grouped[o.theme_id].append(o)
    for tid, obs in grouped.items():
        sentiments = [o.sentiment for o in obs if o.sentiment is not None]
        current[tid] = ThemeMembers(tid, tuple(o.observation_id for o in obs), frozenset(o.rep_id for o in obs),
                                    sum(sentiments), len(sentiments))
    return build_period_insights_from_counts(period, periods, totals, counts, current, themes, changes,
                                             random_state=random_state)


@dataclass(frozen=True)
class ThemeMembers:
    """One theme's observations in the reported period, aggregated: ids, reps and sentiment sum."""

    theme_id: int
    members: tuple[str, ...]  # observation ids, any order
    reps: frozenset
    sentiment_sum: float
    n_sentiment: int


def build_period_insights_from_counts(
    period: str,
    periods: Sequence[str],
    totals: Mapping[str, int],
    counts: Mapping[str, Mapping[int, int]],
    current: Mapping[int, ThemeMembers],
    themes: Sequence[ThemeInfo],
    changes: Mapping[Hashable, float],
    *,
    random_state: int = 0,
    link=link_themes,
    regions: Mapping[Hashable, Hashable | None] | None = None,
    baselines: Mapping[Hashable, float] | None = None,
    managers: Mapping[Hashable, Hashable | None] | None = None,
) -> PeriodInsights:
    """:func:`build_period_insights` from aggregates (what the webapp stores per run, period and theme).

    ``totals`` counts every observation (themed or not) per period, ``counts`` the observations per
    period and theme, and ``current`` holds the themes of ``period`` itself with their members.
    ``link`` computes the theme-target links (default :func:`analysis.linkage.link_themes`; a caller
    may pass a memoised equivalent with the same signature). With any of ``regions``, ``baselines``
    (rep id -> baseline amount) or ``managers`` (rep id -> direct manager, for clustered errors) the
    joint model (:func:`analysis.linkage.joint_link_themes`) is fitted too.
    """
    if period not in periods:
        raise ValueError(f"period {period!r} is not among the periods given")
    history = list(periods[: list(periods).index(period) + 1])
    totals = Counter({p: int(totals.get(p, 0)) for p in history})
    counts = {p: Counter(counts.get(p, {})) for p in history}
    history = [p for p in history if totals[p] or p == period]
    n_obs = totals[period]
    present = [p for p in history if totals[p]]
    trends = {}
    if present:
        last = present[-1]
        c_before: Counter = Counter()
        for p in present[:-1]:
            c_before.update(counts[p])
        trends = theme_trends_from_counts(counts[last], totals[last], c_before,
                                          sum(totals[p] for p in present[:-1]))

    info = {t.theme_id: t for t in themes}
    memberships = {tid: set(m.reps) for tid, m in current.items() if m.members}
    links = link(dict(changes), memberships, random_state=random_state)
    joint = None
    if regions is not None or baselines is not None or managers is not None:
        joint = joint_link_themes(dict(changes), memberships, regions=regions, baselines=baselines,
                                  managers=managers, one_at_a_time=links)

    result = []
    for tid, m in current.items():
        if not m.members:
            continue
        t = info.get(tid, ThemeInfo(tid, f"theme {tid}"))
        shares = tuple((p, counts[p][tid] / totals[p] if totals[p] else 0.0) for p in history)
        result.append(ThemeInsight(
            theme_id=tid,
            label=t.label,
            terms=tuple(t.terms),
            size=len(m.members),
            share=len(m.members) / n_obs if n_obs else 0.0,
            sentiment=m.sentiment_sum / m.n_sentiment if m.n_sentiment else None,
            trend=trends[tid].trend,
            shares=shares,
            members=tuple(sorted(m.members)),
            n_reps=len(memberships[tid]),
            link=links[tid],
            sentence=describe_link(t.label, links[tid]),
            joint=None if joint is None else joint.themes.get(tid),
            joint_sentence=None if joint is None else describe_joint(t.label, joint.themes.get(tid)),
        ))
    result.sort(key=lambda ti: (-ti.size, ti.theme_id))
    return PeriodInsights(period, n_obs, len(changes), tuple(result), joint)


def theme_facts(insights: PeriodInsights) -> list[ThemeFact]:
    """The period's themes as :class:`analysis.headline.ThemeFact` for :func:`analysis.headline.headline`.

    ``previous_share`` is the mean of the theme's shares in the earlier periods that had observations.
    """
    facts = []
    for t in insights.themes:
        earlier = [share for _p, share in t.shares[:-1]]
        facts.append(ThemeFact(t.theme_id, t.label, t.trend, t.share,
                               sum(earlier) / len(earlier) if earlier else None, t.link.link, t.joint))
    return facts


def build_theme_detail(
    insights: PeriodInsights,
    theme_id: int,
    observations: Sequence[ThemedObservation],
    changes: Mapping[Hashable, float],
    *,
    n_quotes: int = 10,
) -> ThemeDetail | None:
    """Gather the quotes, territories and rep changes of one theme in the period of ``insights``.

    Returns None when the theme has no observation in that period.
    """
    theme = insights.theme(theme_id)
    if theme is None:
        return None
    obs = [o for o in observations if o.period == insights.period and o.theme_id == theme_id]
    ranked = sorted(obs, key=lambda o: (-(o.similarity if o.similarity is not None else -2.0), o.observation_id))
    quotes: list[str] = []
    for o in ranked:
        text = o.text.strip()
        if text and text not in quotes:
            quotes.append(text)
        if len(quotes) >= n_quotes:
            break
    territories = Counter(o.territory or "(none)" for o in obs)
    reps = {o.rep_id for o in obs}
    rep_changes = sorted(float(changes[r]) for r in reps if r in changes)
    return ThemeDetail(
        theme=theme,
        quotes=tuple(quotes),
        territories=tuple(sorted(territories.items(), key=lambda kv: (-kv[1], kv[0]))),
        n_reps=len(reps),
        changes=tuple(rep_changes),
    )
