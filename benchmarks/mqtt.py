"""MQTT intake rate: QoS 1 alerts published to Mosquitto and persisted by the bridge.

A publisher (paho, QoS 1, in-flight capped: paho hangs past 65,535 unacknowledged messages
otherwise) sends N messages of one alert each, as sensors do, to Mosquitto on 127.0.0.1:1883.
They are received twice, one after the other, by processes of their own:

- the anchor: a bare paho subscriber (QoS 1, MQTT 5 with the same Receive Maximum, as the
  bridge) that only counts them. (Over MQTT 3.1.1, Mosquitto sends a subscriber 20 messages
  before it must acknowledge and queues 1,000 more by default: past that it drops them, which
  a bare MQTT 3.1.1 subscriber falling behind this publisher already does);
- Entente: ``entente mqtt_bridge``, which writes them to the database (batches of messages
  in one transaction, acknowledged after commit), timed until the last alert is stored.

Each rate runs from the first publish to the last message counted (or stored). The ratio is
Entente's rate over the anchor's; "lost" counts alerts published but never stored.

    make bench NAME=mqtt [BENCH_ARGS=--quick]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench make bench NAME=mqtt
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections import deque

from _harness import database, entente_process, parse, report, stop, wait_until

HOST, PORT = "127.0.0.1", 1883
RECEIVE_MAXIMUM = 65_535  # the bridge's default
WINDOW = 10_000  # the publisher's unacknowledged messages at most

# The anchor: counts QoS 1 messages (paho acknowledges each on receipt), prints when done.
BARE = """
import sys, time, threading
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
host, port, topic = sys.argv[1], int(sys.argv[2]), sys.argv[3]
n, receive_max = int(sys.argv[4]), int(sys.argv[5])
count, done, ready = 0, threading.Event(), threading.Event()
def on_connect(client, userdata, flags, reason, properties):
    client.subscribe(topic, qos=1)
def on_subscribe(client, userdata, mid, reasons, properties):
    ready.set()
def on_message(client, userdata, message):
    global count
    count += 1
    if count == n:
        print("done", time.time(), flush=True)
        done.set()
v5 = sys.argv[6] == "5"
c = mqtt.Client(
    CallbackAPIVersion.VERSION2,
    client_id="bench-bare-" + topic.split("/")[1],
    protocol=mqtt.MQTTv5 if v5 else mqtt.MQTTv311,
)
c.on_connect, c.on_subscribe, c.on_message = on_connect, on_subscribe, on_message
if v5:
    props = Properties(PacketTypes.CONNECT)
    props.ReceiveMaximum = receive_max
    c.connect(host, port, properties=props)
else:
    c.connect(host, port)
c.loop_start()
ready.wait(10)
print("ready", flush=True)
done.wait(600)
c.disconnect(); c.loop_stop()
"""


def alert(run: str, i: int) -> bytes:
    at = dt.datetime(2015, 8, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=i)
    return json.dumps(
        {
            "sensor": "COQ-PLAT-CCTV-01" if i % 2 else "CAL-RING-CCTV-01",
            "event_id": f"{run}-{i:09d}",
            "occurred_at": at.isoformat().replace("+00:00", "Z"),
            "kind": "intrusion",
            "confidence": 0.7,
        }
    ).encode()


def publish(topic: str, payloads: list[bytes]) -> float:
    """Publish every payload at QoS 1; returns the time the first was sent."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    pub = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{uuid.uuid4().hex[:8]}")
    pub.max_inflight_messages_set(1000)
    pub.connect(HOST, PORT)
    pub.loop_start()
    start = time.time()
    # paho keys unacknowledged messages by their 16-bit id: past 65,535 of them it refuses
    # (or hangs), so at most WINDOW wait for the broker's acknowledgement at any time.
    waiting: deque[mqtt.MQTTMessageInfo] = deque()
    for p in payloads:
        while len(waiting) >= WINDOW:
            waiting.popleft().wait_for_publish(120)
        waiting.append(pub.publish(topic, p, qos=1))
    for info in waiting:
        info.wait_for_publish(120)
    pub.disconnect()
    pub.loop_stop()
    return start


