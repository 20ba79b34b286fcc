"""``entente purge_expired [--dry-run]``: apply the safeguarding retention policies."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from entente.safeguarding.services import retention


class Command(BaseCommand):
    help = (
        "Erase or anonymise the safeguarding records past their retention policy, and report "
        "what was done per record type (--dry-run: report only)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would be done; change nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry = bool(options["dry_run"])
        outcomes = retention.purge(dry_run=dry)
        if not outcomes:
            self.stdout.write("no retention policy: nothing to do")
            return
        verb = "would be" if dry else "were"
        for o in outcomes:
            self.stdout.write(
                f"{o.record_type} (kept {o.keep_days} days, then {o.action}): "
                f"{o.erased} {verb} erased, {o.anonymised} {verb} anonymised, "
                f"{o.kept} past retention kept (still needed)"
            )
        if dry:
            self.stdout.write("dry run: nothing changed")
