"""ORM models, split by domain; import from here."""

from webapp.models.actions import ACTION_STATUSES, Action
from webapp.models.analysis import AnalysisRun, CommentThemeCount, ObservationTheme, TextEmbedding, ThemeRecord
from webapp.models.api import ApiToken, IdempotentRequest
from webapp.models.engagement import Campaign, CampaignMember, EngagementResponse, Participation
from webapp.models.jobs import JOB_STATES, Job
from webapp.models.org import Period, Person, Region, Setting, Territory
from webapp.models.precomputed import CampaignResult, ObservationThemeStat
from webapp.models.planning import Actual, Decision, Observation, PlanSubmission, TopDownTarget

__all__ = [
    "ACTION_STATUSES",
    "Action",
    "CommentThemeCount",
    "Actual",
    "ApiToken",
    "AnalysisRun",
    "Campaign",
    "CampaignMember",
    "CampaignResult",
    "Decision",
    "EngagementResponse",
    "IdempotentRequest",
    "JOB_STATES",
    "Job",
    "Observation",
    "ObservationTheme",
    "ObservationThemeStat",
    "Participation",
    "Period",
    "Person",
    "PlanSubmission",
    "Region",
    "Setting",
    "Territory",
    "TextEmbedding",
    "ThemeRecord",
    "TopDownTarget",
]
