"""Control-room statistics pages: intrusion attempts per day, as a chart, a table and CSV."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from entente.control_room import statistics as stats
from entente.core.models import Site


def _period(request: HttpRequest) -> tuple[dt.date, dt.date, str]:
    today = timezone.now().date()
    try:
        start = dt.date.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        start = today - dt.timedelta(days=90)
    try:
        end = dt.date.fromisoformat(request.GET.get("end", ""))
    except ValueError:
        end = today
    return start, end, request.GET.get("site", "")


@login_required
def statistics_page(request: HttpRequest) -> HttpResponse:
    """Intrusion attempts per day: a chart, the table, and the CSV of the same figures."""
    start, end, site = _period(request)
    series = stats.daily_attempts(request.user, start=start, end=end, site=site or None)
    return render(
        request,
        "control_room/statistics.html",
        {
            "series": series,
            "chart": stats.chart(series),
            "start": start,
            "end": end,
            "site": site,
            "sites": Site.objects.all(),
            "query": request.GET.urlencode(),
        },
    )


@login_required
def statistics_csv(request: HttpRequest) -> HttpResponse:
    start, end, site = _period(request)
    series = stats.daily_attempts(request.user, start=start, end=end, site=site or None)
    response = HttpResponse(stats.to_csv(series), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="intrusion-attempts-{start}-{end}.csv"'
    return response
