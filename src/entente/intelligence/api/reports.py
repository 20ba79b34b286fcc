"""Intelligence API: reports, their attachments, re-grades and entities.

No ``from __future__ import annotations`` here (django-ninja reads the annotations).
"""

from datetime import datetime
from typing import Literal, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from entente.core import access
from entente.core.api_support import Pagination, QueryFilter, RecordId, StrictSchema
from entente.core.choices import Module
from entente.core.models import User
from entente.intelligence import grading
from entente.intelligence.downloads import attachment_response
from entente.intelligence.models import Attachment, Entity, Regrade, Report
from entente.intelligence.services import reports as services
from entente.intelligence.services.report_queries import (
    detail_queryset,
    filter_reports,
    visible_reports,
)

router = Router()

Scheme = Literal["3x5x2", "admiralty"]
Lang = Literal["en", "fr"]
TlpCode = Literal["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"]
Level = Literal[10, 20, 30]
State = Literal["none", "machine", "human", "verified"]
Kind = Literal["person", "vehicle", "phone", "company", "place"]
EntityRoleCode = Literal["subject", "mentioned"]


class IntelligenceEntityIn(StrictSchema):
    kind: Kind
    name: str = Field(..., min_length=1, max_length=200)
    identifier: str = Field("", max_length=100)
    country: str = Field("", max_length=2)
    role: EntityRoleCode = "subject"


class ReportIn(StrictSchema):
    """A new report. A marking left out is derived from the cited reports (or OFFICIAL,
    the author's country only, TLP:AMBER); TLP:RED needs ``recipients`` (usernames)."""

    title: str = Field(..., min_length=1, max_length=services.MAX_TITLE)
    body: str = Field(..., min_length=1, max_length=services.MAX_BODY)
    language: Lang
    grading_scheme: Scheme
    source_grade: str = Field(..., max_length=1)
    information_grade: str = Field(..., max_length=1)
    handling_code: str = Field("", max_length=1)
    handling_conditions: str = Field("", max_length=2000)
    classification: Level | None = None
    releasability: list[str] | None = Field(None, max_length=10)
    tlp: TlpCode | None = None
    translated_title: str = Field("", max_length=services.MAX_TITLE)
    translation: str = Field("", max_length=services.MAX_BODY)
    translation_state: State = "none"
    entities: list[IntelligenceEntityIn] = Field(default_factory=list, max_length=200)
    cites: list[RecordId] = Field(default_factory=list, max_length=50)
    recipients: list[str] = Field(default_factory=list, max_length=50)


class ReportPatch(StrictSchema):
    """The fields to change; the others stay. Only the originating agency's editors."""

    title: str | None = Field(None, min_length=1, max_length=services.MAX_TITLE)
    body: str | None = Field(None, min_length=1, max_length=services.MAX_BODY)
    language: Lang | None = None
    grading_scheme: Scheme | None = None
    source_grade: str | None = Field(None, max_length=1)
    information_grade: str | None = Field(None, max_length=1)
    handling_code: str | None = Field(None, max_length=1)
    handling_conditions: str | None = Field(None, max_length=2000)
    classification: Level | None = None
    releasability: list[str] | None = Field(None, max_length=10)
    tlp: TlpCode | None = None
    translated_title: str | None = Field(None, max_length=services.MAX_TITLE)
    translation: str | None = Field(None, max_length=services.MAX_BODY)
    translation_state: State | None = None
    entities: list[IntelligenceEntityIn] | None = Field(None, max_length=200)


class RegradeIn(StrictSchema):
    grading_scheme: Scheme
    source_grade: str = Field(..., max_length=1)
    information_grade: str = Field(..., max_length=1)
    handling_code: str = Field("", max_length=1)
    reason: str = Field(..., min_length=1, max_length=2000)


class GradeOut(Schema):
    scheme: str
    source: str
    information: str
    handling: str
    text: str
    crosswalk: str
    crosswalk_exact: bool
    caveats: list[str]


