"""Models of the safeguarding app, one module per concept."""

from entente.safeguarding.models.accommodation import Allocation, Place
from entente.safeguarding.models.campaigns import Campaign, CampaignMessage
from entente.safeguarding.models.pathways import Pathway, PathwayStep
from entente.safeguarding.models.people import Consent, Person, Screening
from entente.safeguarding.models.referrals import Referral
from entente.safeguarding.models.retention import RetentionPolicy
from entente.safeguarding.models.services import DayCentre, ServiceDay

__all__ = [
    "Allocation",
    "Campaign",
    "CampaignMessage",
    "Consent",
    "DayCentre",
    "Pathway",
    "PathwayStep",
    "Person",
    "Place",
    "Referral",
    "RetentionPolicy",
    "Screening",
    "ServiceDay",
]
