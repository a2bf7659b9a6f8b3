"""What the HR dashboard reads: campaigns, confidential responses as plain records, the frozen audience.

Reads a campaign in three batched queries and hands plain records to `analysis.engagement`, which
suppresses every group one role can see in one call. The page, `groundswell engagement --json` and
the CSV export all call `dashboard`, so they show the same numbers, suppressed the same way.
Results of a closed campaign never change, so they are computed once (when it closes, by
`groundswell analyze`, or on first view) and stored per (campaign, k, role scope) in the table
`campaign_result`; reopening deletes them. An open campaign is recomputed on every call
(participation only).
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select

from analysis.engagement import (
    HR_ATTRIBUTES,
    OVERALL,
    CampaignResults,
    CampaignSummary,
    DriverImpact,
    GroupSummary,
    Participation as ParticipationResult,
    ResponseRecord,
    TrendPoint,
    campaign_results,
    trend,
)
from surveys.loader import get_survey
from webapp.extensions import db
from webapp.infra.fingerprint import source_fingerprint
from webapp.models import AnalysisRun, Campaign, CampaignMember, CampaignResult, EngagementResponse, Participation, Period, Person
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
#: The stored-result scope of each role (roles with the same view share one stored result).
SCOPE_OF_ROLE = {"hr": "full", "admin": "full", "leader": "organisation"}
SCOPES = {"full": ROLE_SCOPES["hr"], "organisation": ROLE_SCOPES["leader"]}


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
        .execution_options(yield_per=5000)
    )
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



# --------------------------------------------------------------------------------------------
# stored results of closed campaigns (table campaign_result)


def _plain(value):
    """json.dumps fallback for numpy scalars."""
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"cannot store {type(value).__name__}")


def encode_results(res: CampaignResults) -> str:
    """The suppressed results as JSON text (suppressed groups carry no numbers)."""
    def summary(s: GroupSummary) -> dict:
        return {"group": s.group, "suppressed": s.suppressed, "reason": s.reason, "n": s.n,
                "engagement_index": s.engagement_index, "enps": s.enps, "promoters_pct": s.promoters_pct,
                "detractors_pct": s.detractors_pct, "n_enps": s.n_enps, "favourable": s.favourable,
                "driver_scores": s.driver_scores,
                "distributions": {k: None if v is None else list(v) for k, v in s.distributions.items()},
                "driver_impact": [[i.driver_id, i.rho, i.p, i.n, i.method] for i in s.driver_impact],
                "comments": None if s.comments is None else list(s.comments)}

    data = {"closed": res.closed,
            "groups": [summary(g) for g in res.groups.values()],
            "participation": [[p.group, p.suppressed, p.reason, p.invited, p.submitted, p.rate]
                              for p in res.participation.values()],
            "comments": None if res.comments is None else list(res.comments)}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=_plain)


def decode_results(text: str) -> CampaignResults:
    """Rebuild the CampaignResults that `encode_results` stored."""
    data = json.loads(text)
    groups = {}
    for g in data["groups"]:
        groups[g["group"]] = GroupSummary(
            group=g["group"], suppressed=g["suppressed"], reason=g["reason"], n=g["n"],
            engagement_index=g["engagement_index"], enps=g["enps"], promoters_pct=g["promoters_pct"],
            detractors_pct=g["detractors_pct"], n_enps=g["n_enps"], favourable=g["favourable"],
            driver_scores=g["driver_scores"],
            distributions={k: None if v is None else tuple(v) for k, v in g["distributions"].items()},
            driver_impact=tuple(DriverImpact(*i) for i in g["driver_impact"]),
            comments=None if g["comments"] is None else tuple(g["comments"]))
    participation = {p[0]: ParticipationResult(*p) for p in data["participation"]}
    return CampaignResults(data["closed"], groups, participation,
                           None if data["comments"] is None else tuple(data["comments"]))


def compute_results(campaign: CampaignRef, scope: str, k: int) -> CampaignResults:
    """Run the single suppression call for one campaign and one scope (reads the responses)."""
    attributes, trees = SCOPES[scope]
    _, items, outcome = _drivers(campaign)
    return campaign_results(
        _records(campaign.id) if campaign.closed else [], _invitees(campaign.id), _parent_map(), items, outcome,
        closed=campaign.closed, attributes=attributes, manager_trees=trees, k=k, random_state=campaign.id,
    )


def _stored(campaign_ids: list[int], scope: str, k: int) -> dict[int, CampaignResults]:
    """Stored results of these campaigns; a row's JSON is read and decoded only when this process has
    not decoded that very row (id and time stored) yet, so a page never reads megabytes of comments
    of every closed campaign just for the trend."""
    if not campaign_ids:
        return {}
    rows = db.session.execute(
        select(CampaignResult.campaign_id, CampaignResult.id, CampaignResult.created_at)
        .where(CampaignResult.campaign_id.in_(campaign_ids), CampaignResult.scope == scope, CampaignResult.k == k)
    ).all()
    out, missing = {}, {}
    with _DECODED_LOCK:
        for campaign_id, row_id, created in rows:
            hit = _DECODED.get((campaign_id, scope, k))
            if hit is not None and hit[0] == (row_id, created):
                out[campaign_id] = hit[1]
            else:
                missing[row_id] = (campaign_id, created)
    if missing:
        for row_id, text in db.session.execute(
            select(CampaignResult.id, CampaignResult.result).where(CampaignResult.id.in_(list(missing)))
        ):
            campaign_id, created = missing[row_id]
            res = out[campaign_id] = decode_results(text)
            with _DECODED_LOCK:
                _DECODED[(campaign_id, scope, k)] = ((row_id, created), res)
    return out


def _code_fingerprint() -> str:
    """Source fingerprint of the modules that compute stored results (``webapp.infra.fingerprint``).

    Part of every result's inputs digest, so a fix in the statistics or the suppression rules
    recomputes every stored result at the next ``groundswell analyze``, whatever the version number.
    """
    return source_fingerprint("analysis.engagement", "analysis.privacy", __name__)


def _inputs_digest(campaign: CampaignRef, k: int, scope: str, drivers, invitees, parent, responses) -> str:
    """One SHA-256 of everything a closed campaign's stored result for (k, scope) depends on.

    The template's drivers, the invitees' frozen attributes and who answered, the current hierarchy
    above them (manager trees), the responses (``_response_span``: a closed campaign takes no more
    answers, and reopening it forgets its results), k, the scope and the code.
    """
    parts = (_code_fingerprint(), campaign.id, k, scope, drivers, invitees, sorted(parent.items(), key=repr),
             responses)
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()


def _response_span(campaign_id: int) -> tuple:
    """The count and the smallest and largest key of a campaign's responses."""
    return tuple(db.session.execute(
        select(func.count(), func.min(EngagementResponse.key), func.max(EngagementResponse.key))
        .where(EngagementResponse.campaign_id == campaign_id)).one())


