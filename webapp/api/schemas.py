"""Marshmallow schemas of the API: they validate input, shape output and generate the OpenAPI document."""

from __future__ import annotations

from decimal import Decimal

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from surveys.values import ValueRefused, has_lone_surrogate, parse_money
from webapp.engagement.dashboard import BY_CHOICES
from webapp.infra.request_limits import MAX_ID
from webapp.models.planning import PLAN_STATUSES
from webapp.store.imports import COLUMNS

MAX_IMPORT_ROWS = 5000


def _no_nul(value: str) -> None:
    if "\x00" in value:
        raise ValidationError("must not contain a NUL character")
    if has_lone_surrogate(value):
        raise ValidationError("must not contain a lone UTF-16 surrogate")


def text(*, max_len: int, **kwargs) -> fields.Str:
    """A string field, length-limited and without NUL characters."""
    return fields.Str(validate=[validate.Length(max=max_len), _no_nul], **kwargs)


class Money(fields.Field):
    """An amount read by the parser the survey form and the CSV import use (surveys.values):
    a string such as "125000.50" or a JSON number written the same way; "1e3" is refused."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
            raise ValidationError("must be an amount: a string or a number such as 125000.50")
        try:
            return parse_money(value)
        except ValueRefused as exc:
            raise ValidationError(str(exc)) from None

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else str(value)


class _Query(Schema):
    class Meta:
        unknown = EXCLUDE


# Input ------------------------------------------------------------------------------------------


class PageQuery(_Query):
    page = fields.Int(load_default=1, validate=validate.Range(1, 100_000),
                      metadata={"description": "Page number, from 1."})
    per_page = fields.Int(load_default=50, validate=validate.Range(1, 200),
                          metadata={"description": "Items per page (1 to 200)."})


class PlanListQuery(PageQuery):
    period = text(max_len=7, metadata={"description": "Only this period, e.g. 2027-Q1."})
    status = fields.Str(validate=validate.OneOf(PLAN_STATUSES))


class ObservationListQuery(PageQuery):
    period = text(max_len=7, metadata={"description": "Only this period, e.g. 2027-Q1."})


class ThemeQuery(PageQuery):
    period = text(max_len=7, required=True, metadata={"description": "Period, e.g. 2027-Q1."})
    region = text(max_len=120, metadata={"description": "Limit to one region, as the page's filter does."})


class InsightsQuery(_Query):
    period = text(max_len=7, required=True, metadata={"description": "Period, e.g. 2027-Q1."})
    region = text(max_len=120, metadata={"description": "Limit to one region, as the page's filter does."})


class EngagementQuery(_Query):
    campaign = text(max_len=200, metadata={
        "description": "Campaign id or exact name; default: the latest closed campaign."})
    by = fields.Str(validate=validate.OneOf(BY_CHOICES), metadata={
        "description": "Breakdown (HR and admins; leaders see organisation-wide figures only)."})


class DecisionIn(Schema):
    action = fields.Str(required=True, validate=validate.OneOf(("approve", "adjust", "return")))
    version = fields.Int(required=True, strict=True, validate=validate.Range(1, MAX_ID), metadata={
        "description": "The plan's `version` as you read it; a stale version gets 409."})
    amount = Money(allow_none=True, metadata={
        "description": "New amount, for `adjust` (more than 0, at most two decimals, no exponent): "
                       "a string such as \"125000.50\" or a number written the same way.",
        "type": "string", "example": "125000.50"})
    reason = text(max_len=2000, allow_none=True, metadata={"description": "Needed to adjust or return."})


def _row_schema(kind: str, descriptions: dict[str, str]) -> type[Schema]:
    attrs = {column: fields.Raw(allow_none=True, metadata={
        "description": descriptions.get(column, "Text."), "type": "string"}) for column in COLUMNS[kind]}
    return Schema.from_dict(attrs, name=f"{kind.title()}Row")


TargetRow = _row_schema("targets", {
    "email": "The person's email (people are imported first).", "period": "YYYY-Qn or YYYY-MM.",
    "proposed": "Amount, more than 0 (a string or a number).", "approved": "Amount or empty.",
    "top_down": "Amount or empty."})
ActualRow = _row_schema("actuals", {
    "email": "The person's email.", "period": "YYYY-Qn or YYYY-MM.",
    "actual": "Amount, 0 or more (a string or a number)."})


class ImportIn(Schema):
    rows = fields.List(fields.Dict(keys=fields.Str(), values=fields.Raw(allow_none=True)), required=True,
                       validate=validate.Length(1, MAX_IMPORT_ROWS))


class TargetsImportIn(ImportIn):
    rows = fields.List(fields.Nested(TargetRow), required=True, validate=validate.Length(1, MAX_IMPORT_ROWS),
                       metadata={"description": "Rows with the columns of the targets CSV."})


class ActualsImportIn(ImportIn):
    rows = fields.List(fields.Nested(ActualRow), required=True, validate=validate.Length(1, MAX_IMPORT_ROWS),
                       metadata={"description": "Rows with the columns of the actuals CSV."})


# Output -----------------------------------------------------------------------------------------


class OpenApiDocument(Schema):
    openapi = fields.Str(required=True)
    info = fields.Dict(required=True)
    paths = fields.Dict(required=True)
    components = fields.Dict(required=True)


class Problem(Schema):
    type = fields.Str(required=True)
    title = fields.Str(required=True)
    status = fields.Int(required=True)
    detail = fields.Str(required=True)
    errors = fields.List(fields.Str(), metadata={"description": "One line per invalid field or row."})


class PersonRef(Schema):
    id = fields.Int(required=True)
    email = fields.Str(required=True)
    name = fields.Str(required=True)


class Me(PersonRef):
    role = fields.Str(required=True)


class PersonOut(PersonRef):
    role = fields.Str(required=True)
    active = fields.Bool(required=True)
    manager = fields.Nested(PersonRef, allow_none=True, required=True)
    region = fields.Str(allow_none=True, required=True)
    territory = fields.Str(allow_none=True, required=True)
    department = fields.Str(allow_none=True, required=True)
    hire_date = fields.Date(allow_none=True, required=True)


class ObservationRef(Schema):
    id = fields.Int(required=True)
    external_id = fields.Str(required=True)
    text = fields.Str(required=True)
    tag = fields.Str(allow_none=True, required=True)


class ObservationOut(ObservationRef):
    person = fields.Nested(PersonRef, required=True)
    period = fields.Str(required=True)
    plan_id = fields.Int(allow_none=True, required=True)


class DecisionOut(Schema):
    action = fields.Str(required=True)
    actor = fields.Nested(PersonRef, required=True)
    old_amount = fields.Float(allow_none=True, required=True)
    new_amount = fields.Float(allow_none=True, required=True)
    reason = fields.Str(allow_none=True, required=True)
    at = fields.DateTime(required=True)
    above_manager = fields.Bool(required=True, metadata={
        "description": "True when someone above the owner's direct manager took the decision (only "
                       "where GROUNDSWELL_ABOVE_MAY_DECIDE=1 allows it); false for the direct manager "
                       "and for the owner's own submission."})
    direct_manager = fields.Nested(PersonRef, allow_none=True, required=True, metadata={
        "description": "The owner's direct manager at the time, when the decision came from above; "
                       "otherwise null."})


class Baseline(Schema):
    amount = fields.Float(allow_none=True, required=True)
    source = fields.Str(allow_none=True, required=True)
    period = fields.Str(allow_none=True, required=True)


class PlanOut(Schema):
    id = fields.Int(required=True)
    person = fields.Nested(PersonRef, required=True)
    period = fields.Str(required=True)
    status = fields.Str(required=True, validate=validate.OneOf(PLAN_STATUSES))
    version = fields.Int(required=True, metadata={"description": "Send it back with a decision."})
    proposed = fields.Float(allow_none=True, required=True)
    approved = fields.Float(allow_none=True, required=True)
    confidence = fields.Int(allow_none=True, required=True)
    rationale = fields.Str(allow_none=True, required=True)
    territory = fields.Str(allow_none=True, required=True)
    submitted_at = fields.DateTime(allow_none=True, required=True)
    decided_at = fields.DateTime(allow_none=True, required=True)
    baseline = fields.Nested(Baseline, required=True)
    change = fields.Float(allow_none=True, required=True, metadata={
        "description": "(proposed - baseline) / baseline as a fraction; null without a baseline."})


class PlanDetailOut(PlanOut):
    observations = fields.List(fields.Nested(ObservationRef), required=True)
    decisions = fields.List(fields.Nested(DecisionOut), required=True)


class ImportResultOut(Schema):
    kind = fields.Str(required=True)
    rows = fields.Int(required=True)
    created = fields.Int(required=True)
    updated = fields.Int(required=True)
    unchanged = fields.Int(required=True)


def page_schema(item: type[Schema], name: str) -> type[Schema]:
    """An envelope for one page of a list: items, position and a link to the next page."""
    return Schema.from_dict({
        "items": fields.List(fields.Nested(item), required=True),
        "page": fields.Int(required=True),
        "per_page": fields.Int(required=True),
        "total": fields.Int(required=True),
        "next": fields.Str(allow_none=True, required=True, metadata={"description": "URL of the next page."}),
    }, name=name)


PersonPage = page_schema(PersonOut, "PersonPage")
PlanPage = page_schema(PlanOut, "PlanPage")
ObservationPage = page_schema(ObservationOut, "ObservationPage")


# Insights: the object `groundswell insights --period P --json` prints --------------------------


class TargetLink(Schema):
    n_with = fields.Int(required=True)
    n_without = fields.Int(required=True)
    mean_change_with = fields.Float(allow_none=True, required=True)
    mean_change_without = fields.Float(allow_none=True, required=True)
    diff = fields.Float(allow_none=True, required=True)
    ci_low = fields.Float(allow_none=True, required=True)
    ci_high = fields.Float(allow_none=True, required=True)
    p = fields.Float(allow_none=True, required=True)
    q = fields.Float(allow_none=True, required=True)


class ThemeShare(Schema):
    period = fields.Str(required=True)
    share = fields.Float(allow_none=True, required=True)


class SentimentShown(Schema):
    """Whether a theme's mean ``sentiment`` is sure enough to show, and why not: the leader report's
    themes and HR's comment themes follow one rule (``analysis.sentiment.theme_sentiment_summary``)."""

    sentiment_shown = fields.Bool(required=True, metadata={
        "description": "True when the engine is sure of the theme's sentiment (see `sentiment_rule`); "
                       "otherwise pages show it as \"unclear\"."})
    sentiment_band = fields.Str(allow_none=True, required=True, validate=validate.OneOf(("positive", "neutral", "negative")),
                                metadata={"description": "The band of `sentiment`; null when not shown."})
    sentiment_reason = fields.Str(required=True, metadata={"description": "Why it is not shown (empty when shown)."})
    sentiment_ci_low = fields.Float(allow_none=True, required=True,
                                    metadata={"description": "90% interval of the mean sentiment, low end."})
    sentiment_ci_high = fields.Float(allow_none=True, required=True,
                                     metadata={"description": "90% interval of the mean sentiment, high end."})
    sentiment_n = fields.Int(required=True, metadata={"description": "Texts (for a comment theme: comments) with a sentiment score."})


