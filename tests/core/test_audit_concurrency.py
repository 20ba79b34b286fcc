"""Several workers writing at once still make one unbroken chain.

Each thread has its own database connection, as each worker process has in production; the
lock on the chain head serialises the appends (SELECT ... FOR UPDATE on PostgreSQL; SQLite's
write lock, taken at BEGIN IMMEDIATE, on the file database the tests use).
"""

from __future__ import annotations

import threading

import pytest
from django.db import connections, transaction

from entente.core import audit
from entente.core.choices import AuditAction
from entente.core.models import AuditEntry

WRITERS = 4
EACH = 40


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_the_chain_whole():
    start = AuditEntry.objects.count()
    errors: list[BaseException] = []
    barrier = threading.Barrier(WRITERS)

    def write(n: int) -> None:
        try:
            barrier.wait()
            for i in range(EACH):
                with transaction.atomic():
                    audit.record(
                        None,
                        AuditAction.READ,
                        object_type="test",
                        object_id=f"{n}-{i}",
                        purpose="race",
                    )
        except BaseException as exc:  # reported to the main thread below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert AuditEntry.objects.count() == start + WRITERS * EACH
    report = audit.verify_chain()
    assert report.ok, report.problem
    assert report.checked == start + WRITERS * EACH
