"""The live board's page and its map's GeoJSON, as the page server renders them."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from entente.control_room.models import Incident, Sensor
from entente.control_room.services import AlertItem, advance_incident, ingest_alerts
from entente.core.models import User
from tests.conftest import verified_login


def ingest(sensor: str = "COQ-PLAT-CCTV-01", kind: str = "intrusion", **extra: Any) -> int:
    outcome = ingest_alerts(
        [
            AlertItem(
                sensor=sensor,
                event_id=f"board-{uuid.uuid4().hex[:10]}",
                occurred_at=extra.get("at", timezone.now()),
                kind=kind,
                confidence=0.8,
            )
        ],
        acting_user=User.objects.get(username="sensors.demo"),
    )[0]
    assert outcome.incident is not None
    return outcome.incident


def board_of(username: str) -> str:
    response = verified_login(Client(), User.objects.get(username=username)).get(
        "/control-room/board/"
    )
    assert response.status_code == 200
    return response.content.decode()


def test_the_board_lists_the_open_incidents_its_user_may_see_in_their_language(db):
    shown = ingest()
    uk_only = ingest("FOL-PLAT-CO2-01", "co2")
    Incident.objects.filter(pk=uk_only).update(releasability="UK")
    closed = ingest("CAL-EAST-HB-01", "sensor_silent")
    advance_incident(
        Incident.objects.get(pk=closed),
        to_state="closed",
        acting_user=User.objects.get(username="operator.eurotunnel"),
    )
    french = board_of("operator.eurotunnel")
    rows = set(map(int, re.findall(r'data-incident="(\d+)"', french)))
    assert rows == {shown}
    assert "Quais d&#x27;embarquement fret" in french and "Nouveau" in french
    assert 'aria-live="polite"' in french
    british = board_of("leader.borderforce")
    assert set(map(int, re.findall(r'data-incident="(\d+)"', british))) == {shown, uk_only}
    assert "Freight boarding platforms" in british


def test_the_board_costs_the_same_queries_with_one_incident_or_many(db):
    client = verified_login(Client(), User.objects.get(username="leader.borderforce"))
    ingest()
    with CaptureQueriesContext(connection) as one:
        client.get("/control-room/board/")
    start = timezone.now() - dt.timedelta(hours=2)
    for i, sensor in enumerate(["CAL-RING-CCTV-01", "FOL-PLAT-SCAN-01", "COQ-FENCE-DET-01"]):
        ingest(sensor, at=start + dt.timedelta(minutes=i))
    with CaptureQueriesContext(connection) as many:
        response = client.get("/control-room/board/")
    assert len(re.findall(r"data-incident=", response.content.decode())) == 4
    assert len(many) == len(one)


def test_the_board_page_lets_the_browser_reach_the_live_listener(db, settings):
    settings.ENTENTE_LIVE_URL = ""
    settings.ENTENTE_LIVE_PORT = 8123
    client = verified_login(Client(), User.objects.get(username="gendarme.egm"))
    response = client.get("/control-room/board/", HTTP_HOST="127.0.0.1:8122")
    assert 'data-stream="http://127.0.0.1:8123/control-room/live/stream"' in (
        response.content.decode()
    )
    csp = response["Content-Security-Policy"]
    assert re.search(r"connect-src 'self' http://127\.0\.0\.1:8123", csp), csp


def test_behind_a_proxy_the_stream_is_reached_on_the_same_origin(db, settings):
    settings.ENTENTE_LIVE_URL = "/control-room/live/stream"
    client = verified_login(Client(), User.objects.get(username="gendarme.egm"))
    response = client.get("/control-room/board/")
    assert 'data-stream="/control-room/live/stream"' in response.content.decode()
    assert "connect-src 'self';" in response["Content-Security-Policy"] + ";"


def test_the_map_draws_sites_zones_and_sensors_and_marks_silent_sensors(db):
    Sensor.objects.update(last_seen_at=timezone.now())
    Sensor.objects.filter(code="CAL-EAST-HB-01").update(
        last_seen_at=timezone.now() - dt.timedelta(hours=1)
    )
    user = User.objects.get(username="operator.eurotunnel")  # French
    response = verified_login(Client(), user).get("/control-room/map.geojson")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    data = response.json()
    assert data["type"] == "FeatureCollection"
    by = {}
    for f in data["features"]:
        by.setdefault(f["properties"]["layer"], []).append(f)
    zone = next(f for f in by["zone"] if f["properties"]["code"] == "COQ-PLAT")
    assert zone["geometry"]["type"] == "Polygon"
    assert zone["properties"]["name"] == "Quais d'embarquement fret"
    assert {f["properties"]["code"] for f in by["site"]} >= {"COQ-TERM", "CAL-PORT", "FOL-TERM"}
    silent = {f["properties"]["code"] for f in by["sensor"] if f["properties"]["silent"]}
    assert silent == {"CAL-EAST-HB-01"}
    lon, lat = next(f for f in by["sensor"] if f["properties"]["code"] == "FOL-PLAT-CO2-01")[
        "geometry"
    ]["coordinates"]
    assert (round(lat, 3), round(lon, 3)) == (51.095, 1.136)


@pytest.mark.parametrize("username", ["analyst.nca", "caseworker.lva"])
def test_the_map_and_board_are_refused_without_a_control_room_role(db, username):
    client = verified_login(Client(), User.objects.get(username=username))
    assert client.get("/control-room/map.geojson").status_code == 403
    assert client.get("/control-room/board/").status_code == 403