class Theme(SentimentShown):
    id = fields.Int(required=True)
    label = fields.Str(required=True)
    terms = fields.List(fields.Str(), required=True)
    size = fields.Int(required=True)
    share = fields.Float(allow_none=True, required=True)
    sentiment = fields.Float(allow_none=True, required=True)
    trend = fields.Str(required=True)
    shares = fields.List(fields.Nested(ThemeShare), required=True)
    n_reps = fields.Int(required=True)
    members = fields.List(fields.Str(), required=True, metadata={"description": "Observation ids."})
    target_link = fields.Nested(TargetLink, allow_none=True, required=True,
                                metadata={"description": "null where too few reps to tell."})
    target_link_text = fields.Str(allow_none=True, required=True)
    mentions = fields.List(fields.Str(), required=True, metadata={
        "description": "Entity names (competitors, products, places) the theme's texts mention."})


ThemePage = page_schema(Theme, "ThemePage")


class RollupRow(Schema):
    region = fields.Str(allow_none=True, required=True)
    people = fields.Int(required=True)
    submitted = fields.Int(required=True)
    proposed = fields.Float(allow_none=True, required=True)
    approved = fields.Float(allow_none=True, required=True)
    top_down = fields.Float(allow_none=True, required=True)
    gap = fields.Float(allow_none=True, required=True)


