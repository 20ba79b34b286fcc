"""Fuzzing the MQTT bridge's message handling (``Bridge.store``, what the bridge does with each
batch it reads from the broker): whatever the payloads, the bridge does not fail; each message
is stored (at least one alert of it accepted or a duplicate) or parked with a reason, never
dropped silently; and the alerts stored are exactly those accepted."""

from __future__ import annotations

import json
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import strategies as st

from entente.control_room.models import Alert, ParkedMessage, Sensor
from entente.control_room.mqtt import Bridge, parse_payload
from entente.core import services
from entente.core.choices import Module, Role
from entente.core.models import Agency
from tests.fuzz.budget import fuzz
from tests.fuzz.strategies import JSON, mutated, mutated_bytes
from tests.fuzz.test_alerts import alert


@pytest.fixture
def bridge(db: Any) -> tuple[Bridge, list[str]]:
    services.create_user(
        username="sensors.mqtt-fuzz",
        agency=Agency.objects.get(code="EUROTUNNEL"),
        acting_user=None,
        is_service_account=True,
        roles={Module.CONTROL_ROOM: Role.EDITOR},
    )
    # Made, not connected: the harness hands it batches as the broker would.
    made = Bridge(
        url="mqtt://127.0.0.1:1883",
        topic="entente-fuzz/#",
        username="sensors.mqtt-fuzz",
        client_id="entente-fuzz",
    )
    codes = list(Sensor.objects.order_by("code").values_list("code", flat=True)[:3])
    return made, codes


@st.composite
def payloads(draw: st.DrawFn, codes: list[str]) -> bytes:
    one = alert(codes)
    value = draw(
        st.one_of(
            one,
            one.flatmap(mutated),
            st.lists(st.one_of(one, one.flatmap(mutated)), max_size=6),
            JSON,
        )
    )
    text = json.dumps(value, allow_nan=True).encode()
    return draw(
        st.one_of(
            st.just(text),
            st.just(text),
            mutated_bytes(text),
            st.binary(max_size=300),
            st.sampled_from(
                [
                    b"",
                    b"[]",
                    b"{}",
                    b"null",
                    b"\xef\xbb\xbf[]",
                    b"[" * 100_000,
                    b'"' + b"x" * 70_000 + b'"',
                    json.dumps([{}] * (settings.ENTENTE_ALERT_BATCH_MAX + 1)).encode(),
                ]
            ),
        )
    )


def test_a_payload_nested_too_deeply_is_parked_as_not_json() -> None:
    """Found by fuzzing: it stopped the bridge (RecursionError from the JSON parser)."""
    assert parse_payload(b"[" * 100_000).unusable == "not JSON"


def message(mid: int, payload: bytes) -> mqtt.MQTTMessage:
    made = mqtt.MQTTMessage(mid=mid, topic=f"entente-fuzz/sensor/{mid}".encode())
    made.payload = payload
    made.qos = 1
    return made


def test_every_message_is_stored_or_parked_with_a_reason(bridge) -> None:
    made, codes = bridge

    @fuzz(120)
    @given(batch=st.lists(payloads(codes), min_size=1, max_size=4))
    def run(batch: list[bytes]) -> None:
        alerts, parked_before = Alert.objects.count(), ParkedMessage.objects.count()
        messages = [message(i, p) for i, p in enumerate(batch, start=1)]
        parsed, outcomes, parked = made.store(messages)
        accepted = sum(o.status == "accepted" for o in outcomes)
        assert Alert.objects.count() - alerts == accepted
        new = list(ParkedMessage.objects.order_by("pk")[parked_before:])
        assert len(new) == parked
        assert all(p.reason for p in new)
        # A message is parked when nothing of it could be stored, and only then.
        should_park = [
            m.topic
            for i, (m, p) in enumerate(zip(messages, parsed, strict=True))
            if p.unusable
            or not any(o.status != "rejected" for o in _outcomes_of(parsed, outcomes, i))
        ]
        assert [p.topic for p in new] == should_park

    run()


def _outcomes_of(parsed: list[Any], outcomes: list[Any], index: int) -> list[Any]:
    start = sum(len(p.items) for p in parsed[:index])
    return outcomes[start : start + len(parsed[index].items)]
