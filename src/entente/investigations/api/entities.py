"""Investigations API: entities, the links between them, and their import from CSV files.

Thin: the services (entente.investigations.services.entities and .imports) decide, audit
(every read of people included) and refuse bad input with a ValidationError, which the API
answers as a 422 problem; a record the caller may not see is the 404 of an absent one.

An import is advanced by asking for its status (``GET /investigations/entity-imports/{id}``):
each call imports its next rows until its state is ``done`` (see the imports service).

No ``from __future__ import annotations`` here (django-ninja reads the annotations).
"""

import base64
import binascii
from datetime import date, datetime
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from entente.core import periods
from entente.core.api_support import QueryFilter, RecordId, StrictSchema
from entente.core.models import User
from entente.intelligence.api import reports as reports_api
from entente.intelligence.api.exchange import RowErrorOut
from entente.intelligence.models import Entity
from entente.intelligence.services import exchange as intel_exchange
from entente.investigations.api.chart import LinkKindCode
from entente.investigations.models import EntityImport, Link
from entente.investigations.services import entities as services
from entente.investigations.services import imports
from entente.investigations.services import links as link_services

router = Router()

Kind = Literal["person", "vehicle", "phone", "company", "place", "account"]
TlpCode = Literal["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"]
Level = Literal[10, 20, 30]


def _user(request: HttpRequest) -> User:
    """The caller (the API's authentication ran first)."""
    assert isinstance(request.user, User)
    return request.user


def _day(description: str) -> Any:
    return Field(None, ge=periods.EARLIEST, le=periods.LATEST, description=description)


# Entities ---------------------------------------------------------------------------------


class EntityOut(reports_api.IntelligenceEntityOut):
    """Intelligence's entity, with its attributes (in the shared conventions)."""

    attributes: dict[str, Any]


class EndOut(Schema):
    id: int
    kind: str
    name: str


class LinkOut(Schema):
    id: int
    source: EndOut
    target: EndOut
    kind: str
    starts_on: date | None
    ends_on: date | None
    confidence: float
    report: int | None = Field(None, alias="report_id")
    incident: int | None = Field(None, alias="incident_id")
    investigation: int | None = Field(None, alias="investigation_id")
    source_note: str
    classification: int
    releasability: list[str]
    tlp: str
    originator: str

    @staticmethod
    def resolve_releasability(obj: Link) -> list[str]:
        return sorted(obj.releasability)

    @staticmethod
    def resolve_originator(obj: Link) -> str:
        return obj.originator.code


class EntityDetailOut(EntityOut):
    links: list[LinkOut]
    hidden_links: int = Field(description="links of this entity the caller may not see")
    naming_reports: list[int] = Field(description="ids of the visible reports that name it")


class EntityIn(StrictSchema):
    """A new entity of the caller's agency. Attributes follow the shared conventions
    (person: given_name, family_name, birth_date, birth_date_estimated, nationality, gender;
    vehicle: vehicle_type; company: haulier; account: bank). A marking left out is OFFICIAL,
    the caller's country only, TLP:AMBER."""

    kind: Kind
    name: str = Field("", max_length=200)
    identifier: str = Field("", max_length=100)
    country: str = Field("", max_length=2)
    attributes: dict[str, str | bool] = Field(default_factory=dict, max_length=20)
    classification: Level | None = None
    releasability: list[str] | None = Field(None, max_length=10)
    tlp: TlpCode | None = None


class Paging(QueryFilter):
    """Limit and offset, bounded as every list of the API (core.api_support.Pagination)."""

    limit: int = Field(50, ge=1, le=settings.ENTENTE_API_MAX_PAGE)
    offset: int = Field(0, ge=0, le=1_000_000_000)


class EntityFilter(Paging):
    kind: Kind | None = None
    q: str | None = Field(None, max_length=100, description="in the name or identifier")


class EntityPage(Schema):
    items: list[EntityOut]
    count: int


def _page(qs: QuerySet[Any], page: Paging) -> tuple[list[Any], int]:
    """One page of rows, read here (not by a paginator afterwards) so that the people on it
    are the ones audited."""
    return list(qs[page.offset : page.offset + page.limit]), qs.count()


@router.get(
    "/investigations/entities",
    response=EntityPage,
    summary="Entities visible to the caller (consulting people is audited)",
)
def list_entities(request: HttpRequest, filters: Query[EntityFilter]) -> dict[str, Any]:
    user = _user(request)
    qs = services.visible_entities(user, kind=filters.kind or "", text=filters.q or "")
    rows, count = _page(qs, filters)
    services.record_people_read(user, rows, purpose=services.LIST_PURPOSE)
    return {"items": rows, "count": count}


@router.post(
    "/investigations/entities",
    response={201: EntityOut},
    summary="Record an entity (investigations editors)",
)
def create_entity(request: HttpRequest, payload: EntityIn) -> Status[Entity]:
    entity = services.create_entity(acting_user=_user(request), **payload.dict())
    return Status(201, entity)


