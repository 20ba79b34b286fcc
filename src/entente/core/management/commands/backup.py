"""``entente backup --output FILE``: the configured database, keys excluded.

The logic is in entente.core.backup.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from entente.core import backup, crypto


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite online backup or pg_dump) into one file with a manifest. "
        "Keys are not included: keep SECRET_KEY and the data keys apart."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--output", "-o", required=True, metavar="FILE", help="backup file")

    def handle(self, *args: Any, **options: Any) -> None:
        output = Path(options["output"])
        start = time.monotonic()
        try:
            manifest = backup.backup(output, self.stdout.write)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        head = manifest.audit_head
        self.stdout.write(
            self.style.SUCCESS(
                f"backup written to {output} ({backup.human(output.stat().st_size)}, "
                f"{time.monotonic() - start:.1f} s): {manifest.migration_count} migrations, "
                f"audit chain head seq {head['seq']} hash {head['hash'][:16]}"
            )
        )
        self.stdout.write(
            self.style.WARNING(
                "Keys are NOT in the backup: SECRET_KEY and the master keys of the encrypted "
                f"fields (ENTENTE_DATA_KEYS, or {crypto.key_file()} outside production)."
            )
        )
        if manifest.key_ids:
            needed = ", ".join(f"{k} ({n} values)" for k, n in sorted(manifest.key_ids.items()))
            self.stdout.write(
                self.style.WARNING(f"Its encrypted values need master key(s): {needed}. Keep them.")
            )
        else:
            self.stdout.write("It holds no encrypted value: no master key is needed to read it.")
