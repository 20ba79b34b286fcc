from __future__ import annotations

from django.urls import URLPattern, path  # noqa: F401

app_name = "programme"

urlpatterns: list[URLPattern] = [
    # dashboard and indicators (indicators)
    # fund and action plan (fund)
    # inspections and the joint report (inspections)
]
