"""Standard operating procedure checklists: steps ticked on an incident, skipped steps flagged.

Each incident kind has its procedure, a short ordered list of bilingual steps (reference data,
``ProcedureStep``). On an open incident an editor of the control room ticks each step done
(with an optional note) or marks it skipped with a reason; a step is recorded once. A skipped
step, and every step still unticked when the incident closes, is flagged to the supervisor (an
approver of the control room) until one reviews it. Every write is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.control_room import live
from entente.control_room.choices import AlertKind, ChecklistStatus, IncidentState
from entente.control_room.models import ChecklistEntry, Incident, ProcedureStep
from entente.core import access, audit
from entente.core.choices import Module, Role
from entente.core.services import upsert_row

NOTE_MAX = ChecklistEntry._meta.get_field("note").max_length or 500


@dataclass(frozen=True)
class ChecklistRow:
    """One step of an incident's checklist and what was recorded against it (or None)."""

    step: ProcedureStep
    entry: ChecklistEntry | None

    @property
    def skipped(self) -> bool:
        return self.entry is not None and self.entry.status == ChecklistStatus.SKIPPED

    @property
    def flagged(self) -> bool:
        """Skipped and not yet reviewed by a supervisor."""
        return self.skipped and self.entry is not None and self.entry.reviewed_at is None


# Procedures (reference data) --------------------------------------------------------------


@transaction.atomic
def upsert_step(*, incident_kind: str, code: str, acting_user: Any, **fields: Any) -> ProcedureStep:
    """Create or bring in line one step of a procedure (the demo loader, an administrator)."""
    if incident_kind not in AlertKind.values:
        raise ValidationError(
            {"incident_kind": _("Unknown incident kind {kind}.").format(kind=incident_kind)}
        )
    return upsert_row(
        ProcedureStep, {"incident_kind": incident_kind, "code": code}, fields, acting_user
    )


def procedure_for(kind: str) -> QuerySet[ProcedureStep]:
    """The steps in use for an incident kind, in order."""
    return ProcedureStep.objects.filter(incident_kind=kind, active=True).order_by("position")


# Reading a checklist ------------------------------------------------------------------------


def checklist_of(incident: Incident) -> list[ChecklistRow]:
    """The incident's procedure, each step with its entry or None.

    Entries recorded against steps outside the current procedure (the incident's kind
    changed as more serious alerts came in, or a step has since been retired) follow, so
    nothing ticked ever disappears from the page.
    """
    entries = {
        e.step_id: e
        for e in ChecklistEntry.objects.filter(incident=incident).select_related(
            "step", "by", "by__agency", "reviewed_by"
        )
    }
    rows = [ChecklistRow(step, entries.pop(step.pk, None)) for step in procedure_for(incident.kind)]
    rows += [
        ChecklistRow(e.step, e)
        for e in sorted(entries.values(), key=lambda e: (e.step.incident_kind, e.step.position))
    ]
    return rows


# Ticking and skipping -----------------------------------------------------------------------


@transaction.atomic
def record_step(
    incident: Incident, *, step_code: str, status: str, acting_user: Any, note: str = ""
) -> ChecklistEntry:
    """Tick a step of an open incident's procedure done, or mark it skipped with a reason.

    Editors of the control room act on any incident they can see (the room is joint). The
    step must be one of the procedure of the incident's kind, and each step is recorded once.
    A skipped step is flagged to the supervisor.
    """
    access.require_role(acting_user, Module.CONTROL_ROOM, Role.EDITOR)
    if not access.can_view(acting_user, incident):
        raise PermissionDenied(_("You may not see this incident."))
    # Locking the incident serialises ticks of one checklist and closing it.
    locked: Incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if locked.state == IncidentState.CLOSED:
        raise ValidationError(_("This incident is closed: its checklist can no longer change."))
    if status not in ChecklistStatus.values:
        raise ValidationError({"status": _("Unknown status {status}.").format(status=status)})
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError(
            {"note": _("Keep the note under {count} characters.").format(count=NOTE_MAX)}
        )
    if status == ChecklistStatus.SKIPPED and not note:
        raise ValidationError({"note": _("Say why this step is skipped.")})
    step = procedure_for(locked.kind).filter(code=step_code).first()
    if step is None:
        raise ValidationError(
            {
                "step": _("{code} is not a step of the procedure for {kind}.").format(
                    code=step_code, kind=AlertKind(locked.kind).label
                )
            }
        )
    if ChecklistEntry.objects.filter(incident=locked, step=step).exists():
        raise ValidationError({"step": _("This step is already ticked on this incident.")})
    entry = ChecklistEntry.objects.create(
        incident=locked, step=step, status=status, note=note, by=acting_user, at=timezone.now()
    )
    audit.record_create(acting_user, entry)
    live.incident_changed(locked.pk)
    return entry


