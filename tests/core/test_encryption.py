"""Special-category fields are encrypted at rest, never written in the clear (database, audit
trail), bound to their column, and survive a key rotation (``entente rotate_keys``)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from entente.core import audit, crypto
from entente.core.models import Agency, AuditEntry
from entente.safeguarding.models import Person

CANARY = "CANARY-7f3a9c-Zanzibar"


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Run with master keys from the environment, switchable within the test."""

    def use(*specs: str) -> None:
        monkeypatch.setenv("ENTENTE_DATA_KEYS", ",".join(specs))
        crypto.keyring.cache_clear()

    k1 = crypto.new_key_spec("k1")
    use(k1)
    yield use, k1
    crypto.keyring.cache_clear()


def _person(code: str = "SG-TEST-1") -> Person:
    person = Person(
        case_code=code,
        name=f"Name {CANARY}",
        name_purpose="needed for the asylum application",
        birth_date="2001-02-03",
        age_band="18-24",
        gender="f",
        vulnerable=True,
        indicators=["pregnant", CANARY],
        details=f"Details {CANARY}",
        releasability={"FR"},
        originator=Agency.objects.get(code="LVA"),
    )
    person.save()
    return person


def _raw_row(pk: int) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT case_code, name, birth_date, indicators, details FROM safeguarding_person "
            "WHERE id = %s",
            [pk],
        )
        row = cursor.fetchone()
    return b"|".join(bytes(v) if not isinstance(v, str) else v.encode() for v in row)


@pytest.mark.django_db
def test_a_canary_is_stored_sealed_and_read_back_in_the_clear(keys: Any) -> None:
    person = _person()
    audit.record_create(None, person)
    raw = _raw_row(person.pk)
    assert CANARY.encode() not in raw
    assert b"2001-02-03" not in raw
    again = Person.objects.get(pk=person.pk)
    assert again.name == f"Name {CANARY}"
    assert again.indicators == ["pregnant", CANARY]
    assert again.birth_date == "2001-02-03"
    # The audit trail records the creation without the encrypted fields.
    entry = AuditEntry.objects.filter(object_type="safeguarding.person").latest("seq")
    assert CANARY not in str(entry.changes)
    assert "name" not in entry.changes["after"]


def test_a_sealed_value_opens_only_in_its_own_column(keys: Any) -> None:
    sealed = crypto.seal(b"secret", "safeguarding.Person.details")
    assert crypto.open_sealed(sealed, "safeguarding.Person.details") == b"secret"
    with pytest.raises(crypto.DecryptionError):
        crypto.open_sealed(sealed, "safeguarding.Person.name")
    tampered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(crypto.DecryptionError):
        crypto.open_sealed(tampered, "safeguarding.Person.details")


@pytest.mark.django_db
def test_rotation_rewraps_every_value_so_the_old_key_can_go(keys: Any) -> None:
    use, k1 = keys
    person = _person()
    k2 = crypto.new_key_spec("k2")
    use(k2, k1)
    out = io.StringIO()
    call_command("rotate_keys", stdout=out)
    assert "all values under key k2" in out.getvalue()
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, details FROM safeguarding_person WHERE id = %s", [person.pk])
        name, details = cursor.fetchone()
    assert crypto.key_id(bytes(name)) == crypto.key_id(bytes(details)) == "k2"
    use(k2)  # the old key is dropped: everything still opens
    assert Person.objects.get(pk=person.pk).details == f"Details {CANARY}"
    use(k1)  # and the old key alone no longer does
    with pytest.raises(crypto.DecryptionError):
        Person.objects.get(pk=person.pk)
