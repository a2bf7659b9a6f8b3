"""What the HR dashboard reads: campaigns, confidential responses as plain records, the frozen audience.

Reads a campaign in three batched queries and returns plain records; `webapp.engagement.results`
hands them to `analysis.engagement` (suppression) and keeps the results of closed campaigns in the
table `campaign_result` through the functions below; `webapp.engagement.dashboard` assembles the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, func, select

from analysis.engagement import ResponseRecord
from surveys.loader import get_survey
from webapp.extensions import db
from webapp.models import AnalysisRun, Campaign, CampaignManagerLink, CampaignMember, CampaignResult, EngagementResponse, Participation, Period, Person
from webapp.store.errors import NotFound


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
    # An id is a few ASCII digits; a 5,000-digit "id" would overflow int() (issue 19).
    number = int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None
    for c in campaigns:
        if number is not None and c.id == number:
            return c
    for c in campaigns:
        if c.name == text:
            return c
    raise NotFound(f"No engagement campaign {text!r}.")


def drivers(campaign: CampaignRef) -> tuple[tuple[DriverInfo, ...], dict[str, str], list[str]]:
    survey = get_survey(campaign.template_id, campaign.template_version)
    infos = tuple(DriverInfo(d.id, d.title, d.outcome) for d in survey.drivers)
    items = {q.id: q.driver for q in survey.questions() if q.kind == "likert5" and q.driver}
    return infos, items, [d.id for d in survey.drivers if d.outcome]


def parent_map(campaign_id: int) -> dict[str, str | None]:
    """Manager email to their own manager's email, as frozen when the campaign opened.

    Never the current hierarchy: a reorganisation after launch must not change a campaign's
    manager-tree groups (``CampaignManagerLink``).
    """
    return dict(db.session.execute(
        select(CampaignManagerLink.manager_key, CampaignManagerLink.parent_key)
        .where(CampaignManagerLink.campaign_id == campaign_id)).all())


def records(campaign_id: int) -> list[ResponseRecord]:
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


def invitees(campaign_id: int, *, batch: int | None = None) -> list[tuple[bool, dict[str, str]]]:
    """The frozen audience: (answered, snapshot attributes) per invitee, in a stable order.

    With ``batch`` (open campaigns), "answered" counts only the first ``batch * m`` submissions, m
    as large as the total allows (in the order they were recorded): live counts move only once
    ``batch`` more people have answered, all groups at the same moment, so the moment a count
    moves dates nobody's submission (``analysis.privacy.release_live_counts``' rule, stateless).
    """
    query = select(Participation.person_id).where(Participation.campaign_id == campaign_id)
    if batch is not None:
        ids = list(db.session.scalars(query.order_by(Participation.id)))
        answered = set(ids[:len(ids) - len(ids) % batch])
    else:
        answered = set(db.session.scalars(query))
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
# stored results of closed campaigns (table campaign_result; computed by webapp.engagement.results)


def stored_result_rows(campaign_ids: list[int], scope: str, k: int) -> list[tuple]:
    """(campaign id, row id, created at) of the stored results of these campaigns for scope and k."""
    if not campaign_ids:
        return []
    return db.session.execute(
        select(CampaignResult.campaign_id, CampaignResult.id, CampaignResult.created_at)
        .where(CampaignResult.campaign_id.in_(campaign_ids), CampaignResult.scope == scope, CampaignResult.k == k)
    ).all()


def stored_result_texts(row_ids: list[int]) -> list[tuple[int, str]]:
    """(row id, JSON text) of these stored results."""
    return db.session.execute(
        select(CampaignResult.id, CampaignResult.result).where(CampaignResult.id.in_(row_ids))).all()


def stored_result_inputs(campaign_id: int, k: int) -> dict[str, str]:
    """Scope -> inputs digest of a campaign's stored results for k."""
    return dict(db.session.execute(
        select(CampaignResult.scope, CampaignResult.inputs)
        .where(CampaignResult.campaign_id == campaign_id, CampaignResult.k == k)).all())


def write_results(campaign_id: int, k: int, texts: dict[str, str], inputs: dict[str, str], *,
                  replace: bool = False) -> None:
    """Store one JSON text per scope, in one transaction.

    Another process storing the same row first is not an error: its (identical) row is kept.
    """
    from sqlalchemy.exc import IntegrityError

    if replace:
        db.session.execute(delete(CampaignResult).where(CampaignResult.campaign_id == campaign_id,
                                                        CampaignResult.k == k,
                                                        CampaignResult.scope.in_(list(texts))))
    for scope, text in texts.items():
        try:
            with db.session.begin_nested():
                db.session.add(CampaignResult(campaign_id=campaign_id, k=k, scope=scope, result=text,
                                              inputs=inputs[scope]))
        except IntegrityError:
            pass  # stored meanwhile by another worker
    db.session.commit()


def count_stored_results(campaign_id: int, k: int) -> int:
    return db.session.scalar(select(func.count()).select_from(CampaignResult)
                             .where(CampaignResult.campaign_id == campaign_id, CampaignResult.k == k))


def forget_results_of_other_k(k: int) -> None:
    """Delete results stored for another minimum group size (the setting changed)."""
    db.session.execute(delete(CampaignResult).where(CampaignResult.k != k))
    db.session.commit()


