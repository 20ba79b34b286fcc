"""Intelligence services: reports. Every function takes the acting user, runs in one
transaction and audits what it writes (and every read of personal data).

Rules kept here (docs: the analyst's guide):

* **Originator control.** Only editors of the originating agency change a report
  (``core.access.can_change``); so only the originator may widen its releasability, lower
  its classification or relax its TLP.
* **Derived products.** A report citing others takes the highest marking of its inputs: a
  classification at least the highest, a releasability within every input's, a TLP at
  least the most restrictive. Left out, the marking is derived; given weaker, it is refused.
* **TLP:RED** names its recipients (people) when it is written: a RED report without them
  is refused.
* **Entities take the report's marking.** An entity is reused only when one with the same
  key and the very same marking exists; otherwise the report gets its own entity. The
  report's named recipients are named on its entities too, so that whoever sees the
  report sees its entities in the entity list, and nobody else does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.core import access, audit
from entente.core import services as core_services
from entente.core.choices import TLP, AuditAction, Classification, Language, Module, Role
from entente.core.markings import Marking, combined_marking, tlp_rank
from entente.core.models import Agency, Recipient, User
from entente.intelligence import grading
from entente.intelligence.choices import EntityKind, TranslationState
from entente.intelligence.models import Regrade, Report
from entente.intelligence.services import search
from entente.intelligence.services.attachments import (
    ATTACHMENT_TYPES,
    add_attachment,
    attachment_max_bytes,
    attachment_of,
    check_attachment,
    read_attachment,
)
from entente.intelligence.services.entities import (
    EntityInput,
    link_entities,
    sync_entity_markings,
)

MAX_TITLE = 300
MAX_BODY = 100_000
# Purpose recorded when a report naming people is consulted (the law-enforcement logging rule).
READ_PURPOSE = "intelligence report consulted"

GRADE_FIELDS = (
    "grading_scheme",
    "source_grade",
    "information_grade",
    "handling_code",
    "handling_conditions",
)
TEXT_FIELDS = ("title", "body", "language", "translated_title", "translation", "translation_state")
MARKING_FIELDS = ("classification", "releasability", "tlp")
EDITABLE = frozenset(TEXT_FIELDS + GRADE_FIELDS + MARKING_FIELDS)


# Markings ---------------------------------------------------------------------------------


def _check_floor(
    floor: Marking | None, classification: int, codes: frozenset[str], tlp: str
) -> None:
    if floor is None:
        return
    errors: dict[str, str] = {}
    if classification < floor.classification:
        errors["classification"] = _(
            "A report citing others is marked at least as high as they are ({level})."
        ).format(level=Classification(floor.classification).label)
    if not codes <= floor.releasability:
        errors["releasability"] = _(
            "A report citing others is releasable only where all of them are ({codes})."
        ).format(codes=", ".join(sorted(floor.releasability)) or "—")
    if tlp_rank(tlp) < tlp_rank(floor.tlp):
        errors["tlp"] = _(
            "A report citing others is at least as restricted as the most restricted of them "
            "(TLP:{tlp})."
        ).format(tlp=floor.tlp)
    if errors:
        raise ValidationError(errors)


def _cited(acting_user: User, cites: Iterable[Report | int | str]) -> list[Report]:
    """The cited reports, given as reports, ids or references (as people type them)."""
    ids: set[int] = set()
    references: set[str] = set()
    for c in cites:
        if isinstance(c, Report):
            ids.add(c.pk)
        elif isinstance(c, str):
            references.add(c.strip())
        else:
            ids.add(int(c))
    visible = Report.objects.visible_to(acting_user)
    by_id = list(visible.filter(pk__in=ids)) if ids else []
    by_reference = list(visible.filter(reference__in=references)) if references else []
    if len(by_id) != len(ids) or len(by_reference) != len(references):
        raise ValidationError({"cites": _("You may cite only reports you can see.")})
    return list({r.pk: r for r in by_id + by_reference}.values())


def _check_text(
    *, title: str, body: str, language: str, translation: str, translation_state: str
) -> None:
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("Give the report a title.")
    if not body.strip():
        errors["body"] = _("Write the report's text.")
    if language not in Language.values:
        errors["language"] = _("Say which language the report is written in.")
    if translation_state not in TranslationState.values:
        errors["translation_state"] = _("Unknown translation state.")
    elif translation.strip() and translation_state == TranslationState.NONE:
        errors["translation_state"] = _("Say how the translation was made.")
    elif not translation.strip() and translation_state != TranslationState.NONE:
        errors["translation"] = _("A translation state needs a translation.")
    if errors:
        raise ValidationError(errors)


def _check_recipients(recipients: Sequence[User], codes: frozenset[str]) -> None:
    for person in recipients:
        if person.agency is None or person.agency.country.code not in codes:
            raise ValidationError(
                {
                    "recipients": _(
                        "{user} is in a country this report is not releasable to."
                    ).format(user=person.get_username())
                }
            )


def _next_reference(agency: Agency) -> str:
    """ "NCA-2026-000123": the agency's code, the year, its next number that year."""
    # Lock the agency's row: two reports written at once by the same agency get two numbers.
    Agency.objects.select_for_update().filter(pk=agency.pk).first()
    prefix = f"{agency.code}-{timezone.now().year}-"
    last = (
        Report.objects.filter(reference__startswith=prefix)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:06d}"