def forget_session(client_id: str) -> None:
    """End the bridge's persistent session at the broker (nothing is left behind)."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    c.connect(HOST, PORT, clean_start=True)
    c.loop_start()
    time.sleep(0.3)
    c.disconnect()
    c.loop_stop()


def main() -> None:
    args = parse(__doc__ or "")
    n = 20_000 if args.quick else 100_000
    try:
        socket.create_connection((HOST, PORT), timeout=2).close()
    except OSError as exc:
        sys.exit(f"Mosquitto is not reachable at {HOST}:{PORT}: {exc}")
    run = uuid.uuid4().hex[:8]
    with database():
        from django.db import connection

        from entente.control_room.models import Alert
        from entente.core import services
        from entente.core.choices import Module, Role
        from entente.core.models import Agency
        from entente.demo.load import load_control_room, load_reference

        load_reference()
        load_control_room()
        services.create_user(
            username="bench.bridge",
            agency=Agency.objects.get(code="EUROTUNNEL"),
            acting_user=None,
            is_service_account=True,
            roles={Module.CONTROL_ROOM: Role.EDITOR},
        )

        def bare_rate(protocol: str) -> float:
            topic = f"entente-bench/{run}-bare{protocol}/COQ"
            bare = subprocess.Popen(  # noqa: S603 - our interpreter, the script above
                [
                    sys.executable,
                    "-c",
                    BARE,
                    HOST,
                    str(PORT),
                    topic,
                    str(n),
                    str(RECEIVE_MAXIMUM),
                    protocol,
                ],
                stdout=subprocess.PIPE,
                text=True,
            )
            assert bare.stdout is not None
            assert bare.stdout.readline().strip() == "ready", "the bare subscriber did not start"
            t0 = publish(topic, [alert(f"{run}b", i) for i in range(n)])
            line = bare.stdout.readline().split()
            bare.wait(60)
            assert line and line[0] == "done", "the bare subscriber did not count every message"
            return n / (float(line[1]) - t0)

        anchor = bare_rate("5")

        # Entente: the bridge as a deployment runs it.
        topic = f"entente-bench/{run}"
        client_id = f"bench-bridge-{run}"
        bridge = entente_process(
            "mqtt_bridge",
            "--url",
            f"mqtt://{HOST}:{PORT}",
            "--topic",
            f"{topic}/#",
            "--user",
            "bench.bridge",
            "--client-id",
            client_id,
        )
        try:
            warmed = False
            for attempt in range(40):  # the bridge connects and subscribes
                publish(f"{topic}/COQ", [alert(f"{run}w", attempt)])
                if wait_until(
                    lambda: Alert.objects.filter(event_id__startswith=f"{run}w-").exists(), 0.5
                ):
                    warmed = True
                    break
            assert warmed, f"the bridge stored nothing: {stop(bridge)[-2000:]}"
            prefix = f"{run}e-"
            payloads = [alert(f"{run}e", i) for i in range(n)]

            def stored() -> int:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT count(*) FROM control_room_alert WHERE event_id LIKE %s",
                        [prefix + "%"],
                    )
                    return int(cursor.fetchone()[0])

            t0 = publish(f"{topic}/COQ", payloads)
            finished = wait_until(lambda: stored() >= n, timeout=300, every=0.05)
            t1 = time.time()
            count = stored()
        finally:
            log = stop(bridge)
            forget_session(client_id)
        bridge_rate = count / (t1 - t0)
        distinct = Alert.objects.filter(event_id__startswith=prefix).values("event_id").distinct()
        report(
            "mqtt",
            {
                "database": connection.vendor,
                "messages": n,
                "alerts_per_message": 1,
                "entente_bridge_alerts_per_s": round(bridge_rate),
                "bare_paho_messages_per_s": round(anchor),
                "lost": n - count,
                "doubled": count - distinct.count(),
                "finished": finished,
                "bridge_log_tail": log.strip().splitlines()[-1:] if log.strip() else [],
                "cores": os.cpu_count(),
            },
            "a bare paho subscriber (QoS 1, MQTT 5) counting the same messages, same run",
            bridge_rate / anchor,
        )


if __name__ == "__main__":
    main()
