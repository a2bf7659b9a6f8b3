"""What the HR dashboard reads: campaigns, confidential responses as plain records, the frozen audience.

Reads a campaign in three batched queries and hands plain records to `analysis.engagement`, which
suppresses every group one role can see in one call. The page, `groundswell engagement --json` and
the CSV export all call `dashboard`, so they show the same numbers, suppressed the same way.
Results of a closed campaign never change, so they are cached per (campaign, k, role scope) in
the process (`_CACHE`); an open campaign is recomputed on every call (participation only).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from sqlalchemy import select

from analysis.engagement import (
    HR_ATTRIBUTES,
    OVERALL,
    CampaignResults,
    CampaignSummary,
    ResponseRecord,
    TrendPoint,
    campaign_results,
    trend,
)
from surveys.loader import get_survey
from webapp.extensions import db
from webapp.models import AnalysisRun, Campaign, CampaignMember, EngagementResponse, Participation, Period, Person
from webapp.store.errors import NotFound

#: What each role may group by: HR (and admins) the full breakdown, leaders the organisation only.
ROLE_SCOPES: dict[str, tuple[tuple[str, ...], bool]] = {
    "hr": (HR_ATTRIBUTES, True),
    "admin": (HR_ATTRIBUTES, True),
    "leader": ((), False),
}
BY_CHOICES = ("department", "region", "tenure_band", "manager", "manager_tree")
BY_TITLES = {"department": "Department", "region": "Region", "tenure_band": "Tenure band",
             "manager": "Manager's direct team", "manager_tree": "Manager's whole team"}


@dataclass(frozen=True)
class CampaignRef:
    id: int
    name: str
    period: str
    template_id: str
    template_version: int
    status: str

    @property
    def closed(self) -> bool:
        return self.status == "closed"


@dataclass(frozen=True)
class DriverInfo:
    id: str
    title: str
    outcome: bool


@dataclass(frozen=True)
class CommentTheme:
    """A theme of engagement comments within one campaign (whole scope only)."""

    theme_key: int
    label: str
    terms: tuple[str, ...]
    count: int
    share: float
    sentiment: float | None


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


_CACHE: dict[tuple, CampaignResults] = {}
_CACHE_LOCK = threading.Lock()


def _ref(c: Campaign, code: str) -> CampaignRef:
    return CampaignRef(c.id, c.name, code, c.template_id, c.template_version, c.status)


def list_campaigns() -> list[CampaignRef]:
    """Every campaign with an engagement section, oldest period first."""
    rows = db.session.execute(
        select(Campaign, Period.code).join(Period, Campaign.period_id == Period.id)
        .order_by(Period.starts_on, Campaign.id)
    ).all()
    out = []
    for c, code in rows:
        try:
            survey = get_survey(c.template_id, c.template_version)
        except KeyError:
            continue
        if survey.drivers:
            out.append(_ref(c, code))
    return out


def find_campaign(ref: str | int, campaigns: list[CampaignRef] | None = None) -> CampaignRef:
    """Find a campaign by id or exact name; NotFound otherwise."""
    campaigns = list_campaigns() if campaigns is None else campaigns
    text = str(ref).strip()
    for c in campaigns:
        if text.isdigit() and c.id == int(text):
            return c
    for c in campaigns:
        if c.name == text:
            return c
    raise NotFound(f"No engagement campaign {text!r}.")


def _drivers(campaign: CampaignRef) -> tuple[tuple[DriverInfo, ...], dict[str, str], list[str]]:
    survey = get_survey(campaign.template_id, campaign.template_version)
    infos = tuple(DriverInfo(d.id, d.title, d.outcome) for d in survey.drivers)
    items = {q.id: q.driver for q in survey.questions() if q.kind == "likert5" and q.driver}
    return infos, items, [d.id for d in survey.drivers if d.outcome]


def _parent_map() -> dict[str, str | None]:
    """Manager email to their own manager's email (the current hierarchy above the snapshot)."""
    rows = db.session.execute(select(Person.id, Person.email, Person.manager_id)).all()
    email = {pid: mail for pid, mail, _ in rows}
    return {mail: email.get(mid) for _, mail, mid in rows}


