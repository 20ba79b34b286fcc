"""Models of the control room, one module per concept."""

from entente.control_room.models.bridge import ParkedMessage
from entente.control_room.models.command import Decision, DecisionSignature, WatchHandover
from entente.control_room.models.incidents import (
    ChecklistEntry,
    Handover,
    Incident,
    IncidentOutcome,
    ProcedureStep,
    VehicleReport,
)
from entente.control_room.models.live import LiveEvent
from entente.control_room.models.sensors import Alert, DailyCount, Sensor, Zone
from entente.control_room.models.teams import CoverageRequirement, Dispatch, Shift, Team

__all__ = [
    "Alert",
    "ChecklistEntry",
    "CoverageRequirement",
    "DailyCount",
    "Decision",
    "DecisionSignature",
    "Dispatch",
    "Handover",
    "Incident",
    "IncidentOutcome",
    "LiveEvent",
    "ParkedMessage",
    "ProcedureStep",
    "Sensor",
    "Shift",
    "Team",
    "VehicleReport",
    "WatchHandover",
    "Zone",
]
