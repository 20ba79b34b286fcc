"""Alert intake and correlation: the one path every alert takes (HTTP batch and MQTT).

A batch is written in one transaction: unknown sensors, times too far in the future and
repeated events are reported, never half-written; new alerts join the open incident of their
zone when they fall within the correlation window, or open a new one.

The write is optimistic (DESIGN, "where the time goes": the ORM is not the ingest path). A
retried batch is the exception, so the alerts go straight into the table (COPY BINARY on
PostgreSQL, executemany on SQLite) under a savepoint, with no lookup first; if one of them is
already stored, the unique constraint refuses the write, the savepoint is rolled back, the
stored ones are looked up once, and the rest are written again. Correlation runs under a lock on
the batch's zones (taken in id order), so concurrent batches (HTTP workers, the MQTT bridge)
never open two incidents for one zone and window, nor lose a count.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import threading
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, NamedTuple

import orjson
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.control_room import live
from entente.control_room.choices import AlertKind, IncidentState, severity_of
from entente.control_room.models import Alert, Incident, Sensor, Zone
from entente.core import access, audit
from entente.core.choices import TLP, AuditAction, Classification, Module, Role
from entente.core.models import Country
from entente.core.services import upsert_row

NO_DETAILS: Mapping[str, Any] = MappingProxyType({})
OPEN_STATES = [s for s in IncidentState.values if s != IncidentState.CLOSED]
SILENT = AlertKind.SENSOR_SILENT.value
# How often a batch is written again after finding some of its alerts already stored (each
# time, by a writer that committed meanwhile); more means a storm of identical retries.
_ATTEMPTS = 4
_SEEN_PRECISION = dt.timedelta(seconds=5)


class AlertItem(NamedTuple):
    """One alert as a sensor reported it, already checked for form (types, ranges).

    A named tuple rather than a dataclass: a thousand are made per batch, about four times
    faster. ``occurred_at`` carries its UTC offset.
    """

    sensor: str
    event_id: str
    occurred_at: dt.datetime
    kind: str
    confidence: float
    details: Mapping[str, Any] = NO_DETAILS


@dataclass(slots=True)
class Outcome:
    index: int
    status: str  # accepted | duplicate | rejected
    reason: str = ""
    incident: int | None = None


@dataclass(slots=True)
class _Incident:
    """An incident as correlation sees it: an open one read from the table, or one it opens
    (``id`` None until written)."""

    id: int | None
    zone_id: int
    kind: str
    severity: int
    last_alert_at: dt.datetime
    alert_count: int
    owner_id: int = 0
    opened_at: dt.datetime | None = None


class _New(NamedTuple):
    """A new alert of the batch with its sensor's ids (a named tuple, made with
    ``_tuple_new``: one per alert, no constructor frame)."""

    position: int  # in the batch
    item: AlertItem
    sensor_id: int
    zone_id: int
    owner_id: int


_tuple_new = tuple.__new__


class _AlreadyStored(Exception):
    """Raised inside the savepoint when the table refused an alert it already holds."""


_collector_lock = threading.Lock()
_collector_holds = 0
_collector_was_enabled = False


@contextmanager
def without_cycle_collection() -> Iterator[None]:
    """Hold off Python's cycle collector while a batch is handled.

    A batch makes thousands of short-lived objects, all freed by reference counting as soon
    as it is answered; meanwhile they push the collector into full passes over the whole
    process's heap (Django's included), measured at 2 to 3 µs per alert, a quarter of the
    intake's Python time. Nested and concurrent holds (threads of one worker) are counted: the
    collector is switched back on, if it was on, when the last one ends.
    """
    global _collector_holds, _collector_was_enabled
    with _collector_lock:
        if _collector_holds == 0:
            _collector_was_enabled = gc.isenabled()
            gc.disable()
        _collector_holds += 1
    try:
        yield
    finally:
        with _collector_lock:
            _collector_holds -= 1
            if _collector_holds == 0 and _collector_was_enabled:
                gc.enable()


def upsert_zone(*, code: str, acting_user: Any, **fields: Any) -> Zone:
    """Create or bring in line a zone (reference data; audited like any write)."""
    return upsert_row(Zone, {"code": code}, fields, acting_user)


def upsert_sensor(*, code: str, acting_user: Any, **fields: Any) -> Sensor:
    return upsert_row(Sensor, {"code": code}, fields, acting_user)


def _window() -> dt.timedelta:
    return dt.timedelta(seconds=settings.ENTENTE_CORRELATION_SECONDS)


def ingest_alerts(items: Sequence[AlertItem], *, acting_user: Any) -> list[Outcome]:
    """Record a batch of alerts; idempotent on (sensor, event id). Returns one outcome per item."""
    access.require_role(acting_user, Module.CONTROL_ROOM, Role.EDITOR)
    return _ingest(items, acting_user)


@transaction.atomic
def _ingest(items: Sequence[AlertItem], acting_user: Any) -> list[Outcome]:
    """The intake itself; ``acting_user`` None is the system (the heartbeat watch)."""
    now = timezone.now()
    latest = now + dt.timedelta(seconds=settings.ENTENTE_ALERT_MAX_SKEW_SECONDS)
    outcomes = [Outcome(i, "accepted") for i in range(len(items))]
    # Sensors, the lock on their zones and the zones' open incidents: one round trip.
    found = _look_up(sorted({item.sensor for item in items}))
    sensors: dict[str, tuple[int, int, int]] = {}
    # Sensors heard from within the last few seconds are not written again: under a steady
    # stream that is one write per sensor every few seconds, not one per batch.
    stale: set[int] = set()
    recent = now - _SEEN_PRECISION
    for code, pk, zone_id, owner_id, last_seen in found.sensors:
        sensors[code] = (pk, zone_id, owner_id)
        if last_seen is None or _aware(last_seen) < recent:
            stale.add(pk)
    fresh: list[_New] = []
    seen: set[tuple[int, str]] = set()
    add_new, add_seen = fresh.append, seen.add
    for i, item in enumerate(items):
        known = sensors.get(item.sensor)
        at = item.occurred_at
        if known is None:
            outcomes[i] = Outcome(
                i, "rejected", _("Unknown sensor {code}.").format(code=item.sensor)
            )
        elif at.tzinfo is None:
            outcomes[i] = Outcome(i, "rejected", _("occurred_at: give the time's UTC offset."))
        elif at > latest:
            outcomes[i] = Outcome(
                i,
                "rejected",
                _(
                    "occurred_at: {time} is in the future, past the allowed clock skew "
                    "of {seconds} seconds."
                ).format(time=at.isoformat(), seconds=settings.ENTENTE_ALERT_MAX_SKEW_SECONDS),
            )
        else:
            key = (known[0], item.event_id)
            if key in seen:
                outcomes[i] = Outcome(i, "duplicate")
            else:
                add_seen(key)
                add_new(_tuple_new(_New, (i, item, *known)))
    new, incident_of, touched, silent_zones = (
        _store(fresh, found.incidents, acting_user, now) if fresh else ([], [], [], set())
    )
    if len(new) < len(fresh):
        written = {n.position for n in new}
        for n in fresh:
            if n.position not in written:
                outcomes[n.position] = Outcome(n.position, "duplicate")
    if new:
        alive = {n.sensor_id for n in new if n.item.kind != SILENT}
        if alive and silent_zones:
            _seen(alive, acting_user, now)
        elif alive & stale:
            _seen(alive & stale, acting_user, now, look_for_alarms=False)
        for n, incident in zip(new, incident_of, strict=True):
            outcomes[n.position].incident = incident.id
        live.alerts_arrived((t.id for t in touched if t.id is not None), len(new))
    counts = {"accepted": 0, "duplicate": 0, "rejected": 0}
    for o in outcomes:
        counts[o.status] += 1
    audit.record(
        acting_user,
        AuditAction.CREATE,
        object_type="control_room.alert",
        object_id=f"batch:{len(items)}",
        changes={**counts, "incidents": sorted({t.id for t in touched if t.id is not None})},
    )
    return outcomes


def _store(
    fresh: list[_New], open_rows: list[tuple[Any, ...]], acting_user: Any, now: dt.datetime
) -> tuple[list[_New], list[_Incident], list[_Incident], set[int]]:
    """Correlate and write the batch's new alerts: the alerts written, the incident of each,
    the incidents they joined or opened, and the zones with an open silent-sensor alarm.

    Each attempt runs under the savepoint the look-up set; an alert found already stored
    undoes the attempt (incidents opened included), and the next attempt leaves the stored
    ones out. The zones stay locked meanwhile, so ``open_rows`` still holds for the next.
    """
    stored: set[tuple[int, str]] = set()
    for attempt in range(_ATTEMPTS):
        new = [n for n in fresh if (n.sensor_id, n.item.event_id) not in stored]
        if not new:
            _run([(f"RELEASE SAVEPOINT {_SAVEPOINT}", ())])
            return [], [], [], set()
        try:
            incident_of, opened, joined, silent_zones = _correlate(new, open_rows, acting_user, now)
            _insert(new, incident_of, now)
        except _AlreadyStored:
            if attempt == _ATTEMPTS - 1:
                raise
            _run([(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}", ())])
            stored |= _already_stored(fresh)
            continue
        # The savepoint let go and the joined incidents' counts written: one round trip.
        _run([(f"RELEASE SAVEPOINT {_SAVEPOINT}", ()), *_incident_updates(joined, now)])
        return new, incident_of, [*opened, *joined], silent_zones
    raise AssertionError("unreachable")  # pragma: no cover


def _seen(
    sensor_ids: set[int], acting_user: Any, now: dt.datetime, *, look_for_alarms: bool = True
) -> None:
    """Sensors heard from: note the time, and close their silent-sensor alarms.

    The rows are locked in id order first: a heartbeat and a batch touching the same sensors
    then wait for each other instead of deadlocking.
    """
    ids = sorted(sensor_ids)
    list(
        Sensor.objects.filter(pk__in=ids)
        .order_by("pk")
        .select_for_update(no_key=True)
        .values_list("pk", flat=True)
    )
    Sensor.objects.filter(pk__in=ids).update(last_seen_at=now)
    if not look_for_alarms:
        return
    silent = Incident.objects.filter(
        kind=SILENT, state__in=OPEN_STATES, alerts__sensor_id__in=ids
    ).distinct()
    for incident in silent:
        before = audit.snapshot(incident)
        incident.state, incident.closed_at = IncidentState.CLOSED, now
        incident.save(update_fields=["state", "closed_at", "updated_at"])
        audit.record_update(acting_user, incident, before, purpose="sensor heard from again")
        live.incident_changed(incident.pk)


def record_heartbeats(codes: Sequence[str], *, acting_user: Any) -> tuple[int, list[str]]:
    """A sensor's sign of life (no alert): returns how many were known and the unknown codes."""
    access.require_role(acting_user, Module.CONTROL_ROOM, Role.EDITOR)
    with transaction.atomic():
        known = dict(Sensor.objects.filter(code__in=set(codes)).values_list("code", "pk"))
        if known:
            _seen(set(known.values()), acting_user, timezone.now())
    return len(known), sorted(set(codes) - set(known))


