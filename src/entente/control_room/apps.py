from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ControlRoomConfig(AppConfig):
    name = "entente.control_room"
    label = "control_room"
    verbose_name = _("Control room")

    @property
    def nav(self) -> list[object]:
        from entente.core.choices import Module, Role
        from entente.core.navigation import NavItem

        return [
            NavItem(Module.CONTROL_ROOM, _("Live board"), "control_room:board"),
            NavItem(Module.CONTROL_ROOM, _("Incidents"), "control_room:incident_list"),
            NavItem(Module.CONTROL_ROOM, _("Sensors"), "control_room:sensor_list"),
            NavItem(
                Module.CONTROL_ROOM,
                _("Parked messages"),
                "control_room:parked_list",
                role=Role.EDITOR,
            ),
            NavItem(Module.CONTROL_ROOM, _("Statistics"), "control_room:statistics"),
            NavItem(Module.CONTROL_ROOM, _("Teams"), "control_room:team_list"),
            NavItem(Module.CONTROL_ROOM, _("Roster"), "control_room:roster"),
            NavItem(Module.CONTROL_ROOM, _("My team"), "control_room:my_team"),
            NavItem(
                Module.CONTROL_ROOM,
                _("Skipped steps"),
                "control_room:skipped_steps",
                role=Role.APPROVER,
            ),
            NavItem(Module.CONTROL_ROOM, _("Watch handovers"), "control_room:watch_list"),
            NavItem(Module.COMMAND, _("Decision log"), "control_room:decision_list"),
            NavItem(
                Module.SAFEGUARDING,
                _("Handovers from the control room"),
                "control_room:handover_list",
            ),
            NavItem(Module.INTELLIGENCE, _("Vehicle reports"), "control_room:vehicle_report_list"),
        ]
