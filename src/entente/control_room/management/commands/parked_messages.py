"""``entente parked_messages``: the MQTT messages the bridge parked, for inspection."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from entente.control_room.models import ParkedMessage


class Command(BaseCommand):
    help = (
        "List the MQTT messages the bridge could not use (not JSON, not alerts, or no alert "
        "that could be stored), newest first. Mark them dealt with on /control-room/parked/."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--all", action="store_true", help="include the messages already dealt with"
        )
        parser.add_argument("--limit", type=int, default=50, help="at most this many (50)")
        parser.add_argument(
            "--payload-chars",
            type=int,
            default=200,
            help="characters of each payload shown (200; 0 for none)",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        # A command run by the operator of the machine, like audit_verify: no acting user.
        parked = ParkedMessage.objects.all()
        if not opts["all"]:
            parked = parked.filter(resolved_at__isnull=True)
        total = parked.count()
        shown = list(parked.select_related("resolved_by")[: max(opts["limit"], 0)])
        for m in shown:
            when = timezone.localtime(m.received_at).strftime("%Y-%m-%d %H:%M:%S")
            state = (
                f"dealt with {timezone.localtime(m.resolved_at):%Y-%m-%d %H:%M}"
                + (f" by {m.resolved_by.get_username()}" if m.resolved_by else "")
                if m.resolved_at
                else "waiting"
            )
            self.stdout.write(f"#{m.pk}  {when}  {m.topic}  [{state}]")
            self.stdout.write(f"    reason: {m.reason}")
            chars = opts["payload_chars"]
            if chars > 0:
                text = m.text
                cut = text[:chars] + ("…" if len(text) > chars else "")
                self.stdout.write(f"    payload ({len(m.payload)} bytes): {cut!r}")
        label = "parked message(s)" if opts["all"] else "parked message(s) waiting"
        self.stdout.write(f"{total} {label}; {len(shown)} shown.")
