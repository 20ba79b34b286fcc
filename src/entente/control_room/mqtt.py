"""The MQTT bridge: sensors publish alerts to a broker; the bridge writes them through the same
intake service as the HTTP endpoint.

QoS 1 with manual acknowledgement: a message is acknowledged only once its alerts are committed
(accepted, duplicate or rejected for good). If the database fails, the bridge acknowledges
nothing more, drops the connection and reconnects with back-off; its persistent session
(fixed client id, clean_session off) makes the broker deliver the unacknowledged messages
again. Idempotency on (sensor, event id) turns those redeliveries into duplicates, so a crash
loses nothing and doubles nothing.

Payload: one alert object or a JSON array of them, as in POST /api/v1/alerts.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import paho.mqtt.client as mqtt
from django.conf import settings
from django.db import close_old_connections, connections
from paho.mqtt.enums import CallbackAPIVersion
from pydantic import ValidationError as PydanticError

from entente.control_room import services
from entente.core.models import User

logger = logging.getLogger(__name__)


@dataclass
class BridgeStats:
    messages: int = 0
    accepted: int = 0
    duplicate: int = 0
    rejected: int = 0
    failures: int = 0
    connected: threading.Event = field(default_factory=threading.Event)


def parse_payload(payload: bytes | bytearray) -> tuple[list[services.AlertItem], int]:
    """Alerts in a message, and how many of its items were malformed (rejected outright)."""
    from entente.control_room.api import AlertIn

    try:
        data = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return [], 1
    raw = data if isinstance(data, list) else [data]
    items, bad = [], 0
    for entry in raw[: settings.ENTENTE_ALERT_BATCH_MAX]:
        try:
            items.append(services.AlertItem(**AlertIn.model_validate(entry).model_dump()))
        except PydanticError:
            bad += 1
    return items, bad + max(0, len(raw) - settings.ENTENTE_ALERT_BATCH_MAX)


class Bridge:
    """Subscribe, ingest, acknowledge after commit; reconnect with back-off."""

    def __init__(self, *, url: str, topic: str, username: str, client_id: str) -> None:
        parsed = urlparse(url)
        if parsed.scheme not in ("mqtt", "mqtts") or not parsed.hostname:
            raise ValueError(f"ENTENTE_MQTT_URL must look like mqtt://host:1883, not {url!r}")
        self.host, self.port = (
            parsed.hostname,
            parsed.port or (8883 if parsed.scheme == "mqtts" else 1883),
        )
        self.topic = topic
        self.user = User.objects.select_related("agency__country").get(username=username)
        self.stats = BridgeStats()
        self._stop = threading.Event()
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=client_id,
            clean_session=False,
            manual_ack=True,
        )
        if parsed.username:
            self.client.username_pw_set(parsed.username, parsed.password)
        if parsed.scheme == "mqtts":
            self.client.tls_set()
        self.client.reconnect_delay_set(min_delay=1, max_delay=30)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message

    def _on_connect(
        self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, properties: Any = None
    ) -> None:
        if reason.is_failure:
            logger.error("MQTT connection refused: %s", reason)
            return
        client.subscribe(self.topic, qos=1)
        self.stats.connected.set()
        logger.info("MQTT bridge connected to %s:%s, topic %s", self.host, self.port, self.topic)

    def _on_disconnect(
        self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, properties: Any = None
    ) -> None:
        self.stats.connected.clear()
        if not self._stop.is_set():
            logger.warning("MQTT bridge disconnected (%s); reconnecting", reason)

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        self.stats.messages += 1
        items, bad = parse_payload(message.payload)
        try:
            close_old_connections()
            outcomes = services.ingest_alerts(items, acting_user=self.user) if items else []
        except Exception:
            # Not acknowledged: drop the connection, so that the broker delivers it again
            # (with everything after it) once the bridge is back.
            self.stats.failures += 1
            logger.exception("MQTT bridge could not store message %s; will retry", message.mid)
            client.disconnect()
            return
        for outcome in outcomes:
            setattr(self.stats, outcome.status, getattr(self.stats, outcome.status) + 1)
        self.stats.rejected += bad
        client.ack(message.mid, message.qos)

    def run(self) -> None:
        """Serve until ``stop()``, in the calling thread (so the database connection it opens
        is closed by the same thread at the end); reconnects with back-off."""
        delay = 1.0
        try:
            while not self._stop.is_set():
                try:
                    self.client.connect(self.host, self.port, keepalive=30)
                except OSError as exc:
                    logger.warning("MQTT broker unreachable (%s); retrying in %.0f s", exc, delay)
                    self._stop.wait(delay)
                    delay = min(delay * 2, 30.0)
                    continue
                delay = 1.0
                # Returns when disconnect() is called: by stop(), or after a failed write.
                self.client.loop_forever(retry_first_connection=False)
                if not self._stop.is_set():
                    self._stop.wait(delay)
        finally:
            connections.close_all()

    def stop(self) -> None:
        self._stop.set()
        self.client.disconnect()
