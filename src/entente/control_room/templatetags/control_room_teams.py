"""The teams' parts of other pages: the dispatch panel of an incident's page, and the banner
that flags roster gaps of the next 48 hours.

Inclusion tags, so the host pages need one line and the teams keep to their own files.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone

from entente.control_room.choices import IncidentState
from entente.control_room.models import Incident
from entente.control_room.services import teams as services
from entente.core import access
from entente.core.choices import Module, Role

register = template.Library()

BANNER_HOURS = 48


@register.inclusion_tag("control_room/includes/incident_dispatch.html", takes_context=True)
def incident_dispatches(context: template.Context, incident: Incident) -> dict[str, Any]:
    """The teams sent to an incident, their buttons, and the "Dispatch a team" form listing
    the teams on duty at the incident's site now and not engaged elsewhere."""
    user = context["request"].user
    editor = access.has_role(user, Module.CONTROL_ROOM, Role.EDITOR)
    can_dispatch = editor and incident.state != IncidentState.CLOSED
    return {
        "incident": incident,
        "dispatches": list(incident.dispatches.select_related("team").order_by("dispatched_at")),
        "editor": editor,
        "can_dispatch": can_dispatch,
        "teams": services.available_teams(incident.zone.site) if can_dispatch else [],
        "countries": context.get("countries", []),
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("control_room/includes/coverage_banner.html", takes_context=True)
def coverage_gap_banner(context: template.Context) -> dict[str, Any]:
    """Roster gaps in the next 48 hours, for people of the control room (flagged ahead)."""
    user = context["request"].user
    if not access.has_role(user, Module.CONTROL_ROOM):
        return {"gaps": []}
    now = timezone.now()
    return {
        "gaps": services.coverage_gaps(now, now + dt.timedelta(hours=BANNER_HOURS)),
        "hours": BANNER_HOURS,
    }
