"""The outcome part of an incident's page: the close-with-outcome form while it is open, what
was found once it is closed, and the "Send to intelligence" button when there is a plate.

An inclusion tag, so the incident page needs one line and the outcome keeps to its own files.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

from entente.control_room.choices import ImmediateNeed, IncidentState
from entente.control_room.forms import OutcomeForm, VehicleReportForm
from entente.control_room.models import Incident, IncidentOutcome
from entente.core import access
from entente.core.choices import Module, Role

register = template.Library()


@register.inclusion_tag("control_room/includes/outcome.html", takes_context=True)
def incident_outcome(context: template.Context, incident: Incident) -> dict[str, Any]:
    user = context["request"].user
    editor = access.has_role(user, Module.CONTROL_ROOM, Role.EDITOR)
    outcome = (
        IncidentOutcome.objects.filter(incident=incident)
        .select_related("recorded_by__agency")
        .first()
    )
    # The control room's own act, shown as a fact of the incident (the report itself is
    # intelligence's, seen through its module).
    sent = incident.vehicle_reports.order_by("created_at").first() if outcome else None
    is_open = incident.state != IncidentState.CLOSED
    return {
        "incident": incident,
        "outcome": outcome,
        "sent_at": sent.created_at if sent else None,
        "form": OutcomeForm() if is_open and editor else None,
        "report_form": (
            VehicleReportForm()
            if editor and outcome is not None and outcome.vehicle_plate and sent is None
            else None
        ),
        "countries": context.get("countries", []),
        "user": user,
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def need_labels(codes: Iterable[str]) -> str:
    """Immediate needs as their translated names, in the list's order."""
    chosen = set(codes or ())
    return ", ".join(str(label) for value, label in ImmediateNeed.choices if value in chosen)
