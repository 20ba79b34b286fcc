"""``entente mqtt_bridge``: alerts from an MQTT broker into the control room."""

from __future__ import annotations

import signal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from entente.control_room.mqtt import Bridge
from entente.core.models import User


class Command(BaseCommand):
    help = "Subscribe to sensor alerts over MQTT (QoS 1, acknowledged after commit)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default=settings.ENTENTE_MQTT_URL)
        parser.add_argument("--topic", default=settings.ENTENTE_MQTT_TOPIC)
        parser.add_argument(
            "--user",
            default=settings.ENTENTE_MQTT_USER,
            help="the service account the alerts are recorded under",
        )
        parser.add_argument("--client-id", default=settings.ENTENTE_MQTT_CLIENT_ID)

    def handle(self, *args: Any, **opts: Any) -> None:
        if not opts["user"]:
            raise CommandError("name the service account: --user or ENTENTE_MQTT_USER")
        try:
            bridge = Bridge(
                url=opts["url"],
                topic=opts["topic"],
                username=opts["user"],
                client_id=opts["client_id"],
            )
        except User.DoesNotExist:
            raise CommandError(f"no user {opts['user']!r}") from None
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        signal.signal(signal.SIGTERM, lambda *_: bridge.stop())
        self.stdout.write(f"MQTT bridge: {opts['url']} topic {opts['topic']} as {opts['user']}")
        try:
            bridge.run()
        except KeyboardInterrupt:
            bridge.stop()
        s = bridge.stats
        self.stdout.write(
            f"stopped: {s.messages} messages, {s.accepted} accepted, "
            f"{s.duplicate} duplicate, {s.rejected} rejected, {s.failures} failures"
        )
