"""Control-room statistics pages: intrusion attempts per day, and the response times of the
incidents (first alert to acknowledgement, dispatch, on scene), as charts, tables and CSV."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from entente.control_room import statistics as stats
from entente.core import periods
from entente.core.models import Site


def _period(request: HttpRequest) -> tuple[dt.date, dt.date, str]:
    start, end = periods.period(request)
    return start, end, request.GET.get("site", "")


@login_required
def statistics_page(request: HttpRequest) -> HttpResponse:
    """Intrusion attempts per day: a chart, the table, and the CSV of the same figures."""
    start, end, site = _period(request)
    series = stats.daily_attempts(request.user, start=start, end=end, site=site or None)
    responses = stats.response_times(request.user, start=start, end=end, site=site or None)
    return render(
        request,
        "control_room/statistics.html",
        {
            "series": series,
            "chart": stats.chart(series),
            "responses": responses,
            "response_chart": stats.response_chart(responses),
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


@login_required
def response_times_csv(request: HttpRequest) -> HttpResponse:
    """The response times of the statistics page, one line per site and measure."""
    start, end, site = _period(request)
    rows = stats.response_times(request.user, start=start, end=end, site=site or None)
    response = HttpResponse(stats.response_times_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="response-times-{start}-{end}.csv"'
    return response
