"""ORM models, split by domain; import from here."""

from webapp.models.engagement import Campaign, CampaignMember, EngagementResponse, Participation
from webapp.models.org import Period, Person, Region, Setting, Territory
from webapp.models.planning import Actual, Decision, Observation, PlanSubmission, TopDownTarget

__all__ = [
    "Actual",
    "Campaign",
    "CampaignMember",
    "Decision",
    "EngagementResponse",
    "Observation",
    "Participation",
    "Period",
    "Person",
    "PlanSubmission",
    "Region",
    "Setting",
    "Territory",
    "TopDownTarget",
]
