"""Fault: the database's disk allowance runs out while sensors post alerts. The intake answers a
clear 503 problem (the sensor keeps the batch and sends it again), never half a batch; what was
acknowledged stays intact; once the allowance is raised (the server started again without it)
service resumes and the batches kept back are stored, once.

The allowance is a file size limit on the server's processes (RLIMIT_FSIZE): a write past it
fails with EFBIG, which SQLite reports as it reports a full disk (SQLITE_FULL, "database or
disk is full"). The database is an embedded SQLite file of the test's own, in both suites.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from benchmarks._harness import wait_until

from tests.resilience.conftest import (
    RESUME_TIMEOUT,
    Server,
    figures,
    now,
    process_env,
    run_id,
    seconds,
    tally,
)

# Room left for the database's files to grow: a few dozen batches, then the disk is "full".
ALLOWANCE = 512 * 1024


def test_a_full_disk_is_a_clear_503_with_nothing_half_written_and_service_resumes(
    own_sqlite: tuple[Path, str], tmp_path: Path, sensor_factory: Any
) -> None:
    path, token = own_sqlite
    limit = max(f.stat().st_size for f in path.parent.glob("entente.sqlite3*")) + ALLOWANCE
    env = process_env(f"sqlite:///{path}")
    server = Server(env, tmp_path / "serve.log", workers=1, file_size_limit=limit)
    try:
        server.wait_healthy()
        run = run_id()
        sensor = sensor_factory(port=server.port, token=token, run=run, batch=100, pace=10)
        assert wait_until(lambda: sensor.statuses_between(0)[503] >= 3, RESUME_TIMEOUT), (
            f"the disk never filled: {sensor.statuses_between(0)}"
        )
        full = next(a.at for a in sensor.answers if a.status == 503)
        acknowledged_when_full = len(sensor.acknowledged)
        # Still full: reads go on (the server is up), writes are refused.
        assert server.healthy()
        # Nothing half-written: exactly what was acknowledged is there, not a row of the batch
        # that was refused (read while the server is stopped; the sensor keeps retrying).
        server.stop()
        with sqlite3.connect(path) as db:
            at_full = tally(db.cursor(), f"{run}-", sensor.acknowledged[:acknowledged_when_full])
        raised = now()
        server.restart(file_size_limit=None)
        server.wait_healthy()
        assert wait_until(lambda: sensor.first_success_after(raised), RESUME_TIMEOUT)
        resumed = sensor.first_success_after(raised)
        batches = sensor.batches_done
        assert wait_until(lambda: sensor.batches_done >= batches + 3, RESUME_TIMEOUT)
        sensor.stop()
        assert server.alive()
    finally:
        server.stop()

    with sqlite3.connect(path) as db:
        counts = tally(db.cursor(), f"{run}-", sensor.acknowledged)
    refused = sensor.failures_between(0, raised)
    figures(
        "disk_full",
        {
            "database": "sqlite (own file, file size limit)",
            "allowance_bytes": ALLOWANCE,
            "alerts_sent": sensor.sent,
            **counts,
            "acknowledged_before_full": acknowledged_when_full,
            "stored_when_full": at_full["stored"],
            "half_written_when_full": at_full["unacknowledged_stored"],
            "answers_while_full": {str(k): v for k, v in sensor.statuses_between(full).items()},
            "full_for_s": seconds(full, raised),
            "resumed_after_raise_s": seconds(raised, resumed),
        },
    )
    assert refused, "no batch was refused"
    for answer in refused:
        assert answer.status in (503, "conn"), (answer.status, answer.body[:300])
        if answer.status == 503:
            assert answer.content_type == "application/problem+json"
            assert json.loads(answer.body)["type"] == "urn:entente:problem:service-unavailable"
    assert at_full["lost"] == 0
    assert at_full["unacknowledged_stored"] == 0
    assert counts["lost"] == 0
    assert counts["doubled"] == 0
    assert counts["unacknowledged_stored"] == 0
    assert counts["stored"] == counts["acknowledged"] == sensor.sent