def rollback() -> None:
    db.session.rollback()


def comment_theme_counts(campaign_id: int) -> list[tuple] | None:
    """(theme key, label, terms, count, sentiment) of the latest comments run in one campaign; None before any run."""
    from webapp.models import CommentThemeCount, ThemeRecord

    from webapp.store.analysis import latest_run_id

    run_id = latest_run_id("comments")
    if run_id is None:
        return None
    return db.session.execute(
        select(CommentThemeCount.theme_key, ThemeRecord.label, ThemeRecord.terms, CommentThemeCount.count,
               CommentThemeCount.sentiment)
        .join(ThemeRecord, (ThemeRecord.run_id == CommentThemeCount.run_id)
              & (ThemeRecord.theme_key == CommentThemeCount.theme_key))
        .where(CommentThemeCount.run_id == run_id, CommentThemeCount.campaign_id == campaign_id)
    ).all()


def response_span(campaign_id: int) -> tuple:
    """The count and the smallest and largest key of a campaign's responses."""
    return tuple(db.session.execute(
        select(func.count(), func.min(EngagementResponse.key), func.max(EngagementResponse.key))
        .where(EngagementResponse.campaign_id == campaign_id)).one())


def forget_results(campaign_id: int | None = None, *, commit: bool = True) -> None:
    """Delete stored results (of one campaign, or all): a campaign reopened or its responses changed."""
    stmt = delete(CampaignResult)
    if campaign_id is not None:
        stmt = stmt.where(CampaignResult.campaign_id == campaign_id)
    db.session.execute(stmt)
    if commit:
        db.session.commit()


def manager_names() -> dict[str, str]:
    return dict(db.session.execute(select(Person.email, Person.name)).all())


# --------------------------------------------------------------------------------------------
# comment themes (written by `groundswell analyze`)


@dataclass(frozen=True)
class StoredComment:
    """One engagement comment of a closed campaign; its answer (response key, question) is kept only
    to store the comment's theme, and takes no part in comparisons (order and equality are content)."""

    campaign_id: int
    text: str
    response_key: str = field(default="", compare=False)
    question_id: str = field(default="", compare=False)


def closed_campaign_comments() -> list[StoredComment]:
    """Every engagement comment of every closed campaign, by campaign and then by text (no author exists).

    Ordered by content, not by the responses' random keys: the theme engine's result depends on
    the order of its input, so the same comments must give the same comment themes in any database.
    """
    rows = db.session.execute(
        select(EngagementResponse.campaign_id, EngagementResponse.key, EngagementResponse.answers)
        .join(Campaign, EngagementResponse.campaign_id == Campaign.id)
        .where(Campaign.status == "closed")
    ).all()
    out = []
    for campaign_id, key, answers in rows:
        for question, text in ((answers or {}).get("comments") or {}).items():
            if text and str(text).strip():
                out.append(StoredComment(campaign_id, str(text), key, str(question)))
    return sorted(out, key=lambda c: (c.campaign_id, c.text))


def replace_comment_run(*, parameters: dict, themes, counts: dict[tuple[int, int], tuple[int, float | None]],
                        n_texts: int, assignments: list[tuple[str, str, int]] = ()) -> AnalysisRun:
    """Store a comments run: its themes (no quotes), per-campaign counts and each comment answer's
    theme (``assignments``: response key, question id, theme key); replaces earlier runs."""
    from sqlalchemy import delete

    from webapp.models import CommentThemeAssignment, CommentThemeCount, ThemeRecord

    old_ids = list(db.session.scalars(select(AnalysisRun.id).where(AnalysisRun.kind == "comments")))
    if old_ids:
        db.session.execute(delete(CommentThemeAssignment).where(CommentThemeAssignment.run_id.in_(old_ids)))
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
    db.session.add_all(
        CommentThemeAssignment(run_id=run.id, response_key=response_key, question_id=question, theme_key=int(key))
        # A comment handed in without its answer (only a test's hand-made comment: every stored one
        # has a response) has no answer to be filed under; its theme still counts above.
        for response_key, question, key in sorted(set(assignments)) if response_key
    )
    db.session.commit()
    return run


def comment_assignments(campaign_id: int) -> list[tuple[str, str, int]] | None:
    """(response key, comment text, theme key) of each comment of a campaign the latest comments run
    themed; None before any run. For the whole campaign only: the dashboard never groups them."""
    from webapp.models import CommentThemeAssignment

    from webapp.store.analysis import latest_run_id

    run_id = latest_run_id("comments")
    if run_id is None:
        return None
    rows = db.session.execute(
        select(EngagementResponse.key, EngagementResponse.answers, CommentThemeAssignment.question_id,
               CommentThemeAssignment.theme_key)
        .join(CommentThemeAssignment, CommentThemeAssignment.response_key == EngagementResponse.key)
        .where(CommentThemeAssignment.run_id == run_id, EngagementResponse.campaign_id == campaign_id)
    ).all()
    out = []
    for key, answers, question, theme_key in rows:
        text = ((answers or {}).get("comments") or {}).get(question)
        if text:
            out.append((key, str(text), int(theme_key)))
    return out
