"""Programme API: the joint inspections (list, detail, findings, actions, closure) and the
joint report's PDF for a period and a language.

Refusals are problem details: 422 naming the field (a closure refused while an item of the
checklist is unchecked, a period with no data), 404 for an unknown inspection, 403 without
the role. Programme viewers read, editors write, approvers close.

No ``from __future__ import annotations`` here (django-ninja reads the annotations).
"""

from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from entente.core import access, periods
from entente.core.api_support import QueryFilter, RecordId, StrictSchema
from entente.core.choices import Module, Role
from entente.core.models import Agency
from entente.programme.models import Inspection
from entente.programme.services import inspections as services
from entente.programme.services import report as reports

router = Router()


class InspectionSummaryOut(Schema):
    period: str
    held_on: date | None
    state: str
    closed_at: datetime | None
    findings: int
    actions: int


class ItemOut(Schema):
    id: int
    position: int
    text_en: str
    text_fr: str
    checked: bool
    note: str


class FindingOut(Schema):
    id: int
    text: str
    language: str
    severity: int
    recommendation: str


class ActionOut(Schema):
    id: int
    title: str
    owner: str
    due_on: date
    state: str
    done_on: date | None
    overdue: bool
    finding: int | None
    carried_from: str = Field(description="the period of the inspection it was carried from")
    carried_to: str = Field(description="the period of the inspection it was carried to")


class InspectionOut(InspectionSummaryOut):
    previous: str | None
    summary_en: str
    summary_fr: str
    checklist: list[ItemOut]
    finding_list: list[FindingOut]
    action_list: list[ActionOut]


def _action(row: services.ActionRow) -> dict[str, Any]:
    a = row.action
    return {
        "id": a.pk,
        "title": a.title,
        "owner": a.owner.code,
        "due_on": a.due_on,
        "state": a.state,
        "done_on": a.done_on,
        "overdue": row.overdue,
        "finding": a.finding_id,
        "carried_from": row.carried_from_period,
        "carried_to": row.carried_to_period,
    }


def _detail(i: Inspection) -> dict[str, Any]:
    rows = services.action_rows(i, timezone.localdate())
    findings = list(i.findings.all())
    return {
        "period": i.period,
        "held_on": i.held_on,
        "state": i.state,
        "closed_at": i.closed_at,
        "findings": len(findings),
        "actions": len(rows),
        "previous": i.previous.period if i.previous else None,
        "summary_en": i.summary_en,
        "summary_fr": i.summary_fr,
        "checklist": [
            {
                "id": c.pk,
                "position": c.position,
                "text_en": c.text_en,
                "text_fr": c.text_fr,
                "checked": c.checked,
                "note": c.note,
            }
            for c in i.checklist.all()
        ],
        "finding_list": [
            {
                "id": f.pk,
                "text": f.text,
                "language": f.language,
                "severity": f.severity,
                "recommendation": f.recommendation,
            }
            for f in findings
        ],
        "action_list": [_action(r) for r in rows],
    }


@router.get(
    "/programme/inspections",
    response=list[InspectionSummaryOut],
    summary="The joint inspections, latest first",
)
def list_inspections(request: HttpRequest) -> list[dict[str, Any]]:
    access.require_role(request.user, Module.PROGRAMME)
    return [
        {
            "period": i.period,
            "held_on": i.held_on,
            "state": i.state,
            "closed_at": i.closed_at,
            "findings": i.finding_count,  # type: ignore[attr-defined]
            "actions": i.action_count,  # type: ignore[attr-defined]
        }
        for i in services.inspections()
    ]


@router.get(
    "/programme/inspections/{period}",
    response=InspectionOut,
    summary="An inspection with its checklist, findings and actions (overdue flagged)",
)
def get_inspection(request: HttpRequest, period: str) -> dict[str, Any]:
    return _detail(services.inspection_for(request.user, period))


class FindingIn(StrictSchema):
    text: str = Field(min_length=1, max_length=5000)
    language: Literal["en", "fr"] = "en"
    severity: Literal[1, 2, 3] = 2
    recommendation: str = Field("", max_length=5000)


@router.post(
    "/programme/inspections/{period}/findings",
    response={201: FindingOut},
    summary="Record a finding and its recommendation (programme editors)",
)
def create_finding(request: HttpRequest, period: str, body: FindingIn) -> Status[dict[str, Any]]:
    access.require_role(request.user, Module.PROGRAMME, Role.EDITOR)
    inspection = services.inspection_for(request.user, period)
    f = services.add_finding(
        inspection,
        acting_user=request.user,
        text=body.text,
        language=body.language,
        severity=body.severity,
        recommendation=body.recommendation,
    )
    return Status(
        201,
        {
            "id": f.pk,
            "text": f.text,
            "language": f.language,
            "severity": f.severity,
            "recommendation": f.recommendation,
        },
    )


class ActionIn(StrictSchema):
    title: str = Field(min_length=1, max_length=300)
    owner: str = Field(max_length=40, description="the owner agency's code, such as MININT")
    due_on: date = Field(ge=periods.EARLIEST, le=periods.LATEST)
    finding: RecordId | None = None


@router.post(
    "/programme/inspections/{period}/actions",
    response={201: ActionOut},
    summary="Add an action with its owner agency and deadline (programme editors)",
)
def create_action(request: HttpRequest, period: str, body: ActionIn) -> Status[dict[str, Any]]:
    access.require_role(request.user, Module.PROGRAMME, Role.EDITOR)
    inspection = services.inspection_for(request.user, period)
    owner = Agency.objects.filter(code=body.owner).first()
    finding = None
    if body.finding is not None:
        finding = inspection.findings.filter(pk=body.finding).first()
        if finding is None:
            raise ValidationError({"finding": _("The finding belongs to another inspection.")})
    action = services.add_action(
        inspection,
        acting_user=request.user,
        title=body.title,
        owner=owner,
        due_on=body.due_on,
        finding=finding,
    )
    row = services.ActionRow(action, timezone.localdate())
    return Status(201, _action(row))


@router.post(
    "/programme/inspections/{period}/close",
    response=InspectionOut,
    summary="Close an inspection (programme approvers; refused while an item of the checklist "
    "is unchecked); its open actions go to the next inspection",
)
def close_inspection(request: HttpRequest, period: str) -> dict[str, Any]:
    access.require_role(request.user, Module.PROGRAMME, Role.APPROVER)
    inspection = services.inspection_for(request.user, period)
    services.close_inspection(inspection, acting_user=request.user)
    return _detail(services.inspection_for(request.user, period))


class ReportQuery(QueryFilter):
    lang: Literal["en", "fr"] = "en"


@router.get(
    "/programme/reports/{period}/pdf",
    response={200: bytes},
    summary="The joint report of a period (2015-H2, 2015-H1, 2015-Q3, 2015) as a PDF, in "
    "English or French; 422 for a period with no data",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The PDF",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def report_pdf(request: HttpRequest, period: str, query: Query[ReportQuery]) -> HttpResponse:
    access.require_role(request.user, Module.PROGRAMME)
    found = reports.report_period(period)
    pdf = reports.render_pdf(found, query.lang)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{reports.file_name(found, query.lang)}"'
    )
    return response
