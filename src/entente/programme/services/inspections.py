"""Programme services: the six-monthly joint inspections (Calais agreement, 20 August 2015).

An inspection covers a half-year ("2015-H2"): a checklist (items in both languages, each
checked with a note), findings (severity, recommendation), actions with an owner agency and a
deadline, evidence for an action (documents or links, taken as the action plan takes a
measure's), and closure by an approver, refused while an item of the checklist is unchecked.

The open actions of a closed inspection are carried to the next one: a new action there with
``carried_from`` pointing back, the old one marked carried (the thread is kept both ways). They
are carried when the inspection closes if the next one exists, otherwise when the next one is
created.

Reading needs the programme viewer role, writing the editor role, closing the approver role.
Every write runs in one transaction, checks everything before it writes, and is audited.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from entente.core import access, audit
from entente.core.choices import AuditAction, Module, Role
from entente.core.models import Agency
from entente.programme.choices import ActionState, InspectionState, Severity
from entente.programme.models import (
    ChecklistItem,
    Evidence,
    Finding,
    Inspection,
    InspectionAction,
)
from entente.programme.services import plan

_HALF = re.compile(r"^(\d{4})-H([12])$")
MAX_TEXT = 5000


def may_edit(user: Any) -> bool:
    return access.has_role(user, Module.PROGRAMME, Role.EDITOR)


def may_close(user: Any) -> bool:
    return access.has_role(user, Module.PROGRAMME, Role.APPROVER)


def _fr() -> bool:
    return (get_language() or "en").startswith("fr")


def half_year(period: str) -> tuple[dt.date, dt.date] | None:
    """The first and last days of "2015-H2", or None when it is not a half-year."""
    m = _HALF.match((period or "").strip().upper())
    if not m or not 2000 <= int(m[1]) <= 2100:
        return None
    year = int(m[1])
    if m[2] == "1":
        return dt.date(year, 1, 1), dt.date(year, 6, 30)
    return dt.date(year, 7, 1), dt.date(year, 12, 31)


def next_period(period: str) -> str:
    year, half = int(period[:4]), period[-1]
    return f"{year}-H2" if half == "1" else f"{year + 1}-H1"


# Reading ------------------------------------------------------------------------------------


def inspections() -> QuerySet[Inspection]:
    return Inspection.objects.annotate(
        finding_count=Count("findings", distinct=True),
        action_count=Count("actions", distinct=True),
    ).order_by("-period")


def _full() -> QuerySet[Inspection]:
    return Inspection.objects.select_related("previous").prefetch_related(
        "checklist",
        "findings",
        Prefetch(
            "actions",
            queryset=InspectionAction.objects.select_related(
                "owner", "finding", "carried_from__inspection"
            )
            .prefetch_related("carried_to__inspection")
            .annotate(evidence_count=Count("evidence")),
        ),
    )


def inspection_for(user: Any, period: str) -> Inspection:
    """An inspection with its checklist, findings and actions (Http404 when none)."""
    access.require_role(user, Module.PROGRAMME)
    found = _full().filter(period=(period or "").upper()).first()
    if found is None:
        raise Http404(_("No such inspection."))
    return found


def inspections_within(start: dt.date, end: dt.date) -> list[Inspection]:
    """The inspections whose half-year overlaps the period, oldest first (system-level)."""
    found = []
    for inspection in _full().order_by("period"):
        days = half_year(inspection.period)
        if days and days[0] <= end and start <= days[1]:
            found.append(inspection)
    return found


def item_text(item: ChecklistItem) -> str:
    return item.text_fr if _fr() and item.text_fr else item.text_en


def summary(inspection: Inspection) -> str:
    return inspection.summary_fr if _fr() and inspection.summary_fr else inspection.summary_en


@dataclass
class ActionRow:
    """An action as pages and the report show it: overdue when its deadline has passed and it
    is still open; where it came from and where it went."""

    action: InspectionAction
    on: dt.date

    @property
    def overdue(self) -> bool:
        return self.action.state == ActionState.OPEN and self.action.due_on < self.on

    @property
    def days_late(self) -> int:
        return (self.on - self.action.due_on).days if self.overdue else 0

    @property
    def due_label(self) -> str:
        return formats.date_format(self.action.due_on, "SHORT_DATE_FORMAT")

    @property
    def carried_from_period(self) -> str:
        source = self.action.carried_from
        return source.inspection.period if source is not None else ""

    @property
    def carried_to_period(self) -> str:
        targets = list(self.action.carried_to.all())
        return targets[0].inspection.period if targets else ""

    @property
    def evidence_count(self) -> int:
        return int(getattr(self.action, "evidence_count", 0))


def action_rows(inspection: Inspection, on: dt.date | None = None) -> list[ActionRow]:
    """The inspection's actions as of ``on`` (today when None), overdue first, then by due day."""
    on = on or timezone.localdate()
    rows = [ActionRow(a, on) for a in inspection.actions.all()]
    rows.sort(key=lambda r: (not r.overdue, r.action.due_on, r.action.pk))
    return rows


