"""Announcements to the live boards: what changed, delivered when the transaction commits.

Services call ``incident_changed`` and ``alerts_arrived`` inside their transaction. The
announcement is written into that same transaction, so it is delivered exactly when the change
commits and never when it rolls back, and no crash between the commit and a later send can lose
it:

- **PostgreSQL**: ``pg_notify`` on the ``entente_live`` channel. PostgreSQL holds a
  transaction's notifications until it commits and drops them if it rolls back; every live
  worker LISTENs on a connection of its own (``control_room.hub``) and fans the event out to
  its boards. The payload is small: the event type and ids.
- **SQLite** (the embedded demo): SQLite has no notification channel and the writers are other
  processes (the MQTT bridge, the page server), so each announcement is a ``LiveEvent`` row;
  the live workers read the rows past the last id they saw (ids come in commit order, since
  SQLite has one writer at a time).

What a board is then sent (the incidents themselves, each checked against the access policy for
the person watching) is built by the hub, not here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection

CHANNEL = "entente_live"
# PostgreSQL refuses a NOTIFY payload past 8,000 bytes: a long list of incidents is split.
_IDS_PER_NOTIFY = 500


def _pieces(event: dict[str, Any]) -> Iterator[dict[str, Any]]:
    ids = event.get("incidents")
    if not isinstance(ids, list) or len(ids) <= _IDS_PER_NOTIFY:
        yield event
        return
    for start in range(0, len(ids), _IDS_PER_NOTIFY):
        piece = ids[start : start + _IDS_PER_NOTIFY]
        yield {**event, "incidents": piece, "count": event["count"] if start == 0 else 0}


def publish(event: dict[str, Any]) -> None:
    """Announce one event to every board, as part of the current transaction (see above)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for piece in _pieces(event):
                cursor.execute(
                    "SELECT pg_notify(%s, %s)", [CHANNEL, json.dumps(piece, separators=(",", ":"))]
                )
        return
    from entente.control_room.models import LiveEvent

    LiveEvent.objects.create(payload=event)


def incident_changed(incident_id: int) -> None:
    """An incident was opened, moved, merged, split, dispatched or closed."""
    publish({"type": "incident", "id": incident_id})


def alerts_arrived(incident_ids: Iterable[int], count: int) -> None:
    """New alerts were stored; they joined (or opened) these incidents."""
    publish({"type": "alerts", "incidents": sorted(set(incident_ids)), "count": count})


def incident_ids(event: dict[str, Any]) -> set[int]:
    """The incidents an announcement is about (either kind)."""
    if event.get("type") == "incident":
        return {int(event["id"])}
    return {int(i) for i in event.get("incidents", [])}
