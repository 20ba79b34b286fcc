"""Intelligence API: dissemination. Sanitised versions, releases across the border (asked by
an editor, approved by a second person of the originating agency), and the disclosure ledger.

No ``from __future__ import annotations`` here (django-ninja reads the annotations).
"""

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from entente.core import access
from entente.core.api_support import Pagination, QueryFilter, StrictSchema
from entente.core.choices import Module
from entente.intelligence.models import Disclosure, Release, Report
from entente.intelligence.services import dissemination as services
from entente.intelligence.services import ledger

router = Router()

Version = Literal["original", "sanitised"]
State = Literal["pending", "approved", "rejected", "withdrawn"]
Direction = Literal["disclosed", "received"]


class SanitisedIn(StrictSchema):
    title: str = Field(..., min_length=1, max_length=services.MAX_TITLE)
    body: str = Field(..., min_length=1, max_length=100_000)
    note: str = Field("", max_length=services.MAX_TEXT, description="What was removed, and why.")


class SanitisedOut(Schema):
    id: int
    reference: str
    title: str
    sanitised_from: int | None = Field(None, alias="sanitised_from_id")
    classification: int
    releasability: list[str]
    tlp: str
    originator: str

    @staticmethod
    def resolve_releasability(obj: Report) -> list[str]:
        return sorted(obj.releasability)

    @staticmethod
    def resolve_originator(obj: Report) -> str:
        return obj.originator.code


class ReleaseIn(StrictSchema):
    agencies: list[str] = Field(..., min_length=1, max_length=50, description="Agency codes.")
    legal_basis: str = Field(..., max_length=services.MAX_TEXT)
    purpose: str = Field(..., max_length=services.MAX_TEXT)
    version: Version = "original"


class ReleaseDecisionIn(StrictSchema):
    note: str = Field("", max_length=services.MAX_TEXT)


class ReleaseActorOut(Schema):
    username: str
    agency: str | None
    at: dt.datetime | None


class ReleaseOut(Schema):
    """A release; ``requested`` and ``approved`` are its two pairs of eyes. ``report`` (the
    original) is given to the originating agency only: a receiving agency knows the report
    it was released, not the original a sanitised version was made from."""

    id: int
    report: int | None
    version: str
    released_report: int = Field(..., alias="released_report_id")
    released_reference: str
    agencies: list[str]
    legal_basis: str
    purpose: str
    state: str
    requested: ReleaseActorOut
    approved: ReleaseActorOut | None
    decided: ReleaseActorOut | None
    decision_note: str

    @staticmethod
    def resolve_report(obj: Release, context: Any) -> int | None:
        user = context["request"].user
        return obj.report_id if services.is_originator(user, obj) else None

    @staticmethod
    def resolve_released_reference(obj: Release) -> str:
        return obj.released_report.reference

    @staticmethod
    def resolve_agencies(obj: Release) -> list[str]:
        return sorted(a.code for a in obj.agencies.all())

    @staticmethod
    def resolve_requested(obj: Release) -> dict[str, Any]:
        return _person(obj.requested_by, obj.requested_at)

    @staticmethod
    def resolve_approved(obj: Release) -> dict[str, Any] | None:
        if obj.state != "approved" or obj.decided_by is None:
            return None
        return _person(obj.decided_by, obj.decided_at)

    @staticmethod
    def resolve_decided(obj: Release) -> dict[str, Any] | None:
        return _person(obj.decided_by, obj.decided_at) if obj.decided_by else None


def _person(user: Any, at: dt.datetime | None) -> dict[str, Any]:
    return {
        "username": user.get_username(),
        "agency": user.agency.code if user.agency else None,
        "at": at,
    }


class ReleaseFilter(QueryFilter):
    state: State | None = None
    awaiting_me: bool = Field(
        False, description="Only releases awaiting your approval (approvers)."
    )


class LedgerFilterIn(QueryFilter):
    direction: Direction | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    agency: str | None = Field(None, max_length=20)


class DisclosureOut(Schema):
    """A line of the disclosure ledger. ``title`` is given only to a reader who may see the
    report itself."""

    id: int
    release: int = Field(..., alias="release_id")
    report: int = Field(..., alias="report_id")
    reference: str
    title: str | None
    classification: int
    tlp: str
    originator: str
    recipient: str
    from_country: str
    to_country: str
    legal_basis: str
    purpose: str
    requested_by: str
    approved_by: str
    disclosed_at: dt.datetime

    @staticmethod
    def resolve_reference(obj: Disclosure) -> str:
        return obj.report.reference

    @staticmethod
    def resolve_title(obj: Disclosure) -> str | None:
        return obj.report.title if getattr(obj, "title_visible", False) else None

    @staticmethod
    def resolve_classification(obj: Disclosure) -> int:
        return obj.report.classification

    @staticmethod
    def resolve_tlp(obj: Disclosure) -> str:
        return obj.report.tlp

    @staticmethod
    def resolve_originator(obj: Disclosure) -> str:
        return obj.report.originator.code

    @staticmethod
    def resolve_recipient(obj: Disclosure) -> str:
        return obj.agency.code

    @staticmethod
    def resolve_requested_by(obj: Disclosure) -> str:
        return obj.requested_by.get_username()

    @staticmethod
    def resolve_approved_by(obj: Disclosure) -> str:
        return obj.approved_by.get_username()


