"""Incidents through the API: the list, one incident, its lifecycle steps.

No ``from __future__ import annotations`` here (django-ninja reads the annotations).
"""

from datetime import datetime
from typing import Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from entente.control_room import services
from entente.control_room.models import Incident
from entente.core import access
from entente.core.api_support import Pagination, StrictSchema
from entente.core.choices import Module

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


@router.get(
    "/incidents",
    response=list[IncidentOut],
    summary="Incidents visible to the caller, newest first",
)
@paginate(Pagination)
def list_incidents(request: HttpRequest) -> QuerySet[Incident]:
    access.require_role(request.user, Module.CONTROL_ROOM)
    return Incident.objects.visible_to(request.user).select_related("zone__site")


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
