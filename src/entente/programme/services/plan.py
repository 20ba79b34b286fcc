"""Programme services: the action plan (the measures of both agreements), their status, their
evidence (documents and links) and the indicators they move.

A measure is overdue when its deadline has passed and it is neither done nor dropped; overdue
measures come first, then by deadline. Documents are taken as intelligence takes report
attachments (allowed types, size limit, content matching the name:
entente.intelligence.services.attachments.check_attachment). Reading needs the programme
viewer role, writing the editor role; every write is audited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from entente.core import access, audit
from entente.core.choices import AuditAction, Module, Role
from entente.core.models import Agency
from entente.intelligence.services.attachments import attachment_max_bytes, check_attachment
from entente.programme.choices import MeasureStatus
from entente.programme.models import Evidence, Indicator, Measure

CLOSED = (MeasureStatus.DONE, MeasureStatus.DROPPED)


def evidence_max_bytes() -> int:
    """The size limit of a document (the one of intelligence's attachments)."""
    return attachment_max_bytes()


def _fr() -> bool:
    return (get_language() or "en").startswith("fr")


def title(measure: Measure) -> str:
    return measure.title_fr if _fr() else measure.title_en


def is_overdue(measure: Measure, on: dt.date) -> bool:
    return bool(measure.deadline and measure.deadline < on and measure.status not in CLOSED)


@dataclass
class MeasureRow:
    measure: Measure
    on: dt.date

    @property
    def code(self) -> str:
        return self.measure.code

    @property
    def title(self) -> str:
        return title(self.measure)

    @property
    def title_lang(self) -> str:
        return "fr" if _fr() else "en"

    @property
    def overdue(self) -> bool:
        return is_overdue(self.measure, self.on)

    @property
    def days_late(self) -> int:
        if not self.overdue or self.measure.deadline is None:
            return 0
        return (self.on - self.measure.deadline).days

    @property
    def deadline_label(self) -> str:
        d = self.measure.deadline
        return formats.date_format(d, "SHORT_DATE_FORMAT") if d else "—"

    @property
    def status_label(self) -> str:
        return str(self.measure.get_status_display())

    @property
    def evidence_count(self) -> int:
        return int(getattr(self.measure, "evidence_count", 0))

    @property
    def indicators(self) -> list[Indicator]:
        return list(self.measure.indicators.all())


def _measures() -> QuerySet[Measure]:
    return (
        Measure.objects.select_related("agreement", "owner")
        .prefetch_related("indicators")
        .annotate(evidence_count=Count("evidence"))
    )


def measure_rows(
    on: dt.date | None = None,
    *,
    agreement: str = "",
    owner: str = "",
    status: str = "",
) -> list[MeasureRow]:
    """The measures as of ``on`` (today when None), overdue first, then by deadline (none
    last), then by code; filtered by agreement code, owner agency code, status (or
    "overdue"). System-level (no user; callers check the role)."""
    on = on or timezone.localdate()
    qs = _measures()
    if agreement:
        qs = qs.filter(agreement__code=agreement)
    if owner:
        qs = qs.filter(owner__code=owner)
    if status and status != "overdue":
        qs = qs.filter(status=status)
    rows = [MeasureRow(m, on) for m in qs]
    if status == "overdue":
        rows = [r for r in rows if r.overdue]
    far = dt.date.max
    rows.sort(key=lambda r: (not r.overdue, r.measure.deadline or far, r.code))
    return rows


def overdue_count(rows: list[MeasureRow]) -> int:
    return sum(1 for r in rows if r.overdue)


def measure_for(user: Any, code: str) -> Measure:
    access.require_role(user, Module.PROGRAMME)
    measure = _measures().filter(code=code).first()
    if measure is None:
        raise Http404(_("No such measure."))
    return measure


def owners() -> QuerySet[Agency]:
    return Agency.objects.filter(pk__in=Measure.objects.values("owner")).order_by("code")


@transaction.atomic
def update_measure(
    measure: Measure,
    *,
    acting_user: Any,
    status: str | None = None,
    done_on: dt.date | None = None,
    deadline: dt.date | None = None,
    owner: Agency | None = None,
    indicators: list[Indicator] | None = None,
    set_deadline: bool = False,
) -> Measure:
    """Change a measure's status (done needs the day it was done, not in the future),
    deadline, owner or linked indicators."""
    access.require_role(acting_user, Module.PROGRAMME, Role.EDITOR)
    measure = Measure.objects.select_for_update().get(pk=measure.pk)
    before = audit.snapshot(measure)
    before_indicators = sorted(measure.indicators.values_list("code", flat=True))
    errors: dict[str, str] = {}
    new_status = status or measure.status
    if new_status not in MeasureStatus.values:
        errors["status"] = _("Choose a status from the list.")
    if new_status == MeasureStatus.DONE:
        done = done_on or measure.done_on
        if done is None:
            errors["done_on"] = _("Give the day the measure was done.")
        elif done > timezone.localdate():
            errors["done_on"] = _("A measure cannot be done on a day still to come.")
        measure.done_on = done
    elif done_on is not None:
        errors["done_on"] = _("Only a measure that is done has a day it was done.")
    else:
        measure.done_on = None
    if errors:
        raise ValidationError(errors)
    measure.status = new_status
    if set_deadline:
        measure.deadline = deadline
    if owner is not None:
        measure.owner = owner
    measure.save()
    changes = audit.diff(before, audit.snapshot(measure))
    if indicators is not None:
        measure.indicators.set(indicators)
        after = sorted(i.code for i in indicators)
        if after != before_indicators:
            changes["indicators"] = {"before": before_indicators, "after": after}
    audit.record(acting_user, AuditAction.UPDATE, measure, changes=changes)
    return measure


@transaction.atomic
def create_measure(
    *,
    acting_user: Any,
    code: str,
    title_en: str,
    title_fr: str,
    agreement: Any,
    clause: str,
    owner: Agency,
    deadline: dt.date | None = None,
    status: str = MeasureStatus.PLANNED,
    done_on: dt.date | None = None,
    indicators: list[Indicator] | None = None,
) -> Measure:
    """A measure of an agreement (the demo loads them; the status is then kept here)."""
    access.require_role(acting_user, Module.PROGRAMME, Role.EDITOR)
    errors: dict[str, str] = {}
    if Measure.objects.filter(code=code).exists():
        errors["code"] = _("A measure with this code already exists.")
    if status == MeasureStatus.DONE and done_on is None:
        errors["done_on"] = _("Give the day the measure was done.")
    if errors:
        raise ValidationError(errors)
    measure = Measure.objects.create(
        code=code,
        title_en=title_en,
        title_fr=title_fr,
        agreement=agreement,
        clause=clause,
        owner=owner,
        deadline=deadline,
        status=status,
        done_on=done_on if status == MeasureStatus.DONE else None,
    )
    if indicators:
        measure.indicators.set(indicators)
    audit.record_create(acting_user, measure)
    return measure


# Evidence -----------------------------------------------------------------------------------


def _clean_link(link: str) -> str:
    link = (link or "").strip()
    if not link:
        return ""
    if link.startswith("/") and not link.startswith("//"):
        return link
    if link.lower().startswith(("https://", "http://")):
        return link
    raise ValidationError(
        {"link": _("A link is an address (https://…) or a page of this site (/…).")}
    )


@transaction.atomic
def add_evidence(
    measure: Measure,
    *,
    acting_user: Any,
    title: str,
    link: str = "",
    file_name: str = "",
    data: bytes | None = None,
) -> Evidence:
    """Add a document (an allowed type within the size limit, its content what its name
    says) or a link (an address, or a record's page here) to a measure; at least one."""
    access.require_role(acting_user, Module.PROGRAMME, Role.EDITOR)
    return record_evidence(
        acting_user,
        {"measure": measure},
        {"measure": measure.code},
        title=title,
        link=link,
        file_name=file_name,
        data=data,
    )


def record_evidence(
    acting_user: Any,
    owner: dict[str, Any],
    owner_in_audit: dict[str, Any],
    *,
    title: str,
    link: str,
    file_name: str,
    data: bytes | None,
) -> Evidence:
    """The evidence of a measure or of an inspection's action (``owner``: the Evidence field
    and its record), checked whole before anything is written, and audited with the file's
    size and digest (never its content)."""
    errors: dict[str, Any] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Give the evidence a title.")
    try:
        clean_link = _clean_link(link)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        clean_link = ""
    name, content_type = "", ""
    if data is not None and file_name:
        try:
            name, content_type = check_attachment(file_name, data)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    elif not clean_link and "link" not in errors:
        errors["file"] = _("Attach a document or give a link.")
    if errors:
        raise ValidationError(errors)
    evidence = Evidence.objects.create(
        **owner,
        title=title[:300],
        link=clean_link,
        file_name=name,
        content_type=content_type,
        data=data if name else None,
        added_by=acting_user,
    )
    audit.record(
        acting_user,
        AuditAction.CREATE,
        evidence,
        changes={
            **owner_in_audit,
            "title": evidence.title,
            "link": clean_link,
            "file_name": name,
            "size": len(data) if name and data else 0,
            "sha256": hashlib.sha256(data).hexdigest() if name and data else "",
        },
    )
    return evidence


def evidence_of(measure: Measure, pk: int) -> Evidence:
    evidence = measure.evidence.filter(pk=pk).first()
    if evidence is None or not evidence.file_name:
        raise Http404(_("No such document."))
    return evidence


def evidence_size(evidence: Evidence) -> int:
    return len(evidence.data) if evidence.data is not None else 0
