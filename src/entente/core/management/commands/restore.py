"""``entente restore FILE [--force]``: a backup into the configured database.

The logic is in entente.core.backup.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from entente.core import backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `entente backup` into the configured (empty) database, "
        "migrate it if older, then verify the audit chain and the keys."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", metavar="FILE", help="backup file")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace the contents of a database that is not empty",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = backup.restore(
                Path(options["file"]), force=options["force"], say=self.stdout.write
            )
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        if report.migrated:
            self.stdout.write(
                self.style.WARNING(
                    f"the backup was older than this code: {len(report.migrated)} "
                    "migration(s) applied"
                )
            )
        head = report.manifest.audit_head
        problems = []
        if report.missing_keys:
            problems.append(
                f"master key(s) {', '.join(report.missing_keys)} are not configured "
                "(ENTENTE_DATA_KEYS or the data directory's data_keys): the encrypted values "
                "they sealed cannot be read until they are"
            )
        if report.sealed_check.startswith("FAILED"):
            problems.append(f"sealed value check {report.sealed_check}")
        elif report.sealed_check:
            self.stdout.write(report.sealed_check)
        for problem in problems:
            self.stdout.write(self.style.WARNING(f"WARNING: {problem}"))
        if not report.chain.ok:
            raise CommandError(
                f"restored, but the audit chain is BROKEN after {report.chain.checked} good "
                f"entries: {report.chain.problem}"
            )
        if report.chain.checked != head["seq"]:
            raise CommandError(
                f"restored, but the audit chain holds {report.chain.checked} entries and the "
                f"backup's manifest names {head['seq']}"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"restored; audit chain intact: {report.chain.checked} entries "
                f"(head hash {head['hash'][:16]} as in the backup)"
            )
        )