class Rollup(Schema):
    by_region = fields.List(fields.Nested(RollupRow), required=True)
    total = fields.Nested(RollupRow, required=True)


class AnalysisRunOut(Schema):
    id = fields.Int(required=True)
    created_at = fields.Str(required=True)
    n_texts = fields.Int(required=True)


class Insights(Schema):
    period = fields.Str(required=True)
    region = fields.Str(allow_none=True, required=True)
    analysis_run = fields.Nested(AnalysisRunOut, allow_none=True, required=True)
    n_observations = fields.Int(required=True)
    n_reps_with_change = fields.Int(required=True)
    themes = fields.List(fields.Nested(Theme), required=True)
    rollup = fields.Nested(Rollup, required=True)
    forecast_accuracy = fields.Dict(allow_none=True, required=True, metadata={
        "description": "`overall` and `by_region` forecast errors; null where the period has no actuals."})
    sentiment_scale = fields.Str(required=True, metadata={"description": "What the -1..+1 sentiment scale means."})
    sentiment_rule = fields.Str(required=True, metadata={"description": "When a theme's sentiment is shown."})


# Engagement: the object `groundswell engagement --json` prints -----------------------------------


class CampaignRef(Schema):
    id = fields.Int(required=True)
    name = fields.Str(required=True)
    period = fields.Str(required=True)


