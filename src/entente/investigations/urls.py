from __future__ import annotations

from django.urls import URLPattern, path

from entente.investigations.views import analysis as analysis_views

app_name = "investigations"

urlpatterns: list[URLPattern] = [
    # investigations, networks, tasks and actions (cases)
    # entities, links and their import (entities)
    # link chart (chart)
    # network analysis (analysis)
    path("analysis/", analysis_views.analysis_page, name="analysis"),
    path(
        "investigations/<int:pk>/suggestions/",
        analysis_views.investigation_suggestions,
        name="investigation_suggestions",
    ),
    # record linkage (linkage)
]
