"""Control-room pages: the incident list and detail, the sensors and their last signs of life."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from entente.control_room import services
from entente.control_room.choices import TRANSITIONS, AlertKind, IncidentState
from entente.control_room.models import Alert, Incident, Sensor
from entente.control_room.views.checklists import detail_context
from entente.core import access
from entente.core.choices import Module, Role


@login_required
def incident_list(request: HttpRequest) -> HttpResponse:
    access.require_role(request.user, Module.CONTROL_ROOM)
    qs = Incident.objects.visible_to(request.user).select_related("zone__site")
    state = request.GET.get("state", "")
    if state in IncidentState.values:
        qs = qs.filter(state=state)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "control_room/incident_list.html",
        {
            "page": page,
            "states": IncidentState.choices,
            "state": state,
            "query": f"state={state}" if state else "",
        },
    )


def alert_rows(alerts: Iterable[Alert]) -> list[dict[str, Any]]:
    """The alert table's rows, their values formatted here as the template's filters would
    (``date:"H:i:s"``, ``floatformat:2``, the kind's label): a busy incident shows 200 rows,
    and the filters and tags per row cost several times the rest of the page."""
    label = gettext("Move the alert of %(time)s from %(sensor)s")
    kinds = {value: str(name) for value, name in AlertKind.choices}
    confidences: dict[float, str] = {}
    rows = []
    for a in alerts:
        time = timezone.localtime(a.occurred_at).strftime("%H:%M:%S")
        confidence = confidences.get(a.confidence)
        if confidence is None:
            confidence = confidences[a.confidence] = floatformat(a.confidence, 2)
        rows.append(
            {
                "pk": a.pk,
                "time": time,
                "sensor": a.sensor.code,
                "kind": kinds.get(a.kind, a.kind),
                "confidence": confidence,
                "move_label": label % {"time": time, "sensor": a.sensor.code},
            }
        )
    return rows


@login_required
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = access.get_visible_or_404(
        Incident.objects.select_related("zone__site", "originator"), request.user, pk=pk
    )
    alerts = alert_rows(incident.alerts.select_related("sensor").order_by("occurred_at")[:200])
    steps = []
    if access.has_role(request.user, Module.CONTROL_ROOM, Role.EDITOR):
        order = list(IncidentState.values)
        steps = [
            {"state": state, "label": IncidentState(state).label}
            for state in sorted(TRANSITIONS[incident.state], key=order.index)
        ]
    return render(
        request,
        "control_room/incident_detail.html",
        {
            "incident": incident,
            "alerts": alerts,
            "steps": steps,
            **detail_context(request, incident),
        },
    )


@require_POST
@login_required
def incident_advance(request: HttpRequest, pk: int) -> HttpResponse:
    """The operator's buttons: acknowledge, dispatch, on scene, close."""
    incident = access.get_visible_or_404(Incident, request.user, pk=pk)
    try:
        services.advance_incident(
            incident, to_state=request.POST.get("state", ""), acting_user=request.user
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("control_room:incident_detail", pk=pk)


@login_required
def sensor_list(request: HttpRequest) -> HttpResponse:
    access.require_role(request.user, Module.CONTROL_ROOM)
    sensors = Sensor.objects.select_related("zone__site", "owner")
    now = timezone.now()
    rows = [
        {
            "sensor": s,
            "silent": s.last_seen_at is None
            or (now - s.last_seen_at).total_seconds() > s.heartbeat_seconds,
        }
        for s in sensors
    ]
    return render(request, "control_room/sensor_list.html", {"rows": rows})
