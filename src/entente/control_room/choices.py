"""Choices of the control room, with English and French labels."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ZoneKind(models.TextChoices):
    FREIGHT_PLATFORM = "freight_platform", _("Freight platform")
    RING_ROAD = "ring_road", _("Ring-road access")
    PARKING = "parking", _("Parking area")
    TUNNEL_PORTAL = "tunnel_portal", _("Tunnel portal")
    PERIMETER = "perimeter", _("Perimeter fence")


class SensorKind(models.TextChoices):
    CCTV = "cctv", _("CCTV analytics")
    THERMAL = "thermal", _("Thermal camera")
    FENCE = "fence", _("Fence intrusion detector")
    HEARTBEAT = "heartbeat", _("Heartbeat detector")
    CO2 = "co2", _("CO2 probe")
    SCANNER = "scanner", _("Scanner")


class AlertKind(models.TextChoices):
    INTRUSION = "intrusion", _("Intrusion")
    PERSON_DETECTED = "person", _("Person detected")
    FENCE_BREACH = "fence_breach", _("Fence breach")
    HEARTBEAT = "heartbeat", _("Heartbeat in a vehicle")
    CO2 = "co2", _("CO2 level in a vehicle")
    SCAN_ANOMALY = "scan_anomaly", _("Scan anomaly")
    SENSOR_SILENT = "sensor_silent", _("Sensor silent")


class IncidentState(models.TextChoices):
    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    DISPATCHED = "dispatched", _("Dispatched")
    ON_SCENE = "on_scene", _("On scene")
    CLOSED = "closed", _("Closed")


# The lifecycle: each step moves forward; any open incident may be closed.
TRANSITIONS: dict[str, frozenset[str]] = {
    IncidentState.NEW: frozenset({IncidentState.ACKNOWLEDGED, IncidentState.CLOSED}),
    IncidentState.ACKNOWLEDGED: frozenset({IncidentState.DISPATCHED, IncidentState.CLOSED}),
    IncidentState.DISPATCHED: frozenset({IncidentState.ON_SCENE, IncidentState.CLOSED}),
    IncidentState.ON_SCENE: frozenset({IncidentState.CLOSED}),
    IncidentState.CLOSED: frozenset(),
}

# The time field stamped when an incident reaches each state.
STATE_TIMES: dict[str, str] = {
    IncidentState.ACKNOWLEDGED: "acknowledged_at",
    IncidentState.DISPATCHED: "dispatched_at",
    IncidentState.ON_SCENE: "on_scene_at",
    IncidentState.CLOSED: "closed_at",
}


class Severity(models.IntegerChoices):
    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High")
    CRITICAL = 4, _("Critical")


# Kinds that say a person may be in danger start higher on the scale.
KIND_WEIGHT: dict[str, int] = {
    AlertKind.HEARTBEAT: 3,
    AlertKind.CO2: 3,
    AlertKind.INTRUSION: 2,
    AlertKind.FENCE_BREACH: 2,
    AlertKind.PERSON_DETECTED: 2,
    AlertKind.SCAN_ANOMALY: 1,
    AlertKind.SENSOR_SILENT: 1,
}


def severity_of(kind: str, confidence: float) -> int:
    """Severity from the alert's kind and the sensor's confidence (0 to 1)."""
    base = KIND_WEIGHT.get(kind, 1)
    bump = 1 if confidence >= 0.9 else 0
    return min(int(Severity.CRITICAL), base + bump)
