"""Fault: a web worker is killed (SIGKILL: the kernel's out-of-memory killer, an operator's
mistake) while sensors post alerts. ``entente serve`` starts it again by itself; the sensors,
retrying as they must, lose nothing and double nothing.
"""

from __future__ import annotations

import os
import signal
from typing import Any

from benchmarks._harness import wait_until
from django.db import connection

from tests.resilience.conftest import (
    RESUME_TIMEOUT,
    Server,
    figures,
    now,
    process_env,
    run_id,
    seconds,
    sensor_token,
    small_world,
    suite_database_url,
    tally,
)

# granian takes a worker that dies again within 5.5 s of being started for a crash loop and
# stops the server (a supervisor's turn then): the second fault waits past that.
CRASH_LOOP_GUARD = 6.0


def test_killed_workers_are_started_again_and_no_acknowledged_alert_is_lost(
    transactional_db: Any, tmp_path: Any, sensor_factory: Any
) -> None:
    small_world()
    token = sensor_token()
    server = Server(process_env(suite_database_url()), tmp_path / "serve.log", workers=2)
    try:
        server.wait_healthy()
        run = run_id()
        sensor = sensor_factory(port=server.port, token=token, run=run, batch=50, pace=10)
        assert wait_until(lambda: sensor.batches_done >= 5, RESUME_TIMEOUT), server.output()

        # One worker killed: the other keeps serving, and the dead one is started again.
        before = server.workers()
        victim = before[0]
        wait_until(sensor.busy.is_set, 10, every=0.001)  # with a batch on its way, if we can
        first_fault = now()
        os.kill(victim, signal.SIGKILL)
        assert wait_until(
            lambda: len(server.workers()) == 2 and victim not in server.workers(), RESUME_TIMEOUT
        ), f"the killed worker was not started again:\n{server.output()}"
        respawned_at = now()
        assert wait_until(lambda: sensor.first_success_after(first_fault), RESUME_TIMEOUT)
        resumed_first = sensor.first_success_after(first_fault)

        # Every worker killed at once: nobody answers until they are back.
        assert wait_until(
            lambda: (
                now() - respawned_at > CRASH_LOOP_GUARD
                and sensor.first_success_after(respawned_at + CRASH_LOOP_GUARD) is not None
            ),
            RESUME_TIMEOUT,
        )
        victims = server.workers()
        wait_until(sensor.busy.is_set, 10, every=0.001)
        second_fault = now()
        for pid in victims:
            os.kill(pid, signal.SIGKILL)
        assert wait_until(
            lambda: len(server.workers()) == 2 and not set(victims) & set(server.workers()),
            RESUME_TIMEOUT,
        ), f"the killed workers were not started again:\n{server.output()}"
        assert wait_until(lambda: sensor.first_success_after(second_fault), RESUME_TIMEOUT), (
            server.output()
        )
        resumed_second = sensor.first_success_after(second_fault)
        batches = sensor.batches_done
        assert wait_until(lambda: sensor.batches_done >= batches + 5, RESUME_TIMEOUT)
        sensor.stop()
        # Resumed by itself: the same server process throughout, nobody restarted it.
        assert server.alive(), server.output()
        assert server.healthy()
    finally:
        server.stop()

    with connection.cursor() as cursor:
        counts = tally(cursor, f"{run}-", sensor.acknowledged)
    failed = sensor.statuses_between(first_fault)
    figures(
        "worker_kill",
        {
            "database": connection.vendor,
            "workers": 2,
            "kills": 1 + len(victims),
            "alerts_sent": sensor.sent,
            **counts,
            "rejected": len(sensor.rejected),
            "failed_attempts": {str(k): v for k, v in failed.items() if k != 200},
            "downtime_one_worker_s": seconds(first_fault, resumed_first),
            "downtime_all_workers_s": seconds(second_fault, resumed_second),
        },
    )
    assert not sensor.rejected, sensor.rejected[:5]
    # A request cut off by the kill gets no answer (the sensor sends it again), or at worst a
    # 503 to retry (a database lock the killed worker held), never a server error.
    assert set(failed) <= {200, "conn", 503}, failed
    assert counts["lost"] == 0
    assert counts["doubled"] == 0
    assert counts["unacknowledged_stored"] == 0
    assert counts["stored"] == counts["acknowledged"] == sensor.sent
