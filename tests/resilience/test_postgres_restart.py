"""Fault: PostgreSQL goes down (an immediate stop: its processes killed, crash recovery on the
way back) and comes back while sensors post alerts to a server running as in production (a
connection pool). Requests during the outage get a clear 503 problem, never a server error; the
server serves again by itself once the database is back; every acknowledged alert survives
(PostgreSQL's write-ahead log) and none is stored twice.

The cluster is one of the test's own, on a free port, so that the suite's own PostgreSQL is
never stopped; the test runs in both suites (SQLite and PostgreSQL) since it brings it.
"""

from __future__ import annotations

import json
from typing import Any

from benchmarks._harness import wait_until

from tests.resilience.conftest import (
    RESUME_TIMEOUT,
    Cluster,
    Server,
    figures,
    now,
    process_env,
    run_id,
    seconds,
    tally,
)


def test_a_postgresql_restart_loses_no_acknowledged_alert_and_service_resumes_by_itself(
    own_postgres: tuple[Cluster, str], tmp_path: Any, sensor_factory: Any
) -> None:
    import psycopg

    cluster, token = own_postgres
    # As in production: the connection pool (ENTENTE_DB_POOL), whose connections all break.
    env = process_env(cluster.url(), ENTENTE_DB_POOL="1", ENTENTE_DB_POOL_MIN="2")
    server = Server(env, tmp_path / "serve.log", workers=1)
    try:
        server.wait_healthy()
        run = run_id()
        sensor = sensor_factory(port=server.port, token=token, run=run, pace=10, timeout=120)
        assert wait_until(lambda: sensor.batches_done >= 5, RESUME_TIMEOUT), server.output()

        wait_until(sensor.busy.is_set, 10, every=0.001)
        down = now()
        cluster.stop("immediate")
        assert wait_until(lambda: sensor.statuses_between(down)[503] >= 3, RESUME_TIMEOUT), (
            f"{sensor.statuses_between(down)}\n{server.output()}"
        )
        up = now()
        cluster.start()
        ready = now()  # accepting connections again, its crash recovery done
        assert wait_until(lambda: sensor.first_success_after(up), RESUME_TIMEOUT), server.output()
        resumed = sensor.first_success_after(up)
        batches = sensor.batches_done
        assert wait_until(lambda: sensor.batches_done >= batches + 5, RESUME_TIMEOUT)
        sensor.stop()
        assert server.alive(), server.output()
    finally:
        server.stop()

    with psycopg.connect(cluster.url()) as conn, conn.cursor() as cursor:
        counts = tally(cursor, f"{run}-", sensor.acknowledged)
    failures = sensor.failures_between(down)
    statuses = sensor.statuses_between(down)
    figures(
        "postgres_restart",
        {
            "database": "postgresql (own cluster, immediate stop)",
            "alerts_sent": sensor.sent,
            **counts,
            "rejected": len(sensor.rejected),
            "answers_during_outage": {str(k): v for k, v in statuses.items() if k != 200},
            "outage_s": seconds(down, up),
            "restart_and_recovery_s": seconds(up, ready),
            "resumed_after_database_ready_s": seconds(ready, resumed),
            "downtime_s": seconds(down, resumed),
        },
    )
    # While the database was away: a 503 problem the sensor retries, nothing else.
    assert {a.status for a in failures} == {503}, statuses
    for answer in failures:
        assert answer.content_type == "application/problem+json"
        assert json.loads(answer.body)["type"] == "urn:entente:problem:service-unavailable"
    assert not sensor.rejected, sensor.rejected[:5]
    assert counts["lost"] == 0
    assert counts["doubled"] == 0
    assert counts["unacknowledged_stored"] == 0
    assert counts["stored"] == counts["acknowledged"] == sensor.sent
