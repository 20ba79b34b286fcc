"""The live stream: announcements travel with the transaction (PostgreSQL NOTIFY, SQLite event
log), the hub fans them out, and each board receives only what its user may see.

The streams here are the real ASGI view (Django's AsyncClient), fed by the real hub: on
PostgreSQL it LISTENs on a connection of its own, on SQLite it reads the event log from a
connection of its own. The tests are transactional, so that those connections see the commits.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.db import connection, connections, transaction
from django.test import AsyncClient, Client
from django.utils import timezone

from entente.control_room import live
from entente.control_room.hub import get_hub, stop_hub
from entente.control_room.models import Incident, LiveEvent
from entente.control_room.services import AlertItem, advance_incident, ingest_alerts
from entente.core.models import User
from tests.conftest import load_world, verified_login

SENSORS = "sensors.demo"  # the demo's sensor account (entente.demo.load)
FRENCH_OPERATOR = "operator.eurotunnel"  # Eurotunnel (FR), writes in French
BRITISH_OPERATOR = "leader.borderforce"  # Border Force (UK), writes in English
WAIT = 5.0  # seconds: far beyond what a board waits in practice (the browser test: 1 s)


@pytest.fixture
def world(transactional_db: Any, settings: Any) -> None:
    # Transactional tests load the world again each time: the personas' passwords (unused
    # here) need not cost an Argon2 hash each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_world()


def item(sensor: str = "COQ-PLAT-CCTV-01", **extra: Any) -> AlertItem:
    return AlertItem(
        sensor=sensor,
        event_id=extra.pop("event_id", f"live-{uuid.uuid4().hex[:10]}"),
        occurred_at=extra.pop("occurred_at", timezone.now()),
        kind=extra.pop("kind", "intrusion"),
        confidence=extra.pop("confidence", 0.8),
    )


def ingest(*items: AlertItem) -> int:
    """Ingest as the sensors' account; the incident of the first alert."""
    outcomes = ingest_alerts(list(items), acting_user=User.objects.get(username=SENSORS))
    assert outcomes[0].incident is not None
    return outcomes[0].incident


def in_thread(fn: Callable[[], Any]) -> Any:
    """Run database work in a thread of its own, closing its connection after."""

    def run() -> Any:
        try:
            return fn()
        finally:
            connections.close_all()

    return asyncio.to_thread(run)


_sessions: dict[str, str] = {}


def session_of(username: str) -> str:
    """A session of this user with the second factor passed, as the browser would hold (one
    per user and test: many boards of one person share it, as tabs of one browser do)."""
    if username not in _sessions or not _session_exists(_sessions[username]):
        client = verified_login(Client(), User.objects.get(username=username))
        _sessions[username] = client.cookies["sessionid"].value
    return _sessions[username]


def _session_exists(key: str) -> bool:
    from django.contrib.sessions.models import Session

    return Session.objects.filter(session_key=key).exists()


