"""Silent sensors: alarmed once past their heartbeat interval, cleared when heard from again."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from entente.control_room.choices import AlertKind, IncidentState
from entente.control_room.models import Incident, Sensor
from entente.control_room.services import check_heartbeats
from entente.core import services
from entente.core.models import User


def quiet(code: str, seconds: int) -> Sensor:
    sensor = Sensor.objects.get(code=code)
    sensor.last_seen_at = timezone.now() - dt.timedelta(seconds=seconds)
    sensor.save(update_fields=["last_seen_at"])
    return sensor


def silent_incidents(code: str):
    return Incident.objects.filter(
        kind=AlertKind.SENSOR_SILENT, alerts__sensor__code=code
    ).distinct()


def test_a_sensor_quiet_past_its_interval_raises_one_alarm(db):
    Sensor.objects.update(last_seen_at=timezone.now())
    quiet("COQ-PLAT-CCTV-01", 61)  # its interval is 60 s
    quiet("COQ-FENCE-DET-01", 100)  # 120 s: still fine
    assert check_heartbeats() == ["COQ-PLAT-CCTV-01"]
    assert check_heartbeats() == []  # already under alarm: not alarmed again
    alarm = silent_incidents("COQ-PLAT-CCTV-01").get()
    assert alarm.state == IncidentState.NEW and alarm.zone.code == "COQ-PLAT"


def test_silence_does_not_mix_with_intrusions_in_the_same_zone(db):
    Sensor.objects.update(last_seen_at=timezone.now())
    quiet("COQ-PLAT-CCTV-01", 61)
    check_heartbeats()
    assert (
        Incident.objects.filter(zone__code="COQ-PLAT").exclude(kind=AlertKind.SENSOR_SILENT).count()
        == 0
    )


def test_a_heartbeat_ends_the_alarm(db):
    Sensor.objects.update(last_seen_at=timezone.now())
    quiet("CAL-RING-CCTV-01", 600)
    check_heartbeats()
    _, token = services.create_api_token(
        User.objects.get(username="operator.eurotunnel"), name="t", acting_user=None
    )
    response = Client(HTTP_AUTHORIZATION=f"Bearer {token}").post(
        "/api/v1/heartbeats",
        data=json.dumps({"sensors": ["CAL-RING-CCTV-01", "NOPE"]}),
        content_type="application/json",
    )
    assert response.json() == {"known": 1, "unknown": ["NOPE"]}
    alarm = silent_incidents("CAL-RING-CCTV-01").get()
    assert alarm.state == IncidentState.CLOSED and alarm.closed_at is not None


def test_the_command_reports_what_it_found(db, capsys):
    Sensor.objects.update(last_seen_at=timezone.now())
    quiet("FOL-PLAT-CO2-01", 3600)
    call_command("check_sensors")
    assert "FOL-PLAT-CO2-01" in capsys.readouterr().out
