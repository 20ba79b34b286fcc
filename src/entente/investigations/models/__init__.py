"""Models of the investigations app, one module per concept."""

from entente.investigations.models.cases import (
    Action,
    Investigation,
    InvestigationEntity,
    Member,
    Network,
    Task,
)
from entente.investigations.models.graph_version import GraphVersion
from entente.investigations.models.imports import EntityImport
from entente.investigations.models.linkage import MatchCandidate, MatchDecision, ResolutionRun
from entente.investigations.models.linkage_keys import BlockingKey
from entente.investigations.models.links import Link

__all__ = [
    "Action",
    "BlockingKey",
    "EntityImport",
    "GraphVersion",
    "Investigation",
    "InvestigationEntity",
    "Link",
    "MatchCandidate",
    "MatchDecision",
    "Member",
    "Network",
    "ResolutionRun",
    "Task",
]
