"""Alert intake rate: HTTP batches through the whole Django stack into the database.

Entente's rate is measured as it is deployed: ``entente serve`` (granian over WSGI, one worker
per core as the deployment guide sizes it, the connection pool on), with each site's sensor
gateway (Coquelles, the port, Folkestone: the demo's sensors by site) POSTing batches of 1,000
of its sensors' alerts to /api/v1/alerts on a keep-alive connection of its own, the three at
once, idempotency and correlation on. It is compared, in the same run and on the same database,
with a raw psycopg COPY BINARY of the same rows into a table of the same columns (the anchor:
one stream, as the issue states it; executemany on SQLite, which has no COPY) and with Django's
bulk_create. Entente's rate and the anchor's are each the median of three rounds, run in turn
(``rounds`` lists them all): this machine is shared, and one round can run a quarter slower
than the next.

Also measured, one batch at a time through the in-process WSGI handler (Django's test client):
``in_process_alerts_per_s``, the rate of a single sender with nothing else running, where the
intake's Python and the database take turns. Its anchor is also timed interleaved with it,
batch by batch (``in_process_ratio_interleaved``): on a shared machine the load can move the
anchor threefold between two measurements minutes apart.

Then the alert table is filled to STORED alerts (10 million; 1 million with --quick), written by
the database server itself (INSERT ... SELECT generate_series, in one-million-row transactions,
with every index and foreign key in place, then VACUUM ANALYZE as autovacuum would), and the
served rate is measured again: it must not fall below 0.8 of the empty-table rate.

Also printed, to say where the time goes: a COPY of the same rows into a copy of the alert
table with its indexes, foreign keys and the triggers that check its references (the floor any
intake into this table pays), the CPU time per alert of the server's processes and of its
database backends (and, in process, of this process and its backend), and the SQLite rate (a
second run of this script on SQLite, in a subprocess, in process: SQLite writes one transaction
at a time).

Event ids grow per sensor, as sensors' counters and clocks make them (``--random-ids`` draws
them at random instead, the unkind case for the unique index at scale).

    make bench NAME=ingest [BENCH_ARGS=--quick]                              # SQLite
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench make bench NAME=ingest
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import threading
import time
import uuid
from typing import Any

from _faults import free_port
from _harness import (
    backends_cpu,
    cpu_seconds,
    database,
    entente_process,
    parse,
    report,
    stop,
    tree_cpu,
    wait_until,
)

BATCH = 1000
ROUNDS = 3
# entente serve's workers: one per core, as the deployment guide sizes them.
WORKERS = os.cpu_count() or 1
CHUNK = 1_000_000


def options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stored", type=int, help="alerts stored before the second run")
    parser.add_argument("--random-ids", action="store_true", help="random event ids")
    parser.add_argument(
        "--sqlite-only", action="store_true", help="(internal) only the empty-table HTTP rate"
    )


def cpu_now() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def median_run(runs: list[dict[str, float]]) -> dict[str, float]:
    """The run of median rate."""
    return sorted(runs, key=lambda run: run["rate"])[len(runs) // 2]


def sqlite_rate(quick: bool) -> int | None:
    """The empty-table HTTP rate on SQLite, from a run of this script without DATABASE_URL."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.pop("ENTENTE_DATA_DIR", None)
    argv = [sys.executable, __file__, "--sqlite-only", *(["--quick"] if quick else [])]
    done = subprocess.run(  # noqa: S603 - our interpreter, this script
        argv, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("{"):
            return int(json.loads(line)["metrics"]["entente_http_alerts_per_s"])
    print(done.stderr[-2000:], file=sys.stderr)
    return None


def main() -> None:
    args = parse(__doc__ or "", options)
    # --quick: enough for the served rate to be more than its start (about half a second).
    n = 60_000 if args.quick else 200_000
    stored_target = args.stored if args.stored is not None else (10**6 if args.quick else 10**7)
    with database():
        from django.db import connection, transaction
        from django.test import Client

        from entente.control_room.models import Alert, Incident, Sensor
        from entente.core import services
        from entente.core.choices import Module, Role
        from entente.core.models import Agency
        from entente.demo.load import load_control_room, load_reference

        postgres = connection.vendor == "postgresql"
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

        def event_id(phase: str, i: int) -> str:
            return (
                uuid.UUID(int=rng.getrandbits(128)).hex if args.random_ids else f"{phase}{i:011d}"
            )

        # The sensors by site: each site's gateway sends its own sensors' alerts.
        sites: dict[int, list[str]] = {}
        for code, site in Sensor.objects.order_by("pk").values_list("code", "zone__site_id"):
            sites.setdefault(site, []).append(code)
        gateways = list(sites.values())

        def alerts(phase: str, start: dt.datetime) -> list[dict[str, Any]]:
            """N alerts in batches of BATCH, each batch from one site's sensors (the sites
            in turn), about three seconds apart."""
            out = []
            for i in range(n):
                batch, k = divmod(i, BATCH)
                codes = gateways[batch % len(gateways)]
                at = start + dt.timedelta(seconds=i * 3 + rng.randint(0, 2))
                out.append(
                    {
                        "sensor": codes[k % len(codes)],
                        "event_id": event_id(phase, i),
                        "occurred_at": at.isoformat().replace("+00:00", "Z"),
                        "kind": "intrusion",
                        "confidence": round(rng.random(), 2),
                    }
                )
            return out

        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        with connection.cursor() as cursor:
            if postgres:
                cursor.execute("SELECT pg_backend_pid()")
                backend = int(cursor.fetchone()[0])
            else:
                backend = os.getpid()  # SQLite works inside this process

        def checkpoint() -> None:
            """Both measured runs start just after a checkpoint, so neither pays more of the
            full-page writes that follow one (the store's fill writes gigabytes of WAL)."""
            if postgres:
                with connection.cursor() as cursor:
                    try:
                        cursor.execute("CHECKPOINT")
                    except Exception:  # not allowed to this account: measure as it comes
                        print("no CHECKPOINT (not allowed)", file=sys.stderr)

        # The anchor: the same rows written raw, in the same batch size, committed per batch,
        # into a table of the same columns, once after the HTTP run (the headline ratio) and
        # once interleaved with it, batch by batch (ratio_interleaved: the same machine load
        # for both). Then the same into a copy of the alert table with its indexes and foreign
        # keys, to show what the table itself costs.
        pk_of = dict(sensors)
        now = dt.datetime.now(dt.UTC)
        raw_rows = [
            (
                pk_of[a["sensor"]],
                a["event_id"],
                dt.datetime.fromisoformat(str(a["occurred_at"])),
                now,
                "intrusion",
                a["confidence"],
                "{}",
                None,
            )
            for a in alerts("r", dt.datetime(2015, 7, 1, tzinfo=dt.UTC))
        ]
        columns = (
            "sensor_id, event_id, occurred_at, received_at, kind, confidence, details, incident_id"
        )
        with connection.cursor() as cursor:
            for table in ("bench_alert", "bench_alert_interleaved"):
                cursor.execute(
                    f"CREATE TABLE {table} AS SELECT {columns} FROM control_room_alert WHERE false"
                )
            if postgres:
                cursor.execute(
                    "CREATE TABLE bench_alert_full (LIKE control_room_alert INCLUDING ALL)"
                )
                cursor.execute(
                    "SELECT pg_get_constraintdef(oid) FROM pg_constraint"
                    " WHERE conrelid = 'control_room_alert'::regclass AND contype = 'f'"
                )
                for (definition,) in cursor.fetchall():
                    cursor.execute(f"ALTER TABLE bench_alert_full ADD {definition}")
                # The checks that stand for foreign keys (statement triggers), the same way.
                cursor.execute(
                    "SELECT pg_get_triggerdef(oid) FROM pg_trigger"
                    " WHERE tgrelid = 'control_room_alert'::regclass AND NOT tgisinternal"
                )
                for (definition,) in cursor.fetchall():
                    cursor.execute(
                        definition.replace(
                            " ON public.control_room_alert ", " ON bench_alert_full "
                        ).replace(" ON control_room_alert ", " ON bench_alert_full ")
                    )

        def copy_batch(table: str, i: int) -> None:
            """Rows i to i + BATCH into ``table``, committed."""
            with transaction.atomic(), connection.cursor() as cursor:
                chunk = raw_rows[i : i + BATCH]
                if postgres:
                    from psycopg.types.json import Jsonb

                    with cursor.cursor.copy(
                        f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)"
                    ) as copy:
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
                        f"INSERT INTO {table} VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
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

        def copy_rate(table: str) -> float:
            t0 = time.perf_counter()
            for i in range(0, n, BATCH):
                copy_batch(table, i)
            return n / (time.perf_counter() - t0)

        def http_run(payload: list[dict[str, Any]], anchor: str | None = None) -> dict[str, float]:
            """Entente's rate; with ``anchor``, each batch is followed by the anchor's COPY of
            the same batch into that table, timed apart: both then see the same machine (this
            one is shared, and its load moves the anchor by a factor of three)."""
            bodies = [json.dumps(payload[i : i + BATCH]) for i in range(0, n, BATCH)]
            # One small batch first, not timed: the first request of a process loads the URL
            # configuration and the API's modules: a start-up cost, not a rate.
            warm = [{**a, "event_id": f"warm-{a['event_id']}"} for a in payload[:10]]
            response = client.post(
                "/api/v1/alerts", data=json.dumps(warm), content_type="application/json"
            )
            assert response.status_code == 200, response.content[:300]
            accepted = f'"accepted":{BATCH},'.encode()
            checkpoint()
            wall = cpu = db = anchor_wall = 0.0
            for i, body in zip(range(0, n, BATCH), bodies, strict=True):
                cpu0, db0, t0 = cpu_now(), cpu_seconds(backend) or 0.0, time.perf_counter()
                response = client.post("/api/v1/alerts", data=body, content_type="application/json")
                wall += time.perf_counter() - t0
                cpu += cpu_now() - cpu0
                db += (cpu_seconds(backend) or 0.0) - db0
                assert response.status_code == 200, response.content[:300]
                # The count, read without parsing the thousand results (the anchor parses
                # nothing either); the answer's shape is the tests' business.
                assert response.content.startswith(b"{" + accepted), response.content[:300]
                if anchor:
                    t0 = time.perf_counter()
                    copy_batch(anchor, i)
                    anchor_wall += time.perf_counter() - t0
            out = {"rate": n / wall, "client_cpu_us": cpu / n * 1e6}
            if anchor:
                out["anchor_rate"] = n / anchor_wall
            if postgres and cpu_seconds(backend) is not None:
                out["db_cpu_us"] = db / n * 1e6
            return out

        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

        def post(conn: http.client.HTTPConnection, body: bytes) -> tuple[int, bytes]:
            """One batch POSTed to the intake: the answer's status and body."""
            conn.request("POST", "/api/v1/alerts", body=body, headers=headers)
            response = conn.getresponse()
            return response.status, response.read()

        def start_server() -> tuple[subprocess.Popen[str], int]:
            """``entente serve`` as deployed: a worker per core, the connection pool on."""
            port = free_port()
            process = entente_process(
                "serve",
                "--no-live",
                "--port",
                str(port),
                "--workers",
                str(WORKERS),
                env={"ENTENTE_DB_POOL": "1", "ENTENTE_LOG_LEVEL": "ERROR"},
            )

            def warm() -> bool:
                """Each worker's first requests load the URL configuration, the API's modules
                and the intake's: a start-up cost, not a rate. Small real batches, on new
                connections, which go to the workers in turn."""
                for k in range(4 * WORKERS):
                    batch = [
                        {
                            "sensor": gateways[0][0],
                            "event_id": f"warm-{k}-{i}",
                            "occurred_at": f"2015-06-01T00:00:{i:02d}Z",
                            "kind": "intrusion",
                            "confidence": 0.5,
                        }
                        for i in range(10)
                    ]
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    try:
                        status, _answer = post(conn, json.dumps(batch).encode())
                    except OSError:
                        return False
                    finally:
                        conn.close()
                    if status != 200:
                        return False
                return True

            if not wait_until(warm, 60, every=0.25):
                sys.exit("the server did not start:\n" + stop(process))
            return process, port

        def served_run(
            served_by: tuple[subprocess.Popen[str], int] | None, payload: list[dict[str, Any]]
        ) -> dict[str, float]:
            """The rate through ``entente serve``: each site's gateway POSTs its batches on a
            keep-alive connection of its own, all sites at once, as they would. (SQLite, which
            writes one transaction at a time, is measured in this process instead.)"""
            if served_by is None:
                return http_run(payload)
            server, port = served_by
            bodies: list[list[bytes]] = [[] for _ in gateways]
            for b, i in enumerate(range(0, n, BATCH)):
                bodies[b % len(gateways)].append(json.dumps(payload[i : i + BATCH]).encode())
            accepted = f'{{"accepted":{BATCH},'.encode()
            failures: list[str] = []

            def gateway(batches: list[bytes]) -> None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                try:
                    for body in batches:
                        status, answer = post(conn, body)
                        if status != 200 or not answer.startswith(accepted):
                            failures.append(f"{status} {answer[:300]!r}")
                            return
                finally:
                    conn.close()

            checkpoint()
            threads = [threading.Thread(target=gateway, args=(b,)) for b in bodies]
            server_cpu0, db_cpu0 = tree_cpu(server.pid), backends_cpu()
            t0 = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wall = time.perf_counter() - t0
            server_cpu = tree_cpu(server.pid) - server_cpu0
            db_cpu = sum(t - db_cpu0.get(pid, 0.0) for pid, t in backends_cpu().items())
            assert not failures, failures[0]
            return {
                "rate": n / wall,
                "server_cpu_us": server_cpu / n * 1e6,
                "db_cpu_us": db_cpu / n * 1e6,
            }

        first = http_run(
            alerts("a", dt.datetime(2015, 7, 1, tzinfo=dt.UTC)),
            anchor=None if args.sqlite_only else "bench_alert_interleaved",
        )
        if args.sqlite_only:
            report(
                "ingest",
                {
                    "database": connection.vendor,
                    "alerts": n,
                    "entente_http_alerts_per_s": round(first["rate"]),
                },
                "(SQLite-only run, read by the PostgreSQL run)",
                0.0,
            )
            return

        served_by = start_server() if postgres else None
        try:
            # Rounds in turn, Entente's then the anchor's: the median of each (this machine is
            # shared, and a round can run a quarter slower than the next).
            served_rounds, raw_rounds = [], []
            for r in range(ROUNDS):
                start = dt.datetime(2015, 8, 1, tzinfo=dt.UTC) + dt.timedelta(days=10 * r)
                served_rounds.append(served_run(served_by, alerts(f"s{r}", start)))
                raw_rounds.append(copy_rate("bench_alert"))
            served = median_run(served_rounds)
            raw_rate = statistics.median(raw_rounds)
            full_rate = copy_rate("bench_alert_full") if postgres else None

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

            # The store, filled by the database server itself: closed incidents of the summer
            # before, a thousand alerts each, with ids in the same form as the measured ones.
            t_fill = time.perf_counter()
            already = Alert.objects.count()
            to_add = max(0, stored_target - already)
            zones = list(Sensor.objects.values_list("pk", "zone_id", "owner_id"))
            template = Incident.objects.order_by("pk").first()
            assert template is not None
            incident_ids = _fill(connection, to_add, zones, template, args.random_ids)
            stored = Alert.objects.count()
            fill_s = time.perf_counter() - t_fill

            second = median_run(
                [
                    served_run(
                        served_by,
                        alerts(
                            f"c{r}",
                            dt.datetime(2015, 9, 1, tzinfo=dt.UTC) + dt.timedelta(days=10 * r),
                        ),
                    )
                    for r in range(ROUNDS)
                ]
            )
        finally:
            if served_by is not None:
                stop(served_by[0])
        sqlite = sqlite_rate(args.quick) if postgres else None
        rate = served["rate"]
        metrics: dict[str, Any] = {
            "database": connection.vendor,
            "alerts": n,
            "batch": BATCH,
            "event_ids": "random" if args.random_ids else "growing per sensor",
            "gateways": len(gateways),
            "entente_http_alerts_per_s": round(rate),
            f"{'raw_copy' if postgres else 'raw_executemany'}_alerts_per_s": round(raw_rate),
            "rounds": {
                "entente": [round(run["rate"]) for run in served_rounds],
                "anchor": [round(x) for x in raw_rounds],
            },
        }
        if full_rate:
            metrics["copy_into_alert_table_alerts_per_s"] = round(full_rate)
        metrics |= {
            "bulk_create_alerts_per_s": round(orm_rate),
            "stored_before_second_run": stored,
            "fill_seconds": round(fill_s, 1),
            "historic_incidents": incident_ids,
            "entente_http_alerts_per_s_with_store": round(second["rate"]),
            "with_store_vs_empty": round(second["rate"] / rate, 3),
        }
        if "server_cpu_us" in served:
            metrics |= {
                f"{name}_cpu_us_per_alert{suffix}": round(run[f"{name}_cpu_us"], 1)
                for name in ("server", "db")
                for suffix, run in (("", served), ("_with_store", second))
            }
        metrics |= {
            "in_process_alerts_per_s": round(first["rate"]),
            "in_process_ratio": round(first["rate"] / raw_rate, 3),
            "raw_interleaved_alerts_per_s": round(first["anchor_rate"]),
            "in_process_ratio_interleaved": round(first["rate"] / first["anchor_rate"], 3),
            "in_process_client_cpu_us_per_alert": round(first["client_cpu_us"], 1),
        }
        if "db_cpu_us" in first:
            metrics["in_process_db_cpu_us_per_alert"] = round(first["db_cpu_us"], 1)
        if full_rate:
            metrics["table_floor_ratio"] = round(full_rate / raw_rate, 3)
        if sqlite is not None:
            metrics["sqlite_http_alerts_per_s"] = sqlite
        report(
            "ingest",
            metrics,
            "raw COPY BINARY of the same rows into a table of the same columns, same run "
            "(executemany on SQLite)",
            rate / raw_rate,
        )


