"""Alert intake and correlation: the one path every alert takes (HTTP batch and MQTT).

A batch is written in one transaction: unknown sensors and repeated events are reported, never
half-written; new alerts join the open incident of their zone when they fall within the
correlation window, or open a new one. On PostgreSQL the alerts go in with COPY into a
temporary table and one INSERT ... ON CONFLICT DO NOTHING (the ORM is not the ingest path,
DESIGN "where the time goes"); on SQLite with executemany.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.control_room import live
from entente.control_room.choices import AlertKind, IncidentState, severity_of
from entente.control_room.models import Alert, Incident, Sensor, Zone
from entente.core import access, audit
from entente.core.choices import TLP, AuditAction, Classification, Module, Role
from entente.core.models import Agency, Country
from entente.core.services import upsert_row


@dataclass(frozen=True)
class AlertItem:
    """One alert as a sensor reported it, already checked for form (types, ranges)."""

    sensor: str
    event_id: str
    occurred_at: dt.datetime
    kind: str
    confidence: float
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Outcome:
    index: int
    status: str  # accepted | duplicate | rejected
    reason: str = ""
    incident: int | None = None


@dataclass
class _New:
    index: int
    item: AlertItem
    sensor_id: int
    zone_id: int
    owner_id: int
    incident: Incident | None = None


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
    outcomes = [Outcome(i, "accepted") for i in range(len(items))]
    codes = {item.sensor for item in items}
    sensors = {
        code: (pk, zone_id, owner_id)
        for code, pk, zone_id, owner_id in Sensor.objects.filter(code__in=codes).values_list(
            "code", "pk", "zone_id", "owner_id"
        )
    }
    fresh: list[_New] = []
    seen: set[tuple[int, str]] = set()
    for i, item in enumerate(items):
        known = sensors.get(item.sensor)
        if known is None:
            outcomes[i] = Outcome(
                i, "rejected", _("Unknown sensor {code}.").format(code=item.sensor)
            )
            continue
        key = (known[0], item.event_id)
        if key in seen:
            outcomes[i] = Outcome(i, "duplicate")
            continue
        seen.add(key)
        fresh.append(_New(i, item, *known))
    stored = _already_stored(fresh)
    new = []
    for n in fresh:
        if (n.sensor_id, n.item.event_id) in stored:
            outcomes[n.index] = Outcome(n.index, "duplicate")
        else:
            new.append(n)
    if new:
        touched = _correlate(new, acting_user)
        _insert(new)
        Incident.objects.bulk_update(
            touched, ["severity", "last_alert_at", "alert_count", "kind", "updated_at"]
        )
        alive = {n.sensor_id for n in new if n.item.kind != AlertKind.SENSOR_SILENT}
        if alive:
            _seen(alive, acting_user)
        for n in new:
            outcomes[n.index].incident = n.incident.pk if n.incident else None
        live.alerts_arrived((t.pk for t in touched), len(new))
    counts = {
        s: sum(1 for o in outcomes if o.status == s) for s in ("accepted", "duplicate", "rejected")
    }
    audit.record(
        acting_user,
        AuditAction.CREATE,
        object_type="control_room.alert",
        object_id=f"batch:{len(items)}",
        changes={**counts, "incidents": sorted({o.incident for o in outcomes if o.incident})},
    )
    return outcomes


def _seen(sensor_ids: set[int], acting_user: Any) -> None:
    """Sensors heard from: note the time, and close their silent-sensor alarms."""
    now = timezone.now()
    Sensor.objects.filter(pk__in=sensor_ids).update(last_seen_at=now)
    silent = (
        Incident.objects.filter(kind=AlertKind.SENSOR_SILENT, alerts__sensor_id__in=sensor_ids)
        .exclude(state=IncidentState.CLOSED)
        .distinct()
    )
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
            _seen(set(known.values()), acting_user)
    return len(known), sorted(set(codes) - set(known))


def check_heartbeats(*, now: dt.datetime | None = None) -> list[str]:
    """Raise a "sensor silent" alarm for each sensor quiet past its heartbeat interval.

    Run every minute (``entente check_sensors``); a sensor already under an open silent
    alarm is not alarmed again. Returns the codes of the sensors newly found silent.
    """
    moment = now or timezone.now()
    under_alarm = set(
        Alert.objects.filter(kind=AlertKind.SENSOR_SILENT)
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
                kind=AlertKind.SENSOR_SILENT,
                confidence=1.0,
                details={"last_seen": quiet_since.isoformat() if quiet_since else None},
            )
        )
    if items:
        _ingest(items, None)
    return [item.sensor for item in items]


def _already_stored(fresh: list[_New]) -> set[tuple[int, str]]:
    """The (sensor, event id) pairs of the batch that an earlier batch already stored."""
    if not fresh:
        return set()
    rows = Alert.objects.filter(
        sensor_id__in={n.sensor_id for n in fresh},
        event_id__in={n.item.event_id for n in fresh},
    ).values_list("sensor_id", "event_id")
    return set(rows)


def _correlate(new: list[_New], acting_user: Any) -> list[Incident]:
    """Attach each new alert to its zone's open incident within the window, or open one."""
    window = _window()
    # Silent-sensor alarms make incidents of their own: a dead camera is not an intrusion.
    by_zone: dict[tuple[int, bool], list[_New]] = defaultdict(list)
    for n in sorted(new, key=lambda n: n.item.occurred_at):
        by_zone[(n.zone_id, n.item.kind == AlertKind.SENSOR_SILENT)].append(n)
    current: dict[tuple[int, bool], Incident] = {}
    for incident in (
        Incident.objects.filter(zone_id__in={key[0] for key in by_zone})
        .exclude(state=IncidentState.CLOSED)
        .order_by("zone_id", "-last_alert_at")
    ):
        current.setdefault((incident.zone_id, incident.kind == AlertKind.SENSOR_SILENT), incident)
    releasable = frozenset(Country.objects.values_list("code", flat=True))
    touched: dict[int, Incident] = {}
    for (zone_id, _silent), alerts in by_zone.items():
        incident = current.get((zone_id, _silent))
        for n in alerts:
            at = n.item.occurred_at
            if incident is None or abs(at - incident.last_alert_at) > window:
                incident = Incident.objects.create(
                    zone_id=zone_id,
                    kind=n.item.kind,
                    opened_at=at,
                    last_alert_at=at,
                    severity=severity_of(n.item.kind, n.item.confidence),
                    classification=Classification.OFFICIAL,
                    releasability=releasable,  # type: ignore[misc]  # a set of country codes
                    tlp=TLP.GREEN,
                    originator=Agency(pk=n.owner_id),
                    created_by=acting_user,
                )
            incident.alert_count += 1
            incident.last_alert_at = max(incident.last_alert_at, at)
            level = severity_of(n.item.kind, n.item.confidence)
            if level > incident.severity:
                incident.severity, incident.kind = level, n.item.kind
            n.incident = incident
            touched[incident.pk] = incident
    return list(touched.values())


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