# Reports ----------------------------------------------------------------------------------


@transaction.atomic
def create_report(
    *,
    acting_user: User,
    title: str,
    body: str,
    language: str,
    grading_scheme: str,
    source_grade: str,
    information_grade: str,
    handling_code: str = "",
    handling_conditions: str = "",
    classification: int | None = None,
    releasability: Iterable[str] | None = None,
    tlp: str | None = None,
    translated_title: str = "",
    translation: str = "",
    translation_state: str = TranslationState.NONE,
    entities: Sequence[EntityInput] = (),
    cites: Iterable[Report | int | str] = (),
    recipients: Sequence[User] = (),
    source_id: str = "",
) -> Report:
    """Write a report for the author's agency (editors of intelligence); ``source_id`` is its
    id in the file it is imported from.

    A marking left out is derived from the cited reports (or OFFICIAL, the author's country
    only, TLP:AMBER when there are none); a marking given is checked against them.
    """
    access.require_role(acting_user, Module.INTELLIGENCE, Role.EDITOR)
    agency = acting_user.agency
    assert agency is not None  # an editor always has an agency
    cited = _cited(acting_user, cites)
    floor = combined_marking(cited)
    if classification is None:
        classification = floor.classification if floor else Classification.OFFICIAL
    if releasability is None:
        releasability = floor.releasability if floor else {agency.country.code}
    if tlp is None:
        tlp = floor.tlp if floor else TLP.AMBER
    codes = core_services.validate_marking(
        originator=agency,
        releasability=releasability,
        tlp=tlp,
        classification=classification,
        author=acting_user,
    )
    _check_floor(floor, classification, codes, tlp)
    if tlp == TLP.RED and not recipients:
        raise ValidationError(
            {"recipients": _("A TLP:RED report names the people it is for: add recipients.")}
        )
    _check_recipients(recipients, codes)
    _check_text(
        title=title,
        body=body,
        language=language,
        translation=translation,
        translation_state=translation_state,
    )
    grade = grading.validate_grade(
        grading_scheme, source_grade, information_grade, handling_code, handling_conditions
    )
    report = Report(
        reference=_next_reference(agency),
        title=title.strip(),
        body=body,
        language=language,
        translated_title=translated_title.strip(),
        translation=translation,
        translation_state=translation_state,
        grading_scheme=grade.scheme,
        source_grade=grade.source,
        information_grade=grade.information,
        handling_code=grade.handling,
        handling_conditions=grade.conditions,
        classification=classification,
        releasability=codes,  # type: ignore[misc]  # CountrySetField takes a set of codes
        tlp=tlp,
        originator=agency,
        created_by=acting_user,
        source_id=source_id,
    )
    report.full_clean()
    report.save()
    if cited:
        report.cites.set(cited)
    audit.record_create(acting_user, report)
    if cited:
        audit.record(
            acting_user,
            AuditAction.UPDATE,
            report,
            changes={"cites": [c.reference for c in cited]},
        )
    if recipients:
        core_services.name_recipients(
            report, acting_user=acting_user, users=recipients, purpose="TLP:RED recipients"
        )
    link_entities(report, entities, acting_user)
    search.report_saved(report)
    return report


