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
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from benchmarks._faults import free_port
from benchmarks._harness import wait_until

from tests.resilience.conftest import (
    RESUME_TIMEOUT,
    Server,
    figures,
    now,
    prepare_database,
    process_env,
    require,
    run_id,
    seconds,
    tally,
)


def postgres_bin() -> Path | None:
    """The PostgreSQL server's programs (Debian keeps them out of PATH), newest first."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class Cluster:
    """A PostgreSQL cluster of our own in a temporary folder, on a free loopback port. As root
    it runs as the ``postgres`` account (PostgreSQL refuses to run as root)."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="entente-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "postgres.log"
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(self.folder, account.pw_uid, account.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8")
        self.start()
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute("CREATE DATABASE entente")

    def _run(self, program: str, *args: str) -> str:
        done = subprocess.run(
            [*self.as_user, str(self.bindir / program), *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, f"{program} {args}: {done.stdout}{done.stderr}"
        return done.stdout

    def url(self, name: str = "entente") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        logged = ["-l", str(self.log)]  # not our pipe, which it would hold open
        self._run(
            "pg_ctl", "start", "-w", "-t", "120", "-D", str(self.data), *logged, "-o", options
        )

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "stop", "-w", "-t", "120", "-D", str(self.data), "-m", mode)

    def close(self) -> None:
        subprocess.run(
            [*self.as_user, str(self.bindir / "pg_ctl"), "stop", "-D", str(self.data), "-m", "i"],
            capture_output=True,
            timeout=60,
            check=False,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    bindir = postgres_bin()
    require("The PostgreSQL server", bindir is not None, "apt-get install postgresql")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            require("The postgres account", False, "apt-get install postgresql")
    assert bindir is not None
    made = Cluster(bindir)
    try:
        yield made
    finally:
        made.close()


def test_a_postgresql_restart_loses_no_acknowledged_alert_and_service_resumes_by_itself(
    cluster: Cluster, tmp_path: Any, sensor_factory: Any
) -> None:
    import psycopg

    token = prepare_database(cluster.url())
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
