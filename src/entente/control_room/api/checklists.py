"""Procedure checklists, merging and splitting incidents through the API.

No ``from __future__ import annotations`` here (django-ninja reads the annotations).
"""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from entente.control_room.api.incidents import IncidentOut
from entente.control_room.models import ChecklistEntry, Incident
from entente.control_room.services import checklists, merging
from entente.core import access
from entente.core.api_support import RecordId, StrictSchema

router = Router()

# A record number any database can hold (a larger one is a 422, not a server error).


class ChecklistStepOut(Schema):
    """One step of the incident's procedure and what was recorded against it, if anything."""

    step: str = Field(description="The step's code within its procedure")
    position: int
    text: str = Field(description="The step in the caller's language")
    text_en: str
    text_fr: str
    status: Literal["done", "skipped"] | None
    note: str
    by: str | None
    at: datetime | None
    reviewed_by: str | None
    reviewed_at: datetime | None


class ChecklistEntryIn(StrictSchema):
    step: str = Field(min_length=1, max_length=40, description="The step's code")
    status: Literal["done", "skipped"]
    note: str = Field(
        "", max_length=checklists.NOTE_MAX, description="Optional when done; the reason to skip"
    )


class MergeIn(StrictSchema):
    incidents: list[RecordId] = Field(
        min_length=1, max_length=50, description="The incidents to merge into this one"
    )


class SplitIn(StrictSchema):
    alerts: list[RecordId] = Field(
        min_length=1, max_length=1000, description="The alerts to move to a new incident"
    )


def _username(user: object) -> str | None:
    return user.get_username() if user is not None else None  # type: ignore[attr-defined]


def _step_out(row: checklists.ChecklistRow) -> ChecklistStepOut:
    entry = row.entry
    return ChecklistStepOut(
        step=row.step.code,
        position=row.step.position,
        text=row.step.text,
        text_en=row.step.text_en,
        text_fr=row.step.text_fr,
        status=entry.status if entry else None,  # type: ignore[arg-type]
        note=entry.note if entry else "",
        by=_username(entry.by) if entry else None,
        at=entry.at if entry else None,
        reviewed_by=_username(entry.reviewed_by) if entry else None,
        reviewed_at=entry.reviewed_at if entry else None,
    )


@router.get(
    "/incidents/{incident_id}/checklist",
    response=list[ChecklistStepOut],
    summary="The procedure checklist of an incident: each step with what was recorded",
)
def get_checklist(request: HttpRequest, incident_id: int) -> list[ChecklistStepOut]:
    incident: Incident = access.get_visible_or_404(Incident, request.user, pk=incident_id)
    return [_step_out(row) for row in checklists.checklist_of(incident)]


@router.post(
    "/incidents/{incident_id}/checklist",
    response={201: ChecklistStepOut},
    summary="Tick a step of an open incident's procedure done, or skip it with a reason",
)
def record_checklist_step(
    request: HttpRequest, incident_id: int, payload: ChecklistEntryIn
) -> Status[ChecklistStepOut]:
    incident: Incident = access.get_visible_or_404(Incident, request.user, pk=incident_id)
    entry: ChecklistEntry = checklists.record_step(
        incident,
        step_code=payload.step,
        status=payload.status,
        note=payload.note,
        acting_user=request.user,
    )
    return Status(201, _step_out(checklists.ChecklistRow(entry.step, entry)))


@router.post(
    "/incidents/{incident_id}/merge",
    response=IncidentOut,
    summary="Merge open incidents of the same site into this one (they close, pointing to it)",
)
def merge_into(request: HttpRequest, incident_id: int, payload: MergeIn) -> Incident:
    incident: Incident = access.get_visible_or_404(Incident, request.user, pk=incident_id)
    merged = merging.merge_incidents(incident, payload.incidents, acting_user=request.user)
    out: Incident = Incident.objects.select_related("zone__site").get(pk=merged.pk)
    return out


@router.post(
    "/incidents/{incident_id}/split",
    response={201: IncidentOut},
    summary="Move some of an open incident's alerts to a new incident (returned)",
)
def split(request: HttpRequest, incident_id: int, payload: SplitIn) -> Status[Incident]:
    incident: Incident = access.get_visible_or_404(Incident, request.user, pk=incident_id)
    new = merging.split_incident(incident, payload.alerts, acting_user=request.user)
    out: Incident = Incident.objects.select_related("zone__site").get(pk=new.pk)
    return Status(201, out)
