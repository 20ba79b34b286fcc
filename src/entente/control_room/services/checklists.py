"""Standard operating procedure checklists: steps ticked on an incident, skipped steps flagged."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from entente.control_room.choices import ChecklistStatus
from entente.control_room.models import ChecklistEntry, Incident, ProcedureStep
from entente.core import audit


def skip_unticked(incident: Incident, *, acting_user: Any) -> list[ChecklistEntry]:
    """At closing, record every step of the incident's procedure not yet ticked as skipped
    (by the closing operator); skipped steps are flagged to the supervisor. Call inside the
    closing transaction."""
    ticked = set(incident.checklist.values_list("step_id", flat=True))
    now = timezone.now()
    entries = [
        ChecklistEntry(
            incident=incident,
            step=step,
            status=ChecklistStatus.SKIPPED,
            by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
            at=now,
        )
        for step in ProcedureStep.objects.filter(incident_kind=incident.kind, active=True)
        if step.pk not in ticked
    ]
    ChecklistEntry.objects.bulk_create(entries)
    for entry in entries:
        audit.record_create(acting_user, entry)
    return entries
