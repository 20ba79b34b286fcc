"""The one audit trail: append-only, hash-chained, written in the caller's transaction.

Services call ``record`` inside their ``transaction.atomic`` block, so the entry commits or
rolls back with the change it describes. Reads of personal data go through ``record_read``,
which refuses an empty purpose (the law-enforcement logging rule).

Each entry's hash is SHA-256 over its canonical JSON encoding, which includes the previous
entry's hash; ``verify_chain`` recomputes it and names the first entry that does not fit,
whether it was edited, deleted, inserted or moved.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import decimal
import hashlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.core.choices import AuditAction
from entente.core.models import AuditEntry, AuditHead

GENESIS = "0" * 64
SYSTEM_ACTOR = "system"

# Set by RequestIdMiddleware for the duration of a request; empty outside one.
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


class PurposeRequired(ValueError):
    """A read of personal data was attempted without saying why."""


def _json_safe(value: Any) -> Any:
    """Turn a field value into plain JSON (the encoding the hash is computed over)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, frozenset | set):
        return sorted(_json_safe(v) for v in value)
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return str(value)


def snapshot(instance: models.Model, *, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """The concrete field values of an instance, JSON-safe, for before/after records.

    Fields a model lists in ``audit_exclude`` (secrets) and encrypted fields are left out.
    """
    from entente.core.models.encrypted import EncryptedField

    skip = set(exclude) | set(getattr(instance, "audit_exclude", ()))
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in skip or isinstance(field, EncryptedField):
            continue
        data[field.attname] = _json_safe(field.value_from_object(instance))
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Only the fields that changed, as {"field": [before, after]}."""
    keys = sorted(set(before) | set(after))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def canonical(entry: AuditEntry) -> bytes:
    """The bytes an entry's hash is computed over (sorted keys, no spaces, UTF-8)."""
    payload = {
        "seq": entry.seq,
        "timestamp": entry.timestamp.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor_username": entry.actor_username,
        "agency_code": entry.agency_code,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "purpose": entry.purpose,
        "request_id": entry.request_id,
        "changes": entry.changes,
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def compute_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(canonical(entry)).hexdigest()


def _object_fields(
    obj: models.Model | None, object_type: str, object_id: str
) -> tuple[str, str, str]:
    if obj is None:
        return object_type, object_id, ""
    meta = obj._meta
    return f"{meta.app_label}.{meta.model_name}", str(obj.pk), str(obj)[:200]


_ENTRY = AuditEntry._meta.db_table
_HEAD = AuditHead._meta.db_table
_FIELDS = [f for f in AuditEntry._meta.concrete_fields if not f.primary_key]
_INSERT = (
    f"INSERT INTO {_ENTRY} ({', '.join(f.column for f in _FIELDS)}) "  # noqa: S608
    f"VALUES ({', '.join(['%s'] * len(_FIELDS))})"
)
_MOVE_HEAD = f"UPDATE {_HEAD} SET seq = %s, hash = %s WHERE id = 1"  # noqa: S608


def _lock_head() -> tuple[int, str]:
    """The chain's last sequence number and hash, its row locked to the end of the
    transaction (PostgreSQL; SQLite's writers are one at a time already)."""
    lock = " FOR UPDATE" if connection.vendor == "postgresql" else ""
    sql = f"SELECT seq, hash FROM {_HEAD} WHERE id = 1{lock}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
        if row is None:
            # Only on a database emptied behind the migrations' back (the migration creates
            # the head): the first writers may race to create it, one wins, all then lock it.
            AuditHead.objects.get_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS})
            cursor.execute(sql)
            row = cursor.fetchone()
    return int(row[0]), str(row[1])


def _append(entry: AuditEntry) -> None:
    """Write the entry and move the head to it: on PostgreSQL in one round trip (the
    client-binding cursor takes both statements in one call)."""
    values = [f.get_db_prep_save(getattr(entry, f.attname), connection) for f in _FIELDS]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"{_INSERT} RETURNING id;\n{_MOVE_HEAD}", [*values, entry.seq, entry.hash]
            )
            entry.pk = cursor.fetchone()[0]
        else:
            cursor.execute(_INSERT, values)
            entry.pk = cursor.lastrowid
            cursor.execute(_MOVE_HEAD, [entry.seq, entry.hash])
    entry._state.adding = False
    entry._state.db = connection.alias


