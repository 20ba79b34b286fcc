"""Alert intake rate: HTTP batches through the whole Django stack into the database.

Entente's rate (batches of 1,000 alerts POSTed to /api/v1/alerts, with idempotency and
correlation on, through the in-process WSGI handler) is compared, in the same run and on the
same database, with a raw psycopg COPY BINARY of the same rows (the anchor; executemany on
SQLite, which has no COPY) and with Django's bulk_create.

    make bench NAME=ingest [BENCH_ARGS=--quick]                              # SQLite
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test make bench NAME=ingest
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time

from _harness import database, parse, report

BATCH = 1000


def main() -> None:
    args = parse(__doc__ or "")
    n = 20_000 if args.quick else 200_000
    with database():
        from django.db import connection, transaction
        from django.test import Client

        from entente.control_room.models import Alert, Sensor
        from entente.core import services
        from entente.core.choices import Module, Role
        from entente.core.models import Agency
        from entente.demo.load import load_control_room, load_reference

        load_reference()
        load_control_room()
        account = services.create_user(
            username="bench.sensors",
            agency=Agency.objects.get(code="EUROTUNNEL"),
            acting_user=None,
            is_service_account=True,
            roles={Module.CONTROL_ROOM: Role.EDITOR},
        )
        _, token = services.create_api_token(account, name="bench", acting_user=None)
        sensors = list(Sensor.objects.values_list("code", "pk"))
        rng = random.Random(1)
        start = dt.datetime(2015, 7, 1, tzinfo=dt.UTC)

        def alerts(prefix: str) -> list[dict[str, object]]:
            out = []
            for i in range(n):
                code, _pk = sensors[i % len(sensors)]
                at = start + dt.timedelta(seconds=i * 3 + rng.randint(0, 2))
                out.append(
                    {
                        "sensor": code,
                        "event_id": f"{prefix}-{i}",
                        "occurred_at": at.isoformat(),
                        "kind": "intrusion",
                        "confidence": round(rng.random(), 2),
                    }
                )
            return out

        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        payload = alerts("http")
        bodies = [json.dumps(payload[i : i + BATCH]) for i in range(0, n, BATCH)]
        t0 = time.perf_counter()
        for body in bodies:
            response = client.post("/api/v1/alerts", data=body, content_type="application/json")
            assert response.status_code == 200 and response.json()["accepted"] == BATCH, (
                response.content[:300]
            )
        http_rate = n / (time.perf_counter() - t0)

        # Anchor: the same rows written raw, in the same batch size, committed per batch.
        pk_of = dict(sensors)
        now = dt.datetime.now(dt.UTC)
        raw_rows = [
            (
                pk_of[a["sensor"]],
                f"raw-{i}",
                dt.datetime.fromisoformat(str(a["occurred_at"])),
                now,
                "intrusion",
                a["confidence"],
                "{}",
                None,
            )
            for i, a in enumerate(payload)
        ]
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TABLE bench_alert AS SELECT sensor_id, event_id, occurred_at,"
                " received_at, kind, confidence, details, incident_id"
                " FROM control_room_alert WHERE false"
            )
        t0 = time.perf_counter()
        for i in range(0, n, BATCH):
            with transaction.atomic(), connection.cursor() as cursor:
                chunk = raw_rows[i : i + BATCH]
                if connection.vendor == "postgresql":
                    from psycopg.types.json import Jsonb

                    with cursor.cursor.copy("COPY bench_alert FROM STDIN (FORMAT BINARY)") as copy:
                        copy.set_types(
                            [
                                "int8",
                                "text",
                                "timestamptz",
                                "timestamptz",
                                "text",
                                "float8",
                                "jsonb",
                                "int8",
                            ]
                        )
                        for r in chunk:
                            copy.write_row((*r[:6], Jsonb({}), r[7]))
                else:
                    ops = connection.ops
                    cursor.executemany(
                        "INSERT INTO bench_alert VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                        [
                            (
                                r[0],
                                r[1],
                                ops.adapt_datetimefield_value(r[2]),
                                ops.adapt_datetimefield_value(r[3]),
                                *r[4:],
                            )
                            for r in chunk
                        ],
                    )
        raw_rate = n / (time.perf_counter() - t0)

        t0 = time.perf_counter()
        for i in range(0, n, BATCH):
            with transaction.atomic():
                Alert.objects.bulk_create(
                    [
                        Alert(
                            sensor_id=r[0],
                            event_id=f"orm-{i + j}",
                            occurred_at=r[2],
                            received_at=r[3],
                            kind=r[4],
                            confidence=r[5],
                            details={},
                        )
                        for j, r in enumerate(raw_rows[i : i + BATCH])
                    ]
                )
        orm_rate = n / (time.perf_counter() - t0)
        report(
            "ingest",
            {
                "database": connection.vendor,
                "alerts": n,
                "batch": BATCH,
                "entente_http_alerts_per_s": round(http_rate),
                "raw_copy_alerts_per_s"
                if connection.vendor == "postgresql"
                else "raw_executemany_alerts_per_s": round(raw_rate),
                "bulk_create_alerts_per_s": round(orm_rate),
            },
            "raw COPY BINARY of the same rows (executemany on SQLite), same run",
            http_rate / raw_rate,
        )


if __name__ == "__main__":
    main()