def check_heartbeats(*, now: dt.datetime | None = None) -> list[str]:
    """Raise a "sensor silent" alarm for each sensor quiet past its heartbeat interval.

    Run every minute (``entente check_sensors``); a sensor already under an open silent
    alarm is not alarmed again. Returns the codes of the sensors newly found silent.
    """
    moment = now or timezone.now()
    under_alarm = set(
        Alert.objects.filter(kind=SILENT)
        .exclude(incident__state=IncidentState.CLOSED)
        .values_list("sensor_id", flat=True)
    )
    items = []
    for sensor in Sensor.objects.exclude(pk__in=under_alarm):
        quiet_since = sensor.last_seen_at
        if (
            quiet_since is not None
            and (moment - quiet_since).total_seconds() <= sensor.heartbeat_seconds
        ):
            continue
        items.append(
            AlertItem(
                sensor=sensor.code,
                event_id=f"silent-{int(moment.timestamp())}",
                occurred_at=moment,
                kind=SILENT,
                confidence=1.0,
                details={"last_seen": quiet_since.isoformat() if quiet_since else None},
            )
        )
    if items:
        _ingest(items, None)
    return [item.sensor for item in items]


def _already_stored(fresh: list[_New]) -> set[tuple[int, str]]:
    """The (sensor, event id) pairs of the batch that are already stored: one query, one
    index range per sensor."""
    by_sensor: dict[int, list[str]] = defaultdict(list)
    for n in fresh:
        by_sensor[n.sensor_id].append(n.item.event_id)
    where = Q()
    for sensor_id, events in by_sensor.items():
        where |= Q(sensor_id=sensor_id, event_id__in=events)
    return set(Alert.objects.filter(where).values_list("sensor_id", "event_id"))


