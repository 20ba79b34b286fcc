"""Fault: the MQTT broker stops and starts again while sensors publish alerts (QoS 1). The
bridge (``entente mqtt_bridge``) reconnects with back-off by itself, without being restarted,
and every message the broker acknowledged to a sensor (PUBACK) is stored exactly once.

The broker is a Mosquitto of the test's own, configured as the sensor-integration guide asks of
a deployment's: it keeps sessions and queued messages on disk (``persistence true``), no limit
on what it queues for a subscriber that is away. Stopped with SIGTERM, as a service manager
stops it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from benchmarks._faults import Broker, alert
from benchmarks._harness import wait_until
from django.db import connection
from paho.mqtt.enums import CallbackAPIVersion

from tests.resilience.conftest import (
    RESUME_TIMEOUT,
    SENSOR_ACCOUNT,
    START_TIMEOUT,
    figures,
    now,
    process_env,
    require,
    run_id,
    seconds,
    sensor_token,
    small_world,
    suite_database_url,
    tally,
)


class Publisher:
    """Sensors publishing one alert a message at QoS 1, ``pace`` a second, in a thread. paho
    keeps what it could not send (the broker away) and sends it again once it has reconnected;
    a message counts as acknowledged when the broker's PUBACK for it arrives."""

    def __init__(self, port: int, topic: str, run: str, pace: float = 200) -> None:
        self.topic, self.run, self.pace = topic, run, pace
        self.lock = threading.Lock()
        self.pending: dict[int, str] = {}
        self.early: set[int] = set()
        self.acknowledged: list[str] = []
        self.published = 0
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"pub-{run}")
        self.client.max_inflight_messages_set(1000)
        self.client.reconnect_delay_set(0.2, 2)
        self.client.on_publish = self._on_publish
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        assert wait_until(self.client.is_connected, 30)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _on_publish(self, client: Any, userdata: Any, mid: int, reason: Any, props: Any) -> None:
        # paho calls this holding its own locks: take ours only for the books, never around
        # a call into paho (the publishing thread would wait on it the other way round).
        if reason.is_failure:
            return
        with self.lock:
            event = self.pending.pop(mid, None)
            if event is None:
                self.early.add(mid)  # acknowledged before publish() returned its id
            else:
                self.acknowledged.append(event)

    def _run(self) -> None:
        begin, i = time.monotonic(), 0
        while not self.stop.is_set():
            ahead = begin + i / self.pace - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
            item = alert(self.run, "m", i)
            info = self.client.publish(f"{self.topic}/COQ", json.dumps(item), qos=1)
            with self.lock:
                if info.mid in self.early:
                    self.early.discard(info.mid)
                    self.acknowledged.append(item["event_id"])
                else:
                    self.pending[info.mid] = item["event_id"]
                self.published += 1
            i += 1

    def finish(self, timeout: float) -> list[str]:
        """Stop publishing, wait for the broker's acknowledgements, return the acknowledged."""
        self.stop.set()
        self.thread.join(30)
        wait_until(lambda: not self.pending, timeout, every=0.1)
        self.client.disconnect()
        self.client.loop_stop()
        with self.lock:
            return list(self.acknowledged)


def test_a_broker_restart_loses_no_acknowledged_message_and_the_bridge_reconnects_by_itself(
    transactional_db: Any, tmp_path: Any
) -> None:
    found = shutil.which("mosquitto") or Path("/usr/sbin/mosquitto").exists()
    require("Mosquitto", bool(found), "apt-get install mosquitto")
    small_world()
    sensor_token()  # the bridge's account
    from entente.control_room.models import Alert

    broker = Broker(persistent=True)
    run = run_id()
    topic = f"entente-resilience/{run}"
    log = (tmp_path / "bridge.log").open("wb")
    bridge = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "entente",
            "mqtt_bridge",
            "--url",
            f"mqtt://127.0.0.1:{broker.port}",
            "--topic",
            f"{topic}/#",
            "--user",
            SENSOR_ACCOUNT,
            "--client-id",
            f"bridge-{run}",
        ],
        env=process_env(suite_database_url()),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    publisher: Publisher | None = None

    def output() -> str:
        return (tmp_path / "bridge.log").read_text(errors="replace")

    def stored() -> int:
        return Alert.objects.filter(event_id__startswith=f"{run}-").count()

    try:
        assert wait_until(broker.up, START_TIMEOUT), "our Mosquitto did not start"
        # The bridge is subscribed (its session made) once a message sent now is stored.
        warm = alert(run, "w", 0)

        def listening() -> bool:
            import paho.mqtt.publish as publish

            publish.single(f"{topic}/COQ", json.dumps(warm), qos=1, port=broker.port)
            return wait_until(lambda: stored() > 0, 1)

        assert wait_until(listening, START_TIMEOUT, every=0.2), output()

        publisher = Publisher(broker.port, topic, run)
        assert wait_until(lambda: stored() >= 300, RESUME_TIMEOUT), output()
        down = now()
        broker.stop()
        sent_while_down = publisher.published
        assert wait_until(lambda: publisher.published >= sent_while_down + 200, RESUME_TIMEOUT)
        up = now()
        broker.start()
        before = stored()
        assert wait_until(lambda: stored() > before, RESUME_TIMEOUT), output()
        resumed = now()
        published = publisher.published
        assert wait_until(lambda: publisher.published >= published + 300, RESUME_TIMEOUT)
        acknowledged = publisher.finish(RESUME_TIMEOUT)
        # The bridge drains what the broker kept for it.
        wait_until(
            lambda: stored() >= len(acknowledged) + 1, RESUME_TIMEOUT, every=0.5
        )  # +1: the warm-up
        # Reconnected by itself: the same bridge process throughout.
        assert bridge.poll() is None, output()
    finally:
        if publisher is not None:
            publisher.stop.set()
        bridge.terminate()
        try:
            bridge.wait(30)
        except subprocess.TimeoutExpired:
            bridge.kill()
            bridge.wait(30)
        log.close()
        broker.close()

    with connection.cursor() as cursor:
        counts = tally(cursor, f"{run}-m-", acknowledged)
    figures(
        "broker_restart",
        {
            "database": connection.vendor,
            "messages_published": publisher.published,
            **counts,
            "broker_down_s": seconds(down, up),
            "first_stored_after_broker_back_s": seconds(up, resumed),
            "bridge_reconnections": output().count("disconnected"),
        },
    )
    assert counts["lost"] == 0, output()
    assert counts["doubled"] == 0
    assert counts["acknowledged"] > 0
