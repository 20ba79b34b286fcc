"""Live board latency: from the ingest call to the event reaching every open board (SSE).

The live listener runs as ``entente serve`` runs it (granian, ASGI, one worker) on a loopback
port, against a throw-away database. Boards are plain HTTP clients holding the stream of
five control-room operators (French and British), each with a session that passed the second
factor. Alerts are ingested through the intake service at a steady rate, in batches of 50 (as
sensors post them; BENCH_BATCH to change), by a process of its own; each board notes when it
hears of each alert (an incident's alert count reaching the value that call produced), on the
same wall clock. The boards are read by one Python process: its own time to go round a
thousand sockets is counted in the latency (a browser watches one board).

Then the worker is asked to hold many more boards at once: how many it holds, and how fast
one change reaches all of them.

    make bench NAME=live_latency [BENCH_ARGS=--quick]                              # SQLite
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test make bench NAME=live_latency

Goal (issue 3): p99 < 250 ms at 500 alerts/s with 1,000 boards; one worker holds 5,000.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import multiprocessing
import os
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from _faults import free_port
from _harness import ROOT, database, parse, report

HOST = "127.0.0.1"
OPERATORS = [
    "operator.eurotunnel",
    "leader.borderforce",
    "gendarme.egm",
    "gold.kent",
    "gold.pn",
]
ROW = re.compile(rb'\{"id":(\d+),[^{}]*?"alerts":(\d+)')


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (the granian worker), in MB."""
    total = 0
    pids = [pid]
    while pids:
        p = pids.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{p}/task").iterdir():
                pids += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total / 1024


class Boards:
    """Many open boards in one event loop; each message's arrival time is noted."""

    def __init__(self, port: int, cookies: list[str]) -> None:
        self.port = port
        self.cookies = cookies
        self.open = 0
        self.ready = 0
        self.failed = 0
        # (board, arrival time, index of the distinct message body)
        self.arrivals: list[tuple[int, float, int]] = []
        self.bodies: dict[bytes, int] = {}
        self.tasks: list[asyncio.Task[None]] = []
        self.record = True

    async def board(self, n: int, gate: asyncio.Semaphore) -> None:
        cookie = self.cookies[n % len(self.cookies)]
        async with gate:
            try:
                reader, writer = await asyncio.open_connection(HOST, self.port)
            except OSError:
                self.failed += 1
                return
            # HTTP/1.0: the body comes unframed until the server ends it.
            writer.write(
                f"GET /control-room/live/stream HTTP/1.0\r\nHost: {HOST}:{self.port}\r\n"
                f"Accept: text/event-stream\r\nCookie: sessionid={cookie}\r\n\r\n".encode()
            )
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            if b" 200 " not in head.split(b"\r\n", 1)[0]:
                self.failed += 1
                writer.close()
                return
            self.open += 1
            buffer = b""
            while b"event: board" not in buffer:  # the snapshot
                chunk = await reader.read(65536)
                if not chunk:
                    self.failed += 1
                    return
                buffer += chunk
            self.ready += 1
        buffer = b""
        try:
            while True:
                chunk = await reader.read(65536)
                if not chunk:
                    break
                now = time.time()
                buffer += chunk
                *events, buffer = buffer.split(b"\n\n")
                if not self.record:
                    continue
                for event in events:
                    if event.startswith(b"event: board"):
                        index = self.bodies.setdefault(event, len(self.bodies))
                        self.arrivals.append((n, now, index))
        finally:
            self.open -= 1
            writer.close()

    async def start(self, count: int, first: int = 0) -> float:
        """Open ``count`` boards (64 connecting at a time); seconds until all have their
        snapshot (or failed)."""
        gate = asyncio.Semaphore(64)
        t0 = time.perf_counter()
        done = self.ready + self.failed + count
        self.tasks += [asyncio.create_task(self.board(first + i, gate)) for i in range(count)]
        while self.ready + self.failed < done and time.perf_counter() - t0 < 600:
            await asyncio.sleep(0.05)
        return time.perf_counter() - t0

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        self.tasks = []


def progress(text: str) -> None:
    print(f"  ... {text}", file=sys.stderr, flush=True)


