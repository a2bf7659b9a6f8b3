"""The HR dashboard's read model: one campaign, one breakdown, as one role may see it.

Assembled from `webapp.engagement.results` (suppressed results) and `webapp.store` queries; the
page, the CSV export, the JSON API and `groundswell engagement --json` all call `dashboard`, so they
show the same numbers, suppressed the same way. Nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from analysis.engagement import (
    HR_ATTRIBUTES,
    MANAGER_TREE,
    OVERALL,
    CampaignResults,
    CampaignSummary,
    TrendPoint,
    trend,
)
from analysis.sentiment import ThemeSentiment
from webapp.engagement import results
from webapp.engagement.comments import CommentView, comment_view
from webapp.engagement.results import ROLE_SCOPES
from webapp.store import actions as actions_store
from webapp.store import engagement as store
from webapp.store.engagement import CampaignRef, DriverInfo
from webapp.store.errors import NotFound

BY_CHOICES = HR_ATTRIBUTES + (MANAGER_TREE,)


BY_TITLES = {"department": "Department", "region": "Region", "tenure_band": "Tenure band",
             "manager": "Manager's direct team", "manager_tree": "Manager's whole team"}


@dataclass(frozen=True)
class CommentTheme:
    """A theme of engagement comments within one campaign (whole scope only)."""

    theme_key: int
    label: str
    terms: tuple[str, ...]
    count: int
    share: float
    sentiment: ThemeSentiment | None  # by the leader report's rule (`webapp.engagement.comments.theme_sentiments`)


@dataclass(frozen=True)
class HeatmapRow:
    group: str  # the group's name in the suppression call, e.g. "department=Key Accounts"
    label: str  # what the page shows, e.g. "Key Accounts"


@dataclass(frozen=True)
class Dashboard:
    """Everything the HR dashboard shows for one campaign and one breakdown."""

    role: str
    k: int
    campaigns: tuple[CampaignRef, ...]
    campaign: CampaignRef
    by: str | None  # None for roles that see the organisation only
    by_choices: tuple[str, ...]
    drivers: tuple[DriverInfo, ...]
    results: CampaignResults
    rows: tuple[HeatmapRow, ...]  # the breakdown shown in the heatmap and participation tables
    trend: tuple[tuple[CampaignRef, TrendPoint], ...]  # whole organisation, closed campaigns, oldest first
    comment_themes: tuple[CommentTheme, ...] | None
    actions: tuple = field(default=())
    comments: CommentView | None = None  # the whole scope's comments under their themes, searched
    with_numbers: tuple[str, ...] = ()  # the breakdowns with at least one group's numbers shown


def _rows(groups: list[str], by: str | None) -> tuple[HeatmapRow, ...]:
    if by is None:
        return ()
    names = store.manager_names() if by in ("manager", "manager_tree") else {}
    prefix = f"{by}="
    out = [HeatmapRow(g, names.get(g[len(prefix):], g[len(prefix):])) for g in groups if g.startswith(prefix)]
    return tuple(sorted(out, key=lambda r: r.label))


def comment_themes(view: CommentView | None) -> tuple[CommentTheme, ...] | None:
    """Comment themes of a campaign: only where its comments are shown (whole scope, >= k commenters),
    and only the themes with a heading of their own (at least k people; `webapp.engagement.comments`)."""
    if view is None or not view.themed:
        return None
    return tuple(CommentTheme(g.theme_key, g.label, g.terms, g.count, g.count / view.total if view.total else 0.0,
                              g.sentiment) for g in view.themes)


def chosen_campaign(campaign_ref: str | int | None) -> tuple[list[CampaignRef], CampaignRef]:
    """Every campaign, and the one a page asked for (default: the latest closed one, else the latest)."""
    campaigns = store.list_campaigns()
    if not campaigns:
        raise NotFound("No engagement campaigns yet.")
    if campaign_ref in (None, ""):
        closed = [c for c in campaigns if c.closed]
        return campaigns, (closed or campaigns)[-1]
    return campaigns, store.find_campaign(campaign_ref, campaigns)


def _with_numbers(choices: tuple[str, ...], res: CampaignResults, names: list[str]) -> tuple[str, ...]:
    """The breakdowns of ``choices`` with at least one group whose numbers are shown.

    A page opened without a breakdown opens on the first of them: on an organisation whose
    departments cut across the manager teams, every department can be hidden to protect the
    first-line managers, and a page of hidden rows reads as a bug.
    """
    out = []
    for by in choices:
        prefix = f"{by}="
        for name in names:
            if name.startswith(prefix):
                shown = res.groups.get(name) if res.closed else res.participation.get(name)
                if shown is not None and not shown.suppressed:
                    out.append(by)
                    break
    return tuple(out)


def dashboard(campaign_ref: str | int | None, role: str, k: int, by: str | None = None,
              query: str | None = None, *, open_on_numbers: bool = False) -> Dashboard:
    """Gather the HR dashboard for one campaign (default: the latest closed one) and one breakdown.

    ``query`` searches the comments' text (whole scope only; the breakdown never narrows them).
    Without ``by``, the first breakdown is chosen, or with ``open_on_numbers`` (the page) the first
    one that shows some group's numbers.
    """
    if role not in ROLE_SCOPES:
        raise NotFound("No engagement dashboard for this role.")
    campaigns, campaign = chosen_campaign(campaign_ref)
    attributes, trees = ROLE_SCOPES[role]
    choices = tuple(b for b in BY_CHOICES if b in attributes or (b == "manager_tree" and trees))
    if not choices:
        by = None
    elif by not in (None, "") and by not in choices:
        raise NotFound(f"Cannot group by {by!r}; choose one of {', '.join(choices)}.")
    drivers, _, _ = store.drivers(campaign)
    closed = [c for c in campaigns if c.closed]
    many = results.results_many(closed + ([] if campaign.closed else [campaign]), role, k)
    res = many[campaign.id]
    names = list(res.groups) if campaign.closed else list(res.participation)
    with_numbers = _with_numbers(choices, res, names)
    if choices and by in (None, ""):
        by = with_numbers[0] if open_on_numbers and with_numbers else choices[0]
    points = []
    summaries = []
    for c in closed:
        r = many[c.id]
        summaries.append(CampaignSummary(str(c.id), r.groups[OVERALL], r.participation.get(OVERALL)))
    for c, point in zip(closed, trend(summaries)):
        points.append((c, point))
    comments = comment_view(campaign, res.comments, k, query or "") if campaign.closed else None
    return Dashboard(
        role=role, k=k, campaigns=tuple(campaigns), campaign=campaign, by=by, by_choices=choices,
        drivers=drivers, results=res, rows=_rows(names, by), trend=tuple(points),
        comment_themes=comment_themes(comments),
        actions=tuple(actions_store.driver_actions()), comments=comments, with_numbers=with_numbers,
    )

