"""The leader report's read model: themes beside the numbers for a period, and one theme's drill-down.

Assembled from `webapp.store` queries (plain rows) and `analysis` (pure computation); the page, the
CSV exports, the offline report, the JSON API and `groundswell insights --json` all call
`leader_report`, so they show the same numbers. Whether a theme's sentiment is sure enough to show
is decided once, here, by `analysis.sentiment.theme_sentiment_summary` over the stored per-observation
scores. Nothing here writes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from analysis.forecast import (
    AccuracyReport,
    LayerFVAReport,
    accuracy,
    describe_fva,
    layer_fva,
    layer_name,
)
from analysis.headline import RollupFact, headline
from analysis.insights import (
    PeriodInsights,
    ThemeDetail,
    build_period_insights_from_counts,
    build_theme_detail,
    theme_facts,
)
from analysis.linkage import link_themes
from analysis.sentiment import (
    RULE_EXPLANATION,
    SCALE_EXPLANATION,
    ThemeSentiment,
    sentiment_band,
    theme_sentiment_summary,
)
from webapp.store import insights as store
from webapp.store import rollup as rollup_store
from webapp.store.analysis import ThemeVersionInfo, current_theme_version
from webapp.store.errors import NotFound
from webapp.store.insights import RunInfo

if TYPE_CHECKING:
    from webapp.models import Period

__all__ = ["LINK_SEED", "SCALE_EXPLANATION", "SENTIMENT_RULE", "LeaderReport", "Quote", "ThemePage",
           "leader_report", "theme_detail", "theme_quotes"]

LINK_SEED = 0  # bootstrap seed shared by the page, the API and the JSON command
SENTIMENT_RULE = RULE_EXPLANATION  # the rule of `analysis.sentiment.summarise_sentiment`, in words


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
    headline: tuple[dict, ...] = ()  # at most five {"text", "evidence"} (analysis.headline)
    fva: LayerFVAReport | None = None  # value added per approval layer and manager (None: no actuals)
    fva_pooled: LayerFVAReport | None = None  # the same over every period with actuals up to this one
    fva_sentence: str | None = None
    manager_names: dict = field(default_factory=dict)  # manager id -> name, for the per-manager table
    theme_version: ThemeVersionInfo | None = None  # which version of the themes these numbers use
    sentiment: dict = field(default_factory=dict)  # theme id -> analysis.sentiment.ThemeSentiment
    mentions: dict = field(default_factory=dict)  # theme id -> entity names the theme mentions

    def theme_sentiment(self, theme_id: int) -> ThemeSentiment | None:
        """The sentiment summary of a theme (None when none of its texts has a score)."""
        return self.sentiment.get(theme_id)

    def anchor(self, evidence: str) -> str:
        """The page anchor of a headline sentence's evidence key ("theme:12" -> "theme-12")."""
        return evidence.replace(":", "-")

    def fva_rows(self) -> list[tuple[str, object]]:
        """(name, FVA) of each approval layer, then each manager, as the page, CSV and chart show them."""
        if self.fva is None:
            return []
        rows = [(layer_name(f.level).capitalize(), f) for f in self.fva.layers]
        for (level, manager), f in sorted(self.fva.by_manager.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
            rows.append((f"{self.manager_names.get(manager, manager)} ({layer_name(level)})", f))
        return rows


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


def period_insights(period: Period, person_ids: set[int] | None, run: RunInfo | None):
    """The period's themes with their links (one at a time and jointly), and every rep's change %."""
    changes = store.rep_changes(period, person_ids)
    if run is None:
        return None, changes
    periods = store.same_kind_periods(period)
    totals, counts, current = store.theme_stats(run.id, period, periods, person_ids)
    groups = store.rep_groups(changes)
    baselines = store.rep_baselines(period, set(changes))
    insights = build_period_insights_from_counts(
        period.code, periods, totals, counts, current, store.theme_infos(run.id), changes,
        random_state=LINK_SEED, link=_memo_link_themes,
        regions={pid: g[0] for pid, g in groups.items()},
        baselines={pid: b for pid, b in baselines.items() if pid in changes},
        managers={pid: g[1] for pid, g in groups.items()})
    return insights, changes


def theme_sentiments(run: RunInfo | None, period: Period, person_ids: set[int] | None,
                     theme_key: int | None = None) -> dict[int, ThemeSentiment]:
    """Each theme's sentiment and whether it is sure enough to show, from the stored per-observation scores.

    With `theme_key`, that theme only; its scores come in the same order as in the whole period's
    query, so the seeded bootstrap gives the theme page the same answer as the report.
    """
    if run is None:
        return {}
    pairs = store.theme_sentiment_scores(run.id, period, person_ids, theme_key)
    return theme_sentiment_summary([k for k, _ in pairs], [score for _, score in pairs], seed=LINK_SEED)


def rollup_fact(total: rollup_store.RollupRow) -> RollupFact:
    """The roll-up total as the headline reads it: one base, coverage, undecided plans."""
    return RollupFact(proposed=float(total.proposed), top_down=float(total.top_down) if total.submitted else None,
                      approved=None if total.approved is None else float(total.approved),
                      n_submitted=total.submitted, n_invited=total.base, n_undecided=total.undecided)


def leader_report(period_code: str, region: str | None = None) -> LeaderReport:
    """Gather the leader report of a period, for the whole organisation or one region."""
    period = store.period_or_404(period_code)
    regions = tuple(store.region_names())
    if region is not None and region not in regions:
        raise NotFound(f"No region {region!r}.")
    person_ids = store.people_in_region(region)
    run = store.latest_run_info()
    insights, _ = period_insights(period, person_ids, run)
    rows = rollup_store.rollup(period, "region", person_ids)
    total = rollup_store.total(rows)
    records = store.forecast_records(period, person_ids)
    acc = accuracy(records) if records else None
    fva = layer_fva(records, period=period.code, random_state=LINK_SEED) if records else None
    pooled = None
    if records:
        earlier = [p for p in store.periods_with_actuals(period) if p.id != period.id]
        if earlier:
            every = [r for p in earlier for r in store.forecast_records(p, person_ids)] + records
            pooled = layer_fva(every, period="all", random_state=LINK_SEED)
    sentence = describe_fva(fva.total, period=period.code, who="Managers'") if fva is not None else None
    managers = {m for (_level, m) in (fva.by_manager if fva else {})}
    lines = headline(period.code, theme_facts(insights) if insights is not None else (), rollup_fact(total),
                     {n: e.wape for n, e in acc.overall.items()} if acc else None,
                     fva.total if fva is not None else None)
    return LeaderReport(
        period=period.code, region=region, regions=regions, run=run, insights=insights,
        rollup=tuple(rows), rollup_total=total, accuracy=acc, headline=tuple(lines), fva=fva,
        fva_pooled=pooled, fva_sentence=sentence, manager_names=store.person_names(managers),
        theme_version=current_theme_version(),
        sentiment=theme_sentiments(run, period, person_ids) if insights is not None else {},
        mentions=store.theme_mentions(run.id) if run is not None else {},
    )


@dataclass(frozen=True)
class Quote:
    """A quote of a theme with its own sentiment score (None when the text has none)."""

    text: str
    sentiment: float | None

    @property
    def band(self) -> str | None:
        """"positive", "neutral" or "negative" (`analysis.sentiment.sentiment_band`), None without a score."""
        return None if self.sentiment is None else sentiment_band(self.sentiment)


@dataclass(frozen=True)
class ThemePage:
    """One theme's drill-down: the analysis detail, its sentiment summary, mentions and scored quotes."""

    detail: ThemeDetail
    sentiment: ThemeSentiment | None
    mentions: tuple[str, ...]
    quotes: tuple[Quote, ...]


def theme_detail(period_code: str, theme_key: int, region: str | None = None) -> ThemePage:
    """Gather one theme's drill-down for a period; NotFound when it has no observation there."""
    period = store.period_or_404(period_code)
    person_ids = store.people_in_region(region) if region else None
    run = store.latest_run_info()
    insights, changes = period_insights(period, person_ids, run)
    detail = None
    if insights is not None:
        observations = store.themed_observations(run.id, [period.code], person_ids, theme_key)
        detail = build_theme_detail(insights, theme_key, observations, changes)
    if detail is None:
        raise NotFound(f"No theme {theme_key} in {period.code}.")
    scores = {}
    for o in observations:  # build_theme_detail's quotes are stripped texts, one per distinct text
        if o.period == period.code and o.text.strip() not in scores:
            scores[o.text.strip()] = o.sentiment
    return ThemePage(
        detail=detail,
        sentiment=theme_sentiments(run, period, person_ids, theme_key).get(theme_key),
        mentions=store.theme_mentions(run.id).get(theme_key, ()),
        quotes=tuple(Quote(q, scores.get(q)) for q in detail.quotes),
    )


def theme_quotes(report: LeaderReport, n: int = 3) -> dict[int, tuple[str, ...]]:
    """The `n` most typical quotes of each theme of the report (one query), for the offline report."""
    if report.insights is None or report.run is None:
        return {}
    person_ids = store.people_in_region(report.region)
    observations = store.themed_observations(report.run.id, [report.period], person_ids)
    out = {}
    for t in report.insights.themes:
        detail = build_theme_detail(report.insights, t.theme_id, observations, {}, n_quotes=n)
        out[t.theme_id] = detail.quotes if detail is not None else ()
    return out