class Board:
    """An open board: the real stream view over ASGI, read in the background."""

    def __init__(self, username: str) -> None:
        self.username = username
        self.messages: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.status = 0
        self.ended = asyncio.Event()

    async def open(self) -> Board:
        client = AsyncClient()
        client.cookies["sessionid"] = await sync_to_async(session_of)(self.username)
        response = await client.get("/control-room/live/stream")
        self.status = response.status_code
        assert self.status == 200, self.status
        assert response["Content-Type"] == "text/event-stream"
        self._task = asyncio.create_task(self._read(response))
        self.snapshot = await self.next()
        assert self.snapshot["snapshot"] is True
        return self

    async def _read(self, response: Any) -> None:
        buffer = ""
        try:
            async for chunk in response.streaming_content:
                buffer += chunk.decode()
                while "\n\n" in buffer:
                    block, buffer = buffer.split("\n\n", 1)
                    lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
                    if lines.get("event") == "board":
                        await self.messages.put(json.loads(lines["data"]))
        finally:
            self.ended.set()

    async def next(self, timeout: float = WAIT) -> dict[str, Any]:
        return await asyncio.wait_for(self.messages.get(), timeout)

    async def nothing_for(self, seconds: float) -> bool:
        try:
            await asyncio.wait_for(self.messages.get(), seconds)
        except TimeoutError:
            return True
        return False

    async def next_with(self, incident: int, timeout: float = WAIT) -> dict[str, Any]:
        """The next message that mentions this incident (others may come first)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            message = await self.next(max(0.01, deadline - loop.time()))
            if any(row["id"] == incident for row in message["incidents"]):
                return message

    def close(self) -> None:
        self._task.cancel()


def run(scenario: Callable[[], Any]) -> None:
    """Run an async scenario, then stop the hub and close the connections it opened."""

    async def main() -> None:
        try:
            await scenario()
        finally:
            await stop_hub()
            await sync_to_async(connections.close_all)()

    asyncio.run(main())


# -- the announcements themselves ------------------------------------------------------------


@pytest.mark.postgres
def test_a_notify_reaches_a_listening_connection_at_commit_and_never_on_rollback(world):
    if connection.vendor != "postgresql":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's")
    import psycopg

    from entente.control_room.hub import Hub

    async def conninfo() -> str:
        return Hub()._conninfo()

    with psycopg.connect(asyncio.run(conninfo()), autocommit=True) as listener:
        listener.execute(f"LISTEN {live.CHANNEL}")

        def heard(timeout: float) -> list[dict[str, Any]]:
            return [
                json.loads(n.payload) for n in listener.notifies(timeout=timeout, stop_after=10)
            ]

        with transaction.atomic():
            live.incident_changed(41)
            assert heard(0.3) == [], "announced before the commit"
        assert heard(2) == [{"type": "incident", "id": 41}]

        with pytest.raises(RuntimeError), transaction.atomic():
            live.incident_changed(42)
            raise RuntimeError("the service failed")
        assert heard(0.5) == []

        # A long list of incidents is split below PostgreSQL's 8,000-byte payload limit.
        live.alerts_arrived(range(1, 1201), 3000)
        pieces = heard(2)
        assert [len(p["incidents"]) for p in pieces] == [500, 500, 200]
        assert sum(p["count"] for p in pieces) == 3000


def test_on_sqlite_an_announcement_is_a_row_only_once_committed(world):
    if connection.vendor != "sqlite":
        pytest.skip("the event log is the embedded database's")
    LiveEvent.objects.all().delete()

    def rows_seen_elsewhere() -> int:
        def count() -> int:
            return LiveEvent.objects.count()

        return asyncio.run(in_thread(count))

    with pytest.raises(RuntimeError), transaction.atomic():
        live.incident_changed(42)
        raise RuntimeError("the service failed")
    assert rows_seen_elsewhere() == 0
    with transaction.atomic():
        live.incident_changed(41)
        assert rows_seen_elsewhere() == 0, "visible before the commit"
    assert rows_seen_elsewhere() == 1
    assert LiveEvent.objects.get().payload == {"type": "incident", "id": 41}


# -- the stream ------------------------------------------------------------------------------


def test_a_board_hears_of_an_alert_after_the_commit_and_not_before(world):
    async def scenario() -> None:
        board = await Board(FRENCH_OPERATOR).open()
        opened = threading.Event()
        go = threading.Event()

        def held_open() -> int:
            with transaction.atomic():
                incident = ingest(item())
                opened.set()
                go.wait(10)
            return incident

        writer = asyncio.ensure_future(in_thread(held_open))
        await asyncio.to_thread(opened.wait, 10)
        assert await board.nothing_for(1.0), "a board heard of an uncommitted alert"
        go.set()
        incident = await writer
        message = await board.next_with(incident)
        row = next(r for r in message["incidents"] if r["id"] == incident)
        # Labelled in the watcher's language (French), with what the board shows.
        assert row["state_label"] == "Nouveau"
        assert row["zone_label"] == "Quais d'embarquement fret"
        assert row["alerts"] == 1 and row["open"] is True
        assert message["alerts"][0]["incident"] == incident
        board.close()

    run(scenario)


def test_a_rolled_back_ingest_never_reaches_a_board(world):
    async def scenario() -> None:
        board = await Board(BRITISH_OPERATOR).open()

        def rolled_back() -> None:
            with pytest.raises(RuntimeError), transaction.atomic():
                ingest(item(event_id="rolled-back"))
                raise RuntimeError("the batch failed")

        await in_thread(rolled_back)
        assert await board.nothing_for(1.0)
        incident = await in_thread(lambda: ingest(item(sensor="CAL-RING-CCTV-01")))
        message = await board.next_with(incident)
        assert [r["id"] for r in message["incidents"]] == [incident]
        assert message["incidents"][0]["zone_label"] == "Ring-road access"
        board.close()

    run(scenario)


def test_a_uk_only_incident_never_reaches_a_french_operator(world):
    async def scenario() -> None:
        french = await Board(FRENCH_OPERATOR).open()
        british = await Board(BRITISH_OPERATOR).open()

        def uk_only() -> int:
            with transaction.atomic():
                incident = ingest(item(sensor="FOL-PLAT-CO2-01", kind="co2"))
                # No service narrows an incident's releasability yet; the marking is what
                # matters here, written in the same transaction as the alert.
                Incident.objects.filter(pk=incident).update(releasability="UK")
            return incident

        secret = await in_thread(uk_only)
        message = await british.next_with(secret)
        assert message["incidents"][0]["kind_label"] == "CO2 level in a vehicle"
        # Then something both may see: the French board gets that, and never the other.
        shared = await in_thread(lambda: ingest(item()))
        seen = await french.next_with(shared)
        assert secret not in {r["id"] for r in seen["incidents"]}
        assert secret not in {a["incident"] for a in seen["alerts"]}
        while not french.messages.empty():
            assert secret not in {r["id"] for r in french.messages.get_nowait()["incidents"]}
        # A board opened now does not list it in its snapshot either.
        late = await Board(FRENCH_OPERATOR).open()
        assert secret not in {r["id"] for r in late.snapshot["incidents"]}
        for b in (french, british, late):
            b.close()

    run(scenario)


def test_an_incident_that_leaves_a_users_sight_is_taken_off_their_board(world):
    async def scenario() -> None:
        incident = await in_thread(lambda: ingest(item(sensor="FOL-PLAT-SCAN-01")))
        french = await Board(FRENCH_OPERATOR).open()
        assert incident in {r["id"] for r in french.snapshot["incidents"]}

        def narrow() -> None:
            with transaction.atomic():
                Incident.objects.filter(pk=incident).update(releasability="UK")
                live.incident_changed(incident)

        await in_thread(narrow)
        message = await french.next()
        assert message["gone"] == [incident]
        assert message["incidents"] == []
        french.close()

    run(scenario)


def test_an_acknowledged_incident_updates_and_a_closed_one_leaves_the_board(world):
    async def scenario() -> None:
        incident = await in_thread(lambda: ingest(item()))
        alarm = await in_thread(lambda: ingest(item(sensor="CAL-EAST-HB-01", kind="sensor_silent")))
        board = await Board(BRITISH_OPERATOR).open()

        def advance(pk: int, state: str) -> None:
            advance_incident(
                Incident.objects.get(pk=pk),
                to_state=state,
                acting_user=User.objects.get(username=FRENCH_OPERATOR),
            )

        await in_thread(lambda: advance(incident, "acknowledged"))
        row = (await board.next_with(incident))["incidents"][0]
        assert (row["state"], row["state_label"], row["open"]) == (
            "acknowledged",
            "Acknowledged",
            True,
        )
        # A silent-sensor alarm closes as a bare step (others close with their outcome).
        await in_thread(lambda: advance(alarm, "closed"))
        row = (await board.next_with(alarm))["incidents"][0]
        assert row["open"] is False
        board.close()

    run(scenario)


def test_many_boards_of_few_users_cost_one_round_of_queries_per_tick(world):
    """Forty boards of two operators: each hears the change, and the hub asked the
    database once per tick, not once per board."""

    async def scenario() -> None:
        boards = [
            await Board(FRENCH_OPERATOR if i % 2 else BRITISH_OPERATOR).open() for i in range(40)
        ]
        hub = get_hub()
        ticks = hub.ticks
        incident = await in_thread(lambda: ingest(item()))
        for b in boards:
            await b.next_with(incident)
        assert hub.ticks - ticks <= 2
        for b in boards:
            b.close()

    run(scenario)


@pytest.mark.postgres
def test_the_hub_reconnects_after_losing_its_database_link_and_boards_resync(world):
    if connection.vendor != "postgresql":
        pytest.skip("the LISTEN connection is PostgreSQL's")

    async def scenario() -> None:
        board = await Board(FRENCH_OPERATOR).open()
        hub = get_hub()
        await asyncio.wait_for(hub.connected.wait(), WAIT)

        def cut() -> None:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE application_name = 'entente-live' AND datname = current_database()"
                )

        await in_thread(cut)
        # Announcements may have been lost meanwhile: the board's stream ends, so that its
        # browser reconnects and starts again from a snapshot.
        await asyncio.wait_for(board.ended.wait(), WAIT)
        await asyncio.sleep(0.1)
        await asyncio.wait_for(hub.connected.wait(), 10)
        again = await Board(FRENCH_OPERATOR).open()
        incident = await in_thread(lambda: ingest(item()))
        await again.next_with(incident)
        again.close()

    run(scenario)


def test_a_stream_ends_when_its_time_is_up_so_the_browser_signs_in_again(world, settings):
    settings.ENTENTE_LIVE_STREAM_SECONDS = 1
    settings.ENTENTE_LIVE_HEARTBEAT_SECONDS = 1

    async def scenario() -> None:
        board = await Board(BRITISH_OPERATOR).open()
        await asyncio.wait_for(board.ended.wait(), WAIT)

    run(scenario)


def test_the_page_server_answers_the_stream_with_the_snapshot_alone(world):
    """Without the live listener (here Django's test client, as on the WSGI page server), the
    stream answers once, filtered like the rest, and asks the browser back in a few seconds."""

    incident = ingest(item(sensor="FOL-PLAT-CO2-01", kind="co2"))
    Incident.objects.filter(pk=incident).update(releasability="UK")
    shown = ingest(item(occurred_at=timezone.now() - dt.timedelta(seconds=1)))
    response = verified_login(Client(), User.objects.get(username=FRENCH_OPERATOR)).get(
        "/control-room/live/stream"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream"
    body = response.content.decode()
    assert body.startswith("retry: 5000\n\n")
    data = json.loads(body.split("data: ", 1)[1])
    assert data["mode"] == "poll"
    assert [r["id"] for r in data["incidents"]] == [shown]


def test_the_stream_refuses_those_who_may_not_watch_without_streaming(world):
    anonymous = Client().get("/control-room/live/stream")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    analyst = verified_login(Client(), User.objects.get(username="analyst.nca"))
    refused = analyst.get("/control-room/live/stream")
    assert refused.status_code == 403 and not refused.streaming
    unverified = Client()
    unverified.force_login(User.objects.get(username=FRENCH_OPERATOR))
    response = unverified.get("/control-room/live/stream")
    assert response.status_code == 302 and "two-factor" in response["Location"]


def test_the_stream_lets_the_board_page_reach_it_from_another_port_of_the_same_host(world):
    client = verified_login(Client(), User.objects.get(username=BRITISH_OPERATOR))
    ok = client.get("/control-room/live/stream", HTTP_ORIGIN="http://testserver:8000")
    assert ok["Access-Control-Allow-Origin"] == "http://testserver:8000"
    assert ok["Access-Control-Allow-Credentials"] == "true"
    other = client.get("/control-room/live/stream", HTTP_ORIGIN="http://evil.example:8000")
    assert "Access-Control-Allow-Origin" not in other


def test_the_boards_objects_kept_out_of_the_collector_are_reclaimed_in_its_periodic_pass():
    """Boards' objects are frozen as they connect (the collector's passes over a thousand
    boards held every board back); a garbage cycle among them must still be reclaimed, by the
    pass the hub makes once per stream lifetime, or a worker would grow for ever."""
    import gc
    import weakref

    from entente.control_room.hub import Hub

    class Node:
        pass

    node = Node()
    node.me = node  # a cycle: only the cycle collector frees it
    gone = weakref.ref(node)
    gc.freeze()  # as a board's connection does
    del node
    try:
        gc.collect()
        assert gone() is not None  # frozen: out of the ordinary passes
        Hub().collect()
        assert gone() is None
    finally:
        gc.unfreeze()
