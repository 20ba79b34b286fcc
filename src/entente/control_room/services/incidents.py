"""What operators do to incidents: the lifecycle steps (each timed and audited)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.control_room import live
from entente.control_room.choices import STATE_TIMES, TRANSITIONS, AlertKind, IncidentState
from entente.control_room.models import Incident
from entente.core import access, audit, compiled
from entente.core.choices import Module, Role


@transaction.atomic
def advance_incident(incident: Incident, *, to_state: str, acting_user: Any) -> Incident:
    """Move an incident one step through its lifecycle, stamping the time; audited.

    Editors of the control room may act on any incident they can see: the control room is
    joint, so a Border Force leader acknowledges an alarm raised by a Eurotunnel camera.
    Closing records what was found, so it goes through ``outcomes.close_incident``; only a
    silent-sensor alarm (a technical fault, nothing to find) may be closed as a bare step.
    """
    access.require_role(acting_user, Module.CONTROL_ROOM, Role.EDITOR)
    locked: Incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if to_state == IncidentState.CLOSED and locked.kind != AlertKind.SENSOR_SILENT:
        raise ValidationError(
            {
                "state": _(
                    "An incident is closed with its outcome: use the close operation "
                    "(POST /api/v1/incidents/{id}/close) or the “Close with outcome” form."
                ).format(id=locked.pk)
            }
        )
    if to_state == IncidentState.CLOSED and locked.state != IncidentState.CLOSED:
        # Imported here: the teams and checklists services move incidents on through this one.
        from entente.control_room.services import checklists, teams

        checklists.skip_unticked(locked, acting_user=acting_user)
        teams.clear_dispatches(locked, acting_user=acting_user)
    return move_incident(locked, to_state=to_state, acting_user=acting_user)


def move_incident(locked: Incident, *, to_state: str, acting_user: Any) -> Incident:
    """The lifecycle step itself, on an incident the caller has locked in its transaction:
    refused out of order, the time stamped, audited, announced to the boards."""
    if to_state not in TRANSITIONS.get(locked.state, frozenset()):
        raise ValidationError(
            {
                "state": _("An incident cannot go from {current} to {target}.").format(
                    current=IncidentState(locked.state).label,
                    target=IncidentState(to_state).label
                    if to_state in IncidentState.values
                    else to_state,
                )
            }
        )
    before = audit.snapshot(locked)
    locked.state = to_state
    setattr(locked, STATE_TIMES[to_state], timezone.now())
    locked.save(update_fields=["state", STATE_TIMES[to_state], "updated_at"])
    audit.record_update(acting_user, locked, before)
    live.incident_changed(locked.pk)
    return locked


# The incident list, newest first, a page at a time -------------------------------------------

# The columns of a row of the list, in the API's names (IncidentOut), and where they come from.
PAGE_COLUMNS: dict[str, str] = {
    "id": "id",
    "zone": "zone__code",
    "site": "zone__site__code",
    "kind": "kind",
    "severity": "severity",
    "state": "state",
    "opened_at": "opened_at",
    "last_alert_at": "last_alert_at",
    "alert_count": "alert_count",
    "acknowledged_at": "acknowledged_at",
    "dispatched_at": "dispatched_at",
    "on_scene_at": "on_scene_at",
    "closed_at": "closed_at",
}


def _page_query(user: Any, limit: int, offset: int, after: tuple[datetime, int] | None) -> Any:
    qs = Incident.objects.visible_to(user)
    if after is not None:
        at, pk = after
        # opened_at <= at is the index's range; the OR breaks ties on the same instant.
        qs = qs.filter(Q(opened_at__lte=at) & (Q(opened_at__lt=at) | Q(pk__lt=pk)))
    return qs.order_by("-opened_at", "-pk").values_list(*PAGE_COLUMNS.values())[
        offset : offset + limit + 1
    ]


def incident_page(
    user: Any, *, limit: int, after: tuple[datetime, int] | None = None, offset: int = 0
) -> tuple[list[dict[str, Any]], tuple[datetime, int] | None]:
    """A page of the incidents the user may see, newest first, and the key of the next page.

    Keyset pagination on (opened_at, id), both descending: ``after`` is the key of the last
    row of the previous page, so a page costs the same at the millionth row as at the first
    and nothing counts the rows the policy lets through (the COUNT of limit/offset grew with
    the store and was most of a request's time). One query: the policy's filter, the page,
    one row more to know whether another page follows. ``offset`` skips rows after the key
    (kept for clients of the limit/offset list; it costs what it skips).
    """
    access.require_role(user, Module.CONTROL_ROOM)
    if after is None and offset == 0:
        # The board asks for the latest page again and again: its SQL is compiled once per
        # policy key and page size (building and compiling the policy's subqueries cost more
        # than running them); later pages are built each time.
        found = compiled.rows(
            ("incident_page", access.policy_key(user, Incident), limit),
            lambda: _page_query(user, limit, 0, None),
        )
    else:
        found = list(_page_query(user, limit, offset, after))
    names = list(PAGE_COLUMNS)
    rows = [dict(zip(names, values, strict=True)) for values in found]
    if len(rows) <= limit:
        return rows, None
    del rows[limit:]
    return rows, (rows[-1]["opened_at"], rows[-1]["id"])