def _correlate(
    new: list[_New], open_rows: list[tuple[Any, ...]], acting_user: Any, now: dt.datetime
) -> tuple[list[_Incident], list[_Incident], list[_Incident], set[int]]:
    """Attach each new alert to its zone's open incident within the window, or open one.

    Returns the incident of each new alert (in the order of ``new``), the incidents opened
    (written here), those joined (in id order; their new counts are written by the caller)
    and the zones that have an open silent-sensor alarm.
    """
    window = _window()
    # Silent-sensor alarms make incidents of their own: a dead camera is not an intrusion.
    by_zone: dict[tuple[int, bool], list[tuple[int, _New]]] = defaultdict(list)
    for place, n in sorted(enumerate(new), key=lambda pair: pair[1].item.occurred_at):
        by_zone[(n.zone_id, n.item.kind == SILENT)].append((place, n))
    current, silent_zones = _latest_open(open_rows)
    opened: list[_Incident] = []
    joined: dict[int, _Incident] = {}
    incident_of: list[_Incident] = [None] * len(new)  # type: ignore[list-item]  # all set below
    # A batch's alerts come in few kinds and confidences: each severity is worked out once.
    levels: dict[tuple[str, float], int] = {}
    for (zone_id, _silent), alerts in by_zone.items():
        incident = current.get((zone_id, _silent))
        for place, n in alerts:
            item = n.item
            at = item.occurred_at
            level = levels.get((item.kind, item.confidence))
            if level is None:
                level = levels[item.kind, item.confidence] = severity_of(item.kind, item.confidence)
            if incident is None or abs(at - incident.last_alert_at) > window:
                incident = _Incident(None, zone_id, item.kind, level, at, 0, n.owner_id, at)
                opened.append(incident)
            elif incident.id is not None:
                joined[incident.id] = incident
            incident.alert_count += 1
            if at > incident.last_alert_at:
                incident.last_alert_at = at
            if level > incident.severity:
                incident.severity, incident.kind = level, item.kind
            incident_of[place] = incident
    if opened:
        _open(opened, acting_user, now)
    return incident_of, opened, sorted(joined.values(), key=lambda i: i.id or 0), silent_zones


