"""Outcomes through the API: closing an incident with what was found, the handovers that
safeguarding takes up, the vehicle reports that intelligence takes up.

No ``from __future__ import annotations`` here (django-ninja reads the annotations).
"""

from datetime import datetime
from typing import Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from entente.control_room.choices import ImmediateNeed
from entente.control_room.models import Handover, Incident, IncidentOutcome, VehicleReport
from entente.control_room.services import outcomes as services
from entente.core import access
from entente.core.api_support import Pagination, QueryFilter, StrictSchema

router = Router()

Result = Literal["false_alarm", "prevented", "people_found", "nothing_found"]
Need = Literal["medical", "water_food", "warmth", "shelter", "interpreter", "child_protection"]
Vehicle = Literal["", "lorry", "tanker", "refrigerated", "van", "car"]
Hidden = Literal[
    "",
    "trailer_load",
    "roof",
    "axle",
    "cab",
    "refrigeration_unit",
    "container",
    "false_compartment",
    "other",
]


class OutcomeIn(StrictSchema):
    """What was found. Counts only: there is no field for who the people are, on purpose."""

    result: Result
    adults: int = Field(0, ge=0, le=services.MAX_PEOPLE)
    minors: int = Field(0, ge=0, le=services.MAX_PEOPLE)
    injured: int = Field(0, ge=0, le=services.MAX_PEOPLE)
    needs: list[Need] = Field(default_factory=list, max_length=len(ImmediateNeed.values))
    vehicle_plate: str = Field("", max_length=services.MAX_PLATE)
    vehicle_country: str = Field("", max_length=2)
    vehicle_type: Vehicle = ""
    haulier: str = Field("", max_length=services.MAX_HAULIER)
    concealment: Hidden = ""
    notes: str = Field("", max_length=services.MAX_NOTES)


class OutcomeOut(Schema):
    incident: int
    state: str
    closed_at: datetime | None
    result: str
    adults: int
    minors: int
    injured: int
    vehicle_plate: str
    vehicle_country: str
    vehicle_type: str
    haulier: str
    concealment: str
    notes: str
    recorded_by: str
    recorded_at: datetime
    handover: int | None

    @staticmethod
    def resolve_incident(obj: IncidentOutcome) -> int:
        return obj.incident_id

    @staticmethod
    def resolve_state(obj: IncidentOutcome) -> str:
        return obj.incident.state

    @staticmethod
    def resolve_closed_at(obj: IncidentOutcome) -> datetime | None:
        return obj.incident.closed_at

    @staticmethod
    def resolve_recorded_by(obj: IncidentOutcome) -> str:
        return obj.recorded_by.get_username()

    @staticmethod
    def resolve_handover(obj: IncidentOutcome) -> int | None:
        return (
            Handover.objects.filter(incident_id=obj.incident_id)
            .values_list("pk", flat=True)
            .first()
        )


class SafeguardingHandoverOut(Schema):
    id: int
    incident: int
    site: str
    people: int
    minors: int
    injured: int
    needs: list[str]
    state: str
    originator: str
    created_at: datetime
    taken_up_by: str | None
    taken_up_at: datetime | None

    @staticmethod
    def resolve_incident(obj: Handover) -> int:
        return obj.incident_id

    @staticmethod
    def resolve_site(obj: Handover) -> str:
        return obj.site.code

    @staticmethod
    def resolve_originator(obj: Handover) -> str:
        return obj.originator.code

    @staticmethod
    def resolve_taken_up_by(obj: Handover) -> str | None:
        return obj.taken_up_by.get_username() if obj.taken_up_by else None


class VehicleReportIn(StrictSchema):
    note: str = Field("", max_length=services.MAX_NOTE)


class VehicleReportOut(Schema):
    id: int
    incident: int
    site: str
    plate: str
    country: str
    vehicle_type: str
    haulier: str
    concealment: str
    note: str
    state: str
    originator: str
    created_at: datetime
    taken_up_by: str | None
    taken_up_at: datetime | None

    @staticmethod
    def resolve_incident(obj: VehicleReport) -> int:
        return obj.incident_id

    @staticmethod
    def resolve_site(obj: VehicleReport) -> str:
        return obj.incident.zone.site.code

    @staticmethod
    def resolve_originator(obj: VehicleReport) -> str:
        return obj.originator.code

    @staticmethod
    def resolve_taken_up_by(obj: VehicleReport) -> str | None:
        return obj.taken_up_by.get_username() if obj.taken_up_by else None


class OutcomeHandoverFilter(QueryFilter):
    state: Literal["pending", "taken_up"] | None = None


class VehicleReportFilter(QueryFilter):
    state: Literal["sent", "taken_up"] | None = None


@router.post(
    "/incidents/{incident_id}/close",
    response=OutcomeOut,
    summary="Close an incident with its outcome (people found are handed over to safeguarding)",
)
def close_incident(request: HttpRequest, incident_id: int, payload: OutcomeIn) -> IncidentOutcome:
    incident: Incident = access.get_visible_or_404(Incident, request.user, pk=incident_id)
    return services.close_incident(
        incident,
        outcome=services.OutcomeInput(**payload.model_dump()),
        acting_user=request.user,
    )


@router.get(
    "/handovers",
    response=list[SafeguardingHandoverOut],
    summary="Handovers of people found, for safeguarding (those visible to the caller)",
)
@paginate(Pagination)
def list_handovers(
    request: HttpRequest, filters: Query[OutcomeHandoverFilter]
) -> QuerySet[Handover]:
    return services.handovers_for(request.user, state=filters.state)


@router.post(
    "/handovers/{handover_id}/take-up",
    response=SafeguardingHandoverOut,
    summary="Take a handover up (safeguarding editors)",
)
def take_up_handover(request: HttpRequest, handover_id: int) -> Handover:
    handover: Handover = access.get_visible_or_404(Handover, request.user, pk=handover_id)
    return services.take_up_handover(handover, acting_user=request.user)


@router.post(
    "/incidents/{incident_id}/vehicle-report",
    response={201: VehicleReportOut},
    summary="Send a closed incident's vehicle and haulier to intelligence (once)",
)
def send_vehicle_report(
    request: HttpRequest, incident_id: int, payload: VehicleReportIn
) -> Status[VehicleReport]:
    incident: Incident = access.get_visible_or_404(Incident, request.user, pk=incident_id)
    report = services.send_vehicle_report(incident, note=payload.note, acting_user=request.user)
    return Status(201, report)


@router.get(
    "/vehicle-reports",
    response=list[VehicleReportOut],
    summary="Vehicle reports from the control room, for intelligence",
)
@paginate(Pagination)
def list_vehicle_reports(
    request: HttpRequest, filters: Query[VehicleReportFilter]
) -> QuerySet[VehicleReport]:
    return services.vehicle_reports_for(request.user, state=filters.state)


@router.post(
    "/vehicle-reports/{report_id}/take-up",
    response=VehicleReportOut,
    summary="Take a vehicle report up (intelligence editors)",
)
def take_up_vehicle_report(request: HttpRequest, report_id: int) -> VehicleReport:
    report: VehicleReport = access.get_visible_or_404(VehicleReport, request.user, pk=report_id)
    return services.take_up_vehicle_report(report, acting_user=request.user)
