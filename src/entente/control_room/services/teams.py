"""Teams, the 24/7 roster and its coverage, dispatches of teams to incidents."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from entente.control_room.choices import DispatchState
from entente.control_room.models import Dispatch, Incident
from entente.core import audit


def clear_dispatches(incident: Incident, *, acting_user: Any) -> int:
    """Free the teams still engaged on an incident that closes (call inside its transaction).
    Returns how many dispatches were cleared."""
    now = timezone.now()
    cleared = 0
    for dispatch in incident.dispatches.exclude(state=DispatchState.CLEARED).select_for_update():
        before = audit.snapshot(dispatch)
        dispatch.state, dispatch.cleared_at = DispatchState.CLEARED, now
        dispatch.save(update_fields=["state", "cleared_at"])
        audit.record_update(acting_user, dispatch, before)
        cleared += 1
    return cleared


__all__ = ["Dispatch", "clear_dispatches"]
