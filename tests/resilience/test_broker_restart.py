"""Fault: the MQTT broker stops and starts again while sensors publish alerts (QoS 1). The
bridge (``entente mqtt_bridge``) reconnects with back-off by itself, without being restarted,
and every message the broker acknowledged to a sensor (PUBACK) is stored exactly once.

The broker is a Mosquitto of the test's own, configured as the sensor-integration guide asks of
a deployment's: it keeps sessions and queued messages on disk (``persistence true``), no limit
on what it queues for a subscriber that is away. Stopped with SIGTERM, as a service manager
stops it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchmarks._faults import Broker
from benchmarks._harness import wait_until
from django.db import connection

from tests.resilience.conftest import (
    RESUME_TIMEOUT,
    SENSOR_ACCOUNT,
    START_TIMEOUT,
    Publisher,
    bridge_listening,
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
        assert bridge_listening(broker.port, topic, run), output()

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
