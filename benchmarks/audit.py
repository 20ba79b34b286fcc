"""The audit trail's write and verify rates.

Every write in Entente appends one hash-chained audit entry under a lock on the chain head,
inside the writer's transaction. This measures what that costs against the anchor the design
names: one plain INSERT + COMMIT per event (~1,800/s on PostgreSQL on this machine class),
measured here in the same run on the same database, with a row of the same width.

    make bench NAME=audit [BENCH_ARGS=--quick]          # SQLite
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test make bench NAME=audit
"""

from __future__ import annotations

import itertools
import time

from _harness import database, parse, rate, report


def main() -> None:
    args = parse(__doc__ or "")
    n = 1500 if args.quick else 15000
    with database():
        from django.db import connection, transaction

        from entente.core import audit
        from entente.core.choices import AuditAction

        counter = itertools.count()
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TABLE bench_plain (id integer PRIMARY KEY, ts varchar(40),"
                " actor varchar(150), action varchar(20), object_type varchar(100),"
                " object_id varchar(64),"
                " purpose varchar(200), changes text, h varchar(64))"
            )

        def plain() -> None:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO bench_plain VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    [
                        next(counter),
                        "2015-08-20T10:00:00+00:00",
                        "system",
                        "read",
                        "core.user",
                        "1",
                        "benchmark",
                        '{"k": 1}',
                        "0" * 64,
                    ],
                )

        def audited() -> None:
            with transaction.atomic():
                audit.record(
                    None,
                    AuditAction.READ,
                    object_type="core.user",
                    object_id="1",
                    purpose="benchmark",
                    changes={"k": 1},
                )

        plain_rate = rate(n, plain)
        audit_rate = rate(n, audited)
        start = time.perf_counter()
        result = audit.verify_chain()
        verify_rate = result.checked / (time.perf_counter() - start)
        assert result.ok, result.problem
        report(
            "audit",
            {
                "database": connection.vendor,
                "entries": n,
                "audit_writes_per_s": round(audit_rate),
                "plain_insert_commit_per_s": round(plain_rate),
                "verify_entries_per_s": round(verify_rate),
            },
            "plain INSERT + COMMIT per event, same database, same run",
            audit_rate / plain_rate,
        )


if __name__ == "__main__":
    main()
