"""Pages of the unified command: watch handovers at the control rooms, and the decision log
with both gold commanders' signatures.

The forms live here, beside the only views that use them.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from entente.control_room.choices import (
    SHIFT_HOURS,
    AlertKind,
    DecisionState,
    IncidentState,
    Severity,
)
from entente.control_room.models import Decision, WatchHandover
from entente.control_room.services import command as services
from entente.core import access
from entente.core.choices import Language, Module, Role
from entente.core.forms import StyledMixin, apply_validation_error
from entente.core.markings import classification_label
from entente.core.models import Country, Site

# Forms --------------------------------------------------------------------------------------


class HandoverForm(StyledMixin, forms.Form):
    watch_started_at = forms.DateTimeField(
        label=gettext_lazy("Your watch started"),
        help_text=gettext_lazy("In your own time zone."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    summary = forms.CharField(
        label=gettext_lazy("Summary of the watch"),
        help_text=gettext_lazy(
            "What happened, what is still open, what the incoming operator must watch for."
        ),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the summary"), choices=Language.choices
    )


class DecisionForm(StyledMixin, forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    situation = forms.CharField(
        label=gettext_lazy("Situation"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    decision = forms.CharField(
        label=gettext_lazy("Decision"), max_length=20000, widget=forms.Textarea(attrs={"rows": 4})
    )
    rationale = forms.CharField(
        label=gettext_lazy("Rationale"), max_length=20000, widget=forms.Textarea(attrs={"rows": 4})
    )
    options = forms.CharField(
        label=gettext_lazy("Options considered"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    risks = forms.CharField(
        label=gettext_lazy("Risks"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the text"), choices=Language.choices
    )


# Watch handovers ----------------------------------------------------------------------------


def _watch_start(site: Site, now: dt.datetime) -> dt.datetime:
    """The start of the watch now ending at a site: the latest roster slot that began at least
    an hour ago, in the site's local time (a late handover still closes the right watch)."""
    zone = zoneinfo.ZoneInfo(site.country.timezone)
    local = now.astimezone(zone)
    starts = [
        (local - dt.timedelta(days=back)).replace(hour=hour, minute=0, second=0, microsecond=0)
        for back in (0, 1)
        for hour, _length in SHIFT_HOURS.values()
    ]
    return max(s for s in starts if s <= local - dt.timedelta(hours=1))


