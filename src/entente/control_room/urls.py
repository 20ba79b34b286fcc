from __future__ import annotations

from django.urls import path

from entente.control_room.views import incidents, statistics

app_name = "control_room"

urlpatterns = [
    path("incidents/", incidents.incident_list, name="incident_list"),
    path("incidents/<int:pk>/", incidents.incident_detail, name="incident_detail"),
    path("incidents/<int:pk>/advance/", incidents.incident_advance, name="incident_advance"),
    path("sensors/", incidents.sensor_list, name="sensor_list"),
    path("statistics/", statistics.statistics_page, name="statistics"),
    path("statistics.csv", statistics.statistics_csv, name="statistics_csv"),
]