class ReportSummaryOut(Schema):
    id: int
    reference: str
    title: str
    language: str
    translation_state: str
    originator: str
    classification: int
    releasability: list[str]
    tlp: str
    grade: str
    created_at: datetime

    @staticmethod
    def resolve_originator(obj: Report) -> str:
        return obj.originator.code

    @staticmethod
    def resolve_releasability(obj: Report) -> list[str]:
        return sorted(obj.releasability)

    @staticmethod
    def resolve_grade(obj: Report) -> str:
        return services.report_grade(obj).render()


class IntelligenceEntityOut(Schema):
    id: int
    kind: str
    name: str
    identifier: str
    country: str
    classification: int
    releasability: list[str]
    tlp: str
    originator: str

    @staticmethod
    def resolve_releasability(obj: Entity) -> list[str]:
        return sorted(obj.releasability)

    @staticmethod
    def resolve_originator(obj: Entity) -> str:
        return obj.originator.code


class ReportEntityOut(Schema):
    role: str
    entity: IntelligenceEntityOut


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    created_at: datetime


class RegradeOut(Schema):
    id: int
    agency: str
    grade: str
    crosswalk: str
    reason: str
    created_by: str
    created_at: datetime

    @staticmethod
    def resolve_agency(obj: Regrade) -> str:
        return obj.agency.code

    @staticmethod
    def resolve_grade(obj: Regrade) -> str:
        return services.report_grade(obj).render()

    @staticmethod
    def resolve_crosswalk(obj: Regrade) -> str:
        return grading.crosswalk(services.report_grade(obj)).render()

    @staticmethod
    def resolve_created_by(obj: Regrade) -> str:
        return obj.created_by.get_username()


class ReportOut(ReportSummaryOut):
    body: str
    translated_title: str
    translation: str
    handling_conditions: str
    author: str | None
    grading: GradeOut
    cites: list[str]
    entities: list[ReportEntityOut]
    attachments: list[AttachmentOut]
    regrades: list[RegradeOut]

    @staticmethod
    def resolve_author(obj: Report) -> str | None:
        return obj.created_by.get_username() if obj.created_by else None

    @staticmethod
    def resolve_grading(obj: Report) -> GradeOut:
        grade = services.report_grade(obj)
        other = grading.crosswalk(grade)
        return GradeOut(
            scheme=grade.scheme,
            source=grade.source,
            information=grade.information,
            handling=grade.handling,
            text=grade.render(),
            crosswalk=other.render(),
            crosswalk_exact=other.exact,
            caveats=list(other.caveats),
        )

    @staticmethod
    def resolve_cites(obj: Report) -> list[str]:
        return [r.reference for r in obj.cites.all()]

    @staticmethod
    def resolve_entities(obj: Report) -> list[object]:
        return list(obj.entity_links.all())

    @staticmethod
    def resolve_attachments(obj: Report) -> list[object]:
        return list(obj.attachments.all())

    @staticmethod
    def resolve_regrades(obj: Report) -> list[object]:
        return list(obj.regrades.all())


class ReportFilter(QueryFilter):
    grade: str | None = Field(None, max_length=4, description='"2B" (3x5x2) or "B2" (Admiralty)')
    agency: str | None = Field(None, max_length=32, description="originating agency's code")
    language: Lang | None = None


class IntelligenceEntityFilter(QueryFilter):
    kind: Kind | None = None


def _detail(request: HttpRequest, report_id: int) -> Report:
    report: Report = access.get_visible_or_404(
        detail_queryset(request.user), request.user, pk=report_id
    )
    return report


@router.get(
    "/intelligence/reports",
    response=list[ReportSummaryOut],
    summary="Intelligence reports visible to the caller, newest first",
)
@paginate(Pagination)
def list_reports(request: HttpRequest, filters: Query[ReportFilter]) -> QuerySet[Report]:
    access.require_role(request.user, Module.INTELLIGENCE)
    return filter_reports(
        visible_reports(request.user),
        grade=filters.grade or "",
        agency=filters.agency or "",
        language=filters.language or "",
    )


@router.post(
    "/intelligence/reports",
    response={201: ReportOut},
    summary="Write a report (editors of intelligence; the originator is the author's agency)",
)
def create_report(request: HttpRequest, payload: ReportIn) -> Status[Report]:
    data = payload.model_dump()
    recipients = _users(data.pop("recipients"))
    entities = [services.EntityInput(**e) for e in data.pop("entities")]
    report = services.create_report(
        acting_user=_me(request), entities=entities, recipients=recipients, **data
    )
    return Status(201, _detail(request, report.pk))