def tick_step(
    incident: Incident, *, step_code: str, acting_user: Any, note: str = ""
) -> ChecklistEntry:
    """Tick a step done, with an optional note."""
    return record_step(
        incident,
        step_code=step_code,
        status=ChecklistStatus.DONE,
        acting_user=acting_user,
        note=note,
    )


def skip_step(
    incident: Incident, *, step_code: str, reason: str, acting_user: Any
) -> ChecklistEntry:
    """Pass over a step, saying why; the supervisor sees it flagged."""
    return record_step(
        incident,
        step_code=step_code,
        status=ChecklistStatus.SKIPPED,
        acting_user=acting_user,
        note=reason,
    )


def skip_unticked(incident: Incident, *, acting_user: Any) -> list[ChecklistEntry]:
    """At closing, record every step of the incident's procedure not yet ticked as skipped
    (by the closing operator); skipped steps are flagged to the supervisor. Call inside the
    closing transaction. Running it again records nothing more.

    The entries carry no note: the page says they were left unticked at closing. Incidents
    closed by a merge do not go through this (their procedure goes on in the incident they
    were merged into).
    """
    ticked = set(ChecklistEntry.objects.filter(incident=incident).values_list("step_id", flat=True))
    now = timezone.now()
    by = acting_user if getattr(acting_user, "is_authenticated", False) else None
    entries = [
        ChecklistEntry(incident=incident, step=step, status=ChecklistStatus.SKIPPED, by=by, at=now)
        for step in procedure_for(incident.kind)
        if step.pk not in ticked
    ]
    created = []
    for entry in entries:
        # One by one: a primary key for each audit entry on every database.
        entry.save(force_insert=True)
        audit.record_create(acting_user, entry, purpose="left unticked at closing")
        created.append(entry)
    return created


# The supervisor's review --------------------------------------------------------------------


def skipped_steps(user: Any) -> QuerySet[ChecklistEntry]:
    """Skipped steps, reviewed or not, on the incidents a supervisor may see."""
    access.require_role(user, Module.CONTROL_ROOM, Role.APPROVER)
    return ChecklistEntry.objects.filter(
        status=ChecklistStatus.SKIPPED,
        incident__in=Incident.objects.visible_to(user).values("pk"),
    )


def skipped_for_review(user: Any) -> QuerySet[ChecklistEntry]:
    """Skipped steps not yet reviewed, on the incidents the supervisor may see, oldest first."""
    return (
        skipped_steps(user)
        .filter(reviewed_at__isnull=True)
        .select_related("incident__zone__site", "step", "by__agency")
        .order_by("at", "pk")
    )


@transaction.atomic
def review_skipped(entry: ChecklistEntry, *, acting_user: Any) -> ChecklistEntry:
    """A supervisor (approver of the control room) has looked at a skipped step; audited."""
    access.require_role(acting_user, Module.CONTROL_ROOM, Role.APPROVER)
    locked: ChecklistEntry = (
        ChecklistEntry.objects.select_for_update().select_related("incident").get(pk=entry.pk)
    )
    if not access.can_view(acting_user, locked.incident):
        raise PermissionDenied(_("You may not see this incident."))
    if locked.status != ChecklistStatus.SKIPPED:
        raise ValidationError(_("Only skipped steps are reviewed."))
    if locked.reviewed_at is not None:
        raise ValidationError(_("This skipped step has already been reviewed."))
    before = audit.snapshot(locked)
    locked.reviewed_by, locked.reviewed_at = acting_user, timezone.now()
    locked.save(update_fields=["reviewed_by", "reviewed_at"])
    audit.record_update(acting_user, locked, before)
    live.incident_changed(locked.incident_id)
    return locked