def drive(
    pipe: Any, codes: list[str], account_pk: int, seconds: int, rate: int, batch: int
) -> None:
    """Ingest ``rate`` alerts a second for ``seconds``; send back when each call started
    (by the incident and the alert count it produced) and how long each took."""
    from django.db import connections

    from entente.control_room.services import AlertItem, ingest_alerts
    from entente.core.models import User

    account = User.objects.get(pk=account_pk)
    sent: dict[tuple[int, int], float] = {}
    calls: list[float] = []
    counts: dict[int, int] = defaultdict(int)
    start = dt.datetime.now(dt.UTC)
    interval = batch / rate
    end = time.time() + seconds
    next_at = time.time()
    i = 0
    while time.time() < end:
        items = [
            AlertItem(
                sensor=codes[(i + k) % len(codes)],
                event_id=f"live-{i}-{k}",
                occurred_at=start + dt.timedelta(milliseconds=i),
                kind="intrusion",
                confidence=0.7,
            )
            for k in range(batch)
        ]
        t = time.time()
        outcomes = ingest_alerts(items, acting_user=account)
        calls.append(time.time() - t)
        for o in outcomes:
            if o.incident is not None:
                counts[o.incident] += 1
        for incident in {o.incident for o in outcomes if o.incident is not None}:
            sent[(incident, counts[incident])] = t
        i += 1
        next_at += interval
        pause = next_at - time.time()
        if pause > 0:
            time.sleep(pause)
    connections.close_all()
    pipe.send((sent, calls))


def sessions() -> list[str]:
    """A verified session (second factor passed) for each operator."""
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from entente.core.models import User

    cookies = []
    for username in OPERATORS:
        user = User.objects.get(username=username)
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, name="bench", defaults={"confirmed": True}
        )
        client = Client()
        client.force_login(user)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
        cookies.append(client.cookies["sessionid"].value)
    return cookies


