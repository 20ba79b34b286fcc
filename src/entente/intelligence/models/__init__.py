"""Models of the intelligence app, one module per concept."""

from entente.intelligence.models.exchange import ImportJob
from entente.intelligence.models.reports import Attachment, Entity, Regrade, Report, ReportEntity
from entente.intelligence.models.requests import InformationRequest
from entente.intelligence.models.sharing import Disclosure, Release
from entente.intelligence.models.watch import SavedSearch, WatchHit

__all__ = [
    "Attachment",
    "Disclosure",
    "Entity",
    "ImportJob",
    "InformationRequest",
    "Regrade",
    "Release",
    "Report",
    "ReportEntity",
    "SavedSearch",
    "WatchHit",
]
