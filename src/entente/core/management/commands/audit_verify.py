"""``entente audit_verify``: recompute the audit chain and name the first broken entry."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from entente.core.audit import verify_chain


class Command(BaseCommand):
    help = "Check the whole audit chain; exit 1 and name the first entry that was tampered with."

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"audit chain BROKEN after {report.checked} good entries: {report.problem}"
            )
        self.stdout.write(self.style.SUCCESS(f"audit chain intact: {report.checked} entries"))
