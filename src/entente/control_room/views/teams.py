"""Pages of the teams: the list, the weekly roster per site with its gaps, the dispatch buttons,
and the team leader's own page, made for a phone.

The forms live here, beside the only views that use them.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from entente.control_room.choices import ShiftSlot
from entente.control_room.models import CoverageRequirement, Incident, Shift, Team
from entente.control_room.services import teams as services
from entente.core import access, htmx
from entente.core.choices import Module, Role
from entente.core.forms import StyledMixin, apply_validation_error
from entente.core.models import Site

# Forms --------------------------------------------------------------------------------------


class ShiftForm(StyledMixin, forms.Form):
    """Put one of a site's teams on the roster for a day and a shift."""

    team = forms.ChoiceField(label=gettext_lazy("Team"))
    day = forms.DateField(
        label=gettext_lazy("Day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    slot = forms.ChoiceField(label=gettext_lazy("Shift"), choices=ShiftSlot.choices)

    def __init__(self, *args: Any, site: Site, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["team"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (t.code, f"{t.code} — {t.name}")
            for t in Team.objects.filter(site=site, active=True).order_by("code")
        ]


# Helpers ------------------------------------------------------------------------------------


def _roster_sites() -> list[Site]:
    """Sites with teams or a coverage requirement: the ones a roster is drawn for."""
    with_teams = Team.objects.order_by().values("site_id")
    with_needs = CoverageRequirement.objects.order_by().values("site_id")
    sites = Site.objects.filter(Q(pk__in=with_teams) | Q(pk__in=with_needs))
    return list(sites.select_related("country"))


def _site_and_week(data: Any, sites: list[Site]) -> tuple[Site | None, dt.date]:
    site = next((s for s in sites if s.code == data.get("site")), sites[0] if sites else None)
    zone = zoneinfo.ZoneInfo(site.timezone) if site else dt.UTC
    try:
        day = dt.date.fromisoformat(data.get("week", ""))
    except ValueError:
        day = timezone.now().astimezone(zone).date()
    day = min(max(day, services.FIRST_DAY), services.LAST_DAY - dt.timedelta(days=7))
    return site, services.week_start(day)


def _roster_url(site: Site, week: dt.date) -> str:
    query = urlencode({"site": site.code, "week": week.isoformat()})
    return f"{reverse('control_room:roster')}?{query}"


def _next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


# Teams and the roster -----------------------------------------------------------------------


@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    """Every team with its agency, base and leader, and whether it is on duty or engaged."""
    access.require_role(request.user, Module.CONTROL_ROOM)
    teams = Team.objects.select_related("agency", "site", "leader")
    on_duty = {s.team_id for s in services.on_duty_now()}
    engaged = dict(services.open_dispatches().values_list("team_id", "incident_id"))
    rows = [{"team": t, "on_duty": t.pk in on_duty, "incident": engaged.get(t.pk)} for t in teams]
    return render(request, "control_room/team_list.html", {"rows": rows})


def _roster_context(
    request: HttpRequest, site: Site | None, week: dt.date, sites: list[Site]
) -> dict[str, Any]:
    days = [week + dt.timedelta(days=i) for i in range(7)]
    grid = []
    if site is not None:
        slots = services.coverage(site, days[0], days[-1])
        by_slot: dict[str, list[services.SlotCoverage]] = {}
        for cell in slots:
            by_slot.setdefault(cell.slot, []).append(cell)
        grid = [{"slot": s, "label": ShiftSlot(s).label, "cells": by_slot[s]} for s in ShiftSlot]
    requirements = (
        CoverageRequirement.objects.filter(site=site, minimum__gt=0) if site is not None else []
    )
    return {
        "site": site,
        "sites": sites,
        "week": week,
        "days": days,
        "grid": grid,
        "requirements": requirements,
        "previous_week": week - dt.timedelta(days=7),
        "next_week": week + dt.timedelta(days=7),
        "editor": access.has_role(request.user, Module.CONTROL_ROOM, Role.EDITOR),
    }


@login_required
def roster(request: HttpRequest) -> HttpResponse:
    """A week of a site's roster: rows are the shifts, columns the days; gaps in words."""
    access.require_role(request.user, Module.CONTROL_ROOM)
    sites = _roster_sites()
    site, week = _site_and_week(request.GET, sites)
    context = _roster_context(request, site, week, sites)
    if site is not None and context["editor"]:
        context["form"] = ShiftForm(site=site, initial={"day": max(week, timezone.now().date())})
    return render(request, "control_room/roster.html", context)


@require_POST
@login_required
def roster_add(request: HttpRequest) -> HttpResponse:
    access.require_role(request.user, Module.CONTROL_ROOM, Role.EDITOR)
    sites = _roster_sites()
    site, week = _site_and_week(request.POST, sites)
    if site is None:
        raise Http404
    form = ShiftForm(request.POST, site=site)
    if form.is_valid():
        team = Team.objects.select_related("site__country").get(code=form.cleaned_data["team"])
        try:
            shift = services.add_shift(
                team, form.cleaned_data["day"], form.cleaned_data["slot"], acting_user=request.user
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request,
                _("{team} is on the roster: {slot}, {day}.").format(
                    team=team.code,
                    slot=ShiftSlot(shift.slot).label,
                    day=shift.day.isoformat(),
                ),
            )
            return redirect(_roster_url(site, services.week_start(shift.day)))
    context = _roster_context(request, site, week, sites)
    context["form"] = form
    return render(request, "control_room/roster.html", context)


@require_POST
@login_required
def roster_remove(request: HttpRequest, pk: int) -> HttpResponse:
    access.require_role(request.user, Module.CONTROL_ROOM, Role.EDITOR)
    shift = get_object_or_404(Shift.objects.select_related("team", "site"), pk=pk)
    services.remove_shift(shift, acting_user=request.user)
    messages.success(
        request,
        _("{team} is off the roster: {slot}, {day}.").format(
            team=shift.team.code, slot=ShiftSlot(shift.slot).label, day=shift.day.isoformat()
        ),
    )
    return redirect(_roster_url(shift.site, services.week_start(shift.day)))


@require_POST
@login_required
def roster_copy(request: HttpRequest) -> HttpResponse:
    """Fill the week shown with the previous week's roster (what is there already stays)."""
    access.require_role(request.user, Module.CONTROL_ROOM, Role.EDITOR)
    site, week = _site_and_week(request.POST, _roster_sites())
    if site is None:
        raise Http404
    try:
        added = services.copy_week(
            site,
            source_start=week - dt.timedelta(days=7),
            target_start=week,
            acting_user=request.user,
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Shifts copied from the previous week: {count}.").format(count=len(added)),
        )
    return redirect(_roster_url(site, week))


# Dispatch -----------------------------------------------------------------------------------


@require_POST
@login_required
def incident_dispatch(request: HttpRequest, pk: int) -> HttpResponse:
    """The "Dispatch a team" form of an incident's page."""
    incident = access.get_visible_or_404(Incident, request.user, pk=pk)
    team = Team.objects.filter(code=request.POST.get("team", "")).first()
    try:
        if team is None:
            raise ValidationError({"team": _("Choose a team on duty at this site.")})
        dispatch = services.dispatch_team(incident, team, acting_user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("{team} dispatched.").format(team=dispatch.team.code))
    return redirect("control_room:incident_detail", pk=pk)


def _visible_dispatch(request: HttpRequest, pk: int) -> Any:
    dispatch = services.visible_dispatches(request.user).filter(pk=pk).first()
    if dispatch is None:
        raise Http404
    return dispatch


@require_POST
@login_required
def dispatch_on_scene(request: HttpRequest, pk: int) -> HttpResponse:
    dispatch = _visible_dispatch(request, pk)
    try:
        services.team_on_scene(dispatch, acting_user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("{team} is on scene.").format(team=dispatch.team.code))
    default = reverse("control_room:incident_detail", args=[dispatch.incident_id])
    return redirect(_next_url(request, default))


@require_POST
@login_required
def dispatch_clear(request: HttpRequest, pk: int) -> HttpResponse:
    dispatch = _visible_dispatch(request, pk)
    try:
        services.clear_dispatch(dispatch, acting_user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("{team} is cleared.").format(team=dispatch.team.code))
    default = reverse("control_room:incident_detail", args=[dispatch.incident_id])
    return redirect(_next_url(request, default))


# The team leader's page ---------------------------------------------------------------------


@login_required
def my_team(request: HttpRequest) -> HttpResponse:
    """The leader's team on a phone: its current dispatch with two big buttons, its next
    shifts. Refreshed in place every 30 seconds (HTMX); a plain reload does the same."""
    access.require_role(request.user, Module.CONTROL_ROOM)
    visible = Incident.objects.visible_to(request.user)
    boards = []
    for team in services.teams_led_by(request.user):
        dispatch = services.current_dispatch(team)
        boards.append(
            {
                "team": team,
                "dispatch": dispatch,
                "seen": dispatch is not None and visible.filter(pk=dispatch.incident_id).exists(),
                "shifts": services.next_shifts(team),
                "on_duty": services.on_duty_now().filter(team=team).exists(),
            }
        )
    context = {"boards": boards}
    template = htmx.template_for(
        request, "control_room/my_team.html", "htmx/control_room_my_team.html"
    )
    return render(request, template, context)
