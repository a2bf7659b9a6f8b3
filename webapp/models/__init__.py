"""ORM models, split by domain; import from here."""

from webapp.models.actions import ACTION_STATUSES, Action
from webapp.models.analysis import AnalysisRun, CommentThemeAssignment, CommentThemeCount, ObservationTheme, TextEmbedding, ThemeRecord
from webapp.models.api import ApiToken, IdempotentRequest
from webapp.models.audit import PersonChange
from webapp.models.engagement import Campaign, CampaignManagerLink, CampaignMember, EngagementResponse, Participation
from webapp.models.jobs import JOB_STATES, Job
from webapp.models.mail import MAIL_STATES, OutboundMail
from webapp.models.org import Period, Person, Region, Setting, Territory
from webapp.models.precomputed import CampaignResult, ObservationThemeStat
from webapp.models.schedules import CampaignSchedule
from webapp.models.signin import LINK_PURPOSES, SignInLink
from webapp.models.planning import Actual, Decision, Observation, PlanSubmission, TopDownTarget

__all__ = [
    "CampaignSchedule",
    "LINK_PURPOSES",
    "MAIL_STATES",
    "OutboundMail",
    "PersonChange",
    "SignInLink",
    "ACTION_STATUSES",
    "Action",
    "CommentThemeAssignment",
    "CommentThemeCount",
    "Actual",
    "ApiToken",
    "AnalysisRun",
    "Campaign",
    "CampaignManagerLink",
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
