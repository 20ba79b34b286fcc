"""Pages of outcomes: closing an incident with what was found, sending its vehicle to
intelligence, the handovers safeguarding takes up, the vehicle reports analysts take up."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from entente.control_room.choices import IncidentState
from entente.control_room.forms import OutcomeForm
from entente.control_room.models import Handover, Incident, VehicleReport
from entente.control_room.services import outcomes
from entente.core import access
from entente.core.choices import Module, Role
from entente.core.forms import apply_validation_error


@login_required
def incident_close(request: HttpRequest, pk: int) -> HttpResponse:
    """The close-with-outcome form (also on the incident's page); a refusal comes back here."""
    incident = access.get_visible_or_404(
        Incident.objects.select_related("zone__site"), request.user, pk=pk
    )
    access.require_role(request.user, Module.CONTROL_ROOM, Role.EDITOR)
    if incident.state == IncidentState.CLOSED:
        messages.info(request, _("This incident is already closed."))
        return redirect("control_room:incident_detail", pk=pk)
    form = OutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            outcomes.close_incident(incident, outcome=form.outcome(), acting_user=request.user)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Incident closed with its outcome."))
            return redirect("control_room:incident_detail", pk=pk)
    return render(request, "control_room/incident_close.html", {"incident": incident, "form": form})


@require_POST
@login_required
def vehicle_report_send(request: HttpRequest, pk: int) -> HttpResponse:
    """The "Send to intelligence" button of a closed incident whose outcome has a plate."""
    incident = access.get_visible_or_404(Incident, request.user, pk=pk)
    try:
        outcomes.send_vehicle_report(
            incident, note=request.POST.get("note", ""), acting_user=request.user
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Vehicle sent to intelligence."))
    return redirect("control_room:incident_detail", pk=pk)


@login_required
def handover_list(request: HttpRequest) -> HttpResponse:
    """Handovers from the control room for safeguarding: waiting ones first."""
    handovers = outcomes.handovers_for(request.user).order_by("state", "-created_at")
    page = Paginator(handovers, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "control_room/handover_list.html",
        {
            "page": page,
            "can_take_up": access.has_role(request.user, Module.SAFEGUARDING, Role.EDITOR),
        },
    )


@require_POST
@login_required
def handover_take_up(request: HttpRequest, pk: int) -> HttpResponse:
    handover = access.get_visible_or_404(Handover, request.user, pk=pk)
    try:
        outcomes.take_up_handover(handover, acting_user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Handover taken up."))
    return redirect("control_room:handover_list")


@login_required
def vehicle_report_list(request: HttpRequest) -> HttpResponse:
    """Vehicles sent by the control room, for intelligence: waiting ones first."""
    reports = outcomes.vehicle_reports_for(request.user).order_by("state", "-created_at")
    page = Paginator(reports, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "control_room/vehicle_report_list.html",
        {
            "page": page,
            "can_take_up": access.has_role(request.user, Module.INTELLIGENCE, Role.EDITOR),
        },
    )


@require_POST
@login_required
def vehicle_report_take_up(request: HttpRequest, pk: int) -> HttpResponse:
    report = access.get_visible_or_404(VehicleReport, request.user, pk=pk)
    try:
        outcomes.take_up_vehicle_report(report, acting_user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Report taken up."))
    return redirect("control_room:vehicle_report_list")
