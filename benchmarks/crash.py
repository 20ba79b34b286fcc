"""Crash safety: alerts sent over MQTT and HTTP while the bridge and the server are killed.

N alerts (100,000; 20,000 with --quick), half published over MQTT (QoS 1, one alert a message)
and half POSTed over HTTP (batches of 100, each retried until answered, as a sensor does),
while the MQTT bridge and the web server (granian, as ``entente serve`` runs it) are killed with
SIGKILL at random moments and started again each time. Afterwards every alert that was
acknowledged (MQTT: the broker's PUBACK; HTTP: a 200 naming it accepted or duplicate) is looked
for in the database:

- ``lost``: acknowledged alerts that are not stored (goal 0);
- ``doubled``: alerts stored more than once, plus alerts counted twice by their incidents
  (goal 0).

The broker is a Mosquitto of the benchmark's own on a free loopback port, configured as the
sensor-integration guide says a deployment's must be: no limit on the messages it queues for a
subscriber that is away (Mosquitto's default, 1,000, drops the rest while the bridge restarts:
a loss no bridge can prevent).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench make bench NAME=crash \
        [BENCH_ARGS=--quick]
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import deque
from typing import Any

from _faults import Broker, alert, free_port
from _harness import ROOT, database, entente_process, parse, report, stop, wait_until

HTTP_BATCH = 100


def main() -> None:
    args = parse(__doc__ or "")
    n = 20_000 if args.quick else 100_000
    # Sent at a steady pace (alerts a second on each channel), long enough for several kills.
    pace = 700 if args.quick else 1000
    kill_every = (1.0, 2.5) if args.quick else (2.0, 5.0)
    run = uuid.uuid4().hex[:8]
    rng = random.Random(7)
    with database():
        from django.conf import settings
        from django.db import connection

        from entente.control_room.models import Alert, Incident
        from entente.core import services
        from entente.core.choices import Module, Role
        from entente.core.models import Agency
        from entente.demo.load import load_control_room, load_reference

        if connection.vendor != "postgresql":
            sys.exit("crash needs PostgreSQL (DATABASE_URL): bridge and server are processes")
        load_reference()
        load_control_room()
        account = services.create_user(
            username="bench.sensors",
            agency=Agency.objects.get(code="EUROTUNNEL"),
            acting_user=None,
            is_service_account=True,
            roles={Module.CONTROL_ROOM: Role.EDITOR},
        )
        _, token = services.create_api_token(account, name="crash", acting_user=None)
        broker = Broker()
        assert wait_until(broker.up, 10), "our Mosquitto did not start"
        web_port = free_port()
        topic = f"entente-crash/{run}"
        client_id = f"crash-bridge-{run}"

        def start_bridge() -> subprocess.Popen[str]:
            return entente_process(
                "mqtt_bridge",
                "--url",
                f"mqtt://127.0.0.1:{broker.port}",
                "--topic",
                f"{topic}/#",
                "--user",
                "bench.sensors",
                "--client-id",
                client_id,
            )

        def start_server() -> subprocess.Popen[str]:
            env = {
                **os.environ,
                "PYTHONPATH": f"{ROOT / 'benchmarks'}:{ROOT / 'src'}",
                "BENCH_DATABASE_NAME": settings.DATABASES["default"]["NAME"],
                "ENTENTE_DB_POOL": "1",
                "ENTENTE_LOG_LEVEL": "ERROR",
            }
            return subprocess.Popen(  # noqa: S603 - our interpreter, granian, fixed arguments
                [
                    sys.executable,
                    "-m",
                    "granian",
                    "--interface",
                    "wsgi",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(web_port),
                    "--workers",
                    "1",
                    "--blocking-threads",
                    "4",
                    "--no-ws",
                    "_board_server:application",
                ],
                env=env,
                cwd=ROOT / "benchmarks",
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # granian's worker dies with it (killpg)
            )

        processes: dict[str, Any] = {"bridge": start_bridge(), "server": start_server()}
        kills = {"bridge": 0, "server": 0}
        acked_mqtt: list[str] = []
        acked_http: list[str] = []
        sending = threading.Event()
        sending.set()

        def kill(name: str) -> None:
            process = processes[name]
            if name == "server":
                os.killpg(process.pid, signal.SIGKILL)
            else:
                process.send_signal(signal.SIGKILL)
            process.wait(10)
            kills[name] += 1
            time.sleep(rng.uniform(0.2, 1.0))
            processes[name] = start_bridge() if name == "bridge" else start_server()

        def killer() -> None:
            victims = ["bridge", "server"]
            while sending.is_set():
                time.sleep(rng.uniform(*kill_every))
                if sending.is_set():
                    rng.shuffle(victims)  # both, in a random order, at random moments
                    kill(victims[0])

        def mqtt_sender() -> None:
            import paho.mqtt.client as mqtt
            from paho.mqtt.enums import CallbackAPIVersion

            pub = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"crash-pub-{run}")
            pub.max_inflight_messages_set(1000)
            pub.connect("127.0.0.1", broker.port)
            pub.loop_start()
            waiting: deque[tuple[str, Any]] = deque()
            begin = time.monotonic()
            for i in range(n // 2):
                ahead = begin + i / pace - time.monotonic()
                if ahead > 0:
                    time.sleep(ahead)
                a = alert(run, "m", i)
                while len(waiting) >= 10_000:
                    event, info = waiting.popleft()
                    info.wait_for_publish(60)
                    acked_mqtt.append(event)
                waiting.append((a["event_id"], pub.publish(f"{topic}/COQ", json.dumps(a), qos=1)))
            for event, info in waiting:
                info.wait_for_publish(60)
                if info.is_published():
                    acked_mqtt.append(event)
            pub.disconnect()
            pub.loop_stop()

        def http_sender() -> None:
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            begin = time.monotonic()
            for start in range(0, n // 2, HTTP_BATCH):
                ahead = begin + start / pace - time.monotonic()
                if ahead > 0:
                    time.sleep(ahead)
                batch = [alert(run, "h", i) for i in range(start, min(start + HTTP_BATCH, n // 2))]
                body = json.dumps(batch)
                while True:  # a sensor retries until it has an answer
                    try:
                        conn = http.client.HTTPConnection("127.0.0.1", web_port, timeout=30)
                        conn.request("POST", "/api/v1/alerts", body=body, headers=headers)
                        response = conn.getresponse()
                        answer = response.read()
                        conn.close()
                    except (OSError, http.client.HTTPException):
                        time.sleep(0.1)
                        continue
                    if response.status != 200:
                        time.sleep(0.1)
                        continue
                    for a, r in zip(batch, json.loads(answer)["results"], strict=True):
                        if r["status"] in ("accepted", "duplicate"):
                            acked_http.append(a["event_id"])
                    break

        # The bridge's session must exist before the first alert is sent (as in a deployment,
        # where it was made on the bridge's first start): a message sent to a topic nobody
        # has subscribed to yet is kept for no one.
        def bridge_listening() -> bool:
            import paho.mqtt.publish as publish

            publish.single(
                f"{topic}/COQ",
                json.dumps(alert(run, "w", 0)),
                qos=1,
                hostname="127.0.0.1",
                port=broker.port,
            )
            return wait_until(lambda: Alert.objects.filter(event_id=f"{run}-w-0000000").exists(), 1)

        def server_up() -> bool:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", web_port, timeout=2)
                conn.request("GET", "/healthz")
                return conn.getresponse().status == 200
            except OSError:
                return False

        assert wait_until(bridge_listening, 60, every=0.1), "the bridge did not start"
        assert wait_until(server_up, 60, every=0.2), "the server did not start"
        t0 = time.monotonic()
        threads = [threading.Thread(target=f) for f in (mqtt_sender, http_sender)]
        chaos = threading.Thread(target=killer)
        for t in threads:
            t.start()
        chaos.start()
        try:
            for t in threads:
                t.join()
            send_s = time.monotonic() - t0
            sending.clear()
            chaos.join()
            prefix = f"{run}-"

            def stored_events() -> set[str]:
                return set(
                    Alert.objects.filter(event_id__startswith=prefix).values_list(
                        "event_id", flat=True
                    )
                )

            # The bridge drains what the broker kept for it.
            wait_until(lambda: set(acked_mqtt) <= stored_events(), timeout=120, every=0.5)
        finally:
            sending.clear()
            for name, process in processes.items():
                if name == "server":
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGTERM)
                    process.wait(20)
                else:
                    stop(process)
            broker.close()
        stored = stored_events()
        rows = Alert.objects.filter(event_id__startswith=prefix)
        acknowledged = set(acked_mqtt) | set(acked_http)
        incidents = Incident.objects.filter(pk__in=rows.values("incident")).distinct()
        counted = sum(incidents.values_list("alert_count", flat=True))
        doubled_rows = rows.count() - len(stored)
        double_counted = max(0, counted - rows.count())
        report(
            "crash",
            {
                "database": connection.vendor,
                "alerts": n,
                "acknowledged_mqtt": len(set(acked_mqtt)),
                "acknowledged_http": len(set(acked_http)),
                "stored": len(stored),
                "lost": len(acknowledged - stored),
                "doubled": doubled_rows + double_counted,
                "incident_counts_short": max(0, rows.count() - counted),
                "bridge_kills": kills["bridge"],
                "server_kills": kills["server"],
                "send_seconds": round(send_s, 1),
            },
            "every acknowledged alert stored once (lost 0, doubled 0)",
            1.0 if not (acknowledged - stored) and not doubled_rows + double_counted else 0.0,
        )


if __name__ == "__main__":
    main()
