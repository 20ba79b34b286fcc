"""Intelligence API: exchange. A report as a STIX 2.1 bundle; imports of STIX 2.1 bundles and
CSV files of reports, their progress and their per-row errors.

An import is advanced by asking for its progress (``GET /intelligence/imports/{job_id}``):
each call imports the next rows and answers where the job stands, until its state is
``done`` (see entente.intelligence.services.exchange for why).

No ``from __future__ import annotations`` here (django-ninja reads the annotations).
"""

import base64
import binascii
from datetime import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from entente.core import access
from entente.core.api_support import StrictSchema
from entente.core.choices import Module, Role
from entente.core.models import User
from entente.intelligence.exchange.stix import MEDIA_TYPE
from entente.intelligence.models import ImportJob
from entente.intelligence.services import exchange as services

router = Router()


def _user(request: HttpRequest) -> User:
    """The signed-in person (the log-in requirement or the API's authentication ran first)."""
    assert isinstance(request.user, User)
    return request.user


# Base64 makes a file a third larger; the service checks the decoded size.
MAX_BASE64 = services.DEFAULT_MAX_BYTES * 4 // 3 + 4


class ImportIn(StrictSchema):
    """A file to import, its bytes in base64. ``kind`` is told from the file when left out.
    A CSV file's ``mapping`` (report field -> column name) is read from its header when left
    out; the fields are those of the import page (title, body, language, grading_scheme,
    source_grade, information_grade, handling_code, handling_conditions, classification,
    releasability, tlp, recipients, translated_title, translation, translation_state, people,
    vehicles, phones, companies, places)."""

    file_name: str = Field(..., min_length=1, max_length=200)
    content_base64: str = Field(..., min_length=1, max_length=MAX_BASE64)
    kind: Literal["stix", "csv"] | None = None
    mapping: dict[str, str] | None = None


class RowErrorOut(Schema):
    row: int
    field: str
    message: str


class ImportOut(Schema):
    id: int
    kind: str
    file_name: str
    state: str
    total: int
    done: int
    imported: int
    percent: int
    error_count: int
    mapping: dict[str, str]
    created_at: datetime
    finished_at: datetime | None

    @staticmethod
    def resolve_percent(obj: ImportJob) -> int:
        return services.percent(obj)

    @staticmethod
    def resolve_error_count(obj: ImportJob) -> int:
        return len(obj.errors)


@router.get(
    "/intelligence/reports/{report_id}/stix",
    summary="A report and its entities as a STIX 2.1 bundle (the export is audited)",
    response={200: dict[str, object]},
)
def report_stix(request: HttpRequest, report_id: int) -> HttpResponse:
    export = services.export_report_stix(report_id, acting_user=_user(request))
    return HttpResponse(export.content, content_type=MEDIA_TYPE)


@router.post(
    "/intelligence/imports",
    response={201: ImportOut},
    summary="Import a STIX 2.1 bundle or a CSV file of reports (intelligence editors)",
)
def start_import(request: HttpRequest, payload: ImportIn) -> Status[ImportJob]:
    access.require_role(_user(request), Module.INTELLIGENCE, Role.EDITOR)
    try:
        data = base64.b64decode(payload.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(
            {"content_base64": _("The file's content is not valid base64.")}
        ) from None
    job = services.start_import(
        acting_user=_user(request),
        file_name=payload.file_name,
        data=data,
        kind=payload.kind,
        mapping=payload.mapping,
        guess=True,
    )
    return Status(201, job)


@router.get(
    "/intelligence/imports/{job_id}",
    response=ImportOut,
    summary="An import's progress; each call imports its next rows until it is done",
)
def import_progress(request: HttpRequest, job_id: int) -> ImportJob:
    return services.advance_import(job_id, acting_user=_user(request))


@router.get(
    "/intelligence/imports/{job_id}/errors",
    response=list[RowErrorOut],
    summary="An import's per-row errors: row number, field and message",
)
def import_errors(request: HttpRequest, job_id: int) -> list[dict[str, object]]:
    job = services.get_job(_user(request), job_id)
    return list(job.errors)
