"""The incident list through the API, served as ``entente serve`` serves it.

``GET /api/v1/incidents?limit=20`` (the latest 20, through the access policy, as a control-room
operator with a bearer token) against a bare Django view returning the same 20 rows (no API
layer, no authentication, no policy), both served by the same granian server (WSGI, one worker,
four threads, the connection pool on, as in production), in the same run, with STORED alerts
in the database (1 million; 100,000 with --quick) in incidents of fifty.

Two measures:
- requests per second, closed loop, 8 keep-alive connections, each endpoint in turn; the
  ratio is the API's rate over the bare view's;
- latency of the API at 200 requests a second, open loop (each request timed from the moment
  it was due, so a slow answer delays the ones behind it): p50, p95 (goal: p95 <= 50 ms).

    make bench NAME=board_api [BENCH_ARGS=--quick]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench make bench NAME=board_api
"""

from __future__ import annotations

import http.client
import os
import statistics
import subprocess
import sys
import threading
import time
from typing import Any

from _faults import free_port
from _harness import ROOT, database, parse, report, wait_until

CONNECTIONS = 8
RATE = 200


def closed_loop(port: int, path: str, headers: dict[str, str], seconds: float) -> float:
    """Requests per second with CONNECTIONS clients asking again as soon as answered."""
    done = [0] * CONNECTIONS
    stop = time.monotonic() + seconds

    def client(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            assert response.status == 200, (response.status, body[:200])
            done[k] += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(k,)) for k in range(CONNECTIONS)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.monotonic() - t0)


def open_loop(
    port: int, path: str, headers: dict[str, str], rate: int, seconds: float
) -> list[float]:
    """Latencies (ms) of requests due every 1/rate s, measured from when each was due."""
    n = int(rate * seconds)
    start = time.monotonic() + 0.2
    due = [start + i / rate for i in range(n)]
    latencies: list[float] = []
    lock = threading.Lock()
    cursor = [0]

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                i = cursor[0]
                cursor[0] += 1
            if i >= n:
                break
            wait = due[i] - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            assert response.status == 200
            with lock:
                latencies.append((time.monotonic() - due[i]) * 1000)
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies


def main() -> None:
    args = parse(__doc__ or "")
    stored = 100_000 if args.quick else 1_000_000
    seconds = 5.0 if args.quick else 20.0
    with database():
        from django.conf import settings
        from django.db import connection
        from ingest import _fill

        from entente.control_room.models import Alert, Incident, Sensor
        from entente.core import services
        from entente.core.models import User
        from entente.demo.load import load_control_room, load_personas, load_reference

        if connection.vendor != "postgresql":
            sys.exit(
                "board_api needs PostgreSQL (DATABASE_URL): the server runs in another process"
            )
        load_reference()
        load_control_room()
        load_personas("benchmark-password")
        # One open incident so the table holds both kinds; then the store, server-side.
        import datetime as dt

        from entente.control_room.services import AlertItem, ingest_alerts

        operator = User.objects.get(username="operator.eurotunnel")
        ingest_alerts(
            [AlertItem("COQ-PLAT-CCTV-01", "board-1", dt.datetime.now(dt.UTC), "intrusion", 0.8)],
            acting_user=operator,
        )
        template = Incident.objects.order_by("pk").first()
        t0 = time.perf_counter()
        _fill(
            connection,
            stored,
            list(Sensor.objects.values_list("pk", "zone_id", "owner_id")),
            template,
            False,
            per_incident=50,
        )
        fill_s = time.perf_counter() - t0
        _, token = services.create_api_token(operator, name="bench", acting_user=None)
        port = free_port()
        env = {
            **os.environ,
            "PYTHONPATH": f"{ROOT / 'benchmarks'}:{ROOT / 'src'}",
            "BENCH_DATABASE_NAME": settings.DATABASES["default"]["NAME"],
            "ENTENTE_DB_POOL": "1",
            "ENTENTE_LOG_LEVEL": "ERROR",
        }
        server = subprocess.Popen(  # noqa: S603 - our interpreter, granian, fixed arguments
            [
                sys.executable,
                "-m",
                "granian",
                "--interface",
                "wsgi",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "1",
                "--blocking-threads",
                "4",
                "--no-ws",
                "_board_server:application",
            ],
            env=env,
            cwd=ROOT / "benchmarks",
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        api = "/api/v1/incidents?limit=20"
        bare = "/bench/bare-incidents"
        auth = {"Authorization": f"Bearer {token}"}
        try:

            def up() -> bool:
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                    conn.request("GET", bare)
                    return conn.getresponse().status == 200
                except OSError:
                    return False

            assert wait_until(up, 30, every=0.2), "the server did not start"
            # The two answers hold the same rows.
            conn = http.client.HTTPConnection("127.0.0.1", port)
            conn.request("GET", api, headers=auth)
            import json

            api_ids = [i["id"] for i in json.loads(conn.getresponse().read())["items"]]
            conn.request("GET", bare)
            bare_ids = [i["id"] for i in json.loads(conn.getresponse().read())["items"]]
            assert api_ids == bare_ids, (api_ids, bare_ids)
            conn.close()
            closed_loop(port, api, auth, 1.0)  # warm both
            closed_loop(port, bare, {}, 1.0)
            api_rates, bare_rates = [], []
            for _ in range(2):  # in turn, so both see the same machine
                api_rates.append(closed_loop(port, api, auth, seconds / 2))
                bare_rates.append(closed_loop(port, bare, {}, seconds / 2))
            latencies = open_loop(port, api, auth, RATE, seconds)
        finally:
            server.terminate()
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(10)
        api_rate, bare_rate = statistics.mean(api_rates), statistics.mean(bare_rates)
        quantiles = statistics.quantiles(latencies, n=100)
        metrics: dict[str, Any] = {
            "database": connection.vendor,
            "alerts_stored": Alert.objects.count(),
            "incidents_stored": Incident.objects.count(),
            "fill_seconds": round(fill_s, 1),
            "api_requests_per_s": round(api_rate),
            "bare_view_requests_per_s": round(bare_rate),
            "connections": CONNECTIONS,
            "rate_per_s": RATE,
            "p50_ms": round(quantiles[49], 1),
            "p95_ms": round(quantiles[94], 1),
            "p99_ms": round(quantiles[98], 1),
            "cores": os.cpu_count(),
        }
        report(
            "board_api",
            metrics,
            "a bare Django view returning the same 20 rows, same granian server, same run",
            api_rate / bare_rate,
        )


if __name__ == "__main__":
    main()
