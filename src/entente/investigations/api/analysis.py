"""Investigations API: network analysis of the visible graph, and suggested members.

No ``from __future__ import annotations`` here (django-ninja reads the annotations).
"""

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from entente.core import access
from entente.core.api_support import RecordId, rendered
from entente.core.choices import Module
from entente.investigations import analysis
from entente.investigations.api.chart import GraphFilter, checked_filters
from entente.investigations.models import Investigation

router = Router()


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


class AnalysisQuery(GraphFilter):
    investigation: RecordId | None = Field(
        None, description="only this investigation's entities and their neighbourhood"
    )


@router.get(
    "/investigations/graph/analysis",
    response=AnalysisOut,
    summary="Communities and centralities of the graph the caller may see",
)
def graph_analysis(request: HttpRequest, query: Query[AnalysisQuery]) -> HttpResponse:
    filters = checked_filters(request, query)
    result = analysis.analyse(request.user, investigation=query.investigation, **filters)
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