def _records(campaign_id: int) -> list[ResponseRecord]:
    rows = db.session.execute(
        select(EngagementResponse.key, EngagementResponse.answers, EngagementResponse.manager_key,
               EngagementResponse.region, EngagementResponse.territory, EngagementResponse.department,
               EngagementResponse.tenure_band)
        .where(EngagementResponse.campaign_id == campaign_id).order_by(EngagementResponse.key)
    ).all()
    records = []
    for key, answers, manager, region, territory, department, tenure in rows:
        answers = answers or {}
        comments = tuple(str(t) for t in (answers.get("comments") or {}).values() if t)
        attributes = {"manager": manager, "region": region, "territory": territory, "department": department,
                      "tenure_band": tenure}
        records.append(ResponseRecord(key, dict(answers.get("likert") or {}), answers.get("enps"), comments,
                                      {a: v for a, v in attributes.items() if v}))
    return records


def _invitees(campaign_id: int) -> list[tuple[bool, dict[str, str]]]:
    answered = set(db.session.scalars(select(Participation.person_id).where(Participation.campaign_id == campaign_id)))
    rows = db.session.execute(
        select(CampaignMember.person_id, CampaignMember.manager_key, CampaignMember.region,
               CampaignMember.territory, CampaignMember.department, CampaignMember.tenure_band)
        .where(CampaignMember.campaign_id == campaign_id).order_by(CampaignMember.id)
    ).all()
    out = []
    for person_id, manager, region, territory, department, tenure in rows:
        attributes = {"manager": manager, "region": region, "territory": territory, "department": department,
                      "tenure_band": tenure}
        out.append((person_id in answered, {a: v for a, v in attributes.items() if v}))
    return out


def results(campaign: CampaignRef, role: str, k: int) -> CampaignResults:
    """One campaign's results as one role may see them (cached for closed campaigns)."""
    attributes, trees = ROLE_SCOPES[role]
    key = (campaign.id, campaign.status, k, attributes, trees)
    if campaign.closed:
        with _CACHE_LOCK:
            hit = _CACHE.get(key)
        if hit is not None:
            return hit
    _, items, outcome = _drivers(campaign)
    computed = campaign_results(
        _records(campaign.id) if campaign.closed else [], _invitees(campaign.id), _parent_map(), items, outcome,
        closed=campaign.closed, attributes=attributes, manager_trees=trees, k=k, random_state=campaign.id,
    )
    if campaign.closed:
        with _CACHE_LOCK:
            _CACHE[key] = computed
    return computed


def clear_cache() -> None:
    """Forget cached results (a campaign was reopened, responses were reloaded, tests)."""
    with _CACHE_LOCK:
        _CACHE.clear()


def _cache_key_valid() -> None:
    """Drop cache entries for campaigns whose status changed (reopened) since they were cached."""
    status = dict(db.session.execute(select(Campaign.id, Campaign.status)).all())
    with _CACHE_LOCK:
        for key in [k for k in _CACHE if status.get(k[0]) != k[1]]:
            del _CACHE[key]


def _manager_names() -> dict[str, str]:
    return dict(db.session.execute(select(Person.email, Person.name)).all())


def _rows(groups: list[str], by: str | None) -> tuple[HeatmapRow, ...]:
    if by is None:
        return ()
    names = _manager_names() if by in ("manager", "manager_tree") else {}
    prefix = f"{by}="
    out = [HeatmapRow(g, names.get(g[len(prefix):], g[len(prefix):])) for g in groups if g.startswith(prefix)]
    return tuple(sorted(out, key=lambda r: r.label))


def comment_themes(campaign: CampaignRef, results_: CampaignResults) -> tuple[CommentTheme, ...] | None:
    """Comment themes of a campaign, shown only when its comments are (whole scope, >= k commenters)."""
    if results_.comments is None:
        return None
    from webapp.models import CommentThemeCount

    run_id = db.session.scalar(select(AnalysisRun.id).where(AnalysisRun.kind == "comments")
                               .order_by(AnalysisRun.id.desc()).limit(1))
    if run_id is None:
        return None
    from webapp.models import ThemeRecord

    rows = db.session.execute(
        select(CommentThemeCount.theme_key, ThemeRecord.label, ThemeRecord.terms, CommentThemeCount.count,
               CommentThemeCount.sentiment)
        .join(ThemeRecord, (ThemeRecord.run_id == CommentThemeCount.run_id)
              & (ThemeRecord.theme_key == CommentThemeCount.theme_key))
        .where(CommentThemeCount.run_id == run_id, CommentThemeCount.campaign_id == campaign.id)
    ).all()
    total = sum(r[3] for r in rows)
    themes = [CommentTheme(key, label, tuple(terms or ()), count, count / total if total else 0.0, sentiment)
              for key, label, terms, count, sentiment in rows if count]
    return tuple(sorted(themes, key=lambda t: (-t.count, t.theme_key)))


