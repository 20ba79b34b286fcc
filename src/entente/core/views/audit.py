"""The auditor's page: filter and read the audit trail."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from entente.core import access, audit_queries
from entente.core.choices import Module
from entente.core.forms import AuditFilterForm
from entente.core.htmx import template_for


def _day_start(day: dt.date | None) -> dt.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    access.require_role(request.user, Module.AUDIT)
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    until = filters.get("until")
    entries = audit_queries.search_entries(
        request.user,
        actor=filters.get("actor"),
        agency=filters.get("agency"),
        action=filters.get("action"),
        object_type=filters.get("object_type"),
        object_id=filters.get("object_id"),
        since=_day_start(filters.get("since")),
        until=_day_start(until + dt.timedelta(days=1)) if until else None,
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        template_for(request, "core/audit_list.html", "htmx/audit_table.html"),
        {"form": form, "page": page, "query": query.urlencode()},
    )