class _Found(NamedTuple):
    sensors: list[tuple[Any, ...]]
    incidents: list[tuple[Any, ...]]


_SAVEPOINT = "cr_intake"


def _look_up(codes: list[str]) -> _Found:
    """The batch's sensors, then (their zones locked) the zones' open incidents, then a
    savepoint for the write: on PostgreSQL one round trip (see ``_run``; each statement
    reads after the one before, so the incidents are read once the lock is held).

    The zones are locked in id order to the end of the transaction: a concurrent batch for
    the same zones waits, then sees the incidents this one opened. (SQLite has one writer at
    a time anyway.) Only the latest open incident of a zone counts (one for alerts, one for
    silent sensors); on PostgreSQL only those are read, so a backlog of open incidents does
    not slow the intake.
    """
    if not codes:
        return _Found([], [])
    marks = ", ".join(["%s"] * len(codes))
    sensor, zone, incident = Sensor._meta.db_table, Zone._meta.db_table, Incident._meta.db_table
    zones = f"SELECT zone_id FROM {sensor} WHERE code IN ({marks})"  # noqa: S608
    states = ", ".join(f"'{state}'" for state in OPEN_STATES)
    columns = "id, zone_id, kind, severity, last_alert_at, alert_count"
    statements: list[tuple[str, Sequence[Any]]] = [
        (
            f"SELECT code, id, zone_id, owner_id, last_seen_at FROM {sensor} "  # noqa: S608
            f"WHERE code IN ({marks})",
            codes,
        )
    ]
    if connection.vendor == "postgresql":
        statements += [
            (
                f"SELECT id FROM {zone} WHERE id IN ({zones}) "  # noqa: S608
                "ORDER BY id FOR NO KEY UPDATE",
                codes,
            ),
            (
                f"SELECT DISTINCT ON (zone_id, kind = %s) {columns} "  # noqa: S608
                f"FROM {incident} WHERE zone_id IN ({zones}) AND state IN ({states}) "
                "ORDER BY zone_id, kind = %s, last_alert_at DESC",
                [SILENT, *codes, SILENT],
            ),
        ]
    else:
        statements.append(
            (
                f"SELECT {columns} FROM {incident} "  # noqa: S608
                f"WHERE zone_id IN ({zones}) AND state IN ({states}) "
                "ORDER BY zone_id, last_alert_at DESC",
                codes,
            )
        )
    statements.append((f"SAVEPOINT {_SAVEPOINT}", ()))
    results = _run(statements)
    return _Found(results[0], results[-2])