def store_results(campaign: CampaignRef, k: int, scopes=None, *, replace: bool = False,
                  skip_unchanged: bool = False) -> dict[str, str]:
    """Compute and store a closed campaign's results for k (every scope by default); returns the JSON texts.

    The responses are read once and shared by the scopes. Another process storing the same row first
    is not an error: its (identical) row is kept. Each row keeps the digest of its inputs
    (:func:`_inputs_digest`); with ``skip_unchanged`` a scope whose stored row has the same digest
    is left as it is (and not returned), and the responses are read only if some scope changed.
    """
    from sqlalchemy.exc import IntegrityError

    if not campaign.closed:
        raise ValueError("only a closed campaign's results are stored")
    scopes = tuple(SCOPES) if scopes is None else tuple(scopes)
    drivers = _drivers(campaign)
    _, items, outcome = drivers
    invitees, parent = _invitees(campaign.id), _parent_map()
    responses = _response_span(campaign.id)
    inputs = {scope: _inputs_digest(campaign, k, scope, drivers, invitees, parent, responses) for scope in scopes}
    if skip_unchanged:
        stored = dict(db.session.execute(
            select(CampaignResult.scope, CampaignResult.inputs)
            .where(CampaignResult.campaign_id == campaign.id, CampaignResult.k == k)).all())
        scopes = tuple(scope for scope in scopes if stored.get(scope) != inputs[scope])
        if not scopes:
            return {}
    records = _records(campaign.id)
    texts = {}
    for scope in scopes:
        attributes, trees = SCOPES[scope]
        res = campaign_results(records, invitees, parent, items, outcome, closed=True, attributes=attributes,
                               manager_trees=trees, k=k, random_state=campaign.id)
        texts[scope] = encode_results(res)
    del records
    if replace:
        db.session.execute(delete(CampaignResult).where(CampaignResult.campaign_id == campaign.id,
                                                        CampaignResult.k == k,
                                                        CampaignResult.scope.in_(list(scopes))))
    for scope, text in texts.items():
        try:
            with db.session.begin_nested():
                db.session.add(CampaignResult(campaign_id=campaign.id, k=k, scope=scope, result=text,
                                              inputs=inputs[scope]))
        except IntegrityError:
            pass  # stored meanwhile by another worker
    db.session.commit()
    return texts