def _rows(new: list[_New]) -> list[tuple[Any, ...]]:
    now = timezone.now()
    return [
        (
            n.sensor_id,
            n.item.event_id,
            n.item.occurred_at,
            now,
            n.item.kind,
            n.item.confidence,
            n.item.details,
            n.incident.pk if n.incident else None,
        )
        for n in new
    ]


def _insert(new: list[_New]) -> None:
    table = Alert._meta.db_table
    cols = ", ".join(COLUMNS)
    if connection.vendor == "postgresql":
        from psycopg.types.json import Jsonb

        with connection.cursor() as cursor:
            raw = cursor.cursor
            # The staging table lives with the session (created again only if a rolled-back
            # transaction took it away) and is emptied after each use.
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS cr_alert_in (sensor_id bigint, event_id text,"
                " occurred_at timestamptz, received_at timestamptz, kind text,"
                " confidence double precision, details jsonb, incident_id bigint)"
                " ON COMMIT DELETE ROWS"
            )
            with raw.copy(f"COPY cr_alert_in ({cols}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(
                    [
                        "int8",
                        "text",
                        "timestamptz",
                        "timestamptz",
                        "text",
                        "float8",
                        "jsonb",
                        "int8",
                    ]
                )
                for row in _rows(new):
                    copy.write_row((*row[:6], Jsonb(row[6]), row[7]))
            cursor.execute(
                f"INSERT INTO {table} ({cols}) SELECT {cols} FROM cr_alert_in "  # noqa: S608
                "ON CONFLICT (sensor_id, event_id) DO NOTHING"
            )
            # Emptied now rather than at commit: a second batch in the same transaction
            # must not see this one's rows.
            cursor.execute("DELETE FROM cr_alert_in")
        return
    ops = connection.ops
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({cols}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "  # noqa: S608
            "ON CONFLICT (sensor_id, event_id) DO NOTHING",
            [
                (
                    r[0],
                    r[1],
                    ops.adapt_datetimefield_value(r[2]),
                    ops.adapt_datetimefield_value(r[3]),
                    r[4],
                    r[5],
                    json.dumps(r[6]),
                    r[7],
                )
                for r in _rows(new)
            ],
        )
