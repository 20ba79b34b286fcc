"""Fault: the MQTT bridge that ``entente serve --mqtt-bridge`` runs (as ``make demo`` does) is
killed (SIGKILL) twice while sensors publish at QoS 1. The server starts it again by itself,
waiting longer after the second death; the bridge's persistent session at the broker keeps
what came meanwhile, so every message the broker acknowledged to a sensor is stored, once.
"""

from __future__ import annotations

import os
import signal
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
    Server,
    bridge_listening,
    figures,
    now,
    process_env,
    run_id,
    seconds,
    sensor_token,
    small_world,
    suite_database_url,
    tally,
)


def test_a_killed_bridge_is_started_again_by_the_server_and_nothing_acknowledged_is_lost(
    transactional_db: Any, tmp_path: Any
) -> None:
    small_world()
    sensor_token()  # the bridge's account
    from entente.control_room.models import Alert

    broker = Broker(persistent=True)
    run = run_id()
    topic = f"entente-resilience/{run}"
    env = process_env(
        suite_database_url(),
        ENTENTE_MQTT_URL=f"mqtt://127.0.0.1:{broker.port}",
        ENTENTE_MQTT_TOPIC=f"{topic}/#",
        ENTENTE_MQTT_USER=SENSOR_ACCOUNT,
        ENTENTE_MQTT_CLIENT_ID=f"bridge-{run}",
        ENTENTE_LOG_LEVEL="INFO",
    )
    server = Server(env, tmp_path / "serve.log", options=("--mqtt-bridge",))
    publisher: Publisher | None = None

    def stored() -> int:
        return Alert.objects.filter(event_id__startswith=f"{run}-m-").count()

    def one_bridge_but(gone: int) -> bool:
        bridges = server.bridges()
        return len(bridges) == 1 and bridges != [gone]

    kills: list[tuple[float, float | None]] = []
    try:
        assert wait_until(broker.up, START_TIMEOUT), "our Mosquitto did not start"
        server.wait_healthy()
        assert bridge_listening(broker.port, topic, run), server.output()
        publisher = Publisher(broker.port, topic, run)
        for _ in range(2):
            assert wait_until(lambda: stored() >= 300 * (len(kills) + 1), RESUME_TIMEOUT), (
                server.output()
            )
            [victim] = server.bridges()
            killed = now()
            os.kill(victim, signal.SIGKILL)
            assert wait_until(lambda v=victim: one_bridge_but(v), RESUME_TIMEOUT), (
                f"the bridge was not started again:\n{server.output()}"
            )
            before = stored()
            assert wait_until(lambda b=before: stored() > b, RESUME_TIMEOUT), server.output()
            kills.append((killed, now()))
        acknowledged = publisher.finish(RESUME_TIMEOUT)
        wait_until(lambda: stored() >= len(acknowledged), RESUME_TIMEOUT, every=0.5)
        # The same server throughout, which said what happened.
        assert server.alive(), server.output()
        output = server.output()
        [last] = server.bridges()
    finally:
        if publisher is not None:
            publisher.stop.set()
        server.stop()
        broker.close()

    assert output.count("MQTT bridge exited (code -9)") == 2, output
    assert "starting it again in 1 s" in output and "starting it again in 2 s" in output
    with connection.cursor() as cursor:
        counts = tally(cursor, f"{run}-m-", acknowledged)
    figures(
        "bridge_kill",
        {
            "database": connection.vendor,
            "messages_published": publisher.published,
            "kills": len(kills),
            **counts,
            "first_stored_after_kill_s": [seconds(k, back) for k, back in kills],
        },
    )
    assert counts["lost"] == 0, output
    assert counts["doubled"] == 0
    assert counts["acknowledged"] > 0
    # The server stopped its bridge with it.
    assert not Path(f"/proc/{last}").exists()
