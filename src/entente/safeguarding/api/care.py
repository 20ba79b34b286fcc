"""Safeguarding API: care (protected places and allocations, day-centre services, pathways,
information campaigns). Thin: the services decide; refusals are RFC 9457 problem details.

A place's confidential address is in one answer only, a place's own, and only for the users
named as needing it (``address`` is null for everyone else); lists never carry it. Pathway
statistics are aggregate counts and durations.

No ``from __future__ import annotations`` here (django-ninja reads the annotations).
"""

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from entente.core import access, audit
from entente.core.api_support import Pagination, QueryFilter, StrictSchema
from entente.core.choices import Module, Role
from entente.core.models import Agency
from entente.safeguarding.choices import PlaceCategory
from entente.safeguarding.models import Allocation, Campaign, Pathway, Person, Place
from entente.safeguarding.services import accommodation, campaigns, daycentre, pathways

router = Router()
S = Module.SAFEGUARDING
Category = Literal["women_children", "families", "men"]


# Places and allocations ---------------------------------------------------------------------


class CategoryOut(Schema):
    category: str
    capacity: int
    free: int


class PlaceOut(Schema):
    id: int
    name: str
    town: str
    active: bool
    originator: str
    categories: list[CategoryOut] = Field(description="the categories it serves, free today")


class PlaceDetailOut(PlaceOut):
    address: str | None = Field(
        description="only for the users named as needing it; null for everyone else"
    )


def _place_out(place: Place) -> dict[str, Any]:
    return {
        "id": place.pk,
        "name": place.name,
        "town": place.town,
        "active": place.active,
        "originator": place.originator.code,
        "categories": [
            {
                "category": c,
                "capacity": place.capacity(c),
                "free": accommodation.free_places(place, c),
            }
            for c in PlaceCategory.values
            if place.capacity(c)
        ],
    }


@router.get(
    "/safeguarding/places",
    response=list[PlaceOut],
    summary="Protected places the caller may see, with today's free places (no address)",
)
def list_places(request: HttpRequest) -> list[dict[str, Any]]:
    access.require_role(request.user, S)
    return [_place_out(p) for p in accommodation.visible_places(request.user)]


@router.get(
    "/safeguarding/places/{place_id}",
    response=PlaceDetailOut,
    summary="One place; its address only for those named as needing it",
)
def get_place(request: HttpRequest, place_id: int) -> dict[str, Any]:
    place = access.get_visible_or_404(
        accommodation.visible_places(request.user), request.user, pk=place_id
    )
    address = accommodation.address_for(request.user, place)
    if address is not None:
        audit.record_read(request.user, place, purpose=_("Address of a protected place"))
    return {**_place_out(place), "address": address}


class OccupancyOut(Schema):
    day: dt.date
    women_children: int
    families: int
    men: int
    total: int


class PeriodFilter(QueryFilter):
    start: dt.date | None = None
    end: dt.date | None = None


def _period(filters: PeriodFilter, days: int = 30) -> tuple[dt.date, dt.date]:
    end = filters.end or timezone.localdate()
    start = filters.start or end - dt.timedelta(days=days - 1)
    if end < start:
        raise ValidationError({"end": _("The end of the period comes before its start.")})
    if (end - start).days > 366:
        raise ValidationError({"start": _("Ask for a year at most.")})
    return start, end


@router.get(
    "/safeguarding/places/{place_id}/occupancy",
    response=list[OccupancyOut],
    summary="People present each night of a period (30 days to today by default)",
)
def place_occupancy(
    request: HttpRequest, place_id: int, filters: Query[PeriodFilter]
) -> list[dict[str, Any]]:
    place = access.get_visible_or_404(
        accommodation.visible_places(request.user), request.user, pk=place_id
    )
    start, end = _period(filters)
    return [
        {"day": r.day, **r.occupied, "total": r.total}
        for r in accommodation.occupancy(place, start, end)
    ]


class AllocationOut(Schema):
    id: int
    place: int
    case_code: str
    category: str
    state: str
    referral: int | None
    allocated_at: dt.datetime
    checked_in_at: dt.datetime | None
    checked_out_at: dt.datetime | None

    @staticmethod
    def resolve_place(obj: Allocation) -> int:
        return obj.place_id

    @staticmethod
    def resolve_case_code(obj: Allocation) -> str:
        return obj.person.case_code

    @staticmethod
    def resolve_referral(obj: Allocation) -> int | None:
        return obj.referral_id


