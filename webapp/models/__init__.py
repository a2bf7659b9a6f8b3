"""ORM models, split by domain; import from here."""

from webapp.models.analysis import AnalysisRun, ObservationTheme, ThemeRecord
from webapp.models.engagement import Campaign, CampaignMember, EngagementResponse, Participation
from webapp.models.org import Period, Person, Region, Setting, Territory
from webapp.models.planning import Actual, Decision, Observation, PlanSubmission, TopDownTarget

__all__ = [
    "Actual",
    "AnalysisRun",
    "Campaign",
    "CampaignMember",
    "Decision",
    "EngagementResponse",
    "Observation",
    "ObservationTheme",
    "Participation",
    "Period",
    "Person",
    "PlanSubmission",
    "Region",
    "Setting",
    "Territory",
    "ThemeRecord",
    "TopDownTarget",
]
