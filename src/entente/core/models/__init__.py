"""Models of the core app, one module per concept."""

from entente.core.models.audit import AuditEntry, AuditHead
from entente.core.models.bulletins import Bulletin
from entente.core.models.markings import MarkedModel, MarkedQuerySet, Recipient
from entente.core.models.reference import Agency, Country, Site
from entente.core.models.users import ApiToken, ModuleRole, User

__all__ = [
    "Agency",
    "ApiToken",
    "AuditEntry",
    "AuditHead",
    "Bulletin",
    "Country",
    "MarkedModel",
    "MarkedQuerySet",
    "ModuleRole",
    "Recipient",
    "Site",
    "User",
]