class AllocationIn(StrictSchema):
    case_code: str = Field(min_length=1, max_length=20, description="the person's case code")
    category: Category


@router.get(
    "/safeguarding/places/{place_id}/allocations",
    response=list[AllocationOut],
    summary="A place's allocations, the latest first (case codes only)",
)
@paginate(Pagination)
def list_allocations(request: HttpRequest, place_id: int) -> QuerySet[Allocation]:
    place = access.get_visible_or_404(
        accommodation.visible_places(request.user), request.user, pk=place_id
    )
    return accommodation.allocations_of(place)


@router.post(
    "/safeguarding/places/{place_id}/allocations",
    response={201: AllocationOut},
    summary="Allocate a place to a person (safeguarding editors)",
)
def create_allocation(
    request: HttpRequest, place_id: int, payload: AllocationIn
) -> Status[Allocation]:
    place = access.get_visible_or_404(
        accommodation.visible_places(request.user), request.user, pk=place_id
    )
    access.require_role(request.user, S, Role.EDITOR)
    person = Person.objects.visible_to(request.user).filter(case_code=payload.case_code).first()
    if person is None:
        raise ValidationError({"case_code": _("No person you may see has this case code.")})
    made = accommodation.allocate(
        request.user, place=place, person=person, category=payload.category
    )
    return Status(201, made)


def _allocation(request: HttpRequest, allocation_id: int) -> Allocation:
    allocation = Allocation.objects.select_related("place", "person").filter(pk=allocation_id)
    found = allocation.first()
    if found is None or not access.can_view(request.user, found.place):
        raise Http404(_("No such record."))
    return found


def _allocation_action(name: str, summary: str) -> None:
    services: dict[str, Callable[..., Allocation]] = {
        "check-in": accommodation.check_in,
        "check-out": accommodation.check_out,
        "cancel": accommodation.cancel,
    }
    service = services[name]

    def handler(request: HttpRequest, allocation_id: int) -> Allocation:
        found = _allocation(request, allocation_id)
        service(request.user, found)
        return Allocation.objects.select_related("person").get(pk=found.pk)

    handler.__name__ = f"allocation_{name.replace('-', '_')}"
    router.post(
        f"/safeguarding/allocations/{{allocation_id}}/{name}",
        response=AllocationOut,
        summary=summary,
    )(handler)


_allocation_action("check-in", "The person arrives (within capacity)")
_allocation_action("check-out", "The person leaves; the bed is free again")
_allocation_action("cancel", "Cancel an allocation not yet taken up")


# Day-centre services ------------------------------------------------------------------------


class CentreOut(Schema):
    id: int
    name: str
    town: str
    operator: str

    @staticmethod
    def resolve_operator(obj: Any) -> str:
        return str(obj.operator.code)


class ServiceDayOut(Schema):
    day: dt.date
    meals: int
    showers: int
    charging: int
    consultations: int


class ServiceDayIn(StrictSchema):
    meals: int = Field(0, ge=0, le=daycentre.MAX_COUNT)
    showers: int = Field(0, ge=0, le=daycentre.MAX_COUNT)
    charging: int = Field(0, ge=0, le=daycentre.MAX_COUNT)
    consultations: int = Field(0, ge=0, le=daycentre.MAX_COUNT)


@router.get("/safeguarding/day-centres", response=list[CentreOut], summary="Day centres")
def list_centres(request: HttpRequest) -> Any:
    access.require_role(request.user, S)
    return list(daycentre.centres())


@router.get(
    "/safeguarding/day-centres/{centre_id}/days",
    response=list[ServiceDayOut],
    summary="A centre's daily counts over a period (30 days to today by default)",
)
def list_days(request: HttpRequest, centre_id: int, filters: Query[PeriodFilter]) -> Any:
    access.require_role(request.user, S)
    centre = get_object_or_404(daycentre.centres(), pk=centre_id)
    start, end = _period(filters)
    return list(centre.days.filter(day__gte=start, day__lte=end).order_by("day"))


@router.put(
    "/safeguarding/day-centres/{centre_id}/days/{day}",
    response=ServiceDayOut,
    summary="Enter or correct one day's counts (the centre's staff; corrections audited)",
)
def put_day(request: HttpRequest, centre_id: int, day: dt.date, payload: ServiceDayIn) -> Any:
    access.require_role(request.user, S)
    centre = get_object_or_404(daycentre.centres(), pk=centre_id)
    return daycentre.record_day(request.user, centre, day, **payload.dict())


# Pathways -----------------------------------------------------------------------------------


