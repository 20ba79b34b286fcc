"""What the live board shows, as data: the open incidents a person may see and the newest alerts.

The board page renders these rows on the server (it works without JavaScript); the live stream
sends the same rows as JSON, rendered in the watcher's language. Everything a watcher receives
passes through ``Incident.objects.visible_to`` (the access policy): the rows of incidents the
person may not see are never built for them. Alerts carry no marking of their own; they are
seen through their incident.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats, timezone

from entente.control_room.choices import AlertKind, IncidentState, Severity
from entente.control_room.models import Alert, Incident
from entente.core.models import User

# The board lists at most this many open incidents (newest first); the incident list pages on.
BOARD_LIMIT = 200
TICKER_LIMIT = 10
# "Live activity" of a zone on the map: its open incidents and the alerts of the last minutes.
ACTIVITY_MINUTES = 15


def open_incidents(user: Any) -> QuerySet[Incident]:
    """The open incidents the user may see, newest first."""
    return (
        Incident.objects.visible_to(user)
        .exclude(state=IncidentState.CLOSED)
        .select_related("zone__site__country")
        .order_by("-opened_at", "-pk")
    )


def _local(value: dt.datetime, zone: str) -> str:
    return formats.time_format(value.astimezone(zoneinfo.ZoneInfo(zone)), "H:i")


def incident_row(incident: Incident) -> dict[str, Any]:
    """One incident as the board shows it, labelled in the active language."""
    site = incident.zone.site
    return {
        "id": incident.pk,
        "url": reverse("control_room:incident_detail", args=[incident.pk]),
        "state": incident.state,
        "state_label": str(IncidentState(incident.state).label),
        "open": incident.state != IncidentState.CLOSED,
        "severity": incident.severity,
        "severity_label": str(Severity(incident.severity).label),
        "kind": incident.kind,
        "kind_label": str(AlertKind(incident.kind).label),
        "zone": incident.zone_id,
        "zone_label": incident.zone.name,
        "site_label": site.name,
        "alerts": incident.alert_count,
        "opened": incident.opened_at.isoformat(),
        "opened_local": _local(incident.opened_at, site.country.timezone),
        "last_alert": incident.last_alert_at.isoformat(),
    }


def alert_row(alert: Alert) -> dict[str, Any]:
    """One line of the newest-alerts ticker."""
    zone = alert.sensor.zone
    return {
        "id": alert.pk,
        "incident": alert.incident_id,
        "sensor": alert.sensor.code,
        "kind_label": str(AlertKind(alert.kind).label),
        "zone_label": zone.name,
        "confidence": round(alert.confidence, 2),
        "at": alert.occurred_at.isoformat(),
        "at_local": _local(alert.occurred_at, zone.site.country.timezone),
    }


def newest_alerts(incident_ids: Iterable[int]) -> list[Alert]:
    """The newest alerts of these incidents (the caller has checked the incidents' sight)."""
    ids = list(incident_ids)
    if not ids:
        return []
    return list(
        Alert.objects.filter(incident_id__in=ids)
        .select_related("sensor__zone__site__country")
        .order_by("-pk")[:TICKER_LIMIT]
    )


def snapshot(user: Any) -> dict[str, Any]:
    """The whole board for one person, in the active language: the first message of a stream."""
    incidents = list(open_incidents(user)[:BOARD_LIMIT])
    return {
        "snapshot": True,
        "now": timezone.now().isoformat(),
        "incidents": [incident_row(i) for i in incidents],
        "alerts": [alert_row(a) for a in newest_alerts(i.pk for i in incidents)],
    }


def viewer(user_id: int) -> User | None:
    """A watcher as the access policy needs them (agency and country loaded), or None."""
    return User.objects.select_related("agency__country").filter(pk=user_id).first()


def visible_among(user: Any, ids: Iterable[int]) -> set[int]:
    """Which of these incidents the user may see (one query)."""
    return set(
        Incident.objects.visible_to(user).filter(pk__in=list(ids)).values_list("pk", flat=True)
    )


class Sight:
    """What one watcher may see, as the SQL of ``Incident.objects.visible_to(user)``.

    The access policy builds the filter (``access.visible_q``); building and compiling it costs
    a few milliseconds, many times the query itself, so the hub compiles it once per watcher
    (and again each minute, when it reloads the user) and asks for every watcher at once.
    """

    def __init__(self, user: Any) -> None:
        query = Incident.objects.visible_to(user).order_by().values_list("pk", flat=True).query
        # Django names the selected column "pk" (values_list("pk")) on every backend.
        self.sql, self.params = query.sql_with_params()


# SQLite allows 500 terms in one compound SELECT; well below that, one query per chunk.
_WATCHERS_PER_QUERY = 100


def visible_to_each(sights: dict[int, Sight], ids: Iterable[int]) -> dict[int, set[int]]:
    """For each watcher, which of these incidents they may see: one query for all of them."""
    from django.db import connection

    wanted = sorted(set(ids))
    seen: dict[int, set[int]] = {key: set() for key in sights}
    if not wanted:
        return seen
    marks = ", ".join(["%s"] * len(wanted))
    items = list(sights.items())
    for start in range(0, len(items), _WATCHERS_PER_QUERY):
        parts, params = [], []
        for key, sight in items[start : start + _WATCHERS_PER_QUERY]:
            # The policy's own query, narrowed to the changed incidents.
            parts.append(f"SELECT %s, v.pk FROM ({sight.sql}) v WHERE v.pk IN ({marks})")  # noqa: S608
            params += [key, *sight.params, *wanted]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            for key, pk in cursor.fetchall():
                seen[int(key)].add(int(pk))
    return seen