@transaction.atomic
def update_report(
    report: Report,
    *,
    acting_user: User,
    entities: Sequence[EntityInput] | None = None,
    **fields: Any,
) -> Report:
    """Change a report (editors of the originating agency only), audited before/after.

    Only the originator may widen the releasability, lower the classification or relax the
    TLP; a derived product stays at least at its inputs' marking.
    """
    if not access.can_change(acting_user, report):
        raise PermissionDenied(_("Only editors of the originating agency may change this report."))
    unknown = set(fields) - EDITABLE
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed: {fields}.").format(fields=", ".join(sorted(unknown)))
        )
    before = audit.snapshot(report)
    old_codes = frozenset(report.releasability)
    old_classification, old_tlp = report.classification, report.tlp
    for name, value in fields.items():
        setattr(report, name, value)
    codes = core_services.validate_marking(
        originator=report.originator,
        releasability=report.releasability,
        tlp=report.tlp,
        classification=report.classification,
        author=acting_user,
    )
    report.releasability = codes
    widens = (
        not codes <= old_codes
        or report.classification < old_classification
        or tlp_rank(report.tlp) < tlp_rank(old_tlp)
    )
    if widens and report.originator_id != acting_user.agency_id:
        # can_change already holds this; kept at the decision point on purpose.
        raise PermissionDenied(
            _(
                "Only the originating agency may widen a report's releasability or lower its "
                "marking."
            )
        )
    _check_floor(
        combined_marking(list(report.cites.all())), report.classification, codes, report.tlp
    )
    if report.tlp == TLP.RED and old_tlp != TLP.RED:
        ct = ContentType.objects.get_for_model(Report)
        if not Recipient.objects.filter(
            content_type=ct, object_id=report.pk, user__isnull=False
        ).exists():
            raise ValidationError(
                {"tlp": _("A TLP:RED report names the people it is for: add recipients first.")}
            )
    _check_text(
        title=report.title,
        body=report.body,
        language=report.language,
        translation=report.translation,
        translation_state=report.translation_state,
    )
    grade = grading.validate_grade(
        report.grading_scheme,
        report.source_grade,
        report.information_grade,
        report.handling_code,
        report.handling_conditions,
    )
    report.grading_scheme, report.source_grade = grade.scheme, grade.source
    report.information_grade, report.handling_code = grade.information, grade.handling
    report.handling_conditions = grade.conditions
    report.full_clean()
    report.save()
    audit.record_update(acting_user, report, before)
    if entities is not None:
        link_entities(report, entities, acting_user)
    if (codes, report.classification, report.tlp) != (old_codes, old_classification, old_tlp):
        sync_entity_markings(report, acting_user=acting_user)
    search.report_saved(report)
    return report


def report_grade(report: Report | Regrade) -> grading.Grade:
    return grading.Grade(
        report.grading_scheme,
        report.source_grade,
        report.information_grade,
        report.handling_code,
        getattr(report, "handling_conditions", ""),
    )


@transaction.atomic
def record_read(report: Report, *, acting_user: User, purpose: str = READ_PURPOSE) -> bool:
    """Audit a consultation of the report when it names people (personal data). Returns
    whether it did. Call it once the report is known to be visible to the user."""
    people = list(
        report.entity_links.filter(entity__kind=EntityKind.PERSON).values_list(
            "entity_id", flat=True
        )
    )
    if not people:
        return False
    audit.record(
        acting_user,
        AuditAction.READ,
        report,
        purpose=purpose.strip() or READ_PURPOSE,
        changes={"people": sorted(people)},
    )
    return True


# Re-grades --------------------------------------------------------------------------------


@transaction.atomic
def regrade(
    report: Report,
    *,
    acting_user: User,
    grading_scheme: str,
    source_grade: str,
    information_grade: str,
    handling_code: str = "",
    reason: str,
) -> Regrade:
    """A receiving side's own grade of a report it sees, with its reason. The original grade
    is kept; the originator changes its own grade by editing the report."""
    access.require_role(acting_user, Module.INTELLIGENCE, Role.EDITOR)
    if not access.can_view(acting_user, report):
        raise PermissionDenied(_("You may not see this report."))
    if report.originator_id == acting_user.agency_id:
        raise ValidationError(
            _("The originating agency changes its own grade by editing the report.")
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Say why you grade this report differently.")})
    # A re-grade carries no handling conditions: those are the originator's to set.
    grade = grading.validate_grade(
        grading_scheme, source_grade, information_grade, handling_code, conditions_needed=False
    )
    assert acting_user.agency is not None  # an editor always has an agency
    row = Regrade.objects.create(
        report=report,
        agency=acting_user.agency,
        grading_scheme=grade.scheme,
        source_grade=grade.source,
        information_grade=grade.information,
        handling_code=grade.handling,
        reason=reason.strip(),
        created_by=acting_user,
    )
    audit.record_create(acting_user, row)
    return row


__all__ = [
    "ATTACHMENT_TYPES",
    "EntityInput",
    "add_attachment",
    "attachment_max_bytes",
    "attachment_of",
    "check_attachment",
    "create_report",
    "read_attachment",
    "record_read",
    "regrade",
    "sync_entity_markings",
    "update_report",
]
