"""The manager's review queue as a read model: each plan with the context a decision needs.

Context per plan: rationale preview, confidence, change %, the rep's recent periods (target, actual,
attainment), the themes of the rep's observations, and an outlier flag against the rep's team.

Outlier rule (stated on the page): within the plans of the same period under the same direct manager,
the robust z-score of change %, z = 0.6745 (x - median) / MAD (Iglewicz and Hoaglin), flags a plan
when |z| > 2.5 (Leys et al. 2013); a team with fewer than 5 plans with a change % is compared with every plan of the
period instead. A group whose changes are all equal (MAD 0) flags nobody. Nothing here writes.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass

from webapp.store import insights as insights_store, plans as store

__all__ = ["OUTLIER_RULE", "OUTLIER_Z", "QueueItem", "review_queue", "robust_z"]

OUTLIER_Z = 2.5  # Leys et al. (2013): "moderately conservative" cut-off for MAD-based z
OUTLIER_MIN_TEAM = 5
OUTLIER_RULE = (f"Outlier: the change % is far from the rest of the same manager's team this period "
                f"(robust z-score |z| > {OUTLIER_Z:g}, from the median and the median absolute deviation; "
                f"a team with fewer than {OUTLIER_MIN_TEAM} plans so far is compared with every plan of the period).")
PREVIEW = 160


def robust_z(value: float, team: list[float]) -> float | None:
    """0.6745 (value - median) / MAD of `team`; None for teams too small or without spread."""
    if len(team) < OUTLIER_MIN_TEAM:
        return None
    median = statistics.median(team)
    mad = statistics.median(abs(x - median) for x in team)
    if mad == 0:
        return None
    return 0.6745 * (value - median) / mad


@dataclass(frozen=True)
class QueueItem:
    plan: object  # the PlanSubmission row, read only
    baseline: store.Baseline
    change: float | None
    rationale_preview: str
    recent: tuple[store.PastResult, ...]
    themes: tuple[str, ...]
    z: float | None
    decides_as: str | None  # "direct manager", "above" or None (the user only sees it)

    @property
    def outlier(self) -> bool:
        return self.z is not None and abs(self.z) > OUTLIER_Z

    @property
    def decidable(self) -> bool:
        return self.plan.status == "submitted" and self.decides_as is not None


def _preview(text: str | None) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= PREVIEW else text[:PREVIEW - 1].rstrip() + "…"


def review_queue(user, person_ids: set[int], decides_as) -> list[QueueItem]:
    """The plans of `person_ids` for `user` (waiting first), each with its decision context.

    `decides_as(user, plan)` is the chain rule (`webapp.access.decides_as`).
    """
    rows = store.queue_for(user, person_ids)
    if not rows:
        return []
    by_period: dict[int, list] = {}
    for plan in rows:
        by_period.setdefault(plan.period_id, []).append(plan)
    teams: dict[tuple[int, int], Mapping[int, float]] = {}
    everyone: dict[int, list[float]] = {}
    recent: dict[int, dict] = {}
    for plans in by_period.values():
        period = plans[0].period
        managers = {p.person.manager_id for p in plans if p.person.manager_id is not None}
        for manager_id, changes in store.team_changes(period, managers).items():
            teams[(period.id, manager_id)] = changes
        everyone[period.id] = list(insights_store.rep_changes(period).values())
        recent[period.id] = store.recent_results({p.person_id for p in plans}, period)
    themes = store.plan_themes([p.id for p in rows])
    items = []
    for plan in rows:
        baseline = store.baseline_for(plan.person_id, plan.period)
        change = store.change_fraction(plan.proposed, baseline.amount)
        team = list(teams.get((plan.period_id, plan.person.manager_id), {}).values())
        if len(team) < OUTLIER_MIN_TEAM:
            team = everyone.get(plan.period_id, [])
        z = robust_z(change, team) if change is not None else None
        items.append(QueueItem(plan, baseline, change, _preview(plan.rationale),
                               tuple(recent.get(plan.period_id, {}).get(plan.person_id, ())),
                               tuple(themes.get(plan.id, ())[:3]), z, decides_as(user, plan)))
    return items
