"""The load generator of benchmarks/load.py, in a process of its own: one asyncio loop, plain
HTTP/1.1 over keep-alive loopback connections (no HTTP library: the box has two cores and the
generator must not be what limits the rate), no Django.

    python benchmarks/_load_client.py CONFIG.json   # prints one JSON object: what it measured

Three kinds of traffic, all on a schedule fixed in advance (an open model: a slow server does
not slow the arrivals down, it falls behind, and the achieved rate says so):
- the sensors' gateway posts a batch of alerts every 1/rate s on a few connections; each
  request is timed from the moment it was due, so a late answer counts for those behind it;
- each operator and analyst acts every THINK seconds on average (uniform 0.5-1.5 x THINK),
  one request at a time on a connection of their own, timed from when it is sent (what the
  person waits for); a person still waiting when the next action is due acts at once after;
- each operator holds the live board's stream open (Server-Sent Events) and counts what it
  hears.
"""

from __future__ import annotations

import asyncio
import json
import random
import resource
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

TIMEOUT = 30.0
OPEN = ("new", "acknowledged", "dispatched", "on_scene")
NEXT = {"new": "acknowledged", "acknowledged": "dispatched", "dispatched": "on_scene"}


class Connection:
    """One keep-alive HTTP/1.1 connection, reopened when the server closes it."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, headers: str = "", body: bytes = b""
    ) -> tuple[int, dict[str, str], bytes]:
        if self.writer is None or self.writer.is_closing():
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{headers}"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        try:
            return await asyncio.wait_for(self._response(), TIMEOUT)
        except BaseException:
            self.close()
            raise

    async def _response(self) -> tuple[int, dict[str, str], bytes]:
        assert self.reader is not None
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readuntil(b"\r\n")
                    break
                parts.append(await self.reader.readexactly(size))
                await self.reader.readexactly(2)
            body = b"".join(parts)
        else:
            body = await self.reader.read()
            self.close()
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, headers, body

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class Recorder:
    def __init__(self) -> None:
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.failures: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.measuring = False
        self.waits: list[float] = []

    def note(self, action: str, ms: float, error: str | None) -> None:
        if not self.measuring:
            return
        self.latencies[action].append(ms)
        if error is not None:
            self.failures[action][error] += 1


class Shift:
    def __init__(self, config: dict[str, Any]) -> None:
        self.c = config
        self.rec = Recorder()
        self.incidents: dict[int, str] = {int(k): v for k, v in config["incidents"].items()}
        self.busy: set[int] = set()
        self.events_heard = 0
        self.rng = random.Random(config["seed"])
        self.sent_alerts = 0

    async def timed(
        self,
        conn: Connection,
        action: str,
        method: str,
        path: str,
        headers: str,
        body: bytes = b"",
        expect: int = 200,
        since: float | None = None,
    ) -> bytes | None:
        start = time.monotonic() if since is None else since
        error: str | None = None
        data = None
        try:
            status, _, data = await conn.request(method, path, headers, body)
            if status != expect:
                error = str(status)
        except Exception as exc:  # every failure is counted, by kind
            error = type(exc).__name__
        self.rec.note(action, (time.monotonic() - start) * 1000, error)
        return data if error is None else None

    # -- sensors ----------------------------------------------------------------------------

    async def sensors(self, t0: float, stop: float) -> None:
        c = self.c
        pool: asyncio.Queue[Connection] = asyncio.Queue()
        for _ in range(c["sensor_connections"]):
            pool.put_nowait(Connection(c["host"], c["port"]))
        headers = f"Authorization: Bearer {c['sensor_token']}\r\nContent-Type: application/json\r\n"
        interval = 1 / c["sensor_requests_per_s"]
        tasks = set()
        k = 0
        while True:
            due = t0 + k * interval
            if due >= stop:
                break
            k += 1
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            task = asyncio.create_task(self._post_batch(pool, headers, due))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.wait(tasks)

    async def _post_batch(self, pool: asyncio.Queue[Connection], headers: str, due: float) -> None:
        c = self.c
        now = time.time()
        batch = []
        for _ in range(c["alerts_per_request"]):
            self.sent_alerts += 1
            sensor, kind = self.rng.choice(c["sensors"])
            batch.append(
                {
                    "sensor": sensor,
                    "event_id": f"{c['run']}-{self.sent_alerts}",
                    "occurred_at": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + "Z",
                    "kind": kind,
                    "confidence": round(self.rng.uniform(0.5, 1.0), 2),
                }
            )
        conn = await pool.get()
        sent = time.monotonic()
        if self.rec.measuring:
            # The wait for a free connection, apart: the gateway's queue, not the server's.
            self.rec.waits.append((sent - due) * 1000)
        try:
            await self.timed(
                conn,
                "alert batch",
                "POST",
                "/api/v1/alerts",
                headers,
                json.dumps(batch).encode(),
                since=due,
            )
        finally:
            pool.put_nowait(conn)

    # -- people -----------------------------------------------------------------------------

    async def person(self, user: dict[str, Any], t0: float, stop: float) -> None:
        c = self.c
        conn = Connection(c["host"], c["port"])
        cookie = f"Cookie: sessionid={user['session']}; csrftoken={c['csrf']}\r\n"
        bearer = f"Authorization: Bearer {user['token']}\r\n"
        actions = c["mix"][user["kind"]]
        names = [a for a, _ in actions]
        weights = [w for _, w in actions]
        rng = random.Random(f"{c['seed']}-{user['n']}")
        think = c["think_s"]
        due = t0 + rng.uniform(0, think)
        while due < stop:
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            action = rng.choices(names, weights)[0]
            await self.act(conn, action, user, cookie, bearer, rng)
            due += rng.uniform(0.5 * think, 1.5 * think)
        conn.close()

    async def act(
        self,
        conn: Connection,
        action: str,
        user: dict[str, Any],
        cookie: str,
        bearer: str,
        rng: random.Random,
    ) -> None:
        ids = user["ids"]
        page = cookie + "Accept: text/html\r\n"
        if action == "incident write":
            # Not one another operator is acting on this moment (two people pressing the same
            # button at once get a refusal, which is right but not what is measured here).
            open_ = [
                pk for pk, state in self.incidents.items() if state in OPEN and pk not in self.busy
            ]
            if not open_:
                action = "incident list"
            else:
                pk = rng.choice(open_)
                self.busy.add(pk)
                state = self.incidents[pk]
                form = f"csrfmiddlewaretoken={self.c['csrf']}"
                if state == "on_scene":
                    path = f"/control-room/incidents/{pk}/close/"
                    form += "&result=nothing_found&adults=0&minors=0&injured=0"
                    after = "closed"
                else:
                    path = f"/control-room/incidents/{pk}/advance/"
                    form += f"&state={NEXT[state]}"
                    after = NEXT[state]
                headers = page + "Content-Type: application/x-www-form-urlencoded\r\n"
                try:
                    body = await self.timed(
                        conn, action, "POST", path, headers, form.encode(), expect=302
                    )
                finally:
                    self.busy.discard(pk)
                if body is not None:
                    self.incidents[pk] = after
                return
        if action == "api incidents":
            body = await self.timed(conn, action, "GET", "/api/v1/incidents?limit=20", bearer)
            if body:
                for item in json.loads(body)["items"]:
                    self.incidents[item["id"]] = item["state"]
            return
        if action == "api incident":
            pk = rng.choice(list(self.incidents) or [0])
            await self.timed(conn, action, "GET", f"/api/v1/incidents/{pk}", bearer)
            return
        if action == "api reports":
            await self.timed(conn, action, "GET", "/api/v1/intelligence/reports?limit=20", bearer)
            return
        if action == "api report":
            pk = rng.choice(ids["reports"])
            await self.timed(conn, action, "GET", f"/api/v1/intelligence/reports/{pk}", bearer)
            return
        if action == "api search":
            q = rng.choice(self.c["terms"])
            await self.timed(conn, action, "GET", f"/api/v1/intelligence/search?q={q}", bearer)
            return
        if action == "search page":
            q = rng.choice(self.c["terms"])
            await self.timed(conn, action, "GET", f"/intelligence/search/?q={q}", page)
            return
        if action == "incident detail":
            pk = rng.choice(list(self.incidents) or [0])
            path = f"/control-room/incidents/{pk}/"
        else:
            path = self.c["pages"][action]
            if "{" in path:
                kind = path.split("{", 1)[1].split("}", 1)[0]
                path = path.replace("{" + kind + "}", str(rng.choice(ids[kind])))
        await self.timed(conn, action, "GET", path, page)

    # -- live boards ------------------------------------------------------------------------

    async def board_stream(self, user: dict[str, Any], stop: float) -> None:
        c = self.c
        try:
            reader, writer = await asyncio.open_connection(c["host"], c["live_port"])
        except OSError:
            return
        writer.write(
            (
                f"GET /control-room/live/stream HTTP/1.1\r\nHost: {c['host']}:{c['live_port']}"
                f"\r\nAccept: text/event-stream\r\nCookie: sessionid={user['session']}\r\n\r\n"
            ).encode()
        )
        try:
            while time.monotonic() < stop:
                chunk = await asyncio.wait_for(
                    reader.read(65536), max(0.1, stop - time.monotonic())
                )
                if not chunk:
                    break
                if self.rec.measuring:
                    self.events_heard += chunk.count(b"\ndata:") + chunk.startswith(b"data:")
        except (TimeoutError, OSError):
            pass
        finally:
            writer.close()

    # -- the shift --------------------------------------------------------------------------

    async def warm(self) -> None:
        """Each page and operation once per worker's worth of connections, not measured."""
        rng = random.Random(0)
        for user in self.c["users"][: 2 * self.c["workers"] + 2]:
            conn = Connection(self.c["host"], self.c["port"])
            cookie = f"Cookie: sessionid={user['session']}; csrftoken={self.c['csrf']}\r\n"
            bearer = f"Authorization: Bearer {user['token']}\r\n"
            for action, _ in self.c["mix"][user["kind"]]:
                if action != "incident write":
                    await self.act(conn, action, user, cookie, bearer, rng)
            conn.close()

    async def run(self) -> dict[str, Any]:
        await self.warm()
        c = self.c
        t0 = time.monotonic() + 0.5
        stop = t0 + c["seconds"]
        cpu0 = resource.getrusage(resource.RUSAGE_SELF)
        self.rec.measuring = True
        streams = [
            asyncio.create_task(self.board_stream(u, stop))
            for u in c["users"]
            if u["kind"] == "operator"
        ]
        await asyncio.gather(
            self.sensors(t0, stop),
            *(self.person(u, t0, stop) for u in c["users"]),
        )
        elapsed = time.monotonic() - t0
        self.rec.measuring = False
        await asyncio.gather(*streams)
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
        cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
        return {
            "elapsed_s": elapsed,
            "generator_cpu_s": cpu,
            "latencies": self.rec.latencies,
            "failures": self.rec.failures,
            "alerts_sent": self.sent_alerts,
            "alert_connection_waits": self.rec.waits,
            "live_events_heard": self.events_heard,
            "live_streams": len(streams),
            "incident_states": dict(sorted(Counter(self.incidents.values()).items())),
        }


def main() -> None:
    config = json.loads(Path(sys.argv[1]).read_text())
    result = asyncio.run(Shift(config).run())
    print(json.dumps(result))


if __name__ == "__main__":
    main()