def dashboard(campaign_ref: str | int | None, role: str, k: int, by: str | None = None) -> Dashboard:
    """Gather the HR dashboard for one campaign (default: the latest closed one) and one breakdown."""
    if role not in ROLE_SCOPES:
        raise NotFound("No engagement dashboard for this role.")
    campaigns = list_campaigns()
    if not campaigns:
        raise NotFound("No engagement campaigns yet.")
    _cache_key_valid()
    if campaign_ref in (None, ""):
        closed = [c for c in campaigns if c.closed]
        campaign = (closed or campaigns)[-1]
    else:
        campaign = find_campaign(campaign_ref, campaigns)
    attributes, trees = ROLE_SCOPES[role]
    choices = tuple(b for b in BY_CHOICES if b in attributes or (b == "manager_tree" and trees))
    if not choices:
        by = None
    elif by in (None, ""):
        by = choices[0]
    elif by not in choices:
        raise NotFound(f"Cannot group by {by!r}; choose one of {', '.join(choices)}.")
    drivers, _, _ = _drivers(campaign)
    res = results(campaign, role, k)
    names = list(res.groups) if campaign.closed else list(res.participation)
    points = []
    closed = [c for c in campaigns if c.closed]
    summaries = []
    for c in closed:
        r = results(c, role, k)
        summaries.append(CampaignSummary(str(c.id), r.groups[OVERALL], r.participation.get(OVERALL)))
    for c, point in zip(closed, trend(summaries)):
        points.append((c, point))
    from webapp.store import actions as actions_store

    return Dashboard(
        role=role, k=k, campaigns=tuple(campaigns), campaign=campaign, by=by, by_choices=choices,
        drivers=drivers, results=res, rows=_rows(names, by), trend=tuple(points),
        comment_themes=comment_themes(campaign, res),
        actions=tuple(actions_store.driver_actions()),
    )


# --------------------------------------------------------------------------------------------
# comment themes (written by `groundswell analyze`)


@dataclass(frozen=True)
class StoredComment:
    campaign_id: int
    text: str


def closed_campaign_comments() -> list[StoredComment]:
    """Every engagement comment of every closed campaign, in a stable order (no author exists)."""
    rows = db.session.execute(
        select(EngagementResponse.campaign_id, EngagementResponse.answers)
        .join(Campaign, EngagementResponse.campaign_id == Campaign.id)
        .where(Campaign.status == "closed").order_by(EngagementResponse.campaign_id, EngagementResponse.key)
    ).all()
    out = []
    for campaign_id, answers in rows:
        for _, text in sorted(((answers or {}).get("comments") or {}).items()):
            if text and str(text).strip():
                out.append(StoredComment(campaign_id, str(text)))
    return out


def replace_comment_run(*, parameters: dict, themes, counts: dict[tuple[int, int], tuple[int, float | None]],
                        n_texts: int) -> AnalysisRun:
    """Store a comments run: its themes (no quotes) and per-campaign counts; replaces earlier runs."""
    from sqlalchemy import delete

    from webapp.models import CommentThemeCount, ThemeRecord

    old_ids = list(db.session.scalars(select(AnalysisRun.id).where(AnalysisRun.kind == "comments")))
    if old_ids:
        db.session.execute(delete(CommentThemeCount).where(CommentThemeCount.run_id.in_(old_ids)))
        db.session.execute(delete(ThemeRecord).where(ThemeRecord.run_id.in_(old_ids)))
        db.session.execute(delete(AnalysisRun).where(AnalysisRun.id.in_(old_ids)))
    run = AnalysisRun(kind="comments", scope="all", parameters=dict(parameters), model=None, n_texts=n_texts)
    db.session.add(run)
    db.session.flush()
    db.session.add_all(
        ThemeRecord(run_id=run.id, theme_key=int(t.theme_key), label=t.label, terms=list(t.terms),
                    size=int(t.size), examples=[], sentiment=t.sentiment)
        for t in themes
    )
    db.session.add_all(
        CommentThemeCount(run_id=run.id, campaign_id=campaign_id, theme_key=int(key), count=n, sentiment=s)
        for (campaign_id, key), (n, s) in sorted(counts.items())
    )
    db.session.commit()
    return run
