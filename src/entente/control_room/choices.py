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


class ChecklistStatus(models.TextChoices):
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Skipped")


class OutcomeResult(models.TextChoices):
    """What the search found, recorded when an incident closes."""

    FALSE_ALARM = "false_alarm", _("False alarm")
    PREVENTED = "prevented", _("Intrusion attempt prevented")
    PEOPLE_FOUND = "people_found", _("People found")
    NOTHING_FOUND = "nothing_found", _("Searched, nothing found")


class VehicleType(models.TextChoices):
    LORRY = "lorry", _("Lorry")
    TANKER = "tanker", _("Tanker")
    REFRIGERATED = "refrigerated", _("Refrigerated lorry")
    VAN = "van", _("Van")
    CAR = "car", _("Car")


class Concealment(models.TextChoices):
    """Where people or goods were hidden (the freight search teams' usual categories)."""

    TRAILER_LOAD = "trailer_load", _("In the load of the trailer")
    ROOF = "roof", _("On or under the roof")
    AXLE = "axle", _("Under the vehicle, on the axles")
    CAB = "cab", _("In the cab")
    REFRIGERATION_UNIT = "refrigeration_unit", _("In the refrigeration unit")
    CONTAINER = "container", _("In a sealed container")
    FALSE_COMPARTMENT = "false_compartment", _("In a false compartment")
    OTHER = "other", _("Other")


class ImmediateNeed(models.TextChoices):
    """What people found need at once; the handover tells safeguarding."""

    MEDICAL = "medical", _("Medical care")
    WATER_FOOD = "water_food", _("Water and food")
    WARMTH = "warmth", _("Warmth and dry clothing")
    SHELTER = "shelter", _("Shelter for the night")
    INTERPRETER = "interpreter", _("Interpreter")
    CHILD_PROTECTION = "child_protection", _("Child protection")


class HandoverState(models.TextChoices):
    PENDING = "pending", _("Waiting for safeguarding")
    TAKEN_UP = "taken_up", _("Taken up by safeguarding")


class ReportState(models.TextChoices):
    SENT = "sent", _("Sent to intelligence")
    TAKEN_UP = "taken_up", _("Taken up by an analyst")


class TeamKind(models.TextChoices):
    FREIGHT_SEARCH = "freight_search", _("Freight search team")
    MOBILE_UNIT = "mobile_unit", _("Mobile unit")


class ShiftSlot(models.TextChoices):
    """The three watches of a 24/7 roster, in the site's local time."""

    EARLY = "early", _("Early (06:00-14:00)")
    LATE = "late", _("Late (14:00-22:00)")
    NIGHT = "night", _("Night (22:00-06:00)")


# Start hour and length of each slot, in the site's local time.
SHIFT_HOURS: dict[str, tuple[int, int]] = {
    ShiftSlot.EARLY: (6, 8),
    ShiftSlot.LATE: (14, 8),
    ShiftSlot.NIGHT: (22, 8),
}


class DispatchState(models.TextChoices):
    DISPATCHED = "dispatched", _("Dispatched")
    ON_SCENE = "on_scene", _("On scene")
    CLEARED = "cleared", _("Cleared")


class DecisionState(models.TextChoices):
    DRAFT = "draft", _("Awaiting signatures")
    SIGNED = "signed", _("Signed by both gold commanders")
