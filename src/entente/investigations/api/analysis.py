"""Investigations API: network analysis of the visible graph, and suggested members.

No ``from __future__ import annotations`` here (django-ninja reads the annotations).
"""

from datetime import date
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError

from entente.core import access, periods
from entente.core.api_support import QueryFilter, RecordId, rendered
from entente.core.choices import Module
from entente.investigations import analysis
from entente.investigations.models import Investigation

router = Router()

KindName = Literal["drives", "owns", "calls", "pays", "travels_with", "member_of"]


class NodeOut(Schema):
    id: int
    label: str
    kind: str = Field(description="person, vehicle, phone, company, place or account")
    community: int = Field(description="the community's number, 1 the largest")
    degree: int = Field(description="visible neighbours")
    betweenness: float = Field(description="share of shortest paths through the entity (0-1)")
    eigenvector: float = Field(description="eigenvector centrality, 1 the most central")
    coreness: int = Field(description="the largest k of a k-core holding the entity")


class CommunityOut(Schema):
    id: int
    size: int
    members: list[int] = Field(description="entity ids")


class AnalysisOut(Schema):
    nodes: list[NodeOut]
    communities: list[CommunityOut]


class SuggestionOut(Schema):
    id: int = Field(description="the entity's id")
    label: str
    kind: str
    community: int
    score: float
    reasons: list[str] = Field(description="why, in the caller's language")


class AnalysisQuery(QueryFilter):
    investigation: RecordId | None = Field(
        None, description="only this investigation's entities and their neighbourhood"
    )
    kinds: list[KindName] = Field(default_factory=list, description="link kinds (repeatable)")
    start: date | None = Field(
        None, ge=periods.EARLIEST, le=periods.LATEST, description="links active from this day"
    )
    end: date | None = Field(
        None, ge=periods.EARLIEST, le=periods.LATEST, description="links active until this day"
    )


@router.get(
    "/investigations/graph/analysis",
    response=AnalysisOut,
    summary="Communities and centralities of the graph the caller may see",
)
def graph_analysis(request: HttpRequest, query: Query[AnalysisQuery]) -> HttpResponse:
    access.require_role(request.user, Module.INVESTIGATIONS)
    if query.start and query.end and query.start > query.end:
        raise ValidationError(
            [
                {
                    "loc": ("query", "start"),
                    "msg": _("The period starts after it ends."),
                    "type": "value_error",
                }
            ]
        )
    result = analysis.analyse(
        request.user,
        investigation=query.investigation,
        kinds=query.kinds,
        start=query.start,
        end=query.end,
    )
    # Already the schema's shape (plain numbers and strings): not validated again node by node.
    return rendered(result.as_json())


@router.get(
    "/investigations/investigations/{investigation_id}/suggestions",
    response=list[SuggestionOut],
    summary="Entities the investigation's graph suggests adding to it, best first",
)
def investigation_suggestions(request: HttpRequest, investigation_id: int) -> HttpResponse:
    access.require_role(request.user, Module.INVESTIGATIONS)
    found = access.get_visible_or_404(Investigation, request.user, pk=investigation_id)
    rows = [
        {
            "id": s.node.id,
            "label": s.node.label,
            "kind": s.node.kind,
            "community": s.node.community,
            "score": s.score,
            "reasons": s.reasons,
        }
        for s in analysis.suggest_members(request.user, found)
    ]
    return rendered(rows)