def main() -> None:
    args = parse(__doc__ or "")
    boards_n = int(os.environ.get("BENCH_BOARDS", 200 if args.quick else 1000))
    held_n = int(os.environ.get("BENCH_HELD", 1000 if args.quick else 5000))
    seconds = int(os.environ.get("BENCH_SECONDS", 8 if args.quick else 30))
    rate = 500  # alerts per second
    batch = int(os.environ.get("BENCH_BATCH", 50))  # alerts per ingest call: 10 calls a second
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))

    with database():
        from django.conf import settings
        from django.db import connection, connections

        from entente.control_room.models import Sensor
        from entente.core.models import User
        from entente.demo.load import load_control_room, load_personas, load_reference

        load_reference()
        load_control_room()
        load_personas("bench-password-not-used")
        account = User.objects.get(username="sensors.demo")
        cookies = sessions()
        progress("database ready")
        codes = list(Sensor.objects.values_list("code", flat=True))

        port = free_port()
        env = {
            **os.environ,
            "BENCH_DATABASE_NAME": str(settings.DATABASES["default"]["NAME"]),
            # Browsers reconnect every few minutes; these clients do not, so streams last.
            "ENTENTE_LIVE_STREAM_SECONDS": "3600",
            "PYTHONPATH": f"{ROOT / 'benchmarks'}:{ROOT / 'src'}",
        }
        server = subprocess.Popen(  # noqa: S603 - our interpreter, fixed arguments
            [
                sys.executable,
                "-m",
                "granian",
                "--interface",
                "asgi",
                "--no-ws",
                "--host",
                HOST,
                "--port",
                str(port),
                "--workers",
                "1",
                "--backlog",
                "4096",
                # Each open board is a request in progress: let the worker hold them all.
                "--backpressure",
                "20000",
                "--log-level",
                "warning",
                "_live_server:application",
            ],
            env=env,
            cwd=ROOT / "benchmarks",
            stdout=subprocess.DEVNULL,
            start_new_session=True,  # its worker is stopped with it, whatever happens
        )
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    socket.create_connection((HOST, port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.2)
            connections.close_all()  # the forked ingest driver opens its own
            metrics = asyncio.run(
                run(port, cookies, codes, account, boards_n, held_n, seconds, rate, batch)
            )
            metrics["server_rss_mb"] = round(rss_mb(server.pid), 1)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(10)
            connections.close_all()
        metrics = {"database": connection.vendor, **metrics}
        for key, value in metrics.items():
            print(f"{key}: {value}")
        report(
            "live_latency",
            metrics,
            "the goal, p99 < 250 ms from the ingest call to every board (ratio = p99 / 250 ms)",
            metrics["p99_ms"] / 250,
        )


async def run(
    port: int,
    cookies: list[str],
    codes: list[str],
    account: Any,
    boards_n: int,
    held_n: int,
    seconds: int,
    rate: int,
    batch: int,
) -> dict[str, object]:
    from django.db import connections

    from entente.control_room.services import AlertItem, ingest_alerts

    boards = Boards(port, cookies)
    connect_s = await boards.start(boards_n)
    progress(f"{boards.ready} boards connected in {connect_s:.1f} s ({boards.failed} failed)")
    await asyncio.sleep(1)

    # The ingest driver: a process of its own (as the MQTT bridge or the page server is), at a
    # steady pace, one call per batch. Times are wall-clock, common to both processes.
    parent, child = multiprocessing.get_context("fork").Pipe()
    driver = multiprocessing.get_context("fork").Process(
        target=drive, args=(child, codes, account.pk, seconds, rate, batch)
    )
    t_start = time.time()
    driver.start()
    sent, calls = await asyncio.to_thread(parent.recv)
    await asyncio.to_thread(driver.join)
    elapsed = time.time() - t_start
    await asyncio.sleep(2)  # the last events arrive
    boards.record = False
    progress(f"{len(calls)} ingest calls in {elapsed:.1f} s; {len(boards.arrivals)} messages heard")

    # Each board heard of each call when a message showed its incident at (or past) the count
    # that call produced.
    parsed = {
        index: [(int(a), int(b)) for a, b in ROW.findall(body)]
        for body, index in boards.bodies.items()
    }
    by_incident: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for (incident, count), t in sent.items():
        by_incident[incident].append((count, t))
    for entries in by_incident.values():
        entries.sort()
    heard: dict[tuple[int, int, int], float] = {}  # (board, incident, count) -> first arrival
    reached: dict[tuple[int, int], int] = {}  # (board, incident) -> highest count heard
    latencies: list[float] = []
    for board, arrival, index in sorted(boards.arrivals, key=lambda a: a[1]):
        for incident, count in parsed[index]:
            previous = reached.get((board, incident), 0)
            if count <= previous:
                continue
            reached[(board, incident)] = count
            for c, t in by_incident.get(incident, []):
                if previous < c <= count and (board, incident, c) not in heard:
                    heard[(board, incident, c)] = arrival
                    latencies.append(arrival - t)
    expected = len(sent) * boards_n
    latencies.sort()

    def pct(p: float) -> float:
        return round(1000 * latencies[min(len(latencies) - 1, int(p * len(latencies)))], 1)

    result: dict[str, object] = {
        "boards": boards_n,
        "boards_connected": boards.ready,
        "connect_s": round(connect_s, 1),
        "alerts_per_s": round(len(calls) * batch / elapsed),
        "alerts_per_call": batch,
        "ingest_calls": len(calls),
        "ingest_call_p50_ms": round(1000 * statistics.median(calls), 1),
        "deliveries": len(latencies),
        "deliveries_missing": expected - len(latencies),
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "max_ms": round(1000 * latencies[-1], 1),
        "messages_per_board_per_s": round(len(boards.arrivals) / boards_n / elapsed, 1),
    }

    # Holding: many more boards on the same worker, all receiving one change.
    t0 = time.perf_counter()
    await boards.start(held_n - boards_n, first=boards_n)
    result["boards_held"] = boards.open
    result["hold_connect_s"] = round(time.perf_counter() - t0, 1)
    progress(f"{boards.open} boards held ({boards.failed} failed)")
    boards.arrivals.clear()
    boards.record = True
    await asyncio.sleep(1)

    def one() -> float:
        t = time.time()
        ingest_alerts(
            [
                AlertItem(
                    sensor=codes[0],
                    event_id="held-1",
                    occurred_at=dt.datetime.now(dt.UTC),
                    kind="intrusion",
                    confidence=0.7,
                )
            ],
            acting_user=account,
        )
        connections.close_all()
        return t

    t_one = await asyncio.to_thread(one)
    await asyncio.sleep(3)
    firsts: dict[int, float] = {}
    for board, arrival, _index in boards.arrivals:
        firsts.setdefault(board, arrival)
    spread = sorted(a - t_one for a in firsts.values())
    result["held_boards_reached"] = len(spread)
    result["held_all_reached_ms"] = round(1000 * spread[-1], 1) if spread else None
    result["held_p50_ms"] = round(1000 * spread[len(spread) // 2], 1) if spread else None
    result["boards_failed"] = boards.failed
    await boards.close()
    return result


if __name__ == "__main__":
    main()
