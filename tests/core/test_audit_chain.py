"""The audit trail: written with the change, append-only, and tamper-evident.

Tampering is done the way an intruder with database access would do it: raw SQL on the
table, behind the ORM's back. ``entente audit_verify`` must then fail and name the entry.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from entente.core import audit, services
from entente.core.choices import AuditAction
from entente.core.models import AuditEntry, AuditHead, Bulletin
from entente.core.models.audit import AppendOnlyError

TABLE = AuditEntry._meta.db_table


def _write_entries(persona, n: int = 5) -> list[AuditEntry]:
    user = persona("gold.kent")
    return [audit.record(user, AuditAction.READ, user, purpose=f"check {i}") for i in range(n)]


def _verify_fails_naming(entry_seq: int | None) -> str:
    with pytest.raises(CommandError) as exc:
        call_command("audit_verify")
    message = str(exc.value)
    if entry_seq is not None:
        assert f"seq={entry_seq}" in message
    return message


def test_an_untouched_chain_verifies(persona, capsys):
    _write_entries(persona)
    call_command("audit_verify")
    assert "audit chain intact" in capsys.readouterr().out


def test_each_entry_links_to_the_one_before(persona):
    entries = _write_entries(persona, 3)
    assert entries[1].prev_hash == entries[0].hash
    assert entries[2].prev_hash == entries[1].hash
    assert entries[2].seq == entries[1].seq + 1


def test_an_edited_entry_is_named(persona):
    entries = _write_entries(persona)
    victim = entries[2]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET purpose = %s WHERE id = %s", ["nothing to see", victim.pk]
        )
    message = _verify_fails_naming(victim.seq)
    assert "edited" in message


def test_an_edited_actor_is_named(persona):
    entries = _write_entries(persona)
    victim = entries[1]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET actor_username = %s WHERE id = %s", ["someone", victim.pk]
        )
    _verify_fails_naming(victim.seq)


def test_a_deleted_entry_is_noticed_at_the_next_one(persona):
    entries = _write_entries(persona)
    victim = entries[2]
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [victim.pk])
    message = _verify_fails_naming(victim.seq + 1)
    assert "deleted" in message


def test_a_deleted_entry_with_renumbering_is_noticed(persona):
    entries = _write_entries(persona)
    victim = entries[2]
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [victim.pk])
        # The intruder closes the gap in the numbering: the hashes still give it away.
        for e in entries[3:]:
            cursor.execute(f"UPDATE {TABLE} SET seq = seq - 1 WHERE id = %s", [e.pk])
    _verify_fails_naming(victim.seq)


def test_entries_cut_from_the_end_are_noticed(persona):
    entries = _write_entries(persona)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [entries[-1].pk])
    message = _verify_fails_naming(None)
    assert "cut from the end" in message


def test_reordered_entries_are_named(persona):
    entries = _write_entries(persona)
    a, b = entries[1], entries[2]
    with connection.cursor() as cursor:
        # Swap the two rows' places in the chain (their sequence numbers).
        cursor.execute(f"UPDATE {TABLE} SET seq = %s WHERE id = %s", [10**9, a.pk])
        cursor.execute(f"UPDATE {TABLE} SET seq = %s WHERE id = %s", [a.seq, b.pk])
        cursor.execute(f"UPDATE {TABLE} SET seq = %s WHERE id = %s", [b.seq, a.pk])
    message = _verify_fails_naming(a.seq)
    assert "reordered" in message or "previous-hash" in message


def test_an_inserted_entry_is_named(persona):
    entries = _write_entries(persona)
    after = entries[1]
    forged = AuditEntry(
        seq=after.seq + 1,
        timestamp=after.timestamp,
        actor_username="intruder",
        action=AuditAction.READ,
        prev_hash=after.hash,
    )
    forged.hash = audit.compute_hash(forged)
    with connection.cursor() as cursor:
        for e in reversed(entries[2:]):
            cursor.execute(f"UPDATE {TABLE} SET seq = seq + 1 WHERE id = %s", [e.pk])
    forged.save(force_insert=True)
    # The forged entry is well formed, but the genuine one after it no longer links to it.
    _verify_fails_naming(after.seq + 2)


def test_the_orm_refuses_to_change_or_delete_an_entry(persona):
    entry = _write_entries(persona, 1)[0]
    entry.purpose = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()


def test_reading_personal_data_requires_a_purpose(persona):
    user = persona("safeguarding.pref")
    with pytest.raises(audit.PurposeRequired):
        audit.record_read(user, user, purpose="   ")
    entry = audit.record_read(user, user, purpose="safeguarding referral check")
    assert entry.purpose == "safeguarding referral check"
    assert entry.agency_code == "PREF62"


def test_a_write_and_its_entry_commit_together(persona):
    author = persona("gold.kent")
    before = AuditHead.objects.get().seq
    bulletin = services.create_bulletin(
        acting_user=author, title="Joint patrol", body="Ring road, 22:00.", language="en"
    )
    entry = AuditEntry.objects.get(seq=before + 1)
    assert entry.action == AuditAction.CREATE
    assert entry.object_type == "core.bulletin"
    assert entry.object_id == str(bulletin.pk)
    assert entry.actor_username == "gold.kent"
    assert entry.changes["after"]["title"] == "Joint patrol"


def test_a_refused_write_leaves_neither_row_nor_entry(persona):
    author = persona("gold.kent")
    head = AuditHead.objects.get().seq
    rows = Bulletin.objects.count()
    with pytest.raises(ValidationError):
        services.create_bulletin(
            acting_user=author, title="x" * 500, body="too long a title", language="en"
        )
    assert Bulletin.objects.count() == rows
    assert AuditHead.objects.get().seq == head
    assert not AuditEntry.objects.filter(seq=head + 1).exists()


def test_an_update_records_before_and_after(persona):
    author = persona("gold.kent")
    bulletin = services.create_bulletin(
        acting_user=author, title="Patrol", body="22:00", language="en"
    )
    services.update_bulletin(bulletin, acting_user=author, body="23:00")
    entry = AuditEntry.objects.filter(action=AuditAction.UPDATE).latest("seq")
    assert entry.changes["body"] == ["22:00", "23:00"]
    assert "title" not in entry.changes
