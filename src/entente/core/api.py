"""The core router of /api/v1: the caller, agencies, sites, bulletins and the audit trail.

No ``from __future__ import annotations`` in API modules: django-ninja reads the handlers'
annotations at import time to build its pydantic models, and string annotations of query
schemas cannot be resolved there.
"""

from datetime import datetime
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from entente.core import access, audit_queries, services
from entente.core.api_support import Pagination, QueryFilter, StrictSchema
from entente.core.choices import Module, Role
from entente.core.markings import classification_label
from entente.core.models import Agency, AuditEntry, Bulletin, Site

router = Router(tags=["core"])


class RoleOut(Schema):
    module: str
    role: str


class MeOut(Schema):
    username: str
    agency: str | None
    country: str | None
    clearance: int
    language: str
    timezone: str
    roles: list[RoleOut]


class AgencyOut(Schema):
    code: str
    name_en: str
    name_fr: str
    country: str
    kind: str


class SiteOut(Schema):
    code: str
    name_en: str
    name_fr: str
    country: str
    kind: str
    latitude: float
    longitude: float
    timezone: str


class BulletinOut(Schema):
    id: int
    title: str
    body: str
    language: str
    translation: str
    classification: int
    classification_label: str
    releasability: list[str]
    tlp: str
    originator: str
    author: str | None
    created_at: datetime
    can_change: bool

    @staticmethod
    def resolve_classification_label(obj: Bulletin, context: dict[str, Any]) -> str:
        return classification_label(obj.classification, context["request"].user)

    @staticmethod
    def resolve_releasability(obj: Bulletin) -> list[str]:
        return sorted(obj.releasability)

    @staticmethod
    def resolve_originator(obj: Bulletin) -> str:
        return obj.originator.code

    @staticmethod
    def resolve_author(obj: Bulletin) -> str | None:
        return obj.created_by.username if obj.created_by else None

    @staticmethod
    def resolve_can_change(obj: Bulletin, context: dict[str, Any]) -> bool:
        return access.can_change_visible(context["request"].user, obj)


class BulletinIn(StrictSchema):
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=20000)
    language: Literal["en", "fr"]
    translation: str = Field("", max_length=20000)
    classification: Literal[10, 20, 30] = 10  # Classification.OFFICIAL
    releasability: list[Literal["FR", "UK"]] = Field(default_factory=list, max_length=10)
    tlp: Literal["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"] = "GREEN"


class BulletinPatch(StrictSchema):
    title: str | None = Field(None, min_length=1, max_length=200)
    body: str | None = Field(None, min_length=1, max_length=20000)
    translation: str | None = Field(None, max_length=20000)


class AuditEntryOut(Schema):
    seq: int
    timestamp: datetime
    actor: str = Field(alias="actor_username")
    agency: str = Field(alias="agency_code")
    action: str
    object_type: str
    object_id: str
    object_repr: str
    purpose: str
    request_id: str
    changes: dict[str, Any]


class AuditFilter(QueryFilter):
    actor: str | None = Field(None, max_length=150)
    agency: str | None = Field(None, max_length=32)
    action: str | None = Field(None, max_length=20)
    object_type: str | None = Field(None, max_length=100)
    since: datetime | None = None
    until: datetime | None = None


@router.get("/me", response=MeOut, summary="The caller: agency, clearance and roles")
def me(request: HttpRequest) -> dict[str, Any]:
    user: Any = request.user
    return {
        "username": user.username,
        "agency": user.agency.code if user.agency else None,
        "country": user.country_code,
        "clearance": user.clearance,
        "language": user.language,
        "timezone": user.zone,
        "roles": [
            {"module": module, "role": Role(access.role_in(user, module)).name.lower()}
            for module in access.modules_of(user)
        ],
    }


@router.get("/agencies", response=list[AgencyOut], summary="Agencies taking part")
def list_agencies(request: HttpRequest) -> list[dict[str, Any]]:
    access.require_reference_access(request.user)
    return [_agency_out(a) for a in Agency.objects.select_related("country")]


@router.get("/agencies/{code}", response=AgencyOut, summary="One agency")
def get_agency(request: HttpRequest, code: str) -> dict[str, Any]:
    access.require_reference_access(request.user)
    return _agency_out(get_object_or_404(Agency.objects.select_related("country"), code=code))


def _agency_out(agency: Agency) -> dict[str, Any]:
    return {
        "code": agency.code,
        "name_en": agency.name_en,
        "name_fr": agency.name_fr,
        "country": agency.country.code,
        "kind": agency.kind,
    }


def _site_out(site: Site) -> dict[str, Any]:
    return {
        "code": site.code,
        "name_en": site.name_en,
        "name_fr": site.name_fr,
        "country": site.country.code,
        "kind": site.kind,
        "latitude": float(site.latitude),
        "longitude": float(site.longitude),
        "timezone": site.country.timezone,
    }


@router.get("/sites", response=list[SiteOut], summary="Sites of the joint command")
def list_sites(request: HttpRequest) -> list[dict[str, Any]]:
    access.require_reference_access(request.user)
    return [_site_out(s) for s in Site.objects.select_related("country")]


@router.get("/sites/{code}", response=SiteOut, summary="One site")
def get_site(request: HttpRequest, code: str) -> dict[str, Any]:
    access.require_reference_access(request.user)
    return _site_out(get_object_or_404(Site.objects.select_related("country"), code=code))


def _bulletins(user: Any) -> QuerySet[Bulletin]:
    return Bulletin.objects.visible_to(user).select_related("originator", "created_by")


@router.get("/bulletins", response=list[BulletinOut], summary="Bulletins visible to the caller")
@paginate(Pagination)
def list_bulletins(request: HttpRequest) -> QuerySet[Bulletin]:
    access.require_role(request.user, Module.COMMAND)
    return _bulletins(request.user)


@router.get("/bulletins/{bulletin_id}", response=BulletinOut, summary="One bulletin")
def get_bulletin(request: HttpRequest, bulletin_id: int) -> Bulletin:
    return access.get_visible_or_404(_bulletins(request.user), request.user, pk=bulletin_id)


@router.post("/bulletins", response={201: BulletinOut}, summary="Post a bulletin")
def create_bulletin(request: HttpRequest, payload: BulletinIn) -> Status[Bulletin]:
    bulletin = services.create_bulletin(acting_user=request.user, **payload.model_dump())  # type: ignore[arg-type]
    return Status(201, bulletin)


@router.patch("/bulletins/{bulletin_id}", response=BulletinOut, summary="Edit a bulletin's text")
def update_bulletin(request: HttpRequest, bulletin_id: int, payload: BulletinPatch) -> Bulletin:
    bulletin = access.get_visible_or_404(_bulletins(request.user), request.user, pk=bulletin_id)
    fields = payload.model_dump(exclude_none=True)
    return services.update_bulletin(bulletin, acting_user=request.user, **fields)  # type: ignore[arg-type]


@router.get("/audit/entries", response=list[AuditEntryOut], summary="The audit trail (auditors)")
@paginate(Pagination)
def list_audit_entries(request: HttpRequest, filters: Query[AuditFilter]) -> QuerySet[AuditEntry]:
    return audit_queries.search_entries(request.user, **filters.model_dump())