def _fill(
    connection: Any,
    count: int,
    sensors: list[tuple[int, int, int]],
    template: Any,
    random_ids: bool,
    per_incident: int = 1000,
) -> int:
    """Add ``count`` alerts (and a closed incident per thousand) server-side; returns the
    number of incidents added."""
    if count <= 0:
        return 0
    from django.db import transaction

    incidents = (count + per_incident - 1) // per_incident
    n_sensors = len(sensors)
    sensor_ids = "ARRAY[" + ",".join(str(s[0]) for s in sensors) + "]"
    zone_ids = "ARRAY[" + ",".join(str(s[1]) for s in sensors) + "]"
    owner_ids = "ARRAY[" + ",".join(str(s[2]) for s in sensors) + "]"
    postgres = connection.vendor == "postgresql"
    start = "'2014-06-01T00:00:00+00:00'"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM control_room_incident")
        base = int(cursor.fetchone()[0])
        if postgres:
            cursor.execute(
                f"""
                INSERT INTO control_room_incident
                  (id, classification, releasability, tlp, originator_id, created_by_id,
                   created_at, updated_at, zone_id, kind, severity, state, opened_at,
                   last_alert_at, alert_count, closed_at)
                SELECT {base} + g, %s, %s, %s, ({owner_ids})[1 + (g %% {n_sensors})], NULL,
                       {start}::timestamptz + g * interval '50 minutes',
                       {start}::timestamptz + g * interval '50 minutes',
                       ({zone_ids})[1 + (g %% {n_sensors})], 'intrusion', 2, 'closed',
                       {start}::timestamptz + g * interval '50 minutes',
                       {start}::timestamptz + g * interval '50 minutes' + interval '20 minutes',
                       {per_incident},
                       {start}::timestamptz + g * interval '50 minutes' + interval '40 minutes'
                FROM generate_series(1, %s) AS g
                """,
                [template.classification, "FR,UK", template.tlp, incidents],
            )
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('control_room_incident', 'id'), %s)",
                [base + incidents],
            )
    # Alerts in transactions of a million, as a busy intake would have written them over
    # time; each alert belongs to the incident of its thousand and to that incident's zone.
    event = "md5(g::text)" if random_ids else "'b' || lpad(g::text, 11, '0')"
    done = 0
    while done < count:
        size = min(CHUNK, count - done)
        with transaction.atomic(), connection.cursor() as cursor:
            if postgres:
                cursor.execute(
                    f"""
                    INSERT INTO control_room_alert
                      (sensor_id, event_id, occurred_at, received_at, kind, confidence,
                       details, incident_id)
                    SELECT ({sensor_ids})[1 + ((1 + g / {per_incident}) %% {n_sensors})],
                           {event},
                           {start}::timestamptz + (g / {per_incident}) * interval '50 minutes'
                             + (g %% {per_incident}) * interval '1 second',
                           {start}::timestamptz + (g / {per_incident}) * interval '50 minutes'
                             + (g %% {per_incident}) * interval '1 second',
                           'intrusion', 0.5, '{{}}'::jsonb,
                           {base} + 1 + g / {per_incident}
                    FROM generate_series(%s, %s) AS g
                    """,
                    [done, done + size - 1],
                )
            else:
                cursor.execute(
                    f"""
                    WITH RECURSIVE g(x) AS (SELECT %s UNION ALL SELECT x + 1 FROM g WHERE x < %s)
                    INSERT INTO control_room_alert
                      (sensor_id, event_id, occurred_at, received_at, kind, confidence,
                       details, incident_id)
                    SELECT {sensors[0][0]}, 'b' || printf('%%011d', x), '2014-06-01 00:00:00',
                           '2014-06-01 00:00:00', 'intrusion', 0.5, '{{}}', NULL
                    FROM g
                    """,
                    [done, done + size - 1],
                )
        done += size
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute("VACUUM ANALYZE control_room_alert")
            cursor.execute("VACUUM ANALYZE control_room_incident")
        else:
            cursor.execute("ANALYZE")
    return incidents if postgres else 0


if __name__ == "__main__":
    main()
