"""The dashboard, reference pages (agencies, sites) and the health check."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from entente.core import access
from entente.core.choices import Module, Role
from entente.core.models import Agency, Bulletin, Country, Site


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for the load balancer. No data, no login."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def _clocks() -> list[dict[str, Any]]:
    now = timezone.now()
    return [{"country": c, "now": now, "zone": c.timezone} for c in Country.objects.all()]


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    bulletins: list[Bulletin] = []
    if access.has_role(user, Module.COMMAND):
        bulletins = list(Bulletin.objects.visible_to(user).select_related("originator")[:5])
    modules = [
        {"module": Module(m), "role": Role(access.role_in(user, m))}
        for m in access.modules_of(user)
    ]
    sites = Site.objects.select_related("country") if modules else Site.objects.none()
    return render(
        request,
        "core/dashboard.html",
        {
            "modules": modules,
            "bulletins": bulletins,
            "sites": sites,
            "clocks": _clocks(),
        },
    )


@login_required
def agency_list(request: HttpRequest) -> HttpResponse:
    access.require_reference_access(request.user)
    agencies = Agency.objects.select_related("country")
    return render(request, "core/agency_list.html", {"agencies": agencies})


@login_required
def agency_detail(request: HttpRequest, code: str) -> HttpResponse:
    access.require_reference_access(request.user)
    agency = get_object_or_404(Agency.objects.select_related("country"), code=code)
    return render(
        request,
        "core/agency_detail.html",
        {
            "agency": agency,
            "sites": agency.sites.all(),
        },
    )


@login_required
def site_list(request: HttpRequest) -> HttpResponse:
    access.require_reference_access(request.user)
    sites = Site.objects.select_related("country", "operator")
    return render(request, "core/site_list.html", {"sites": sites, "now": timezone.now()})


@login_required
def site_detail(request: HttpRequest, code: str) -> HttpResponse:
    access.require_reference_access(request.user)
    site = get_object_or_404(Site.objects.select_related("country", "operator"), code=code)
    return render(request, "core/site_detail.html", {"site": site, "now": timezone.now()})