def _latest_open(
    rows: list[tuple[Any, ...]],
) -> tuple[dict[tuple[int, bool], _Incident], set[int]]:
    """Correlation's working copies of the latest open incident of each zone (one for
    alerts, one for silent sensors), and the zones with an open silent-sensor alarm."""
    current: dict[tuple[int, bool], _Incident] = {}
    silent_zones: set[int] = set()
    for pk, zone_id, kind, severity, last_alert_at, alert_count in rows:
        is_silent = kind == SILENT
        key = (zone_id, is_silent)
        if key not in current:
            current[key] = _Incident(
                pk, zone_id, kind, severity, _aware(last_alert_at), alert_count
            )
        if is_silent:
            silent_zones.add(zone_id)
    return current, silent_zones


def _open(opened: list[_Incident], acting_user: Any, now: dt.datetime) -> None:
    """Write the incidents correlation opened, marked for the joint control room."""
    releasable = frozenset(Country.objects.values_list("code", flat=True))
    # In UTC: a sensor may give any offset Python reads (up to 23:59), PostgreSQL only up to
    # 15:59. (The alerts' own times go in binary, which is UTC already.)
    rows = [
        Incident(
            zone_id=o.zone_id,
            kind=o.kind,
            opened_at=o.opened_at and o.opened_at.astimezone(dt.UTC),  # set when opened
            last_alert_at=o.last_alert_at.astimezone(dt.UTC),
            severity=o.severity,
            alert_count=o.alert_count,
            classification=Classification.OFFICIAL,
            releasability=releasable,  # type: ignore[misc]  # a set of country codes
            tlp=TLP.GREEN,
            originator_id=o.owner_id,
            created_by=acting_user,
            created_at=now,
            updated_at=now,
        )
        for o in opened
    ]
    Incident.objects.bulk_create(rows)
    for o, row in zip(opened, rows, strict=True):
        o.id = row.pk


_UPDATE_INCIDENT = (
    f"UPDATE {Incident._meta.db_table} SET severity = %s, last_alert_at = %s, "  # noqa: S608
    "alert_count = %s, kind = %s, updated_at = %s WHERE id = %s"
)


def _incident_updates(
    incidents: list[_Incident], now: dt.datetime
) -> list[tuple[str, Sequence[Any]]]:
    """The statements that write the joined incidents' new counts, times and severities:
    one for each, in id order (the order the operators' merges lock them in); bulk_update's
    CASE expressions cost more than the write."""
    adapt = connection.ops.adapt_datetimefield_value
    stamp = adapt(now)
    return [
        (
            _UPDATE_INCIDENT,
            (
                i.severity,
                adapt(i.last_alert_at.astimezone(dt.UTC)),  # in UTC: as in _open
                i.alert_count,
                i.kind,
                stamp,
                i.id,
            ),
        )
        for i in incidents
    ]


