"""The MQTT bridge: sensors publish alerts to a broker; the bridge writes them through the same
intake service as the HTTP endpoint.

QoS 1 with manual acknowledgement: a message is acknowledged only once its alerts are committed
(accepted, duplicate or rejected for good). The network loop runs in paho's thread and only
queues what arrives; this thread takes every message waiting (up to ``batch_size``), writes them
all in one transaction, then acknowledges them all, in the order they came. One commit for many
messages is what lets the bridge keep up with the broker (DESIGN, "where the time goes": one
INSERT and COMMIT per event is about 1,800 a second).

If the database fails, nothing of the batch is acknowledged: the bridge drops the connection and
reconnects with back-off, and its persistent session (fixed client id, clean session off) makes
the broker deliver the unacknowledged messages again. Idempotency on (sensor, event id) turns
those redeliveries into duplicates, so a crash loses nothing and doubles nothing. Messages that
arrived on an earlier connection are never acknowledged on a later one (their ids may have been
reused): the broker sends them again.

A message that is not JSON, not alerts, or holds no alert that could be stored is logged,
counted and parked (``ParkedMessage``) in the same transaction, then acknowledged: sending it
again would fail the same way, and it is never dropped silently.

Payload: one alert object or a JSON array of them, as in POST /api/v1/alerts.
"""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import paho.mqtt.client as mqtt
from django.conf import settings
from django.db import close_old_connections, connections, transaction
from django.utils.translation import gettext as _
from paho.mqtt.enums import CallbackAPIVersion

from entente.control_room import services
from entente.control_room.services import bridge as parking
from entente.core.models import User

logger = logging.getLogger(__name__)


@dataclass
class BridgeStats:
    messages: int = 0
    batches: int = 0
    accepted: int = 0
    duplicate: int = 0
    rejected: int = 0
    parked: int = 0
    failures: int = 0
    connected: threading.Event = field(default_factory=threading.Event)


@dataclass
class Parsed:
    """One message, read: its alerts, or why it cannot be used at all."""

    items: list[services.AlertItem] = field(default_factory=list)
    malformed: list[str] = field(default_factory=list)  # why each bad item was refused
    unusable: str = ""  # set when the whole message is unusable


def parse_payload(payload: bytes | bytearray) -> Parsed:
    """The alerts in a message, the reasons its malformed items were refused, or why the whole
    message cannot be used (not JSON, not alerts, too many)."""
    from entente.control_room.api.intake import load_json, parse_items

    try:
        data = load_json(bytes(payload))
    except ValueError:
        return Parsed(unusable=_("not JSON"))
    raw = data if isinstance(data, list) else [data]
    limit = settings.ENTENTE_ALERT_BATCH_MAX
    if len(raw) > limit:
        return Parsed(
            unusable=_("more than {limit} alerts in one message ({count})").format(
                limit=limit, count=len(raw)
            )
        )
    if not raw:
        return Parsed(unusable=_("an empty list"))
    valid, rejected = parse_items(raw)
    return Parsed(items=[item for _, item in valid], malformed=list(rejected.values()))


@dataclass
class _Received:
    message: mqtt.MQTTMessage
    generation: int


class Bridge:
    """Subscribe, ingest in batches, acknowledge after commit; reconnect with back-off."""

    def __init__(
        self,
        *,
        url: str,
        topic: str,
        username: str,
        client_id: str,
        batch_size: int = 1000,
    ) -> None:
        parsed = urlparse(url)
        if parsed.scheme not in ("mqtt", "mqtts") or not parsed.hostname:
            raise ValueError(f"ENTENTE_MQTT_URL must look like mqtt://host:1883, not {url!r}")
        self.host, self.port = (
            parsed.hostname,
            parsed.port or (8883 if parsed.scheme == "mqtts" else 1883),
        )
        self.topic = topic
        self.batch_size = batch_size
        self.user = User.objects.select_related("agency__country").get(username=username)
        self.stats = BridgeStats()
        self._stop = threading.Event()
        self._inbox: queue.SimpleQueue[_Received] = queue.SimpleQueue()
        # Bumped at each (re)connection; a message is acknowledged only on its own connection.
        self._generation = 0
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

    # paho's network thread: no database work here.

    def _on_connect(
        self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, properties: Any = None
    ) -> None:
        if reason.is_failure:
            logger.error("MQTT connection refused: %s", reason)
            return
        self._generation += 1
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
        self._inbox.put(_Received(message, self._generation))

    # The calling thread: the database work.

    def _take(self) -> list[_Received]:
        """The messages waiting (at least one, unless stopping), up to ``batch_size``."""
        try:
            batch = [self._inbox.get(timeout=0.2)]
        except queue.Empty:
            return []
        while len(batch) < self.batch_size:
            try:
                batch.append(self._inbox.get_nowait())
            except queue.Empty:
                break
        return batch

    def _write(self, batch: list[_Received]) -> bool:
        """Store a batch in one transaction; True when committed (then acknowledge it)."""
        parsed = [parse_payload(r.message.payload) for r in batch]
        items = [item for p in parsed for item in p.items]
        try:
            close_old_connections()
            with transaction.atomic():
                outcomes = services.ingest_alerts(items, acting_user=self.user) if items else []
                parked = self._park(batch, parsed, outcomes)
        except Exception:
            # Not acknowledged: drop the connection, so that the broker delivers the batch
            # again (with everything after it) once the bridge is back.
            self.stats.failures += 1
            logger.exception("MQTT bridge could not store %d message(s); will retry", len(batch))
            return False
        stats = self.stats
        stats.batches += 1
        stats.messages += len(batch)
        stats.parked += parked
        for outcome in outcomes:
            setattr(stats, outcome.status, getattr(stats, outcome.status) + 1)
        stats.rejected += sum(len(p.malformed) for p in parsed)
        return True

    def _park(
        self, batch: list[_Received], parsed: list[Parsed], outcomes: list[services.Outcome]
    ) -> int:
        """Park the messages of the batch from which nothing could be stored."""
        parked, at = 0, 0
        for received, p in zip(batch, parsed, strict=True):
            mine = outcomes[at : at + len(p.items)]
            at += len(p.items)
            if p.unusable:
                reason = p.unusable
            elif any(o.status != "rejected" for o in mine):
                continue
            else:
                reasons = p.malformed + [o.reason for o in mine]
                reason = _("no alert could be stored: {first}").format(first=reasons[0])
            message = received.message
            logger.warning("MQTT message on %s parked: %s", message.topic, reason)
            parking.park_message(
                topic=message.topic,
                payload=bytes(message.payload),
                reason=reason,
                acting_user=self.user,
            )
            parked += 1
        return parked

    def _serve(self) -> None:
        """Take, write and acknowledge batches until stopped or a write fails."""
        while not self._stop.is_set():
            batch = self._take()
            if not batch:
                continue
            if not self._write(batch):
                return
            current = self._generation
            for received in batch:
                if received.generation == current:
                    self.client.ack(received.message.mid, received.message.qos)

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
                # paho's thread reads the network (and reconnects after a network failure);
                # this one writes. It returns when stopped, or after a failed write.
                self.client.loop_start()
                try:
                    self._serve()
                finally:
                    self.client.disconnect()
                    self.client.loop_stop()
                    self._forget_received()
                if not self._stop.is_set():
                    self._stop.wait(delay)
        finally:
            connections.close_all()

    def _forget_received(self) -> None:
        """Drop what was received and not acknowledged: the broker sends it again."""
        while True:
            try:
                self._inbox.get_nowait()
            except queue.Empty:
                return

    def stop(self) -> None:
        self._stop.set()
