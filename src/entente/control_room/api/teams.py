"""Teams, the roster, coverage gaps and dispatches through the API.

No ``from __future__ import annotations`` here (django-ninja reads the annotations).
"""

import datetime as dt
from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from entente.control_room.models import Dispatch, Incident, Shift, Team
from entente.control_room.services import teams as services
from entente.core import access
from entente.core.api_support import QueryFilter, StrictSchema
from entente.core.choices import Module, Role
from entente.core.models import Site

router = Router()

MAX_ROSTER_DAYS = 62
MAX_GAP_DAYS = 31


class TeamOut(Schema):
    code: str
    name_en: str
    name_fr: str
    kind: str
    agency: str
    site: str
    leader: str | None
    members: int
    active: bool

    @staticmethod
    def resolve_agency(obj: Team) -> str:
        return obj.agency.code

    @staticmethod
    def resolve_site(obj: Team) -> str:
        return obj.site.code

    @staticmethod
    def resolve_leader(obj: Team) -> str | None:
        return obj.leader.username if obj.leader else None


class ShiftOut(Schema):
    id: int
    team: str
    kind: str
    site: str
    day: date
    slot: str
    starts_at: datetime
    ends_at: datetime

    @staticmethod
    def resolve_team(obj: Shift) -> str:
        return obj.team.code

    @staticmethod
    def resolve_kind(obj: Shift) -> str:
        return obj.team.kind

    @staticmethod
    def resolve_site(obj: Shift) -> str:
        return obj.site.code


class RosterFilter(QueryFilter):
    site: str | None = Field(
        None, max_length=32, description="a site's code; all sites if left out"
    )
    start: date | None = Field(None, alias="from", description="first day (default: today)")
    end: date | None = Field(
        None, alias="to", description="last day, included (default: six days on)"
    )


class ShiftIn(StrictSchema):
    team: str = Field(min_length=1, max_length=32, description="the team's call sign")
    day: date = Field(description="the day, in the local time of the team's base")
    slot: Literal["early", "late", "night"]


class KindOut(Schema):
    kind: str
    required: int
    on_duty: int
    short: int
    teams: list[str]


class GapOut(Schema):
    site: str
    day: date
    slot: str
    starts_at: datetime
    ends_at: datetime
    kinds: list[KindOut]


class GapFilter(QueryFilter):
    start: datetime | None = Field(None, alias="from", description="default: now")
    end: datetime | None = Field(None, alias="to", description="default: seven days after from")


class DispatchIn(StrictSchema):
    team: str = Field(min_length=1, max_length=32, description="the call sign of a team on duty")


class DispatchOut(Schema):
    id: int
    incident: int
    team: str
    state: str
    dispatched_at: datetime
    dispatched_by: str
    on_scene_at: datetime | None
    cleared_at: datetime | None

    @staticmethod
    def resolve_incident(obj: Dispatch) -> int:
        return obj.incident_id

    @staticmethod
    def resolve_team(obj: Dispatch) -> str:
        return obj.team.code

    @staticmethod
    def resolve_dispatched_by(obj: Dispatch) -> str:
        return obj.dispatched_by.username


def _team(code: str) -> Team:
    team = Team.objects.select_related("site__country").filter(code=code).first()
    if team is None:
        raise ValidationError({"team": _("No team has the call sign {code}.").format(code=code)})
    return team


@router.get("/teams", response=list[TeamOut], summary="Freight search teams and mobile units")
def list_teams(request: HttpRequest) -> QuerySet[Team]:
    access.require_role(request.user, Module.CONTROL_ROOM)
    return Team.objects.select_related("agency", "site", "leader")


@router.get(
    "/roster",
    response=list[ShiftOut],
    summary="Shifts on the roster from one day to another (a site, or every site)",
)
def get_roster(request: HttpRequest, filters: Query[RosterFilter]) -> QuerySet[Shift]:
    access.require_role(request.user, Module.CONTROL_ROOM)
    start = filters.start or timezone.now().date()
    end = filters.end or start + dt.timedelta(days=6)
    if not 0 <= (end - start).days < MAX_ROSTER_DAYS:
        raise ValidationError(
            {
                "to": _("Ask for 1 to {days} days, the last on or after the first.").format(
                    days=MAX_ROSTER_DAYS
                )
            }
        )
    site = None
    if filters.site:
        site = Site.objects.filter(code=filters.site).first()
        if site is None:
            raise ValidationError({"site": _("No site has this code.")})
    return services.roster(site, start, end)


