from __future__ import annotations

from django.urls import path

from entente.intelligence.views import dissemination, reports
from entente.intelligence.views import exchange as exchange_views
from entente.intelligence.views import requests as rfi_views
from entente.intelligence.views import search as search_views

app_name = "intelligence"

urlpatterns = [
    # reports (grading, entities, attachments)
    path("reports/", reports.report_list, name="report_list"),
    path("reports/new/", reports.report_create, name="report_create"),
    path("reports/<int:pk>/", reports.report_detail, name="report_detail"),
    path("reports/<int:pk>/edit/", reports.report_edit, name="report_edit"),
    path("reports/<int:pk>/regrade/", reports.report_regrade, name="report_regrade"),
    path("reports/<int:pk>/attachments/", reports.attachment_upload, name="attachment_upload"),
    path(
        "reports/<int:pk>/attachments/<int:attachment_pk>/",
        reports.attachment_download,
        name="attachment_download",
    ),
    path("entities/", reports.entity_list, name="entity_list"),
    path("grading/", reports.grading_crosswalk, name="grading_crosswalk"),
    # dissemination
    path("reports/<int:pk>/sanitise/", dissemination.report_sanitise, name="report_sanitise"),
    path("reports/<int:pk>/release/", dissemination.release_request, name="release_request"),
    path("releases/pending/", dissemination.release_pending, name="release_pending"),
    path("releases/<int:pk>/approve/", dissemination.release_approve, name="release_approve"),
    path("releases/<int:pk>/reject/", dissemination.release_reject, name="release_reject"),
    path("releases/<int:pk>/withdraw/", dissemination.release_withdraw, name="release_withdraw"),
    path("disclosures/", dissemination.disclosure_ledger, name="disclosure_ledger"),
    path("disclosures.csv", dissemination.disclosure_ledger_csv, name="disclosure_ledger_csv"),
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
    path("search/", search_views.search, name="search"),
    path("search/save/", search_views.search_save, name="search_save"),
    path("watchlists/", search_views.watchlists, name="watchlists"),
    path("watchlists/seen/", search_views.watchlist_seen, name="watchlists_seen"),
    path("watchlists/<int:pk>/seen/", search_views.watchlist_seen, name="watchlist_seen"),
    path(
        "saved-searches/<int:pk>/watch/",
        search_views.saved_search_watch,
        name="saved_search_watch",
    ),
    path(
        "saved-searches/<int:pk>/delete/",
        search_views.saved_search_delete,
        name="saved_search_delete",
    ),
    # exchange (STIX, CSV)
    path("reports/<int:pk>/stix/", exchange_views.report_stix, name="report_stix"),
    path("imports/", exchange_views.import_list, name="import_list"),
    path("imports/<int:pk>/", exchange_views.import_detail, name="import_detail"),
    path("imports/<int:pk>/columns/", exchange_views.import_mapping, name="import_mapping"),
    path("imports/<int:pk>/progress/", exchange_views.import_progress, name="import_progress"),
    path("imports/<int:pk>/errors.csv", exchange_views.import_errors, name="import_errors"),
]