def record(
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    *,
    object_type: str = "",
    object_id: str = "",
    purpose: str = "",
    changes: dict[str, Any] | None = None,
    actor_label: str = "",
) -> AuditEntry:
    """Append one entry to the chain, inside the caller's transaction.

    ``actor`` is the acting user, or None for the system itself (demo loader, retention,
    scheduled commands), which is recorded as ``actor_label`` or "system".
    """
    if action not in AuditAction.values:
        raise ValueError(f"unknown audit action {action!r}")
    otype, oid, orepr = _object_fields(obj, object_type, object_id)
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    # No savepoint: the entry lives or dies with the caller's transaction. Plain SQL, two
    # round trips (lock and read the head; write the entry and move the head): an audited
    # write pays for its entry about a third of what three ORM queries cost (benchmarks/audit.py).
    with transaction.atomic(savepoint=False):
        # The head row is the lock: one writer at a time appends to the chain.
        seq, prev_hash = _lock_head()
        entry = AuditEntry(
            seq=seq + 1,
            timestamp=timezone.now(),
            actor_id=actor.pk if is_user else None,
            actor_username=(actor.get_username() if is_user else (actor_label or SYSTEM_ACTOR))[
                :150
            ],
            agency_code=(actor.agency.code if is_user and actor.agency_id else ""),
            action=action,
            object_type=otype,
            object_id=oid[:64],
            object_repr=orepr,
            purpose=purpose[:200],
            request_id=request_id_var.get(),
            changes=_json_safe(changes or {}),
            prev_hash=prev_hash,
        )
        entry.hash = compute_hash(entry)
        _append(entry)
    return entry


def record_read(actor: Any, obj: models.Model, *, purpose: str) -> AuditEntry:
    """Record a consultation of personal data; the purpose is required."""
    if not purpose or not purpose.strip():
        raise PurposeRequired(_("Say why you are consulting this personal data."))
    return record(actor, AuditAction.READ, obj, purpose=purpose.strip())


def record_create(actor: Any, obj: models.Model, *, purpose: str = "") -> AuditEntry:
    return record(actor, AuditAction.CREATE, obj, purpose=purpose, changes={"after": snapshot(obj)})


def record_update(
    actor: Any, obj: models.Model, before: dict[str, Any], *, purpose: str = ""
) -> AuditEntry:
    return record(
        actor, AuditAction.UPDATE, obj, purpose=purpose, changes=diff(before, snapshot(obj))
    )


def record_delete(actor: Any, obj: models.Model, *, purpose: str = "") -> AuditEntry:
    return record(
        actor, AuditAction.DELETE, obj, purpose=purpose, changes={"before": snapshot(obj)}
    )


@dataclass(frozen=True)
class ChainProblem:
    """The first place the chain does not hold, in words an auditor can act on."""

    seq: int | None
    entry_id: int | None
    reason: str

    def __str__(self) -> str:
        where = f"entry seq={self.seq} (id={self.entry_id})" if self.seq is not None else "chain"
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class ChainReport:
    checked: int
    problem: ChainProblem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _entries(batch: int) -> Iterator[AuditEntry]:
    # Walk in seq order, keyset-paginated: constant memory however long the chain.
    last = -1
    while True:
        rows = list(AuditEntry.objects.filter(seq__gt=last).order_by("seq")[:batch])
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def verify_chain(*, batch: int = 2000) -> ChainReport:
    """Recompute the whole chain; report the first entry that was edited, moved or removed."""
    prev_hash = GENESIS
    expected_seq = 1
    checked = 0
    previous_id = 0
    for entry in _entries(batch):
        if entry.seq != expected_seq:
            return ChainReport(
                checked,
                ChainProblem(
                    entry.seq,
                    entry.pk,
                    f"expected sequence number {expected_seq}: "
                    "an entry before it was deleted or its number edited",
                ),
            )
        if entry.pk < previous_id:
            return ChainReport(
                checked,
                ChainProblem(
                    entry.seq,
                    entry.pk,
                    "stored out of order: entries were reordered",
                ),
            )
        if entry.prev_hash != prev_hash:
            return ChainReport(
                checked,
                ChainProblem(
                    entry.seq,
                    entry.pk,
                    "its previous-hash does not match the entry before it: "
                    "an entry was inserted, deleted or reordered",
                ),
            )
        if compute_hash(entry) != entry.hash:
            return ChainReport(
                checked,
                ChainProblem(
                    entry.seq,
                    entry.pk,
                    "its content does not match its hash: the entry was edited",
                ),
            )
        prev_hash = entry.hash
        previous_id = entry.pk
        expected_seq += 1
        checked += 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != checked or head.hash != prev_hash):
        return ChainReport(
            checked,
            ChainProblem(
                None,
                None,
                f"the chain ends at sequence {checked} but its head records {head.seq}: "
                "entries were cut from the end",
            ),
        )
    if head is None and checked:
        return ChainReport(checked, ChainProblem(None, None, "the chain head is missing"))
    return ChainReport(checked, None)
