"""The MQTT bridge: sensors publish alerts to a broker; the bridge writes them through the same
intake service as the HTTP endpoint.

QoS 1 with manual acknowledgement: a message is acknowledged only once its alerts are committed
(accepted, duplicate or rejected for good). One thread does everything, through paho's own
loop functions: it reads every message waiting on the socket (up to ``batch_size``), writes them
all in one transaction, then acknowledges them all, in the order they came. One commit for many
messages is what lets the bridge keep up with the broker (DESIGN, "where the time goes": one
INSERT and COMMIT per event is about 1,800 a second); one thread spares the two a network thread
would fight over Python's lock, and the messages read since the last write are always those of
the current connection.

If the database fails, nothing of the batch is acknowledged: the bridge drops the connection and
reconnects with back-off, and its persistent session (fixed client id, clean session off) makes
the broker deliver the unacknowledged messages again. Idempotency on (sensor, event id) turns
those redeliveries into duplicates, so a crash loses nothing and doubles nothing. Messages read
on a connection that failed are forgotten, never acknowledged on the next one (their ids may
have been reused): the broker sends them again.

A message that is not JSON, not alerts, or holds no alert that could be stored is logged,
counted and parked (``ParkedMessage``) in the same transaction, then acknowledged: sending it
again would fail the same way, and it is never dropped silently.

The bridge speaks MQTT 5 by default: its Receive Maximum lets the broker send many messages
before the first acknowledgement (Mosquitto sends an MQTT 3.1.1 client only 20 at a time, which
caps a batch at 20), and its session never expires. ``?protocol=3.1.1`` on the broker URL
selects MQTT 3.1.1 for a broker without MQTT 5 (persistent session through clean session off).

Payload: one alert object or a JSON array of them, as in POST /api/v1/alerts.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlparse

import paho.mqtt.client as mqtt
from django.conf import settings
from django.db import close_old_connections, connections, transaction
from django.utils.translation import gettext as _
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from entente.control_room import services
from entente.control_room.api.intake import load_json, parse_items
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


class Bridge:
    """Subscribe, ingest in batches, acknowledge after commit; reconnect with back-off."""

    def __init__(
        self,
        *,
        url: str,
        topic: str,
        username: str,
        client_id: str,
        batch_size: int = 2000,
        receive_maximum: int = 65_535,
    ) -> None:
        parsed = urlparse(url)
        if parsed.scheme not in ("mqtt", "mqtts") or not parsed.hostname:
            raise ValueError(f"ENTENTE_MQTT_URL must look like mqtt://host:1883, not {url!r}")
        protocol = parse_qs(parsed.query).get("protocol", ["5"])[-1]
        if protocol not in ("5", "3.1.1"):
            raise ValueError(f"ENTENTE_MQTT_URL: protocol=5 or protocol=3.1.1, not {protocol!r}")
        self.v5 = protocol == "5"
        self.host, self.port = (
            parsed.hostname,
            parsed.port or (8883 if parsed.scheme == "mqtts" else 1883),
        )
        self.topic = topic
        self.batch_size = batch_size
        self.user = User.objects.select_related("agency__country").get(username=username)
        self.stats = BridgeStats()
        self._stop = threading.Event()
        # Messages read and not yet written, all of the current connection.
        self._pending: list[mqtt.MQTTMessage] = []
        self._was_connected = False
        if self.v5:
            self.client = mqtt.Client(
                CallbackAPIVersion.VERSION2,
                client_id=client_id,
                protocol=mqtt.MQTTv5,
                manual_ack=True,
            )
            # The broker keeps the session (and what it holds for the bridge) however long
            # the bridge is away, and may send this many messages before an acknowledgement.
            self._connect_properties: Properties | None = Properties(  # type: ignore[no-untyped-call]
                PacketTypes.CONNECT
            )
            self._connect_properties.SessionExpiryInterval = 0xFFFFFFFF
            self._connect_properties.ReceiveMaximum = min(receive_maximum, 65535)
        else:
            self.client = mqtt.Client(
                CallbackAPIVersion.VERSION2,
                client_id=client_id,
                clean_session=False,
                manual_ack=True,
            )
            self._connect_properties = None
        if parsed.username:
            self.client.username_pw_set(parsed.username, parsed.password)
        if parsed.scheme == "mqtts":
            self.client.tls_set()
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
        self._was_connected = True
        self.stats.connected.set()
        logger.info("MQTT bridge connected to %s:%s, topic %s", self.host, self.port, self.topic)

    def _on_disconnect(
        self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, properties: Any = None
    ) -> None:
        self.stats.connected.clear()
        if not self._stop.is_set():
            logger.warning("MQTT bridge disconnected (%s); reconnecting", reason)

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        self._pending.append(message)

    def store(
        self, batch: list[mqtt.MQTTMessage]
    ) -> tuple[list[Parsed], list[services.Outcome], int]:
        """Read a batch's messages and store them in one transaction: the messages read, the
        outcome of each alert, and how many messages were parked."""
        parsed = [parse_payload(m.payload) for m in batch]
        items = [item for p in parsed for item in p.items]
        with transaction.atomic():
            outcomes = services.ingest_alerts(items, acting_user=self.user) if items else []
            parked = self._park(batch, parsed, outcomes)
        return parsed, outcomes, parked

    def _write(self, batch: list[mqtt.MQTTMessage]) -> bool:
        """Store a batch in one transaction; True when committed (then acknowledge it)."""
        try:
            close_old_connections()
            parsed, outcomes, parked = self.store(batch)
        except Exception:
            # Not acknowledged: drop the connection, so that the broker delivers the batch
            # again (with everything after it) once the bridge is back.
            self.stats.failures += 1
            logger.exception("MQTT bridge could not store %d message(s); will retry", len(batch))
            return False
        counts = {"accepted": 0, "duplicate": 0, "rejected": 0}
        for outcome in outcomes:
            counts[outcome.status] += 1
        stats = self.stats
        stats.batches += 1
        stats.messages += len(batch)
        stats.parked += parked
        stats.accepted += counts["accepted"]
        stats.duplicate += counts["duplicate"]
        stats.rejected += counts["rejected"] + sum(len(p.malformed) for p in parsed)
        return True

    def _park(
        self, batch: list[mqtt.MQTTMessage], parsed: list[Parsed], outcomes: list[services.Outcome]
    ) -> int:
        """Park the messages of the batch from which nothing could be stored."""
        parked, at = 0, 0
        for message, p in zip(batch, parsed, strict=True):
            mine = outcomes[at : at + len(p.items)]
            at += len(p.items)
            if p.unusable:
                reason = p.unusable
            elif any(o.status != "rejected" for o in mine):
                continue
            else:
                reasons = p.malformed + [o.reason for o in mine]
                reason = _("no alert could be stored: {first}").format(first=reasons[0])
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
        """Read, write and acknowledge batches until stopped, or until the connection or a
        write fails."""
        client, ok = self.client, mqtt.MQTT_ERR_SUCCESS
        while not self._stop.is_set():
            # Wait for traffic (and keep the connection alive), then read what else is
            # already there without waiting again: paho's loop reads one packet a call.
            if client.loop(timeout=0.2) != ok:
                return
            pending = self._pending
            while len(pending) < self.batch_size:
                before = len(pending)
                if client.loop_read() != ok:
                    return
                if len(pending) == before:
                    break
            if not pending:
                continue
            self._pending = []
            if not self._write(pending):
                return
            for message in pending:
                client.ack(message.mid, message.qos)

    def run(self) -> None:
        """Serve until ``stop()``, in the calling thread (so the database connection it opens
        is closed by the same thread at the end); reconnects with back-off."""
        delay = 1.0
        try:
            while not self._stop.is_set():
                try:
                    if self.v5:
                        self.client.connect(
                            self.host,
                            self.port,
                            keepalive=30,
                            clean_start=False,
                            properties=self._connect_properties,
                        )
                    else:
                        self.client.connect(self.host, self.port, keepalive=30)
                except OSError as exc:
                    logger.warning("MQTT broker unreachable (%s); retrying in %.0f s", exc, delay)
                    self._stop.wait(delay)
                    delay = min(delay * 2, 30.0)
                    continue
                self._was_connected = False
                try:
                    self._serve()
                finally:
                    # Read and not written: the broker sends it again on the next connection.
                    self._pending = []
                    self.stats.connected.clear()
                    self.client.disconnect()
                # Back off from a broker that refuses the bridge; come back quickly after a
                # connection that worked, then failed (a write, a broker restart).
                delay = 1.0 if self._was_connected else min(delay * 2, 30.0)
                if not self._stop.is_set():
                    self._stop.wait(delay)
        finally:
            connections.close_all()

    def stop(self) -> None:
        self._stop.set()