@router.get(
    "/investigations/entities/{entity_id}",
    response=EntityDetailOut,
    summary="One entity, its visible links both ways, the count of those hidden (audited)",
)
def entity_detail(request: HttpRequest, entity_id: int) -> Entity:
    view = services.read_entity(entity_id, acting_user=_user(request))
    entity: Any = view.entity
    entity.links = [row.link for row in view.links]
    entity.hidden_links = view.hidden_links
    entity.naming_reports = [r.pk for r in view.reports]
    return entity  # type: ignore[no-any-return]


# Links ------------------------------------------------------------------------------------


class LinkFilter(Paging):
    entity: int | None = Field(None, ge=1, le=2**63 - 1, description="links touching it")
    kind: LinkKindCode | None = None


class LinkIn(StrictSchema):
    """A link "source <kind> target" of the caller's agency. Its marking is at least that of
    its ends and provenance together; left out, it is exactly that."""

    source: RecordId
    target: RecordId
    kind: LinkKindCode
    starts_on: date | None = _day("first day the link held")
    ends_on: date | None = _day("last day the link held")
    confidence: float = Field(1.0, description="between 0 (a guess) and 1 (established)")
    report: RecordId | None = None
    incident: RecordId | None = None
    investigation: RecordId | None = None
    source_note: str = Field("", max_length=200)
    classification: Level | None = None
    releasability: list[str] | None = Field(None, max_length=10)
    tlp: TlpCode | None = None


class LinkPage(Schema):
    items: list[LinkOut]
    count: int


@router.get(
    "/investigations/links",
    response=LinkPage,
    summary="Links the caller may see with both their ends (consulting people is audited)",
)
def list_links(request: HttpRequest, filters: Query[LinkFilter]) -> dict[str, Any]:
    user = _user(request)
    qs = services.links_of(user, entity=filters.entity, kind=filters.kind or "")
    rows, count = _page(qs, filters)
    people = [end for link in rows for end in (link.source, link.target)]
    services.record_people_read(user, people, purpose=services.LINKS_PURPOSE)
    return {"items": rows, "count": count}


@router.post(
    "/investigations/links",
    response={201: LinkOut},
    summary="Record a link (investigations editors); refused whole when it makes no sense",
)
def create_link(request: HttpRequest, payload: LinkIn) -> Status[Link]:
    link = link_services.create_link(acting_user=_user(request), **payload.dict())
    return Status(201, link)


@router.delete(
    "/investigations/links/{link_id}",
    response={204: None},
    summary="Delete a link (investigations editors of its originating agency)",
)
def delete_link(request: HttpRequest, link_id: int) -> HttpResponse:
    link_services.delete_link(link_id, acting_user=_user(request))
    return HttpResponse(status=204)


# Imports ----------------------------------------------------------------------------------

MAX_BASE64 = intel_exchange.DEFAULT_MAX_BYTES * 4 // 3 + 4


class EntityImportIn(StrictSchema):
    """A CSV file to import, its bytes in base64, and its ``mapping`` (field -> column
    name; read from the header when left out). Fields: kind, name, identifier, country,
    given_name, family_name, birth_date, birth_date_estimated, nationality, gender, plate,
    vehicle_type, haulier, bank, classification, releasability, tlp; for links link_kind,
    other_kind, other_name, other_identifier, other_country, starts_on, ends_on, confidence,
    report (its reference), source_note. ``kind`` is the kind of every row when no column
    says it; the marking is that of rows whose file says none."""

    file_name: str = Field(..., min_length=1, max_length=200)
    content_base64: str = Field(..., min_length=1, max_length=MAX_BASE64)
    mapping: dict[str, str] | None = None
    kind: Kind | None = None
    classification: Level | None = None
    releasability: list[str] | None = Field(None, max_length=10)
    tlp: TlpCode | None = None


class EntityImportOut(Schema):
    id: int
    file_name: str
    state: str
    total: int
    done: int
    entities: int
    links: int
    percent: int
    error_count: int
    errors: list[RowErrorOut]
    mapping: dict[str, str]
    created_at: datetime
    finished_at: datetime | None

    @staticmethod
    def resolve_percent(obj: EntityImport) -> int:
        return imports.percent(obj)

    @staticmethod
    def resolve_error_count(obj: EntityImport) -> int:
        return len(obj.errors)

    @staticmethod
    def resolve_errors(obj: EntityImport) -> list[dict[str, Any]]:
        return list(obj.errors[:200])


@router.post(
    "/investigations/entity-imports",
    response={201: EntityImportOut},
    summary="Import a CSV file of entities and links (investigations editors)",
)
def start_import(request: HttpRequest, payload: EntityImportIn) -> Status[EntityImport]:
    services.require_editor(_user(request))
    try:
        data = base64.b64decode(payload.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(
            {"content_base64": _("The file's content is not valid base64.")}
        ) from None
    job = imports.start_import(
        acting_user=_user(request),
        file_name=payload.file_name,
        data=data,
        mapping=payload.mapping,
        guess=True,
        kind=payload.kind or "",
        classification=payload.classification,
        releasability=payload.releasability,
        tlp=payload.tlp,
    )
    return Status(201, job)


@router.get(
    "/investigations/entity-imports/{import_id}",
    response=EntityImportOut,
    summary="An import's status; each call imports its next rows until it is done",
)
def import_status(request: HttpRequest, import_id: int) -> EntityImport:
    return imports.advance_import(import_id, acting_user=_user(request))
