from __future__ import annotations

from django.urls import URLPattern, path

from entente.investigations.views import analysis as analysis_views
from entente.investigations.views import cases as case_views
from entente.investigations.views import chart as chart_views
from entente.investigations.views import entities as entity_views
from entente.investigations.views import linkage as linkage_views

app_name = "investigations"

urlpatterns: list[URLPattern] = [
    # investigations, networks, tasks and actions (cases)
    path("investigations/", case_views.investigation_list, name="investigation_list"),
    path("investigations/new/", case_views.investigation_create, name="investigation_create"),
    path("investigations/<int:pk>/", case_views.investigation_detail, name="investigation_detail"),
    path("investigations/<int:pk>/edit/", case_views.investigation_edit, name="investigation_edit"),
    path(
        "investigations/<int:pk>/close/", case_views.investigation_close, name="investigation_close"
    ),
    path(
        "investigations/<int:pk>/reopen/",
        case_views.investigation_reopen,
        name="investigation_reopen",
    ),
    path("investigations/<int:pk>/members/", case_views.member_set, name="member_set"),
    path(
        "investigations/<int:pk>/members/<int:user_pk>/remove/",
        case_views.member_remove,
        name="member_remove",
    ),
    path("investigations/<int:pk>/tasks/", case_views.task_add, name="task_add"),
    path(
        "investigations/<int:pk>/tasks/<int:task_pk>/done/", case_views.task_done, name="task_done"
    ),
    path("investigations/<int:pk>/actions/new/", case_views.action_add, name="action_add"),
    path(
        "investigations/<int:pk>/actions/<int:action_pk>/outcome/",
        case_views.action_outcome,
        name="action_outcome",
    ),
    path("investigations/<int:pk>/reports/", case_views.report_link, name="report_link"),
    path(
        "investigations/<int:pk>/reports/<int:report_pk>/unlink/",
        case_views.report_unlink,
        name="report_unlink",
    ),
    path("investigations/<int:pk>/entities/", case_views.entity_add, name="entity_add"),
    path(
        "investigations/<int:pk>/entities/<int:entity_pk>/remove/",
        case_views.entity_remove,
        name="entity_remove",
    ),
    path("networks/", case_views.network_list, name="network_list"),
    path("networks/new/", case_views.network_create, name="network_create"),
    path("networks/<int:pk>/", case_views.network_detail, name="network_detail"),
    path("networks/<int:pk>/edit/", case_views.network_edit, name="network_edit"),
    path("networks/<int:pk>/status/", case_views.network_move, name="network_move"),
    # entities, links and their import (entities)
    path("entities/", entity_views.entity_list, name="entity_list"),
    path("entities/new/", entity_views.entity_create, name="entity_create"),
    path("entities/<int:pk>/", entity_views.entity_detail, name="entity_detail"),
    path("entities/<int:pk>/edit/", entity_views.entity_edit, name="entity_edit"),
    path("entities/<int:pk>/links/new/", entity_views.link_create, name="link_create"),
    path("links/<int:pk>/edit/", entity_views.link_edit, name="link_edit"),
    path("links/<int:pk>/delete/", entity_views.link_delete, name="link_delete"),
    path("entity-imports/", entity_views.entity_import_list, name="entity_import_list"),
    path(
        "entity-imports/<int:pk>/", entity_views.entity_import_detail, name="entity_import_detail"
    ),
    path(
        "entity-imports/<int:pk>/columns/",
        entity_views.entity_import_mapping,
        name="entity_import_mapping",
    ),
    path(
        "entity-imports/<int:pk>/progress/",
        entity_views.entity_import_progress,
        name="entity_import_progress",
    ),
    path(
        "entity-imports/<int:pk>/errors.csv",
        entity_views.entity_import_errors,
        name="entity_import_errors",
    ),
    # link chart (chart)
    path("chart/", chart_views.chart, name="chart"),
    # network analysis (analysis)
    path("analysis/", analysis_views.analysis_page, name="analysis"),
    path(
        "investigations/<int:pk>/suggestions/",
        analysis_views.investigation_suggestions,
        name="investigation_suggestions",
    ),
    # record linkage (linkage)
    path("matches/", linkage_views.match_queue, name="match_queue"),
    path("matches/<int:pk>/", linkage_views.match_detail, name="match_detail"),
    path("matches/export.csv", linkage_views.match_export, name="match_export"),
    path("linkage/runs/", linkage_views.run_list, name="run_list"),
    path("linkage/runs/<int:pk>/", linkage_views.run_detail, name="run_detail"),
    path("linkage/runs/<int:pk>/progress/", linkage_views.run_progress, name="run_progress"),
]
