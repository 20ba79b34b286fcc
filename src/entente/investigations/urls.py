from __future__ import annotations

from django.urls import URLPattern, path  # noqa: F401

app_name = "investigations"

urlpatterns: list[URLPattern] = [
    # investigations, networks, tasks and actions (cases)
    # entities, links and their import (entities)
    # link chart (chart)
    # network analysis (analysis)
    # record linkage (linkage)
]
