"""The unified command through the API: watch handovers, the decision log and its
signatures, and the control room's response times.

No ``from __future__ import annotations`` here (django-ninja reads the annotations).
"""

import datetime as dt
from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from entente.control_room import statistics as stats
from entente.control_room.models import Decision, WatchHandover
from entente.control_room.services import command as services
from entente.core import access, periods
from entente.core.api_support import Pagination, QueryFilter, StrictSchema
from entente.core.choices import Module, Role

router = Router()


# Watch handovers ----------------------------------------------------------------------------


class OpenIncidentOut(Schema):
    id: int
    kind: str
    state: str
    severity: int
    zone: str = ""
    site: str = ""


class HandoverOut(Schema):
    id: int
    site: str
    watch_started_at: datetime
    watch_ended_at: datetime
    summary: str
    language: str
    open_incidents: list[OpenIncidentOut]
    outgoing: str | None
    incoming: str | None
    accepted_at: datetime | None

    @staticmethod
    def resolve_site(obj: WatchHandover) -> str:
        return obj.site.code

    @staticmethod
    def resolve_outgoing(obj: WatchHandover) -> str | None:
        return obj.created_by.username if obj.created_by else None

    @staticmethod
    def resolve_incoming(obj: WatchHandover) -> str | None:
        return obj.incoming.username if obj.incoming else None


class HandoverIn(StrictSchema):
    site: str = Field(min_length=1, max_length=32, description="the control room's site code")
    watch_started_at: datetime = Field(description="when the watch began, with its UTC offset")
    summary: str = Field(min_length=1, max_length=10000)
    language: Literal["en", "fr"]


class HandoverFilter(QueryFilter):
    site: str | None = Field(None, max_length=32, description="a control room's site code")


def _handovers(user: Any) -> QuerySet[WatchHandover]:
    return WatchHandover.objects.visible_to(user).select_related("site", "created_by", "incoming")


@router.get(
    "/watch-handovers",
    response=list[HandoverOut],
    summary="Watch handovers at the control rooms, newest first",
)
@paginate(Pagination)
def list_handovers(request: HttpRequest, filters: Query[HandoverFilter]) -> QuerySet[WatchHandover]:
    access.require_role(request.user, Module.CONTROL_ROOM)
    qs = _handovers(request.user)
    if filters.site:
        qs = qs.filter(site__code=filters.site)
    return qs


@router.post(
    "/watch-handovers",
    response={201: HandoverOut},
    summary="Hand over the caller's watch at a control room (the open incidents are kept)",
)
def create_handover(request: HttpRequest, payload: HandoverIn) -> Status[WatchHandover]:
    access.require_role(request.user, Module.CONTROL_ROOM, Role.EDITOR)
    site = services.control_rooms().filter(code=payload.site).first()
    if site is None:
        raise ValidationError({"site": _("No control room has this code.")})
    handover = services.hand_over_watch(
        site,
        watch_started_at=payload.watch_started_at,
        summary=payload.summary,
        language=payload.language,
        acting_user=request.user,
    )
    return Status(201, _handovers(request.user).get(pk=handover.pk))


@router.post(
    "/watch-handovers/{handover_id}/accept",
    response=HandoverOut,
    summary="Take the watch over (an incoming operator, not the outgoing one; once)",
)
def accept_handover(request: HttpRequest, handover_id: int) -> WatchHandover:
    handover = access.get_visible_or_404(_handovers(request.user), request.user, pk=handover_id)
    services.accept_handover(handover, acting_user=request.user)
    return _handovers(request.user).get(pk=handover_id)


# Decisions --------------------------------------------------------------------------------


class SignatureOut(Schema):
    country: str
    signer: str
    name: str
    agency: str
    signed_at: datetime


class CommandDecisionOut(Schema):
    id: int
    title: str
    situation: str
    decision: str
    rationale: str
    options: str
    risks: str
    language: str
    state: str
    decided_at: datetime
    originator: str
    author: str | None
    classification: int
    releasability: list[str]
    tlp: str
    signatures: list[SignatureOut]
    awaiting: list[str] = Field(description="countries whose gold commander has not signed")

    @staticmethod
    def resolve_originator(obj: Decision) -> str:
        return obj.originator.code

    @staticmethod
    def resolve_author(obj: Decision) -> str | None:
        return obj.created_by.username if obj.created_by else None

    @staticmethod
    def resolve_releasability(obj: Decision) -> list[str]:
        return sorted(obj.releasability)

    @staticmethod
    def resolve_signatures(obj: Decision) -> list[dict[str, Any]]:
        return [
            {
                "country": s.country.code,
                "signer": s.signer.username,
                "name": s.signer.get_full_name() or s.signer.username,
                "agency": s.signer.agency.code if s.signer.agency else "",
                "signed_at": s.signed_at,
            }
            for s in obj.signatures.all()
        ]

    @staticmethod
    def resolve_awaiting(obj: Decision) -> list[str]:
        return services.awaiting(obj)


