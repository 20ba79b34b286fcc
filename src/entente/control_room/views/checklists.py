"""Pages for procedure checklists, merging and splitting incidents, and the supervisor's list
of skipped steps.

The incident page shows the checklist and the merge and split forms (``detail_context``); the
small POST views here record what the operator did and send them back to the incident.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from entente.control_room.choices import IncidentState
from entente.control_room.models import Incident
from entente.control_room.services import checklists, merging
from entente.core import access
from entente.core.choices import Module, Role

MERGE_CHOICES = 50  # open incidents of the site offered on the merge form, newest first


def detail_context(request: HttpRequest, incident: Incident) -> dict[str, Any]:
    """What the incident page needs for its checklist, merge and split sections."""
    user = request.user
    editor = access.has_role(user, Module.CONTROL_ROOM, Role.EDITOR)
    is_open = incident.state != IncidentState.CLOSED
    candidates: list[Incident] = []
    if editor and is_open:
        candidates = list(
            Incident.objects.visible_to(user)
            .filter(zone__site_id=incident.zone.site_id)
            .exclude(state=IncidentState.CLOSED)
            .exclude(pk=incident.pk)
            .select_related("zone")
            .order_by("-opened_at")[:MERGE_CHOICES]
        )
    return {
        "checklist": checklists.checklist_of(incident),
        "can_tick": editor and is_open,
        "can_review": access.has_role(user, Module.CONTROL_ROOM, Role.APPROVER),
        "merge_candidates": candidates,
        "can_split": editor and is_open and incident.alert_count > 1,
        "merged_from": list(
            Incident.objects.visible_to(user).filter(merged_into=incident).order_by("pk")
        ),
    }


def _back(pk: int, anchor: str) -> HttpResponse:
    return redirect(reverse("control_room:incident_detail", kwargs={"pk": pk}) + anchor)


def _refused(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _numbers(values: list[str]) -> list[int] | None:
    try:
        return [int(v) for v in values]
    except ValueError:
        return None


@require_POST
@login_required
def incident_checklist(request: HttpRequest, pk: int) -> HttpResponse:
    """Tick a step done (optional note) or skip it (reason required)."""
    incident = access.get_visible_or_404(Incident, request.user, pk=pk)
    try:
        checklists.record_step(
            incident,
            step_code=request.POST.get("step", ""),
            status=request.POST.get("status", ""),
            note=request.POST.get("note", ""),
            acting_user=request.user,
        )
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Step recorded."))
    return _back(pk, "#checklist")


@require_POST
@login_required
def incident_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge the chosen open incidents of the same site into this one."""
    incident = access.get_visible_or_404(Incident, request.user, pk=pk)
    ids = _numbers(request.POST.getlist("incidents"))
    try:
        if ids is None:
            raise ValidationError(_("Name incidents by their number."))
        merging.merge_incidents(incident, ids, acting_user=request.user)
    except ValidationError as exc:
        _refused(request, exc)
        return _back(pk, "#merge")
    messages.success(
        request,
        ngettext(
            "{count} incident merged into this one.",
            "{count} incidents merged into this one.",
            len(set(ids)),
        ).format(count=len(set(ids))),
    )
    return _back(pk, "")


@require_POST
@login_required
def incident_split(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the chosen alerts to a new incident, and show it."""
    incident = access.get_visible_or_404(Incident, request.user, pk=pk)
    ids = _numbers(request.POST.getlist("alerts"))
    try:
        if ids is None:
            raise ValidationError(_("Name alerts by their number."))
        new = merging.split_incident(incident, ids, acting_user=request.user)
    except ValidationError as exc:
        _refused(request, exc)
        return _back(pk, "#split")
    messages.success(
        request,
        _("The chosen alerts now form this incident, split from incident {pk}.").format(pk=pk),
    )
    return _back(new.pk, "")


@login_required
def skipped_steps(request: HttpRequest) -> HttpResponse:
    """The supervisor's list: skipped steps no one has reviewed yet, oldest first."""
    entries = checklists.skipped_for_review(request.user)
    page = Paginator(entries, 25).get_page(request.GET.get("page"))
    return render(request, "control_room/skipped_steps.html", {"page": page, "query": ""})


@require_POST
@login_required
def review_skipped(request: HttpRequest, pk: int) -> HttpResponse:
    """A supervisor marks a skipped step reviewed (from the list or the incident page)."""
    entry = get_object_or_404(checklists.skipped_steps(request.user), pk=pk)
    try:
        checklists.review_skipped(entry, acting_user=request.user)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Skipped step marked as reviewed."))
    if request.POST.get("back") == "incident":
        return _back(entry.incident_id, "#checklist")
    return redirect("control_room:skipped_steps")
