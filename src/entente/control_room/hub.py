"""The live hub: one per worker of the live listener, between the database and the open boards.

It hears the announcements of ``control_room.live`` (PostgreSQL: LISTEN on a dedicated psycopg
connection that reconnects with back-off; SQLite: the ``LiveEvent`` rows past the last id seen,
read a few times a second), and fans them out to the boards connected to this worker.

A tick gathers every announcement heard since the last one, and the database is asked once per
tick, not once per board: the changed incidents and the newest alerts once, and which of them
each distinct watcher may see once per watcher (``Incident.objects.visible_to``, the access
policy). The rows are rendered once per language and the message once per (language, visible
set), so a thousand boards of a few operators cost a few queries and a few serialisations.
Under load the ticks run back to back (no more often than ``ENTENTE_LIVE_TICK_MS``), gathering
more announcements each, so the messages per board per second stay bounded.

A board receives a snapshot of everything it may see when it connects (``board.snapshot``),
then the changes. A stream ends after ``ENTENTE_LIVE_STREAM_SECONDS`` or when the hub lost its
database link (announcements may have been missed): the browser reconnects by itself, is
authenticated again, and starts from a fresh snapshot. That is the whole resume story, so no
``Last-Event-ID`` bookkeeping is needed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import json
import logging
import time
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone, translation

from entente.control_room import board, live

logger = logging.getLogger(__name__)

HEARTBEAT = b": keep-alive\n\n"
# A board that cannot keep up (its queue full) is dropped; its browser reconnects and resyncs.
QUEUE_SIZE = 256


def sse(data: dict[str, Any], event: str = "board") -> bytes:
    """One Server-Sent Event."""
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


@dataclass(eq=False)
class Board:
    """One open board (one stream): who watches it, in which language, and its queue."""

    user_id: int
    language: str
    expires: float
    queue: asyncio.Queue[bytes | None] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))
    # The open incidents this board was sent: told when one of them leaves the user's sight.
    shown: set[int] = field(default_factory=set)

    def put(self, message: bytes | None) -> bool:
        try:
            self.queue.put_nowait(message)
            return True
        except asyncio.QueueFull:
            return False


@dataclass
class _Watcher:
    user: Any
    sight: board.Sight | None
    loaded: float


class Hub:
    """Announcements in, messages out, for the boards of one worker (one event loop)."""

    def __init__(self) -> None:
        self.boards: set[Board] = set()
        self.connected = asyncio.Event()
        self._pending: list[dict[str, Any]] = []
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        # Database work runs in one thread of its own, which keeps its own connection.
        self._db = ThreadPoolExecutor(1, thread_name_prefix="live-hub")
        self._watchers: dict[int, _Watcher] = {}
        self._stopping = False
        self.ticks = 0
        self._collected = time.monotonic()

    # -- boards ----------------------------------------------------------------------------

    def start(self) -> None:
        if self._tasks:
            return
        listen = self._listen if connection.vendor == "postgresql" else self._poll
        self._tasks = [
            asyncio.create_task(listen(), name="live-listen"),
            asyncio.create_task(self._ticks(), name="live-ticks"),
            asyncio.create_task(self._keepalive(), name="live-keepalive"),
        ]

    def add(self, user_id: int, language: str) -> Board:
        self.start()
        b = Board(user_id, language, time.monotonic() + settings.ENTENTE_LIVE_STREAM_SECONDS)
        self.boards.add(b)
        # The board's objects live as long as its stream: out of the collector's way.
        gc.freeze()
        return b

    def discard(self, b: Board) -> None:
        self.boards.discard(b)

    async def run_db(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run database work in the hub's own thread (one connection, kept open)."""
        return await asyncio.get_running_loop().run_in_executor(self._db, fn, *args)

    def announce(self, event: dict[str, Any]) -> None:
        """An announcement heard from the database (or, in tests, handed in directly)."""
        self._pending.append(event)
        self._wake.set()

    # -- hearing the database --------------------------------------------------------------

    def _conninfo(self) -> str:
        from psycopg.conninfo import make_conninfo

        s = connection.settings_dict
        options = {
            k: v
            for k, v in (s.get("OPTIONS") or {}).items()
            if k in {"sslmode", "sslrootcert", "sslcert", "sslkey", "options", "service"}
        }
        params = {
            "dbname": s.get("NAME") or None,
            "user": s.get("USER") or None,
            "password": s.get("PASSWORD") or None,
            "host": s.get("HOST") or None,
            "port": str(s["PORT"]) if s.get("PORT") else None,
            "application_name": "entente-live",
            **options,
        }
        return make_conninfo("", **{k: v for k, v in params.items() if v is not None})

    async def _listen(self) -> None:
        """LISTEN on a connection of its own; reconnect with back-off; resync boards after."""
        import psycopg

        delay = 0.5
        lost = False
        while not self._stopping:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self._conninfo(), autocommit=True
                ) as conn:
                    await conn.execute(f"LISTEN {live.CHANNEL}")
                    self.connected.set()
                    delay = 0.5
                    if lost:
                        self.resync()
                    async for note in conn.notifies():
                        try:
                            self.announce(json.loads(note.payload))
                        except (ValueError, TypeError):
                            logger.warning("live: unreadable notification %r", note.payload)
            except (psycopg.Error, OSError) as exc:
                if self._stopping:
                    return
                logger.warning("live: database link lost (%s); again in %.1f s", exc, delay)
            self.connected.clear()
            lost = True
            await asyncio.sleep(delay)
            delay = min(delay * 2, 15.0)

    def _read_log(self, after: int | None) -> tuple[int, list[dict[str, Any]]]:
        from entente.control_room.models import LiveEvent

        if after is None:
            last = LiveEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
            return last or 0, []
        rows = list(
            LiveEvent.objects.filter(pk__gt=after)
            .order_by("pk")
            .values_list("pk", "payload")[:1000]
        )
        if rows:
            after = rows[-1][0]
        return after, [payload for _, payload in rows]

    def _prune_log(self) -> None:
        from entente.control_room.models import LiveEvent

        LiveEvent.objects.filter(created_at__lt=timezone.now() - dt.timedelta(minutes=10)).delete()

    async def _poll(self) -> None:
        """SQLite: read the event log past the last id seen, a few times a second."""
        after: int | None = None
        pruned = time.monotonic()
        interval = settings.ENTENTE_LIVE_POLL_MS / 1000
        while not self._stopping:
            try:
                after, events = await self.run_db(self._read_log, after)
                self.connected.set()
                for event in events:
                    self.announce(event)
                if time.monotonic() - pruned > 60:
                    pruned = time.monotonic()
                    await self.run_db(self._prune_log)
            except Exception:
                logger.exception("live: could not read the event log")
                self.connected.clear()
                await self.run_db(connections.close_all)
            await asyncio.sleep(interval)

    # -- ticks -----------------------------------------------------------------------------

    async def _ticks(self) -> None:
        floor = settings.ENTENTE_LIVE_TICK_MS / 1000
        while not self._stopping:
            await self._wake.wait()
            self._wake.clear()
            events, self._pending = self._pending, []
            if not events or not self.boards:
                continue
            started = time.monotonic()
            try:
                await self.tick(events)
            except Exception:
                # A broken database connection is opened afresh on the next tick.
                logger.exception("live: a tick failed; boards resync")
                await self.run_db(connections.close_all)
                self.resync()
            spent = time.monotonic() - started
            if spent < floor:
                await asyncio.sleep(floor - spent)

    async def tick(self, events: list[dict[str, Any]]) -> None:
        """Send the boards what these announcements changed, each only what its user sees."""
        ids: set[int] = set()
        with_alerts: set[int] = set()
        for event in events:
            found = live.incident_ids(event)
            ids |= found
            if event.get("type") == "alerts":
                with_alerts |= found
        if not ids:
            return
        boards = list(self.boards)
        wanted = {(b.user_id, b.language) for b in boards}
        started = time.perf_counter()
        built = await self.run_db(self._build, ids, with_alerts, wanted)
        self.ticks += 1
        fetched = time.perf_counter()
        cache: dict[tuple[str, frozenset[int]], bytes] = {}
        for b in boards:
            visible, rows, alerts = built.get((b.user_id, b.language), (frozenset(), {}, []))
            gone = sorted((ids - visible) & b.shown)
            if not visible and not gone:
                continue
            for row in rows.values():
                if row["open"]:
                    b.shown.add(row["id"])
                else:
                    b.shown.discard(row["id"])
            b.shown.difference_update(gone)
            if gone:
                message = sse(self._payload(rows, alerts, gone))
            else:
                key = (b.language, visible)
                if key not in cache:
                    cache[key] = sse(self._payload(rows, alerts))
                message = cache[key]
            if not b.put(message):
                self._drop(b)
        logger.debug(
            "live: tick %d, %d announcements, %d incidents, %d boards: %.1f ms database, "
            "%.1f ms fan-out",
            self.ticks,
            len(events),
            len(ids),
            len(boards),
            1000 * (fetched - started),
            1000 * (time.perf_counter() - fetched),
        )

    @staticmethod
    def _payload(
        rows: dict[int, dict[str, Any]], alerts: list[dict[str, Any]], gone: list[int] | None = None
    ) -> dict[str, Any]:
        return {
            "now": timezone.now().isoformat(),
            "incidents": list(rows.values()),
            "alerts": alerts,
            "gone": gone or [],
        }

    def _watcher(self, user_id: int) -> _Watcher:
        """The watcher and their compiled sight, reloaded every minute (roles, agency, markings
        of their clearance, deactivation all follow within that minute)."""
        w = self._watchers.get(user_id)
        if w is None or time.monotonic() - w.loaded > 60:
            user = board.viewer(user_id)
            w = _Watcher(user, board.Sight(user) if user else None, time.monotonic())
            self._watchers[user_id] = w
        return w

    def _build(
        self, ids: set[int], with_alerts: set[int], wanted: set[tuple[int, str]]
    ) -> dict[tuple[int, str], tuple[frozenset[int], dict[int, dict[str, Any]], list[Any]]]:
        from entente.control_room.models import Incident

        incidents = list(Incident.objects.filter(pk__in=ids).select_related("zone__site__country"))
        alerts = board.newest_alerts(with_alerts)
        sights = {}
        for user_id in {u for u, _ in wanted}:
            compiled = self._watcher(user_id).sight
            if compiled is not None:
                sights[user_id] = compiled
        each = board.visible_to_each(sights, ids)
        sight = {u: frozenset(each.get(u, ())) for u, _ in wanted}
        rendered: dict[str, tuple[dict[int, dict[str, Any]], list[dict[str, Any]]]] = {}
        for language in {lang for _, lang in wanted}:
            with translation.override(language):
                rendered[language] = (
                    {i.pk: board.incident_row(i) for i in incidents},
                    [board.alert_row(a) for a in alerts],
                )
        out = {}
        for user_id, language in wanted:
            visible = sight[user_id]
            rows, alert_rows = rendered[language]
            out[(user_id, language)] = (
                visible,
                {pk: row for pk, row in rows.items() if pk in visible},
                [a for a in alert_rows if a["incident"] in visible],
            )
        return out

    # -- keeping streams alive, ending them ------------------------------------------------

    async def _keepalive(self) -> None:
        while not self._stopping:
            await asyncio.sleep(settings.ENTENTE_LIVE_HEARTBEAT_SECONDS)
            now = time.monotonic()
            for b in list(self.boards):
                if b.expires <= now or not b.put(HEARTBEAT):
                    self._drop(b)
            if now - self._collected >= settings.ENTENTE_LIVE_STREAM_SECONDS:
                self.collect()

    def collect(self) -> None:
        """The cycle collector's pass over everything, once per stream lifetime.

        Each board's objects are frozen as it connects (``add``). Left to itself, Python's
        collector went over a thousand boards' objects every seven seconds or so, holding
        every board back 200 to 300 ms (benchmarks/live_latency.py, 1,000 boards: p99 295 ms;
        frozen, 106 ms). Frozen objects are still freed when their last reference goes; only
        garbage cycles among them wait for this pass, made once every stream has ended and
        started again since the last one.
        """
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        self._collected = time.monotonic()

    def _drop(self, b: Board) -> None:
        """End one board's stream; its browser reconnects and starts from a snapshot."""
        self.boards.discard(b)
        while not b.put(None):
            b.queue.get_nowait()

    def resync(self) -> None:
        """Announcements may have been missed: end every stream, so boards start afresh."""
        for b in list(self.boards):
            self._drop(b)

    async def stop(self) -> None:
        self._stopping = True
        self.resync()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        await self.run_db(connections.close_all)
        self._db.shutdown(wait=True)


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = weakref.WeakKeyDictionary()


def get_hub() -> Hub:
    """The hub of this worker (of the running event loop), created on first use."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = _hubs[loop] = Hub()
    return hub


async def stop_hub() -> None:
    """Stop this worker's hub (server shutdown, end of a test)."""
    hub = _hubs.pop(asyncio.get_running_loop(), None)
    if hub is not None:
        await hub.stop()