class StepOut(Schema):
    milestone: str
    reached_on: dt.date
    note: str


class PathwayOut(Schema):
    id: int
    case_code: str
    kind: str
    partner: str | None
    started_on: dt.date
    closed_on: dt.date | None
    steps: list[StepOut]

    @staticmethod
    def resolve_case_code(obj: Pathway) -> str:
        return obj.person.case_code

    @staticmethod
    def resolve_partner(obj: Pathway) -> str | None:
        return obj.partner.code if obj.partner else None

    @staticmethod
    def resolve_steps(obj: Pathway) -> list[Any]:
        return list(obj.steps.all())


class PathwayIn(StrictSchema):
    case_code: str = Field(min_length=1, max_length=20)
    kind: Literal["asylum", "voluntary_return"]
    started_on: dt.date
    partner: str | None = Field(None, max_length=32, description="an agency code (e.g. IOM)")


class MilestoneIn(StrictSchema):
    milestone: Literal["lodged", "transferred", "decision", "return_applied", "partner", "departed"]
    reached_on: dt.date
    note: str = Field("", max_length=pathways.MAX_NOTE)
    partner: str | None = Field(None, max_length=32)


class LegOut(Schema):
    kind: str
    start: str
    end: str
    count: int
    median_days: float | None
    p90_days: float | None


class PathwayStatisticsOut(Schema):
    start: dt.date
    end: dt.date
    asylum_applications: int
    transfers: int
    voluntary_returns: int
    durations: list[LegOut] = Field(description="days between milestones, visible pathways")


def _agency(code: str | None) -> Agency | None:
    if code is None:
        return None
    agency = Agency.objects.select_related("country").filter(code=code).first()
    if agency is None:
        raise ValidationError({"partner": _("No agency has this code.")})
    return agency


@router.get(
    "/safeguarding/pathways",
    response=list[PathwayOut],
    summary="Pathways the caller may see, with their milestones",
)
@paginate(Pagination)
def list_pathways(request: HttpRequest) -> QuerySet[Pathway]:
    access.require_role(request.user, S)
    return pathways.visible_pathways(request.user)


@router.get(
    "/safeguarding/pathways/statistics",
    response=PathwayStatisticsOut,
    summary="Aggregate counts of a period (this year by default) and durations",
)
def pathway_statistics(request: HttpRequest, filters: Query[PeriodFilter]) -> dict[str, Any]:
    access.require_role(request.user, S)
    today = timezone.localdate()
    start = filters.start or dt.date(today.year, 1, 1)
    end = filters.end or today
    if end < start:
        raise ValidationError({"end": _("The end of the period comes before its start.")})
    return {
        "start": start,
        "end": end,
        "asylum_applications": pathways.asylum_applications(start, end),
        "transfers": pathways.transfers(start, end),
        "voluntary_returns": pathways.voluntary_returns(start, end),
        "durations": [
            {
                "kind": leg.kind,
                "start": leg.start,
                "end": leg.end,
                "count": leg.count,
                "median_days": leg.median,
                "p90_days": leg.p90,
            }
            for leg in pathways.duration_figures(pathways.visible_pathways(request.user))
        ],
    }


@router.post(
    "/safeguarding/pathways",
    response={201: PathwayOut},
    summary="Open a pathway for a person (safeguarding editors)",
)
def create_pathway(request: HttpRequest, payload: PathwayIn) -> Status[Pathway]:
    access.require_role(request.user, S, Role.EDITOR)
    person = Person.objects.visible_to(request.user).filter(case_code=payload.case_code).first()
    if person is None:
        raise ValidationError({"case_code": _("No person you may see has this case code.")})
    made = pathways.open_pathway(
        request.user,
        person=person,
        kind=payload.kind,
        started_on=payload.started_on,
        partner=_agency(payload.partner),
    )
    return Status(201, pathways.visible_pathways(request.user).get(pk=made.pk))


@router.get("/safeguarding/pathways/{pathway_id}", response=PathwayOut, summary="One pathway")
def get_pathway(request: HttpRequest, pathway_id: int) -> Pathway:
    found: Pathway = access.get_visible_or_404(
        pathways.visible_pathways(request.user), request.user, pk=pathway_id
    )
    return found


