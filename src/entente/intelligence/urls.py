from __future__ import annotations

from django.urls import path

from entente.intelligence.views import reports
from entente.intelligence.views import requests as rfi_views

app_name = "intelligence"

urlpatterns = [
    # reports (grading, entities, attachments)
    path("reports/", reports.report_list, name="report_list"),
    # dissemination
    # requests for information
    path("requests/", rfi_views.request_list, name="request_list"),
    path("requests/new/", rfi_views.request_create, name="request_create"),
    path("requests/statistics/", rfi_views.request_statistics, name="request_statistics"),
    path(
        "requests/statistics.csv",
        rfi_views.request_statistics_csv,
        name="request_statistics_csv",
    ),
    path("requests/<int:pk>/", rfi_views.request_detail, name="request_detail"),
    path("requests/<int:pk>/assign/", rfi_views.request_assign, name="request_assign"),
    path("requests/<int:pk>/answer/", rfi_views.request_answer, name="request_answer"),
    path("requests/<int:pk>/withdraw/", rfi_views.request_withdraw, name="request_withdraw"),
    # search and watchlists
    # exchange (STIX, CSV)
]
