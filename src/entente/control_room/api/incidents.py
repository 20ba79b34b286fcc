"""Incidents through the API: the list, one incident, its lifecycle steps.

No ``from __future__ import annotations`` here (django-ninja reads the annotations).
"""

from datetime import datetime
from typing import Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from entente.control_room import services
from entente.control_room.models import Incident
from entente.core import access
from entente.core.api_support import (
    QueryFilter,
    StrictSchema,
    bad_cursor,
    decode_cursor,
    encode_cursor,
    rendered,
)

router = Router()


class TransitionIn(StrictSchema):
    state: Literal["acknowledged", "dispatched", "on_scene", "closed"]


class IncidentOut(Schema):
    id: int
    zone: str
    site: str
    kind: str
    severity: int
    state: str
    opened_at: datetime
    last_alert_at: datetime
    alert_count: int
    acknowledged_at: datetime | None
    dispatched_at: datetime | None
    on_scene_at: datetime | None
    closed_at: datetime | None

    @staticmethod
    def resolve_zone(obj: Incident) -> str:
        return obj.zone.code

    @staticmethod
    def resolve_site(obj: Incident) -> str:
        return obj.zone.site.code


class IncidentPage(Schema):
    items: list[IncidentOut]
    next: str | None = Field(
        None,
        description="The cursor of the next page (pass it as ``cursor``); null on the last page.",
    )


class IncidentListQuery(QueryFilter):
    limit: int = Field(50, ge=1, le=settings.ENTENTE_API_MAX_PAGE, description="Rows per page.")
    cursor: str | None = Field(
        None, max_length=64, description="The ``next`` value of the previous page."
    )
    offset: int = Field(
        0,
        ge=0,
        le=1_000_000_000,
        description="Rows to skip (kept for older clients; follow ``next`` instead).",
    )


@router.get(
    "/incidents",
    response=IncidentPage,
    summary="Incidents visible to the caller, newest first, a page at a time",
)
def list_incidents(request: HttpRequest, query: Query[IncidentListQuery]) -> HttpResponse:
    try:
        after = decode_cursor(query.cursor) if query.cursor else None
    except ValueError:
        raise bad_cursor() from None
    rows, last = services.incident_page(
        request.user, limit=query.limit, after=after, offset=query.offset
    )
    page = {"items": rows, "next": encode_cursor(*last) if last else None}
    # The rows are the schema's columns already (values_list): rendered as they are, not
    # validated again one by one, which cost as much as the query.
    return rendered(page)


@router.get("/incidents/{incident_id}", response=IncidentOut, summary="One incident")
def get_incident(request: HttpRequest, incident_id: int) -> Incident:
    incident: Incident = access.get_visible_or_404(
        Incident.objects.select_related("zone__site"), request.user, pk=incident_id
    )
    return incident


@router.post(
    "/incidents/{incident_id}/transitions",
    response=IncidentOut,
    summary="Move an incident to its next state (acknowledged, dispatched, on scene, closed)",
)
def transition_incident(request: HttpRequest, incident_id: int, payload: TransitionIn) -> Incident:
    incident: Incident = access.get_visible_or_404(Incident, request.user, pk=incident_id)
    return services.advance_incident(incident, to_state=payload.state, acting_user=request.user)
