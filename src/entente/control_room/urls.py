from __future__ import annotations

from django.urls import path

from entente.control_room import views

app_name = "control_room"

urlpatterns = [
    path("incidents/", views.incident_list, name="incident_list"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident_detail"),
    path("incidents/<int:pk>/advance/", views.incident_advance, name="incident_advance"),
    path("sensors/", views.sensor_list, name="sensor_list"),
    path("statistics/", views.statistics, name="statistics"),
    path("statistics.csv", views.statistics_csv, name="statistics_csv"),
]
