"""The control room's services: every write goes through one of these functions.

One module per concept; the names most callers need are gathered here.
"""

from entente.control_room.services.incidents import advance_incident, incident_page
from entente.control_room.services.intake import (
    AlertItem,
    Outcome,
    check_heartbeats,
    ingest_alerts,
    record_heartbeats,
    upsert_sensor,
    upsert_zone,
)

__all__ = [
    "AlertItem",
    "Outcome",
    "advance_incident",
    "check_heartbeats",
    "incident_page",
    "ingest_alerts",
    "record_heartbeats",
    "upsert_sensor",
    "upsert_zone",
]