class CampaignOut(CampaignRef):
    status = fields.Str(required=True)


class Driver(Schema):
    id = fields.Str(required=True)
    title = fields.Str(required=True)
    outcome = fields.Bool(required=True)


class ParticipationOut(Schema):
    group = fields.Str(required=True)
    suppressed = fields.Bool(required=True)
    reason = fields.Str(metadata={"description": "Why a suppressed group shows no numbers: 'fewer than k "
                                                 "responses' or 'hidden so that another group can't be worked out'."})
    explanation = fields.Str(metadata={"description": "One line explaining the reason."})
    invited = fields.Int()
    submitted = fields.Int()
    rate = fields.Float(allow_none=True)


class TrendPoint(Schema):
    campaign = fields.Nested(CampaignRef, required=True)
    suppressed = fields.Bool(required=True)
    engagement_index = fields.Float(allow_none=True, required=True)
    enps = fields.Float(allow_none=True, required=True)
    participation_rate = fields.Float(allow_none=True, required=True)


class DriverImpact(Schema):
    driver_id = fields.Str(required=True)
    rho = fields.Float(allow_none=True, required=True)
    p = fields.Float(allow_none=True, required=True)
    n = fields.Int(required=True)


class GroupSummary(Schema):
    group = fields.Str(required=True)
    label = fields.Str()
    suppressed = fields.Bool(required=True)
    reason = fields.Str()
    explanation = fields.Str()
    n = fields.Int()
    engagement_index = fields.Float(allow_none=True)
    enps = fields.Float(allow_none=True)
    promoters_pct = fields.Float(allow_none=True)
    detractors_pct = fields.Float(allow_none=True)
    driver_scores = fields.Dict(keys=fields.Str(), values=fields.Float(allow_none=True))
    driver_impact = fields.List(fields.Nested(DriverImpact))


class CommentThemeOut(SentimentShown):
    id = fields.Int(required=True)
    label = fields.Str(required=True)
    terms = fields.List(fields.Str(), required=True)
    count = fields.Int(required=True)
    share = fields.Float(required=True)
    sentiment = fields.Float(allow_none=True, required=True)


class CommentGroupOut(Schema):
    theme_id = fields.Int(allow_none=True, required=True, metadata={
        "description": "null for the pool of themes of fewer than k people ('Other comments'), or when the "
                       "comments are not grouped into themes yet ('All comments')."})
    label = fields.Str(required=True)
    count = fields.Int(required=True)
    comments = fields.List(fields.Str(), required=True)


class EngagementResults(Schema):
    overall = fields.Nested(GroupSummary, required=True)
    groups = fields.List(fields.Nested(GroupSummary), required=True)
    comments = fields.List(fields.Str(), allow_none=True, required=True)
    comment_themes = fields.List(fields.Nested(CommentThemeOut), allow_none=True, required=True)
    comment_groups = fields.List(fields.Nested(CommentGroupOut), allow_none=True, metadata={
        "description": "The whole organisation's comments under their themes (a theme of its own needs at "
                       "least k people); null where comments are not shown. Never per group."})
    sentiment_scale = fields.Str(metadata={"description": "What the -1..+1 sentiment scale means."})
    sentiment_rule = fields.Str(metadata={"description": "When a comment theme's sentiment is shown."})


class Engagement(Schema):
    campaign = fields.Nested(CampaignOut, required=True)
    min_group_size = fields.Int(required=True)
    by = fields.Str(allow_none=True, required=True)
    drivers = fields.List(fields.Nested(Driver), required=True)
    participation = fields.List(fields.Nested(ParticipationOut), required=True)
    trend = fields.List(fields.Nested(TrendPoint), required=True)
    results = fields.Nested(EngagementResults, allow_none=True, required=True, metadata={
        "description": "null while the campaign is open (participation only)."})
