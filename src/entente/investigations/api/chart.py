"""Investigations API: the link chart (a neighbourhood, a shortest path, a timeline).

Everything answered is what the access policy lets the caller see (entente.investigations.
graph); an entity the caller may not see is a 404, as if it did not exist.

No ``from __future__ import annotations`` here (django-ninja reads the annotations).
"""

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError

from entente.core import access
from entente.core.api_support import QueryFilter, RecordId
from entente.core.choices import Module
from entente.core.periods import EARLIEST, LATEST
from entente.investigations import graph
from entente.investigations.services import chart as services

router = Router()

LinkKindCode = Literal["drives", "owns", "calls", "pays", "travels_with", "member_of"]
Day = Field(None, ge=EARLIEST, le=LATEST, description="YYYY-MM-DD")


class GraphFilter(QueryFilter):
    """Which links count: some kinds only (repeat ``kinds``), overlapping a period."""

    kinds: list[LinkKindCode] = Field(default_factory=list, max_length=6)
    start: dt.date | None = Day
    end: dt.date | None = Day


class ExpandFilter(GraphFilter):
    hops: int = Field(
        1,
        ge=1,
        le=2,
        description="1 or 2 (two hops read the neighbours' links up to a limit, those with "
        "the fewest links first; the others are left to expand)",
    )


class TimelineFilter(GraphFilter):
    entities: list[RecordId] = Field(
        default_factory=list, max_length=graph.MAX_NODES, description="Entity ids (repeat)"
    )


class ChartNodeOut(Schema):
    id: int
    label: str
    kind: str
    kind_label: str
    country: str
    hidden: int | None = Field(
        ...,
        description="Links of this entity you may not see (a count); null when not counted: "
        "the outermost entities of a neighbourhood, and two hops out the neighbours whose "
        "links were not read (past the second hop's limit), are counted once expanded "
        "themselves",
    )


class EdgeOut(Schema):
    id: int
    source: int
    target: int
    kind: str
    kind_label: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    confidence: float
    provenance: str


class SubgraphOut(Schema):
    nodes: list[ChartNodeOut]
    edges: list[EdgeOut]
    truncated: int = Field(..., description="Entities left out past the chart's size limit")


class PathOut(SubgraphOut):
    path: list[int] | None = Field(..., description="Entity ids from source to target, or null")


class EventOut(Schema):
    date: dt.date
    type: Literal["link", "action", "report"]
    label: str
    entities: list[int]


def checked_filters(request: HttpRequest, filters: GraphFilter) -> dict[str, Any]:
    """The graph's filters for the services (the link chart's and the analysis'), once the
    caller's role and the period's order are checked."""
    access.require_role(request.user, Module.INVESTIGATIONS)
    if filters.start and filters.end and filters.start > filters.end:
        raise ValidationError(
            [
                {
                    "loc": ("query", "end"),
                    "msg": _("The end of the period comes before its start."),
                    "type": "value_error",
                }
            ]
        )
    return {"kinds": filters.kinds or None, "start": filters.start, "end": filters.end}


@router.get(
    "/investigations/graph/expand/{entity_id}",
    response=SubgraphOut,
    url_name="investigations_graph_expand",
    summary="An entity's neighbourhood on the link chart (1 or 2 hops), with hidden counts",
)
def expand(
    request: HttpRequest, entity_id: RecordId, filters: Query[ExpandFilter]
) -> dict[str, Any]:
    options = checked_filters(request, filters)
    found = graph.neighbourhood(request.user, entity_id, hops=filters.hops, **options)
    services.record_read(
        found, acting_user=request.user, about="intelligence.entity", about_id=entity_id
    )
    return found.as_json()


@router.get(
    "/investigations/graph/path/{source_id}/{target_id}",
    response=PathOut,
    url_name="investigations_graph_path",
    summary="A shortest chain of links you may see between two entities (null when none)",
)
def path(
    request: HttpRequest, source_id: RecordId, target_id: RecordId, filters: Query[GraphFilter]
) -> dict[str, Any]:
    options = checked_filters(request, filters)
    found = graph.shortest_path(request.user, source_id, target_id, **options)
    if found is None:
        return {"path": None, "nodes": [], "edges": [], "truncated": 0}
    chain = graph.path_subgraph(request.user, found, **options)
    services.record_read(
        chain,
        acting_user=request.user,
        about="investigations.path",
        about_id=f"{source_id}-{target_id}",
    )
    return {"path": found, **chain.as_json()}


@router.get(
    "/investigations/graph/timeline",
    response=list[EventOut],
    url_name="investigations_graph_timeline",
    summary="The dated events of entities: their links, actions of investigations, reports",
)
def timeline(request: HttpRequest, filters: Query[TimelineFilter]) -> list[dict[str, Any]]:
    options = checked_filters(request, filters)
    return graph.timeline(request.user, filters.entities, **options)
