from __future__ import annotations

from django.urls import URLPattern, path

from entente.programme.views import indicators

app_name = "programme"

urlpatterns: list[URLPattern] = [
    # dashboard and indicators (indicators)
    path("", indicators.dashboard, name="dashboard"),
    path("indicators/", indicators.indicator_list, name="indicator_list"),
    path("indicators/new/", indicators.indicator_create, name="indicator_create"),
    path("indicators/<slug:code>/", indicators.indicator_detail, name="indicator_detail"),
    path("indicators/<slug:code>/edit/", indicators.indicator_edit, name="indicator_edit"),
    path("indicators/<slug:code>/targets/", indicators.target_add, name="target_add"),
    path(
        "indicators/<slug:code>/targets/<int:pk>/delete/",
        indicators.target_delete,
        name="target_delete",
    ),
    path("indicators/<slug:code>/values/", indicators.value_add, name="value_add"),
    # fund and action plan (fund)
    # inspections and the joint report (inspections)
]