@router.get(
    "/intelligence/reports/{report_id}",
    response=ReportOut,
    summary="One report, its grade and crosswalk, entities, attachments and re-grades",
)
def get_report(request: HttpRequest, report_id: int) -> Report:
    report = _detail(request, report_id)
    services.record_read(report, acting_user=_me(request))
    return report


@router.patch(
    "/intelligence/reports/{report_id}",
    response=ReportOut,
    summary="Change a report (editors of the originating agency only)",
)
def update_report(request: HttpRequest, report_id: int, payload: ReportPatch) -> Report:
    report: Report = access.get_visible_or_404(Report, request.user, pk=report_id)
    data = payload.model_dump(exclude_unset=True)
    entities = data.pop("entities", None)
    services.update_report(
        report,
        acting_user=_me(request),
        entities=[services.EntityInput(**e) for e in entities] if entities is not None else None,
        **{k: v for k, v in data.items() if v is not None},
    )
    return _detail(request, report_id)


@router.post(
    "/intelligence/reports/{report_id}/attachments",
    response={201: AttachmentOut},
    summary="Attach a file (pdf, png, jpeg, txt, csv, docx; editors of the originating agency)",
)
def upload_attachment(
    request: HttpRequest,
    report_id: int,
    file: File[UploadedFile] = None,  # type: ignore[assignment]
) -> Status[Attachment]:
    # The file is optional in the signature so that who may attach is decided first (404,
    # 403), then what is missing (422), as for every other operation.
    report: Report = access.get_visible_or_404(Report, request.user, pk=report_id)
    if not access.can_change_visible(request.user, report):
        raise PermissionDenied(_("Only editors of the originating agency may change this report."))
    if file is None:
        raise ValidationError({"file": _("Send the file (multipart/form-data, field file).")})
    limit = services.attachment_max_bytes()
    data = file.read(limit + 1)
    attachment = services.add_attachment(
        report, acting_user=_me(request), name=file.name or "", data=data
    )
    return Status(201, attachment)


@router.get(
    "/intelligence/reports/{report_id}/attachments/{attachment_id}",
    summary="Download an attachment (the download is audited)",
    response={200: bytes},
)
def download_attachment(request: HttpRequest, report_id: int, attachment_id: int) -> HttpResponse:
    report: Report = access.get_visible_or_404(Report, request.user, pk=report_id)
    attachment = services.attachment_of(report, attachment_id)
    return attachment_response(attachment, acting_user=_me(request))


@router.post(
    "/intelligence/reports/{report_id}/regrades",
    response={201: RegradeOut},
    summary="Record your agency's own grade of another agency's report, with a reason",
)
def regrade_report(request: HttpRequest, report_id: int, payload: RegradeIn) -> Status[Regrade]:
    report: Report = access.get_visible_or_404(Report, request.user, pk=report_id)
    row = services.regrade(report, acting_user=_me(request), **payload.model_dump())
    return Status(201, row)


@router.get(
    "/intelligence/entities",
    response=list[IntelligenceEntityOut],
    summary="People, vehicles, phones, companies and places visible to the caller",
)
@paginate(Pagination)
def list_entities(
    request: HttpRequest, filters: Query[IntelligenceEntityFilter]
) -> QuerySet[Entity]:
    access.require_role(request.user, Module.INTELLIGENCE)
    qs = Entity.objects.visible_to(request.user).select_related("originator")
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return qs


def _me(request: HttpRequest) -> User:
    """The caller, authenticated by the API's security (a token or a verified session)."""
    return cast(User, request.user)


def _users(usernames: list[str]) -> list[User]:
    found = list(
        User.objects.select_related("agency__country").filter(
            username__in=usernames, is_active=True
        )
    )
    missing = set(usernames) - {u.username for u in found}
    if missing:
        raise ValidationError(
            {"recipients": _("Unknown user: {names}.").format(names=", ".join(sorted(missing)))}
        )
    return found
