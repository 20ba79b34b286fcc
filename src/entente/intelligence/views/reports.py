"""Intelligence pages: reports."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from entente.core import access
from entente.core.choices import Module
from entente.intelligence.models import Report


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    access.require_role(request.user, Module.INTELLIGENCE)
    reports = Report.objects.visible_to(request.user).select_related("originator")[:50]
    return render(request, "intelligence/report_list.html", {"reports": reports})