class CommandDecisionIn(StrictSchema):
    title: str = Field(min_length=1, max_length=200)
    situation: str = Field("", max_length=20000)
    decision: str = Field(min_length=1, max_length=20000)
    rationale: str = Field(min_length=1, max_length=20000)
    options: str = Field("", max_length=20000)
    risks: str = Field("", max_length=20000)
    language: Literal["en", "fr"]


def _decisions(user: Any) -> QuerySet[Decision]:
    return (
        Decision.objects.visible_to(user)
        .select_related("originator", "created_by")
        .prefetch_related("signatures__country", "signatures__signer__agency")
    )


@router.get(
    "/decisions", response=list[CommandDecisionOut], summary="The decision log, newest first"
)
@paginate(Pagination)
def list_decisions(request: HttpRequest) -> QuerySet[Decision]:
    access.require_role(request.user, Module.COMMAND)
    return _decisions(request.user)


@router.post(
    "/decisions",
    response={201: CommandDecisionOut},
    summary="Record a decision of the unified command (it awaits both gold commanders)",
)
def create_decision(request: HttpRequest, payload: CommandDecisionIn) -> Status[Decision]:
    decision = services.record_decision(acting_user=request.user, **payload.model_dump())
    return Status(201, _decisions(request.user).get(pk=decision.pk))


@router.get("/decisions/{decision_id}", response=CommandDecisionOut, summary="One decision")
def get_decision(request: HttpRequest, decision_id: int) -> Decision:
    decision: Decision = access.get_visible_or_404(
        _decisions(request.user), request.user, pk=decision_id
    )
    return decision


@router.post(
    "/decisions/{decision_id}/signatures",
    response={201: CommandDecisionOut},
    summary="Sign a decision as the gold commander of the caller's country",
)
def sign_decision(request: HttpRequest, decision_id: int) -> Status[Decision]:
    decision = access.get_visible_or_404(_decisions(request.user), request.user, pk=decision_id)
    services.sign_decision(decision, acting_user=request.user)
    return Status(201, _decisions(request.user).get(pk=decision_id))


# Response times ---------------------------------------------------------------------------


class CommandMeasureOut(Schema):
    count: int = Field(description="incidents that reached the step")
    median_seconds: float | None
    p90_seconds: float | None


class ResponseTimesOut(Schema):
    site: str = Field(description='a site code, or "" for all the sites together')
    incidents: int
    acknowledged: CommandMeasureOut
    dispatched: CommandMeasureOut
    on_scene: CommandMeasureOut


class ResponseTimesReport(Schema):
    start: date
    end: date
    site: str | None
    rows: list[ResponseTimesOut]


class CommandPeriodFilter(QueryFilter):
    start: date | None = Field(
        None,
        ge=periods.EARLIEST,
        le=periods.LATEST,
        description="first day (site's local calendar); 90 days ago",
    )
    end: date | None = Field(
        None,
        ge=periods.EARLIEST,
        le=periods.LATEST,
        description="last day, inclusive; today by default",
    )
    site: str | None = Field(None, max_length=32, description="one site's code; all by default")


def _measure(m: stats.Measure) -> dict[str, Any]:
    return {"count": m.count, "median_seconds": m.median, "p90_seconds": m.p90}


@router.get(
    "/statistics/response-times",
    response=ResponseTimesReport,
    summary="Time from the first alert to acknowledgement, dispatch and on scene, per site",
)
def response_times(request: HttpRequest, filters: Query[CommandPeriodFilter]) -> dict[str, Any]:
    today = timezone.now().date()
    end = filters.end or today
    start = filters.start or end - dt.timedelta(days=90)
    if start > end:
        raise ValidationError({"start": _("The period starts after it ends.")})
    rows = stats.response_times(request.user, start=start, end=end, site=filters.site or None)
    return {
        "start": start,
        "end": end,
        "site": filters.site or None,
        "rows": [
            {
                "site": r.site,
                "incidents": r.incidents,
                **{name: _measure(m) for name, m in r.measures()},
            }
            for r in rows
        ],
    }