def _incident_rows(snapshot: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A handover's snapshot with labels in the reader's language."""

    def label(choices: Any, value: Any) -> str:
        try:
            return str(choices(value).label)
        except ValueError:
            return str(value)

    return [
        {
            **row,
            "kind_label": label(AlertKind, row.get("kind")),
            "state_label": label(IncidentState, row.get("state")),
            "severity_label": label(Severity, row.get("severity")),
        }
        for row in snapshot
    ]


@login_required
def watch_list(request: HttpRequest) -> HttpResponse:
    """A control room's handovers, newest first; an editor hands over their watch here."""
    access.require_role(request.user, Module.CONTROL_ROOM)
    user: Any = request.user
    rooms = list(services.control_rooms())
    if not rooms:
        raise PermissionDenied(_("No control room is set up."))
    wanted = request.GET.get("site") or request.POST.get("site") or ""
    site = next((r for r in rooms if r.code == wanted), None) or next(
        (r for r in rooms if r.country.code == user.country_code), rooms[0]
    )
    can_hand_over = access.has_role(user, Module.CONTROL_ROOM, Role.EDITOR)
    form = None
    if can_hand_over:
        form = HandoverForm(
            request.POST if request.method == "POST" else None,
            initial={
                "watch_started_at": _watch_start(site, timezone.now()).astimezone(
                    timezone.get_current_timezone()
                ),
                "language": user.language or "en",
            },
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.hand_over_watch(site, acting_user=user, **form.cleaned_data)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Watch handed over."))
                return redirect(f"{reverse('control_room:watch_list')}?site={site.code}")
    elif request.method == "POST":
        raise PermissionDenied(_("You do not hold the role this needs."))
    handovers = (
        WatchHandover.objects.visible_to(user)
        .filter(site=site)
        .select_related("created_by", "incoming", "originator")
    )
    page = Paginator(handovers, 20).get_page(request.GET.get("page"))
    for handover in page:
        handover.rows = _incident_rows(handover.open_incidents)
        handover.may_accept = (
            can_hand_over and handover.accepted_at is None and handover.created_by_id != user.pk
        )
    return render(
        request,
        "control_room/watch_list.html",
        {
            "site": site,
            "rooms": rooms,
            "page": page,
            "query": f"site={site.code}",
            "form": form,
            "open_incidents": services.open_incidents(site, user)[:50] if form else [],
        },
    )


@require_POST
@login_required
def watch_accept(request: HttpRequest, pk: int) -> HttpResponse:
    """The incoming operator takes the watch over."""
    handover = access.get_visible_or_404(
        WatchHandover.objects.select_related("site"), request.user, pk=pk
    )
    try:
        services.accept_handover(handover, acting_user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("You have taken the watch over."))
    return redirect(f"{reverse('control_room:watch_list')}?site={handover.site.code}")


# Decisions --------------------------------------------------------------------------------


def _awaiting_message(country: Country) -> str:
    if country.code == "FR":
        return _("Awaiting the signature of the French gold commander.")
    if country.code == "UK":
        return _("Awaiting the signature of the British gold commander.")
    return _("Awaiting the signature of the gold commander for {country}.").format(
        country=country.name
    )


@login_required
def decision_list(request: HttpRequest) -> HttpResponse:
    access.require_role(request.user, Module.COMMAND)
    qs = (
        Decision.objects.visible_to(request.user)
        .select_related("originator")
        .prefetch_related("signatures__country")
    )
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "control_room/decision_list.html",
        {"page": page, "can_record": services.may_record_decision(request.user)},
    )


@login_required
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = access.get_visible_or_404(
        Decision.objects.select_related("originator", "created_by").prefetch_related(
            "signatures__signer__agency", "signatures__country"
        ),
        request.user,
        pk=pk,
    )
    signed = {s.country.code: s for s in decision.signatures.all()}
    blocks = [
        {
            "country": country,
            "signature": signed.get(country.code),
            "awaiting": _awaiting_message(country),
        }
        for country in Country.objects.filter(code__in=decision.releasability)
    ]
    return render(
        request,
        "control_room/decision_detail.html",
        {
            "decision": decision,
            "classification": classification_label(decision.classification, request.user),
            "blocks": blocks,
            "may_sign": services.may_sign(request.user, decision),
            "may_edit": not signed and access.can_change_visible(request.user, decision),
        },
    )


@login_required
def decision_create(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    access.require_role(user, Module.COMMAND, Role.EDITOR)
    if not services.may_record_decision(user):
        raise PermissionDenied(
            _("Decisions are marked OFFICIAL-SENSITIVE; your clearance does not reach it.")
        )
    form = DecisionForm(request.POST or None, initial={"language": user.language or "en"})
    if request.method == "POST" and form.is_valid():
        try:
            decision = services.record_decision(acting_user=user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Decision recorded; it awaits both signatures."))
            return redirect("control_room:decision_detail", pk=decision.pk)
    return render(request, "control_room/decision_form.html", {"form": form, "creating": True})


@login_required
def decision_edit(request: HttpRequest, pk: int) -> HttpResponse:
    decision = access.get_changeable_or_404(Decision, request.user, pk=pk)
    if decision.signatures.exists():
        messages.error(
            request, _("A signed decision cannot be changed; record a new decision instead.")
        )
        return redirect("control_room:decision_detail", pk=pk)
    initial = {name: getattr(decision, name) for name in DecisionForm.base_fields}
    form = DecisionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_decision(decision, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Decision saved."))
            return redirect("control_room:decision_detail", pk=decision.pk)
    return render(request, "control_room/decision_form.html", {"form": form, "decision": decision})


@require_POST
@login_required
def decision_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """A gold commander signs for their country."""
    decision = access.get_visible_or_404(Decision, request.user, pk=pk)
    try:
        signed = services.sign_decision(decision, acting_user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Signed. The decision now binds both sides.")
            if signed.state == DecisionState.SIGNED
            else _("Signed. The decision awaits the other gold commander's signature."),
        )
    return redirect("control_room:decision_detail", pk=pk)
