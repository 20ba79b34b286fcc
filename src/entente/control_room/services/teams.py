"""Teams and their dispatches to incidents (the roster itself is in ``roster.py``; its
functions are named here too, so that callers find everything about teams in one place).

Decisions taken here, in one place:

- **Teams and coverage requirements are reference data** of the joint command (not marked):
  every control-room role sees them. They are changed by the system (the demo loader,
  ``acting_user=None``) or by an administrator of the control room, and audited like any write.
  A team's leader belongs to the team's agency and holds the control room's editor role, since
  a leader keeps the roster and marks the team on scene.
- **Dispatching acknowledges a new incident first.** An operator who sends a team has seen the
  alarm; asking for a separate click would cost seconds where seconds matter. Both steps go
  through the lifecycle (``services.incidents.advance_incident``), each stamped and audited, so
  the response times stay honest (the acknowledgement is timed when the team was sent). An
  incident already dispatched or on scene may receive another team as reinforcement; its state
  does not move. A closed incident receives no team.
- **A team works one incident at a time**, on duty at the incident's site at the moment it is
  sent; its leader must be able to see the incident it is sent to.
- **On scene and cleared** are marked by the team leader from the phone or by any editor (an
  operator told by radio); leaders are editors (above), so the rule is the editor's role and
  sight of the incident. The first team on scene moves the incident to *on scene*. Clearing a
  team frees it; the incident stays open until an operator closes it with its outcome.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from entente.control_room import live
from entente.control_room.choices import DispatchState, IncidentState
from entente.control_room.models import CoverageRequirement, Dispatch, Incident, Shift, Team
from entente.control_room.services.roster import (
    DEFAULT_GAP_DAYS,
    FIRST_DAY,
    LAST_DAY,
    KindCoverage,
    SlotCoverage,
    add_shift,
    copy_week,
    coverage,
    coverage_gaps,
    fill_week,
    locked_team,
    on_duty_now,
    remove_shift,
    roster,
    slot_at,
    slot_bounds,
    week_start,
)
from entente.core import access, audit
from entente.core.choices import Module, Role
from entente.core.models import Agency, Site
from entente.core.services import upsert_row

# Reference data -----------------------------------------------------------------------------


def _require_reference_change(acting_user: Any) -> None:
    """The system (None) or an administrator of the control room changes reference data."""
    if acting_user is not None:
        access.require_role(acting_user, Module.CONTROL_ROOM, Role.ADMINISTRATOR)


def _check_leader(leader: Any, agency: Agency) -> None:
    if leader.agency_id != agency.pk:
        raise ValidationError({"leader": _("A team leader belongs to the team's agency.")})
    if not access.has_role(leader, Module.CONTROL_ROOM, Role.EDITOR):
        raise ValidationError(
            {"leader": _("A team leader holds the editor role in the control room.")}
        )


@transaction.atomic
def upsert_team(
    *,
    code: str,
    acting_user: Any,
    name_en: str,
    name_fr: str,
    kind: str,
    agency: Agency,
    site: Site,
    leader: Any = None,
    members: int = 4,
    active: bool = True,
) -> Team:
    """Create a team or bring it in line (reference data; audited, only what changed)."""
    _require_reference_change(acting_user)
    if leader is not None:
        _check_leader(leader, agency)
    fields = {
        "name_en": name_en,
        "name_fr": name_fr,
        "kind": kind,
        "agency": agency,
        "site": site,
        "leader": leader,
        "members": members,
        "active": active,
    }
    return upsert_row(Team, {"code": code}, fields, acting_user)


@transaction.atomic
def upsert_coverage_requirement(
    *, site: Site, team_kind: str, minimum: int, acting_user: Any
) -> CoverageRequirement:
    """How many teams of a kind a site needs on duty in every slot (reference data; audited)."""
    _require_reference_change(acting_user)
    return upsert_row(
        CoverageRequirement,
        {"site": site, "team_kind": team_kind},
        {"minimum": minimum},
        acting_user,
    )


# Dispatch -----------------------------------------------------------------------------------


def open_dispatches() -> QuerySet[Dispatch]:
    """Dispatches whose team is still engaged (dispatched or on scene)."""
    return Dispatch.objects.exclude(state=DispatchState.CLEARED)


def available_teams(site: Site) -> list[Team]:
    """Teams on duty at a site now and not engaged elsewhere: those a dispatch may send."""
    engaged = open_dispatches().values("team_id")
    return [s.team for s in on_duty_now(site).exclude(team_id__in=engaged)]


def visible_dispatches(user: Any) -> QuerySet[Dispatch]:
    """Dispatches to incidents the user may see (the incident's markings decide)."""
    return Dispatch.objects.filter(incident__in=Incident.objects.visible_to(user)).select_related(
        "incident__zone__site", "team", "dispatched_by"
    )


def _when(moment: dt.datetime, site: Site) -> str:
    local = moment.astimezone(zoneinfo.ZoneInfo(site.timezone))
    return formats.date_format(local, "SHORT_DATETIME_FORMAT")


def _check_can_go(team: Team, incident: Incident, now: dt.datetime) -> None:
    """Refuse, with the reason, a team that cannot be sent to this incident now."""
    site = incident.zone.site
    if not team.active:
        raise ValidationError({"team": _("Team {code} is stood down.").format(code=team.code)})
    shift = on_duty_now(at=now).filter(team=team).first()
    if shift is None:
        upcoming = (
            Shift.objects.filter(team=team, starts_at__gt=now)
            .select_related("site__country")
            .order_by("starts_at")
            .first()
        )
        if upcoming is None:
            message = _("Team {code} is not on duty now and has no shift ahead on the roster.")
            raise ValidationError({"team": message.format(code=team.code)})
        message = _("Team {code} is not on duty now; its next shift starts {when} at {site}.")
        raise ValidationError(
            {
                "team": message.format(
                    code=team.code,
                    when=_when(upcoming.starts_at, upcoming.site),
                    site=upcoming.site.name,
                )
            }
        )
    if shift.site_id != site.pk:
        message = _(
            "Team {code} is on duty at {site}, not at {incident_site} where this incident is."
        )
        raise ValidationError(
            {"team": message.format(code=team.code, site=shift.site.name, incident_site=site.name)}
        )
    engaged = open_dispatches().filter(team=team).first()
    if engaged is not None:
        message = _("Team {code} is already engaged on incident {incident}; clear it first.")
        raise ValidationError(
            {"team": message.format(code=team.code, incident=engaged.incident_id)}
        )
    if team.leader is not None and not access.can_view(team.leader, incident):
        message = _("The leader of team {code} may not see this incident; send another team.")
        raise ValidationError({"team": message.format(code=team.code)})


def _require_sight(acting_user: Any, incident: Incident) -> None:
    if not access.can_view(acting_user, incident):
        raise Http404(_("No such record."))


@transaction.atomic
def dispatch_team(incident: Incident, team: Team, *, acting_user: Any) -> Dispatch:
    """Send a team on duty at the incident's site to the incident; audited, announced.

    A new incident is acknowledged first, then moved to dispatched, both through the lifecycle
    (see the module's docstring); an incident already dispatched or on scene keeps its state.
    """
    # Imported here: the lifecycle module calls ``clear_dispatches`` of this one.
    from entente.control_room.services import incidents as lifecycle

    access.require_role(acting_user, Module.CONTROL_ROOM, Role.EDITOR)
    _require_sight(acting_user, incident)
    sent = locked_team(team)
    current: Incident = (
        Incident.objects.select_for_update(of=("self",))
        .select_related("zone__site__country")
        .get(pk=incident.pk)
    )
    if current.state == IncidentState.CLOSED:
        raise ValidationError(
            {
                "incident": _("Incident {id} is closed; no team can be sent to it.").format(
                    id=current.pk
                )
            }
        )
    now = timezone.now()
    _check_can_go(sent, current, now)
    state = current.state
    if state == IncidentState.NEW:
        state = lifecycle.advance_incident(
            current, to_state=IncidentState.ACKNOWLEDGED, acting_user=acting_user
        ).state
    if state == IncidentState.ACKNOWLEDGED:
        lifecycle.advance_incident(
            current, to_state=IncidentState.DISPATCHED, acting_user=acting_user
        )
    dispatch = Dispatch.objects.create(
        incident=current, team=sent, dispatched_by=acting_user, dispatched_at=now
    )
    audit.record_create(acting_user, dispatch)
    live.incident_changed(current.pk)
    return dispatch


def _locked_dispatch(dispatch: Dispatch, acting_user: Any) -> Dispatch:
    access.require_role(acting_user, Module.CONTROL_ROOM, Role.EDITOR)
    locked: Dispatch = (
        Dispatch.objects.select_for_update(of=("self",))
        .select_related("incident", "team")
        .get(pk=dispatch.pk)
    )
    _require_sight(acting_user, locked.incident)
    return locked


@transaction.atomic
def team_on_scene(dispatch: Dispatch, *, acting_user: Any) -> Dispatch:
    """The team has arrived: stamp the dispatch; the first team there moves the incident to
    on scene. The team leader (from the phone) or any editor; audited, announced."""
    from entente.control_room.services import incidents as lifecycle

    locked = _locked_dispatch(dispatch, acting_user)
    if locked.state != DispatchState.DISPATCHED:
        message = (
            _("Team {code} is already on scene.")
            if locked.state == DispatchState.ON_SCENE
            else _("Team {code} has been cleared from this incident.")
        )
        raise ValidationError({"dispatch": message.format(code=locked.team.code)})
    before = audit.snapshot(locked)
    locked.state, locked.on_scene_at = DispatchState.ON_SCENE, timezone.now()
    locked.save(update_fields=["state", "on_scene_at"])
    audit.record_update(acting_user, locked, before)
    incident = Incident.objects.select_for_update().get(pk=locked.incident_id)
    if incident.state == IncidentState.DISPATCHED:
        lifecycle.advance_incident(
            incident, to_state=IncidentState.ON_SCENE, acting_user=acting_user
        )
    live.incident_changed(incident.pk)
    return locked


@transaction.atomic
def clear_dispatch(dispatch: Dispatch, *, acting_user: Any) -> Dispatch:
    """The team is free again (its work done, or recalled); the incident stays open until an
    operator closes it. The team leader or any editor; audited, announced."""
    locked = _locked_dispatch(dispatch, acting_user)
    if locked.state == DispatchState.CLEARED:
        message = _("Team {code} has been cleared from this incident.")
        raise ValidationError({"dispatch": message.format(code=locked.team.code)})
    before = audit.snapshot(locked)
    locked.state, locked.cleared_at = DispatchState.CLEARED, timezone.now()
    locked.save(update_fields=["state", "cleared_at"])
    audit.record_update(acting_user, locked, before)
    live.incident_changed(locked.incident_id)
    return locked


def clear_dispatches(incident: Incident, *, acting_user: Any) -> int:
    """Free the teams still engaged on an incident that closes (call inside its transaction).
    Returns how many dispatches were cleared."""
    now = timezone.now()
    cleared = 0
    for dispatch in incident.dispatches.exclude(state=DispatchState.CLEARED).select_for_update():
        before = audit.snapshot(dispatch)
        dispatch.state, dispatch.cleared_at = DispatchState.CLEARED, now
        dispatch.save(update_fields=["state", "cleared_at"])
        audit.record_update(acting_user, dispatch, before)
        cleared += 1
    return cleared


# The team leader's view ---------------------------------------------------------------------


def teams_led_by(user: Any) -> list[Team]:
    """The active teams a person leads (usually one)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Team.objects.filter(leader=user, active=True).select_related("agency", "site__country")
    )


def current_dispatch(team: Team) -> Dispatch | None:
    """The team's open dispatch, if it is engaged."""
    return (
        open_dispatches()
        .filter(team=team)
        .select_related("incident__zone__site__country")
        .order_by("-dispatched_at")
        .first()
    )


def next_shifts(team: Team, *, limit: int = 5) -> list[Shift]:
    """The team's shift in progress and the next ones."""
    return list(
        Shift.objects.filter(team=team, ends_at__gt=timezone.now())
        .select_related("site__country")
        .order_by("starts_at")[:limit]
    )


__all__ = [
    "DEFAULT_GAP_DAYS",
    "FIRST_DAY",
    "LAST_DAY",
    "Dispatch",
    "KindCoverage",
    "SlotCoverage",
    "add_shift",
    "available_teams",
    "clear_dispatch",
    "clear_dispatches",
    "copy_week",
    "coverage",
    "coverage_gaps",
    "current_dispatch",
    "dispatch_team",
    "fill_week",
    "next_shifts",
    "on_duty_now",
    "remove_shift",
    "roster",
    "slot_at",
    "slot_bounds",
    "team_on_scene",
    "teams_led_by",
    "upsert_coverage_requirement",
    "upsert_team",
    "visible_dispatches",
    "week_start",
]