def _release(request: HttpRequest, release_id: int) -> Release:
    return services.get_release_or_404(request.user, release_id)


def _decide(
    request: HttpRequest,
    release_id: int,
    payload: ReleaseDecisionIn,
    action: Callable[..., Release],
) -> Release:
    """Approve, reject or withdraw; the release read back as the caller now sees it."""
    release = action(_release(request, release_id), acting_user=request.user, note=payload.note)
    return _release(request, release.pk)


@router.get(
    "/intelligence/reports/{report_id}/releases",
    response=list[ReleaseOut],
    summary="The releases of a report you may see (all of them for its originating agency)",
)
def list_report_releases(request: HttpRequest, report_id: int) -> list[Release]:
    report: Report = access.get_visible_or_404(Report, request.user, pk=report_id)
    return services.releases_of(report, request.user)


@router.post(
    "/intelligence/reports/{report_id}/sanitised-versions",
    response={201: SanitisedOut},
    summary="Write a sanitised version of a report (editors of the originating agency)",
)
def create_sanitised_version(
    request: HttpRequest, report_id: int, payload: SanitisedIn
) -> Status[Report]:
    report: Report = access.get_visible_or_404(Report, request.user, pk=report_id)
    version = services.create_sanitised_version(
        report, acting_user=request.user, **payload.model_dump()
    )
    return Status(201, version)


@router.post(
    "/intelligence/reports/{report_id}/releases",
    response={201: ReleaseOut},
    summary="Ask to release a report (or its sanitised version) to agencies of another country",
)
def request_release(request: HttpRequest, report_id: int, payload: ReleaseIn) -> Status[Release]:
    report: Report = access.get_visible_or_404(Report, request.user, pk=report_id)
    release = services.request_release(
        report,
        acting_user=request.user,
        agencies=services.agencies_from_codes(payload.agencies),
        legal_basis=payload.legal_basis,
        purpose=payload.purpose,
        version=payload.version,
    )
    return Status(201, _release(request, release.pk))


@router.get(
    "/intelligence/releases",
    response=list[ReleaseOut],
    summary="Releases you may see; awaiting_me=true for those awaiting your approval",
)
@paginate(Pagination)
def list_releases(request: HttpRequest, filters: Query[ReleaseFilter]) -> QuerySet[Release]:
    access.require_role(request.user, Module.INTELLIGENCE)
    qs = (
        services.pending_for(request.user)
        if filters.awaiting_me
        else services.visible_releases(request.user)
    )
    if filters.state:
        qs = qs.filter(state=filters.state)
    return qs.order_by("-requested_at", "-pk")


@router.get(
    "/intelligence/releases/{release_id}",
    response=ReleaseOut,
    summary="One release, with who asked for it and who approved it",
)
def get_release(request: HttpRequest, release_id: int) -> Release:
    return _release(request, release_id)


@router.post(
    "/intelligence/releases/{release_id}/approve",
    response=ReleaseOut,
    summary="Approve a release: the second person of the originating agency (four-eyes)",
)
def approve_release(request: HttpRequest, release_id: int, payload: ReleaseDecisionIn) -> Release:
    return _decide(request, release_id, payload, services.approve_release)


@router.post(
    "/intelligence/releases/{release_id}/reject",
    response=ReleaseOut,
    summary="Reject a release, saying why (approvers of the originating agency)",
)
def reject_release(request: HttpRequest, release_id: int, payload: ReleaseDecisionIn) -> Release:
    return _decide(request, release_id, payload, services.reject_release)


@router.post(
    "/intelligence/releases/{release_id}/withdraw",
    response=ReleaseOut,
    summary="Withdraw a release you asked for, before it is decided",
)
def withdraw_release(request: HttpRequest, release_id: int, payload: ReleaseDecisionIn) -> Release:
    return _decide(request, release_id, payload, services.withdraw_release)


@router.get(
    "/intelligence/disclosures",
    response=list[DisclosureOut],
    summary="The disclosure ledger of your country (intelligence approvers and auditors)",
)
@paginate(Pagination)
def list_disclosures(request: HttpRequest, filters: Query[LedgerFilterIn]) -> QuerySet[Disclosure]:
    return ledger.ledger_for(
        request.user,
        ledger.LedgerFilter(
            direction=filters.direction or "",
            since=filters.since,
            until=filters.until,
            agency=filters.agency or "",
        ),
    )