def unchecked(inspection: Inspection) -> list[ChecklistItem]:
    return [i for i in inspection.checklist.all() if not i.checked]


# Writing ------------------------------------------------------------------------------------


def _text(value: Any, name: str, errors: dict[str, str], *, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        errors[name] = _("This field is required.")
    elif len(text) > MAX_TEXT:
        errors[name] = _("At most {count} characters.").format(count=MAX_TEXT)
    return text


def _carry(source: Inspection, target: Inspection, acting_user: Any) -> list[InspectionAction]:
    """Carry the open actions of ``source`` to ``target``."""
    carried = []
    for action in source.actions.filter(state=ActionState.OPEN).order_by("due_on", "pk"):
        copy = InspectionAction.objects.create(
            inspection=target,
            title=action.title,
            owner_id=action.owner_id,
            due_on=action.due_on,
            carried_from=action,
        )
        action.state = ActionState.CARRIED
        action.save(update_fields=["state"])
        carried.append(copy)
    if carried:
        audit.record(
            acting_user,
            AuditAction.UPDATE,
            target,
            changes={"carried_from": source.period, "actions": [a.title for a in carried]},
        )
    return carried


@transaction.atomic
def create_inspection(
    *,
    acting_user: Any,
    period: str,
    held_on: dt.date | None = None,
    summary_en: str = "",
    summary_fr: str = "",
    checklist: list[tuple[str, str]] | None = None,
) -> Inspection:
    """A joint inspection of a half-year ("2015-H2"); the inspection before it becomes its
    previous one, and if that one is closed its open actions are carried here."""
    access.require_role(acting_user, Module.PROGRAMME, Role.EDITOR)
    errors: dict[str, str] = {}
    period = (period or "").strip().upper()
    days = half_year(period)
    if days is None:
        errors["period"] = _("Give the half-year as 2015-H1 or 2015-H2.")
    elif Inspection.objects.filter(period=period).exists():
        errors["period"] = _("There is already an inspection for {period}.").format(period=period)
    if held_on is not None and days is not None and held_on < days[0]:
        errors["held_on"] = _("An inspection is held within or after the half-year it covers.")
    summary_en = _text(summary_en, "summary_en", errors, required=False)
    summary_fr = _text(summary_fr, "summary_fr", errors, required=False)
    for en, fr in checklist or []:
        if not (en or "").strip() or not (fr or "").strip():
            errors["checklist"] = _("Each item of the checklist needs its English and French.")
    if errors:
        raise ValidationError(errors)
    previous = Inspection.objects.filter(period__lt=period).order_by("-period").first()
    inspection = Inspection.objects.create(
        period=period,
        held_on=held_on,
        state=InspectionState.OPEN if held_on else InspectionState.PLANNED,
        summary_en=summary_en,
        summary_fr=summary_fr,
        previous=previous,
    )
    ChecklistItem.objects.bulk_create(
        [
            ChecklistItem(inspection=inspection, position=n, text_en=en.strip(), text_fr=fr.strip())
            for n, (en, fr) in enumerate(checklist or [], start=1)
        ]
    )
    audit.record_create(acting_user, inspection)
    if previous is not None and previous.state == InspectionState.CLOSED:
        _carry(previous, inspection, acting_user)
    return inspection


def _lock(inspection: Inspection) -> Inspection:
    return Inspection.objects.select_for_update().get(pk=inspection.pk)


def _refuse_if_closed(inspection: Inspection) -> None:
    if inspection.state == InspectionState.CLOSED:
        raise ValidationError(_("The inspection is closed: it can no longer change."))


@transaction.atomic
def update_inspection(
    inspection: Inspection,
    *,
    acting_user: Any,
    held_on: dt.date | None,
    summary_en: str = "",
    summary_fr: str = "",
) -> Inspection:
    """The day it was held (it is then in progress) and its summary in both languages."""
    access.require_role(acting_user, Module.PROGRAMME, Role.EDITOR)
    inspection = _lock(inspection)
    _refuse_if_closed(inspection)
    errors: dict[str, str] = {}
    days = half_year(inspection.period)
    if held_on is not None and days is not None and held_on < days[0]:
        errors["held_on"] = _("An inspection is held within or after the half-year it covers.")
    summary_en = _text(summary_en, "summary_en", errors, required=False)
    summary_fr = _text(summary_fr, "summary_fr", errors, required=False)
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(inspection)
    inspection.held_on = held_on
    inspection.summary_en, inspection.summary_fr = summary_en, summary_fr
    inspection.state = InspectionState.OPEN if held_on else InspectionState.PLANNED
    inspection.save()
    audit.record_update(acting_user, inspection, before)
    return inspection


@transaction.atomic
def add_item(
    inspection: Inspection, *, acting_user: Any, text_en: str, text_fr: str
) -> ChecklistItem:
    access.require_role(acting_user, Module.PROGRAMME, Role.EDITOR)
    inspection = _lock(inspection)
    _refuse_if_closed(inspection)
    errors: dict[str, str] = {}
    text_en = _text(text_en, "text_en", errors)[:300]
    text_fr = _text(text_fr, "text_fr", errors)[:300]
    if errors:
        raise ValidationError(errors)
    last = inspection.checklist.order_by("-position").values_list("position", flat=True).first()
    item = ChecklistItem.objects.create(
        inspection=inspection, position=(last or 0) + 1, text_en=text_en, text_fr=text_fr
    )
    audit.record_create(acting_user, item)
    return item


@transaction.atomic
def check_item(
    item: ChecklistItem, *, acting_user: Any, checked: bool, note: str = ""
) -> ChecklistItem:
    """Check (or uncheck) an item of the checklist, with what was seen."""
    access.require_role(acting_user, Module.PROGRAMME, Role.EDITOR)
    _refuse_if_closed(_lock(item.inspection))
    errors: dict[str, str] = {}
    note = _text(note, "note", errors, required=False)
    if errors:
        raise ValidationError(errors)
    item = ChecklistItem.objects.select_for_update().get(pk=item.pk)
    before = audit.snapshot(item)
    item.checked, item.note = bool(checked), note
    item.save(update_fields=["checked", "note"])
    audit.record_update(acting_user, item, before)
    return item


@transaction.atomic
def add_finding(
    inspection: Inspection,
    *,
    acting_user: Any,
    text: str,
    language: str = "en",
    severity: int = Severity.MEDIUM,
    recommendation: str = "",
) -> Finding:
    access.require_role(acting_user, Module.PROGRAMME, Role.EDITOR)
    inspection = _lock(inspection)
    _refuse_if_closed(inspection)
    errors: dict[str, str] = {}
    text = _text(text, "text", errors)
    recommendation = _text(recommendation, "recommendation", errors, required=False)
    if language not in ("en", "fr"):
        errors["language"] = _("The language is English or French.")
    try:
        severity = int(severity)
    except (TypeError, ValueError):
        severity = 0
    if severity not in Severity.values:
        errors["severity"] = _("Choose a severity from the list.")
    if errors:
        raise ValidationError(errors)
    finding = Finding.objects.create(
        inspection=inspection,
        text=text,
        language=language,
        severity=severity,
        recommendation=recommendation,
    )
    audit.record_create(acting_user, finding)
    return finding


@transaction.atomic
def add_action(
    inspection: Inspection,
    *,
    acting_user: Any,
    title: str,
    owner: Agency | None,
    due_on: dt.date | None,
    finding: Finding | None = None,
) -> InspectionAction:
    """An action the inspection asks for: an owner agency and a deadline."""
    access.require_role(acting_user, Module.PROGRAMME, Role.EDITOR)
    inspection = _lock(inspection)
    _refuse_if_closed(inspection)
    errors: dict[str, str] = {}
    title = _text(title, "title", errors)[:300]
    if owner is None:
        errors["owner"] = _("Choose the agency that owns the action.")
    if due_on is None:
        errors["due_on"] = _("Give the action's deadline.")
    if finding is not None and finding.inspection_id != inspection.pk:
        errors["finding"] = _("The finding belongs to another inspection.")
    if errors:
        raise ValidationError(errors)
    assert owner is not None and due_on is not None
    action = InspectionAction.objects.create(
        inspection=inspection, finding=finding, title=title, owner=owner, due_on=due_on
    )
    audit.record_create(acting_user, action)
    return action


@transaction.atomic
def complete_action(
    action: InspectionAction, *, acting_user: Any, done_on: dt.date | None
) -> InspectionAction:
    """Mark an open action done on a day (not one still to come)."""
    access.require_role(acting_user, Module.PROGRAMME, Role.EDITOR)
    action = InspectionAction.objects.select_for_update().get(pk=action.pk)
    if action.state != ActionState.OPEN:
        raise ValidationError(_("Only an open action can be marked done."))
    if done_on is None:
        raise ValidationError({"done_on": _("Give the day the action was done.")})
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": _("An action cannot be done on a day still to come.")})
    before = audit.snapshot(action)
    action.state, action.done_on = ActionState.DONE, done_on
    action.save(update_fields=["state", "done_on"])
    audit.record_update(acting_user, action, before)
    return action


@transaction.atomic
def add_action_evidence(
    action: InspectionAction,
    *,
    acting_user: Any,
    title: str,
    link: str = "",
    file_name: str = "",
    data: bytes | None = None,
) -> Evidence:
    """A document or a link showing an action done: the action plan's rules (plan.add_evidence:
    allowed types, size limit, content matching the name; a link to an address or a page)."""
    access.require_role(acting_user, Module.PROGRAMME, Role.EDITOR)
    return plan.record_evidence(
        acting_user,
        {"action": action},
        {"action": action.pk},
        title=title,
        link=link,
        file_name=file_name,
        data=data,
    )


def action_of(inspection: Inspection, pk: int) -> InspectionAction:
    action = inspection.actions.filter(pk=pk).first()
    if action is None:
        raise Http404(_("No such action."))
    return action


def evidence_of(inspection: Inspection, pk: int) -> Evidence:
    evidence = Evidence.objects.filter(pk=pk, action__inspection=inspection).first()
    if evidence is None or not evidence.file_name:
        raise Http404(_("No such document."))
    return evidence


@transaction.atomic
def close_inspection(inspection: Inspection, *, acting_user: Any) -> Inspection:
    """Close an inspection (approvers). Refused while an item of the checklist is unchecked;
    its open actions go to the next inspection if there is one already (else when it is
    created)."""
    access.require_role(acting_user, Module.PROGRAMME, Role.APPROVER)
    inspection = _lock(inspection)
    _refuse_if_closed(inspection)
    left = unchecked(inspection)
    if left:
        raise ValidationError(
            _(
                "The inspection cannot be closed while an item of its checklist is unchecked "
                "({count} left): check each item, with a note, first."
            ).format(count=len(left))
        )
    if inspection.held_on is None:
        raise ValidationError(_("Give the day the inspection was held before closing it."))
    before = audit.snapshot(inspection)
    inspection.state = InspectionState.CLOSED
    inspection.closed_at = timezone.now()
    inspection.save(update_fields=["state", "closed_at"])
    audit.record_update(acting_user, inspection, before)
    following = Inspection.objects.filter(period__gt=inspection.period).order_by("period").first()
    if following is not None:
        _carry(inspection, following, acting_user)
    return inspection