@router.post(
    "/roster",
    response={201: ShiftOut},
    summary="Put a team on the roster for a shift (at its base; control-room editors)",
)
def add_to_roster(request: HttpRequest, payload: ShiftIn) -> Status[Shift]:
    access.require_role(request.user, Module.CONTROL_ROOM, Role.EDITOR)
    shift = services.add_shift(
        _team(payload.team), payload.day, payload.slot, acting_user=request.user
    )
    return Status(201, shift)


@router.delete(
    "/roster/{shift_id}",
    response={204: None},
    summary="Take a team off the roster for a shift (control-room editors)",
)
def remove_from_roster(request: HttpRequest, shift_id: int) -> Status[None]:
    access.require_role(request.user, Module.CONTROL_ROOM, Role.EDITOR)
    shift = Shift.objects.filter(pk=shift_id).first()
    if shift is None:
        raise Http404
    services.remove_shift(shift, acting_user=request.user)
    return Status(204, None)


@router.get(
    "/coverage-gaps",
    response=list[GapOut],
    summary="Shifts ahead where fewer teams are on duty than a site needs (default: 7 days)",
)
def list_coverage_gaps(request: HttpRequest, filters: Query[GapFilter]) -> list[dict[str, Any]]:
    access.require_role(request.user, Module.CONTROL_ROOM)
    start = filters.start or timezone.now()
    end = filters.end or start + dt.timedelta(days=services.DEFAULT_GAP_DAYS)
    if start.tzinfo is None or end.tzinfo is None:
        raise ValidationError({"from": _("Give times with their UTC offset.")})
    if not dt.timedelta(0) < end - start <= dt.timedelta(days=MAX_GAP_DAYS):
        raise ValidationError(
            {
                "to": _("Ask for a window of up to {days} days, ending after it starts.").format(
                    days=MAX_GAP_DAYS
                )
            }
        )
    if not (
        dt.datetime(2000, 1, 1, tzinfo=dt.UTC) <= start
        and end <= dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
    ):
        raise ValidationError({"from": _("Choose a day between 2000 and 2099.")})
    return [
        {
            "site": slot.site.code,
            "day": slot.day,
            "slot": slot.slot,
            "starts_at": slot.starts_at,
            "ends_at": slot.ends_at,
            "kinds": [
                {
                    "kind": k.kind,
                    "required": k.required,
                    "on_duty": k.on_duty,
                    "short": k.short,
                    "teams": [t.code for t in k.teams],
                }
                for k in slot.kinds
            ],
        }
        for slot in services.coverage_gaps(start, end)
    ]


@router.post(
    "/incidents/{incident_id}/dispatches",
    response={201: DispatchOut},
    summary="Send a team on duty at the incident's site (a new incident is acknowledged first)",
)
def dispatch_to_incident(
    request: HttpRequest, incident_id: int, payload: DispatchIn
) -> Status[Dispatch]:
    incident: Incident = access.get_visible_or_404(Incident, request.user, pk=incident_id)
    access.require_role(request.user, Module.CONTROL_ROOM, Role.EDITOR)
    dispatch = services.dispatch_team(incident, _team(payload.team), acting_user=request.user)
    return Status(201, dispatch)


def _dispatch(request: HttpRequest, dispatch_id: int) -> Dispatch:
    """A dispatch is seen through its incident's markings: absent and unseen give one 404;
    the service then wants an editor (403 for a viewer who sees it)."""
    dispatch = services.visible_dispatches(request.user).filter(pk=dispatch_id).first()
    if dispatch is None:
        raise Http404
    return dispatch


@router.post(
    "/dispatches/{dispatch_id}/on-scene",
    response=DispatchOut,
    summary="The team has arrived (the first one moves the incident to on scene)",
)
def dispatch_on_scene(request: HttpRequest, dispatch_id: int) -> Dispatch:
    return services.team_on_scene(_dispatch(request, dispatch_id), acting_user=request.user)


@router.post(
    "/dispatches/{dispatch_id}/clear",
    response=DispatchOut,
    summary="The team is free again (the incident stays open until it is closed)",
)
def dispatch_clear(request: HttpRequest, dispatch_id: int) -> Dispatch:
    return services.clear_dispatch(_dispatch(request, dispatch_id), acting_user=request.user)