def forget_results(campaign_id: int | None = None, *, commit: bool = True) -> None:
    """Delete stored results (of one campaign, or all): a campaign reopened or its responses changed."""
    stmt = delete(CampaignResult)
    if campaign_id is not None:
        stmt = stmt.where(CampaignResult.campaign_id == campaign_id)
    db.session.execute(stmt)
    if commit:
        db.session.commit()


def has_stored_results(campaign_id: int, k: int) -> bool:
    """Whether every scope of the campaign's results for k is stored."""
    n = db.session.scalar(select(func.count()).select_from(CampaignResult)
                          .where(CampaignResult.campaign_id == campaign_id, CampaignResult.k == k))
    return n >= len(SCOPES)


def store_closed_results(k: int, *, replace: bool = False, skip_unchanged: bool = False) -> tuple[int, int]:
    """Compute and store the results of every closed campaign for k (`groundswell analyze`).

    Rows stored for another k (the setting changed) are deleted. With ``skip_unchanged``, a campaign
    whose stored results were computed from the same inputs is not recomputed. Returns (campaigns
    recomputed, campaigns left as they were).
    """
    db.session.execute(delete(CampaignResult).where(CampaignResult.k != k))
    db.session.commit()
    done = unchanged = 0
    for c in list_campaigns():
        if c.closed:
            if store_results(c, k, replace=replace, skip_unchanged=skip_unchanged):
                done += 1
            else:
                unchanged += 1
    return done, unchanged


def _results_many(campaigns: list[CampaignRef], role: str, k: int) -> dict[int, CampaignResults]:
    """Results of several campaigns as one role may see them: stored ones for closed campaigns."""
    scope = SCOPE_OF_ROLE[role]
    stored = _stored([c.id for c in campaigns if c.closed], scope, k)
    out = {}
    for c in campaigns:
        if not c.closed:
            out[c.id] = compute_results(c, scope, k)
        elif c.id in stored:
            out[c.id] = stored[c.id]
        else:
            # Not stored yet (the job started at close hasn't finished, or k changed): compute
            # it for this page without writing, so a GET never changes a row (CSRF-1).
            out[c.id] = compute_results(c, scope, k)
    return out


_DECODED: dict[tuple, tuple] = {}  # (campaign, scope, k) -> ((row id, created_at), CampaignResults)
_DECODED_LOCK = threading.Lock()


def results(campaign: CampaignRef, role: str, k: int) -> CampaignResults:
    """One campaign's results as one role may see them (stored for closed campaigns)."""
    return _results_many([campaign], role, k)[campaign.id]


def clear_cache() -> None:
    """Forget stored and decoded results (responses were reloaded, tests); needs an app context to
    delete the stored rows, otherwise forgets the in-process decodings only."""
    with _DECODED_LOCK:
        _DECODED.clear()
    from flask import has_app_context

    if has_app_context():
        try:
            forget_results()
        except Exception:  # no table yet (a database not created): nothing stored to forget
            db.session.rollback()


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
    closed = [c for c in campaigns if c.closed]
    many = _results_many(closed + ([] if campaign.closed else [campaign]), role, k)
    res = many[campaign.id]
    names = list(res.groups) if campaign.closed else list(res.participation)
    points = []
    summaries = []
    for c in closed:
        r = many[c.id]
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
    """Every engagement comment of every closed campaign, by campaign and then by text (no author exists).

    Ordered by content, not by the responses' random keys: the theme engine's result depends on
    the order of its input, so the same comments must give the same comment themes in any database.
    """
    rows = db.session.execute(
        select(EngagementResponse.campaign_id, EngagementResponse.answers)
        .join(Campaign, EngagementResponse.campaign_id == Campaign.id)
        .where(Campaign.status == "closed")
    ).all()
    out = []
    for campaign_id, answers in rows:
        for text in ((answers or {}).get("comments") or {}).values():
            if text and str(text).strip():
                out.append(StoredComment(campaign_id, str(text)))
    return sorted(out, key=lambda c: (c.campaign_id, c.text))


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
    run = AnalysisRun(kind="comments", scope="all", parameters=dict(parameters), n_texts=n_texts)
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