def _run(statements: list[tuple[str, Sequence[Any]]]) -> list[list[tuple[Any, ...]]]:
    """Run the statements in order and return the rows of each: on PostgreSQL as one text
    in one call, so one round trip and one pass through psycopg (Django's client-binding
    cursor takes several statements; not with the server_side_binding option); elsewhere
    one by one. The hot path's statements are plain SQL (an ORM query costs about half a
    millisecond of CPU before it is sent)."""
    with connection.cursor() as cursor:
        if len(statements) > 1 and _binds_on_client(cursor):
            cursor.execute(
                ";\n".join(sql for sql, _params in statements),
                [value for _sql, params in statements for value in params],
            )
            raw = cursor.cursor
            results = []
            while True:
                results.append(list(raw.fetchall()) if raw.description else [])
                if not raw.nextset():
                    return results
        out = []
        for sql, params in statements:
            cursor.execute(sql, params)
            out.append(list(cursor.fetchall()) if cursor.description else [])
        return out


def _binds_on_client(cursor: Any) -> bool:
    """Whether the cursor is psycopg's client-binding one, which takes several statements
    in one call (Django's default)."""
    if connection.vendor != "postgresql":
        return False
    from psycopg import ClientCursor

    return isinstance(cursor.cursor, ClientCursor)


def _aware(value: Any) -> dt.datetime:
    """A datetime read by plain SQL: PostgreSQL gives it aware; SQLite gives text in UTC."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    parsed = dt.datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


COLUMNS = (
    "sensor_id",
    "event_id",
    "occurred_at",
    "received_at",
    "kind",
    "confidence",
    "details",
    "incident_id",
)
# Details go as bytes already in jsonb's binary form (a version byte, 1, then the JSON text),
# declared bytea so psycopg passes them through in C: a Jsonb wrapper and its Python dumper per
# row cost more than the rest of the row. The server reads them with the column's type.
_COPY_TYPES = ["int8", "text", "timestamptz", "timestamptz", "text", "float8", "bytea", "int8"]
_JSONB_EMPTY = b"\x01{}"
_UNIQUE = "cr_alert_once_per_event"


def _json_bytes(value: Any) -> bytes:
    """Details as JSON: orjson, or the standard library for what orjson refuses (integers past
    64 bits, which only the standard parser lets through)."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value).encode()


def _insert(new: list[_New], incident_of: list[_Incident], now: dt.datetime) -> None:
    """Write the alerts; raise _AlreadyStored if the table already holds one of them."""
    table = Alert._meta.db_table
    cols = ", ".join(COLUMNS)
    if connection.vendor == "postgresql":
        from psycopg import errors
        from psycopg.types.string import BytesBinaryDumper

        try:
            with (
                connection.cursor() as cursor,
                cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN (FORMAT BINARY)") as copy,
            ):
                # bytea by psycopg's C dumper: the one registered for its oid is a Python
                # subclass (for the DB-API Binary wrapper), a call per row.
                cursor.cursor.adapters.register_dumper(bytes, BytesBinaryDumper)
                copy.set_types(_COPY_TYPES)
                write = copy.write_row
                for n, incident in zip(new, incident_of, strict=True):
                    item = n.item
                    details = item.details
                    write(
                        (
                            n.sensor_id,
                            item.event_id,
                            item.occurred_at,
                            now,
                            item.kind,
                            item.confidence,
                            b"\x01" + _json_bytes(details) if details else _JSONB_EMPTY,
                            incident.id,
                        )
                    )
        except errors.UniqueViolation as exc:
            if exc.diag.constraint_name == _UNIQUE:
                raise _AlreadyStored from exc
            raise
        return
    ops = connection.ops
    try:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} ({cols}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",  # noqa: S608
                [
                    (
                        n.sensor_id,
                        n.item.event_id,
                        ops.adapt_datetimefield_value(n.item.occurred_at),
                        ops.adapt_datetimefield_value(now),
                        n.item.kind,
                        n.item.confidence,
                        _json_bytes(dict(n.item.details)).decode(),
                        incident.id,
                    )
                    for n, incident in zip(new, incident_of, strict=True)
                ],
            )
    except IntegrityError as exc:
        if "UNIQUE" in str(exc) and "event_id" in str(exc):
            raise _AlreadyStored from exc
        raise
