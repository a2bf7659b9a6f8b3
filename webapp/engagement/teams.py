"""One manager team's engagement for HR: the team's rows of the results the dashboard already shows.

Nothing is computed for the team on its own. The team view reads the very suppressed results the
dashboard reads (`webapp.engagement.results.results_many`, for the same role and k: the stored
results of closed campaigns, suppressed in one call over every group and breakdown the role can see,
checked against everything published), and picks the team's group out of them. So a team shows
exactly what the dashboard's "Manager's direct team" or "Manager's whole team" breakdown shows for
it, hidden where it is hidden, with the same reason; no fresh aggregate over the team exists that
could be differenced against the published ones. The teams are the groups of the reporting chain
frozen when each campaign opened; comments are never shown per team (`webapp.engagement.comments`).
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.engagement import (
    CampaignSummary,
    GroupSummary,
    Participation,
    TrendPoint,
    trend,
)
from webapp.engagement import results
from webapp.engagement.dashboard import chosen_campaign
from webapp.engagement.results import ROLE_SCOPES
from webapp.store import engagement as store
from webapp.store.engagement import CampaignRef, DriverInfo
from webapp.store.errors import NotFound

#: The group prefixes that are manager teams, and how a team of each kind is named.
TEAM_KINDS = {"manager": "direct team", "manager_tree": "whole team"}


@dataclass(frozen=True)
class TeamChoice:
    group: str  # the group's name in the suppression call, e.g. "manager_tree=m@example.test"
    label: str  # e.g. "Morgan Lee · whole team"


@dataclass(frozen=True)
class TeamView:
    """One manager team in one campaign, and the same team across closed campaigns."""

    k: int
    campaigns: tuple[CampaignRef, ...]
    campaign: CampaignRef
    teams: tuple[TeamChoice, ...]  # every manager team of the campaign (shown or hidden)
    team: TeamChoice | None  # None until HR picks one
    drivers: tuple[DriverInfo, ...]
    summary: GroupSummary | None  # the team's results (None while the campaign is open)
    participation: Participation | None
    trend: tuple[tuple[CampaignRef, TrendPoint], ...]  # closed campaigns the team was part of, oldest first


def _teams(groups, names: dict[str, str]) -> tuple[TeamChoice, ...]:
    out = []
    for group in groups:
        kind, _, manager = group.partition("=")
        if kind in TEAM_KINDS and manager:
            out.append(TeamChoice(group, f"{names.get(manager, manager)} · {TEAM_KINDS[kind]}"))
    return tuple(sorted(out, key=lambda t: (t.label.casefold(), t.group)))


def team_view(campaign_ref: str | int | None, role: str, k: int, team: str | None = None) -> TeamView:
    """Gather one manager team's results (default campaign: the latest closed one) from the published results."""
    attributes, trees = ROLE_SCOPES.get(role, ((), False))
    if "manager" not in attributes and not trees:
        raise NotFound("No manager teams for this role.")
    campaigns, campaign = chosen_campaign(campaign_ref)
    closed = [c for c in campaigns if c.closed]
    many = results.results_many(closed + ([] if campaign.closed else [campaign]), role, k)
    res = many[campaign.id]
    teams = _teams(res.participation, store.manager_names())
    chosen = None
    if team not in (None, ""):
        chosen = next((t for t in teams if t.group == team), None)
        if chosen is None:
            raise NotFound(f"No manager team {team!r} in this campaign.")
    summary = participation = None
    points: tuple = ()
    if chosen is not None:
        summary = res.groups.get(chosen.group) if campaign.closed else None
        participation = res.participation.get(chosen.group)
        had = [c for c in closed if chosen.group in many[c.id].groups]
        series = trend([CampaignSummary(str(c.id), many[c.id].groups[chosen.group],
                                        many[c.id].participation.get(chosen.group)) for c in had])
        points = tuple(zip(had, series))
    drivers, _, _ = store.drivers(campaign)
    return TeamView(k=k, campaigns=tuple(campaigns), campaign=campaign, teams=teams, team=chosen, drivers=drivers,
                    summary=summary, participation=participation, trend=points)
