"""The MQTT bridge against the real broker (Mosquitto): QoS 1, acknowledged after commit."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from entente.control_room import services
from entente.control_room.models import Alert, ParkedMessage
from entente.control_room.mqtt import Bridge
from entente.core import services as core_services
from entente.core.choices import Module, Role
from entente.core.models import Agency, User
from tests.conftest import load_world, require_service

HOST, PORT = "127.0.0.1", 1883


@pytest.fixture
def world(transactional_db) -> str:
    require_service("Mosquitto", HOST, PORT)
    load_world()
    username = f"sensors-{uuid.uuid4().hex[:8]}"
    core_services.create_user(
        username=username,
        agency=Agency.objects.get(code="EUROTUNNEL"),
        acting_user=None,
        is_service_account=True,
        roles={Module.CONTROL_ROOM: Role.EDITOR},
    )
    return username


@pytest.fixture
def topic() -> str:
    return f"entente-test/{uuid.uuid4().hex}"


class Running:
    def __init__(self, bridge: Bridge) -> None:
        self.bridge = bridge
        self.thread = threading.Thread(target=bridge.run, daemon=True)
        self.thread.start()
        assert bridge.stats.connected.wait(10), "the bridge did not connect"
        time.sleep(0.2)  # let the subscription settle

    def stop(self) -> None:
        self.bridge.stop()
        self.thread.join(10)


@pytest.fixture
def start(world: str, topic: str) -> Iterator:
    running: list[Running] = []
    client_id = f"entente-test-{uuid.uuid4().hex[:8]}"

    def make() -> Running:
        r = Running(
            Bridge(
                url=f"mqtt://{HOST}:{PORT}", topic=f"{topic}/#", username=world, client_id=client_id
            )
        )
        running.append(r)
        return r

    yield make
    for r in running:
        r.stop()
    User.objects.filter(username=world).update(is_active=False)


def publish(topic: str, payloads: list[object]) -> None:
    pub = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"pub-{uuid.uuid4().hex[:8]}")
    pub.connect(HOST, PORT)
    pub.loop_start()
    infos = [
        pub.publish(f"{topic}/COQ", p if isinstance(p, bytes) else json.dumps(p), qos=1)
        for p in payloads
    ]
    for info in infos:
        info.wait_for_publish(10)
    pub.disconnect()
    pub.loop_stop()


def alert(event: str) -> dict[str, object]:
    return {
        "sensor": "COQ-PLAT-CCTV-01",
        "event_id": event,
        "occurred_at": "2015-07-28T23:10:00Z",
        "kind": "intrusion",
        "confidence": 0.8,
    }


def wait_for(count: int, prefix: str, seconds: float = 15) -> int:
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline:
        n = Alert.objects.filter(event_id__startswith=prefix).count()
        if n >= count:
            return n
        time.sleep(0.1)
    return n


@pytest.mark.django_db(transaction=True)
def test_alerts_published_over_mqtt_are_stored_once(start, topic):
    running = start()
    publish(topic, [alert(f"m-{i}") for i in range(30)] + [[alert("m-30"), alert("m-31")]])
    publish(topic, [alert("m-0"), b"not json at all"])  # a repeat and a malformed message
    assert wait_for(32, "m-") == 32
    stats = running.bridge.stats
    deadline = time.monotonic() + 10
    # The counters move after each batch's commit: wait for all 33 messages to be counted.
    while stats.messages < 33 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert (stats.accepted, stats.duplicate, stats.rejected, stats.parked) == (32, 1, 0, 1)


@pytest.mark.django_db(transaction=True)
def test_a_failed_write_is_not_acknowledged_and_comes_back(start, topic, monkeypatch):
    real = services.ingest_alerts
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("database went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "ingest_alerts", flaky)
    running = start()
    publish(topic, [alert("f-1")])
    assert wait_for(1, "f-", seconds=20) == 1
    assert running.bridge.stats.failures == 1
    assert Alert.objects.filter(event_id="f-1").count() == 1


@pytest.mark.django_db(transaction=True)
def test_alerts_sent_while_the_bridge_is_down_arrive_when_it_returns(start, topic):
    start().stop()  # first run: the broker now keeps a session for the bridge
    publish(topic, [alert(f"d-{i}") for i in range(10)])
    start()
    assert wait_for(10, "d-") == 10


def wait_until(condition, seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.mark.django_db(transaction=True)
def test_a_payload_that_is_not_json_is_parked_acknowledged_and_not_sent_again(start, topic):
    running = start()
    publish(topic, [b"\x00\x01 not json at all", alert("pk-ok")])
    assert wait_until(lambda: running.bridge.stats.messages >= 2)
    parked = ParkedMessage.objects.get(topic=f"{topic}/COQ")
    assert bytes(parked.payload) == b"\x00\x01 not json at all"
    assert parked.reason == "not JSON"
    assert parked.resolved_at is None
    assert running.bridge.stats.parked == 1
    assert Alert.objects.filter(event_id="pk-ok").exists()  # the next message is not held up
    running.stop()
    again = start()  # same session: anything unacknowledged would come back now
    publish(topic, [alert("pk-after")])
    assert wait_for(1, "pk-after") == 1
    assert wait_until(lambda: again.bridge.stats.messages >= 1)
    assert again.bridge.stats.messages == 1  # only the new one: the parked one was acknowledged
    assert ParkedMessage.objects.filter(topic=f"{topic}/COQ").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_message_with_no_usable_alert_is_parked_with_the_reason(start, topic):
    running = start()
    unknown = {**alert("pk-unknown"), "sensor": "NOT-A-SENSOR"}
    publish(
        topic,
        [
            [{"sensor": "COQ-PLAT-CCTV-01"}, {"kind": "intrusion"}],  # all malformed
            [unknown],  # well formed, but no such sensor
            [alert("pk-good"), {"sensor": "COQ-PLAT-CCTV-01"}],  # one good: not parked
            {"not": "an alert"},
            [],
        ],
    )
    assert wait_until(lambda: running.bridge.stats.messages >= 5)
    reasons = sorted(
        ParkedMessage.objects.filter(topic=f"{topic}/COQ").values_list("reason", flat=True)
    )
    assert len(reasons) == 4
    assert "an empty list" in reasons
    assert any("NOT-A-SENSOR" in r for r in reasons)
    assert sum(r.startswith("no alert could be stored: event_id:") for r in reasons) == 1
    assert Alert.objects.filter(event_id="pk-good").exists()
    stats = running.bridge.stats
    assert (stats.accepted, stats.parked) == (1, 4)
    assert stats.rejected == 5  # two + one (unknown sensor) + one + the "not an alert" object


@pytest.mark.django_db(transaction=True)
def test_a_broker_without_mqtt_5_is_served_over_mqtt_3_1_1(world, topic):
    bridge = Bridge(
        url=f"mqtt://{HOST}:{PORT}?protocol=3.1.1",
        topic=f"{topic}/#",
        username=world,
        client_id=f"entente-test-{uuid.uuid4().hex[:8]}",
    )
    assert not bridge.v5
    running = Running(bridge)
    try:
        publish(topic, [alert(f"v3-{i}") for i in range(5)])
        assert wait_for(5, "v3-") == 5
    finally:
        running.stop()


def test_the_broker_url_names_a_known_protocol(world):
    with pytest.raises(ValueError, match="protocol"):
        Bridge(url="mqtt://127.0.0.1:1883?protocol=4", topic="t/#", username=world, client_id="x")
