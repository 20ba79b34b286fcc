"""Fuzzing the alert intake (POST /api/v1/alerts and the intake service behind it): whatever
the body, never a server error; a batch is answered item by item (accepted, duplicate, or
rejected with a reason); and nothing is half-written (the alerts stored are exactly those
answered "accepted")."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from entente.control_room.choices import AlertKind
from entente.control_room.models import Alert, Sensor
from tests.control_room.conftest import sensor_client  # noqa: F401  # the fixture, used by name
from tests.fuzz.budget import fuzz
from tests.fuzz.strategies import JSON, TEXT, mutated, mutated_bytes

KINDS = list(AlertKind.values)
ANSWERS = {200, 400, 413, 415, 422}


@pytest.fixture
def sensors(sensor_client: Client) -> tuple[Client, list[str]]:  # noqa: F811
    """The sensors' client (tests/control_room/conftest.py) and three sensor codes."""
    codes = list(Sensor.objects.order_by("code").values_list("code", flat=True)[:3])
    return sensor_client, codes


OFFSETS = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
    lambda minutes: dt.timezone(dt.timedelta(minutes=minutes))
)
ODD_TIMES = st.sampled_from(
    [
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59+14:00",
        "2015-07-28T23:10:00",
        "2015-07-28T23:10:00.1234567Z",
        "2015-02-29T00:00:00Z",
        "2015-07-28 23:10:00Z",
        "2015-07-28T24:00:00Z",
        "1436000000",
        "2015-W31-2T23:10Z",
    ]
)
TIMES = st.one_of(
    st.datetimes(
        min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(2026, 1, 1), timezones=OFFSETS
    ).map(lambda t: t.isoformat()),
    ODD_TIMES,
    TEXT,
)


@st.composite
def alert(draw: st.DrawFn, codes: list[str]) -> dict[str, Any]:
    item: dict[str, Any] = {
        "sensor": draw(st.one_of(st.sampled_from(codes), TEXT)),
        "event_id": draw(st.one_of(st.text(min_size=1, max_size=12), TEXT)),
        "occurred_at": draw(TIMES),
        "kind": draw(st.one_of(st.sampled_from(KINDS), TEXT)),
        "confidence": draw(st.one_of(st.floats(0, 1), st.sampled_from([0, 1, -0.0, 1.0000001]))),
    }
    if draw(st.booleans()):
        item["details"] = draw(st.dictionaries(TEXT, JSON, max_size=4))
    return item


@st.composite
def bodies(draw: st.DrawFn, codes: list[str]) -> bytes:
    """A batch as sensors might send it, a mangled one, or garbage."""
    items = draw(
        st.lists(st.one_of(alert(codes), alert(codes).flatmap(mutated), JSON), max_size=12)
    )
    # Repeats: the same event twice in one batch.
    if items and draw(st.booleans()):
        items.append(items[0])
    text = json.dumps(items, allow_nan=True).encode()
    return draw(
        st.one_of(
            st.just(text),
            st.just(text),
            mutated_bytes(text),
            st.builds(lambda v: json.dumps(v).encode(), JSON),
            st.binary(max_size=200),
            st.sampled_from([b"", b"[]", b"[" * 100_000, b"[{}" + b",{}" * 1000 + b"]"]),
        )
    )


def test_json_nested_too_deeply_is_refused_as_malformed(sensors) -> None:
    """Found by fuzzing: past orjson's 1,024 levels the standard parser ran out of stack and
    the intake answered 500 (the MQTT bridge stopped)."""
    client, _ = sensors
    response = client.post("/api/v1/alerts", data=b"[" * 100_000, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["title"] == "Malformed JSON"


def test_any_body_is_answered_item_by_item_and_nothing_is_half_written(sensors) -> None:
    client, codes = sensors

    @fuzz(100)
    @given(body=bodies(codes))
    def run(body: bytes) -> None:
        before = Alert.objects.count()
        response = client.post("/api/v1/alerts", data=body, content_type="application/json")
        assert response.status_code in ANSWERS, response.content[:500]
        stored = Alert.objects.count() - before
        if response.status_code != 200:
            assert stored == 0
            assert response["Content-Type"] == "application/problem+json"
            return
        answer = response.json()
        results = answer["results"]
        assert [r["index"] for r in results] == list(range(len(results)))
        assert len(results) == len(json.loads(body))
        for result in results:
            assert result["status"] in ("accepted", "duplicate", "rejected")
            assert (result["status"] == "rejected") == bool(result["reason"])
        accepted = sum(r["status"] == "accepted" for r in results)
        assert answer["accepted"] == accepted
        assert stored == accepted

    run()
