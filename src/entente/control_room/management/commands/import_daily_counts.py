"""``entente import_daily_counts FILE``: historical intrusion attempts per day and site (CSV)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from entente.control_room.statistics import import_counts_as_system, parse_counts


class Command(BaseCommand):
    help = (
        "Import daily intrusion attempts (CSV columns: day, site, intrusion_attempts, source). "
        "All or nothing: a faulty line stops the import and every faulty line is listed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check the file, write nothing")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            text = opts["file"].read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {opts['file']}: {exc}") from None
        if opts["dry_run"]:
            rows, errors = parse_counts(text)
            for e in errors:
                self.stderr.write(f"line {e.line}: {e.message}")
            self.stdout.write(f"{len(rows)} good rows, {len(errors)} faulty")
            if errors:
                raise CommandError("the file has faulty lines")
            return
        try:
            n = import_counts_as_system(text)
        except ValidationError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError("nothing imported: correct the lines above") from None
        self.stdout.write(f"{n} daily counts imported")
