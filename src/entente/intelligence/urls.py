from __future__ import annotations

from django.urls import path

from entente.intelligence.views import reports

app_name = "intelligence"

urlpatterns = [
    # reports (grading, entities, attachments)
    path("reports/", reports.report_list, name="report_list"),
    # dissemination
    # requests for information
    # search and watchlists
    # exchange (STIX, CSV)
]
