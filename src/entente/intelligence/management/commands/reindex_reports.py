"""``entente reindex_reports``: rebuild the reports' full-text index, with a progress display."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from entente.intelligence.services import search


class Command(BaseCommand):
    help = "Rebuild the full-text index of intelligence reports (SQLite FTS5, PostgreSQL tsvector)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch", type=int, default=2000, help="reports per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        start = time.monotonic()
        tty = self.stdout.isatty()

        def progress(done: int, total: int) -> None:
            share = 100 * done / total if total else 100.0
            line = f"{done:,}/{total:,} reports ({share:.0f} %)"
            if tty:
                self.stdout.write(f"\r{line}", ending="")
            else:
                self.stdout.write(line)

        count = search.reindex(batch=max(1, options["batch"]), progress=progress)
        if tty:
            self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(f"{count:,} reports indexed in {time.monotonic() - start:.1f} s.")
        )
