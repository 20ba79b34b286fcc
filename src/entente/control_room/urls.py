from __future__ import annotations

from django.urls import path

from entente.control_room.views import bridge as bridge_views
from entente.control_room.views import checklists, command, incidents, outcomes, statistics
from entente.control_room.views import live as live_views
from entente.control_room.views import teams as team_views

app_name = "control_room"

urlpatterns = [
    path("incidents/", incidents.incident_list, name="incident_list"),
    path("incidents/<int:pk>/", incidents.incident_detail, name="incident_detail"),
    path("incidents/<int:pk>/advance/", incidents.incident_advance, name="incident_advance"),
    path("incidents/<int:pk>/close/", outcomes.incident_close, name="incident_close"),
    path(
        "incidents/<int:pk>/checklist/",
        checklists.incident_checklist,
        name="incident_checklist",
    ),
    path("incidents/<int:pk>/merge/", checklists.incident_merge, name="incident_merge"),
    path("incidents/<int:pk>/split/", checklists.incident_split, name="incident_split"),
    path("checklists/skipped/", checklists.skipped_steps, name="skipped_steps"),
    path(
        "checklists/skipped/<int:pk>/review/",
        checklists.review_skipped,
        name="review_skipped",
    ),
    path(
        "incidents/<int:pk>/vehicle-report/",
        outcomes.vehicle_report_send,
        name="vehicle_report_send",
    ),
    path("handovers/", outcomes.handover_list, name="handover_list"),
    path("handovers/<int:pk>/take-up/", outcomes.handover_take_up, name="handover_take_up"),
    path("vehicle-reports/", outcomes.vehicle_report_list, name="vehicle_report_list"),
    path(
        "vehicle-reports/<int:pk>/take-up/",
        outcomes.vehicle_report_take_up,
        name="vehicle_report_take_up",
    ),
    path("sensors/", incidents.sensor_list, name="sensor_list"),
    path("parked/", bridge_views.parked_list, name="parked_list"),
    path("parked/<int:pk>/dealt-with/", bridge_views.parked_resolve, name="parked_resolve"),
    path("board/", live_views.board_page, name="board"),
    path("map.geojson", live_views.map_geojson, name="map_geojson"),
    path("live/stream", live_views.live_stream, name="live_stream"),
    path("statistics/", statistics.statistics_page, name="statistics"),
    path("statistics.csv", statistics.statistics_csv, name="statistics_csv"),
    path(
        "statistics/response-times.csv",
        statistics.response_times_csv,
        name="statistics_response_csv",
    ),
    path("watch/", command.watch_list, name="watch_list"),
    path("watch/<int:pk>/accept/", command.watch_accept, name="watch_accept"),
    path("decisions/", command.decision_list, name="decision_list"),
    path("decisions/new/", command.decision_create, name="decision_create"),
    path("decisions/<int:pk>/", command.decision_detail, name="decision_detail"),
    path("decisions/<int:pk>/edit/", command.decision_edit, name="decision_edit"),
    path("decisions/<int:pk>/sign/", command.decision_sign, name="decision_sign"),
    path("teams/", team_views.team_list, name="team_list"),
    path("roster/", team_views.roster, name="roster"),
    path("roster/add/", team_views.roster_add, name="roster_add"),
    path("roster/copy/", team_views.roster_copy, name="roster_copy"),
    path("roster/<int:pk>/remove/", team_views.roster_remove, name="roster_remove"),
    path("incidents/<int:pk>/dispatch/", team_views.incident_dispatch, name="incident_dispatch"),
    path("dispatches/<int:pk>/on-scene/", team_views.dispatch_on_scene, name="dispatch_on_scene"),
    path("dispatches/<int:pk>/clear/", team_views.dispatch_clear, name="dispatch_clear"),
    path("my-team/", team_views.my_team, name="my_team"),
]