@router.post(
    "/safeguarding/pathways/{pathway_id}/milestones",
    response={201: PathwayOut},
    summary="Record the next milestone, dated on or after the previous one (editors)",
)
def add_milestone(request: HttpRequest, pathway_id: int, payload: MilestoneIn) -> Status[Pathway]:
    found = access.get_visible_or_404(Pathway, request.user, pk=pathway_id)
    access.require_role(request.user, S, Role.EDITOR)
    pathways.record_milestone(
        request.user,
        found,
        milestone=payload.milestone,
        reached_on=payload.reached_on,
        note=payload.note,
        partner=_agency(payload.partner),
    )
    return Status(201, pathways.visible_pathways(request.user).get(pk=pathway_id))


# Campaigns ----------------------------------------------------------------------------------


class MessageOut(Schema):
    language: str
    lang: str = Field(description="the BCP 47 tag to mark the text with")
    dir: str = Field(description="ltr or rtl")
    text: str


class CampaignOut(Schema):
    id: int
    title: str
    summary: str
    channels: list[str]
    starts_on: dt.date
    ends_on: dt.date | None
    owner: str
    approved_fr_by: str | None
    approved_uk_by: str | None
    approved: bool
    reach: int
    messages: list[MessageOut]

    @staticmethod
    def resolve_owner(obj: Campaign) -> str:
        return obj.owner.code

    @staticmethod
    def resolve_approved_fr_by(obj: Campaign) -> str | None:
        return obj.approved_fr_by.username if obj.approved_fr_by else None

    @staticmethod
    def resolve_approved_uk_by(obj: Campaign) -> str | None:
        return obj.approved_uk_by.username if obj.approved_uk_by else None

    @staticmethod
    def resolve_approved(obj: Campaign) -> bool:
        return campaigns.is_approved(obj)

    @staticmethod
    def resolve_messages(obj: Campaign) -> list[dict[str, str]]:
        return [
            {
                "language": m.language,
                "lang": campaigns.lang_tag(m.language),
                "dir": campaigns.direction(m.language),
                "text": m.text,
            }
            for m in obj.messages.all()
        ]


Language = Literal["ar", "ti", "ps", "prs", "ku", "am", "fr", "en"]
ChannelName = Literal["leaflet", "poster", "outreach", "radio", "social", "sms"]


class CampaignIn(StrictSchema):
    title: str = Field(min_length=1, max_length=campaigns.MAX_TITLE)
    summary: str = Field("", max_length=5000)
    channels: list[ChannelName] = Field(min_length=1)
    starts_on: dt.date
    ends_on: dt.date | None = None
    messages: dict[Language, str] = Field(default_factory=dict)


class ReachIn(StrictSchema):
    reach: int = Field(ge=0, le=100_000_000)


def _campaign_reader(request: HttpRequest) -> None:
    if not campaigns.may_read(request.user):
        raise PermissionDenied(_("You do not hold the role this needs."))


def _campaign(campaign_id: int) -> Campaign:
    return get_object_or_404(campaigns.campaigns(), pk=campaign_id)


@router.get(
    "/safeguarding/campaigns",
    response=list[CampaignOut],
    summary="Information campaigns (safeguarding and programme roles)",
)
@paginate(Pagination)
def list_campaigns(request: HttpRequest) -> QuerySet[Campaign]:
    _campaign_reader(request)
    return campaigns.campaigns()


@router.post(
    "/safeguarding/campaigns",
    response={201: CampaignOut},
    summary="Draft a campaign (safeguarding or programme editors)",
)
def create_campaign(request: HttpRequest, payload: CampaignIn) -> Status[Campaign]:
    _campaign_reader(request)
    made = campaigns.create_campaign(
        request.user,
        title=payload.title,
        summary=payload.summary,
        channels=payload.channels,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        messages={str(k): v for k, v in payload.messages.items()},
    )
    return Status(201, _campaign(made.pk))


@router.get("/safeguarding/campaigns/{campaign_id}", response=CampaignOut, summary="One campaign")
def get_campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    _campaign_reader(request)
    return _campaign(campaign_id)


@router.post(
    "/safeguarding/campaigns/{campaign_id}/approve",
    response=CampaignOut,
    summary="Approve for your country (a French and a British approver; not the author)",
)
def approve_campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    _campaign_reader(request)
    campaigns.approve(request.user, _campaign(campaign_id))
    return _campaign(campaign_id)


@router.post(
    "/safeguarding/campaigns/{campaign_id}/reach",
    response=CampaignOut,
    summary="Record how many people an approved campaign reached (the owner's editors)",
)
def campaign_reach(request: HttpRequest, campaign_id: int, payload: ReachIn) -> Campaign:
    _campaign_reader(request)
    campaigns.record_reach(request.user, _campaign(campaign_id), payload.reach)
    return _campaign(campaign_id)
