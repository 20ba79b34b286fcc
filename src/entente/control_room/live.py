"""Announcements to the live boards: what changed, sent once the transaction commits.

Services call these functions inside their transaction; nothing is sent if it rolls back.
The transport (an in-process hub per worker, PostgreSQL LISTEN/NOTIFY across workers,
Server-Sent Events to the browsers) lives behind ``publish``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction


def publish(event: dict[str, Any]) -> None:
    """Send one event to every board (after commit). The transport is filled in by the board."""


def _after_commit(event: dict[str, Any]) -> None:
    transaction.on_commit(lambda: publish(event))


def incident_changed(incident_id: int) -> None:
    """An incident was opened, moved, merged, split, dispatched or closed."""
    _after_commit({"type": "incident", "id": incident_id})


def alerts_arrived(incident_ids: Iterable[int], count: int) -> None:
    """New alerts were stored; they joined (or opened) these incidents."""
    _after_commit({"type": "alerts", "incidents": sorted(set(incident_ids)), "count": count})
