"""``entente check_sensors``: raise a "sensor silent" alarm for sensors quiet too long.

Run it every minute (a systemd timer or cron); it is safe to run twice.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from entente.control_room.services import check_heartbeats


class Command(BaseCommand):
    help = "Alarm on sensors silent past their heartbeat interval."

    def handle(self, *args: Any, **options: Any) -> None:
        silent = check_heartbeats()
        if silent:
            self.stdout.write(f"{len(silent)} sensor(s) newly silent: {', '.join(silent)}")
        else:
            self.stdout.write("no sensor newly silent")
