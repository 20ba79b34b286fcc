"""``entente rotate_keys``: re-wrap every encrypted value's data key with the current master key.

Rotation in two steps: put a new key first in ``ENTENTE_DATA_KEYS`` (``--new-key`` prints
one; outside production, where the keys live in the data directory, it adds it there), keeping
the old ones after it; then run this command, which re-wraps every data key with the new master
key (the values themselves are not re-encrypted) and says how many values still name an old key.
When none does, the old keys can be removed.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from entente.core import crypto
from entente.core.models.encrypted import encrypted_fields

CHUNK = 500


def rotate() -> dict[str, int]:
    """Re-wrap every value under the current key; {column: values re-wrapped}."""
    done: dict[str, int] = {}
    current = crypto.keyring().current
    for model, field in encrypted_fields():
        table, column, pk = model._meta.db_table, field.column, model._meta.pk.column
        q = connection.ops.quote_name
        count = 0
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {q(pk)}, {q(column)} FROM {q(table)} "  # noqa: S608  # names from the models
                    f"WHERE {q(column)} IS NOT NULL"
                )
                rows = cursor.fetchall()
            for start in range(0, len(rows), CHUNK):
                updates = []
                for key, value in rows[start : start + CHUNK]:
                    if crypto.key_id(bytes(value)) != current:
                        updates.append((connection.Database.Binary(crypto.rewrap(value)), key))  # type: ignore[attr-defined]
                if updates:
                    with connection.cursor() as cursor:
                        cursor.executemany(
                            f"UPDATE {q(table)} SET {q(column)} = %s WHERE {q(pk)} = %s",  # noqa: S608
                            updates,
                        )
                    count += len(updates)
        done[field.column_label] = count
    return done


def remaining() -> int:
    """Values still wrapped by a key other than the current one."""
    current = crypto.keyring().current
    left = 0
    for model, field in encrypted_fields():
        table, column = model._meta.db_table, field.column
        q = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {q(column)} FROM {q(table)} WHERE {q(column)} IS NOT NULL"  # noqa: S608
            )
            left += sum(1 for (v,) in cursor.fetchall() if crypto.key_id(bytes(v)) != current)
    return left


class Command(BaseCommand):
    help = "Re-wrap encrypted fields with the current master key (ENTENTE_DATA_KEYS, first key)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--new-key",
            metavar="ID",
            help="make a new master key named ID (printed, or added to the data directory's "
            "key file outside production) before re-wrapping",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["new_key"]:
            self._new_key(options["new_key"])
        try:
            done = rotate()
        except crypto.DecryptionError as exc:
            raise CommandError(f"rotation stopped, nothing changed in that column: {exc}") from exc
        for column, count in done.items():
            self.stdout.write(f"{column}: {count} re-wrapped")
        left = remaining()
        key = crypto.keyring().current
        self.stdout.write(
            self.style.SUCCESS(f"all values under key {key}")
            if not left
            else self.style.WARNING(f"{left} values still under an older key")
        )

    def _new_key(self, kid: str) -> None:
        import os

        from django.conf import settings

        spec = crypto.new_key_spec(kid)
        if os.environ.get("ENTENTE_DATA_KEYS") or settings.PRODUCTION:
            self.stdout.write(
                "Put this key first in ENTENTE_DATA_KEYS, keep the old ones after it, restart, "
                f"then run entente rotate_keys again:\n{spec}"
            )
            raise SystemExit(0)
        path = crypto.key_file()
        old = path.read_text().strip() if path.exists() else ""
        path.write_text(",".join(p for p in (spec, old) if p) + "\n")
        crypto.keyring.cache_clear()
