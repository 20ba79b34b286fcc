"""Investigations services: typed links between entities (drives, owns, calls, pays,
travels with, member of), with a time span, a confidence and their provenance.

Every function takes the acting user, runs in one transaction and audits what it writes.
Links are marked records of the investigations module.

**The marking of a link.** A link says something about both its ends and, when it has one,
the record it comes from: it is marked at least as restrictively as all of them together
(``entente.core.markings.combined_marking``): at least the highest classification, releasable
only to countries every one of them is releasable to, at least the narrowest TLP. A link
marked less restrictively is refused; a link whose marking is left out takes exactly that
combined marking. The graph (``entente.investigations.graph``) shows a link only to those who
may see it and both its ends, so an entity's later change of marking cannot leak through a
link either.

**Records the user cannot see.** An end, a report, an incident or an investigation the user
may not see is refused with the same message as an absent one ("no such record, or you may
not see it"): the refusal never tells whether a hidden record exists.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from entente.control_room.models import Incident
from entente.core import access, audit
from entente.core.choices import TLP, Classification
from entente.core.markings import Marking, combined_marking, tlp_rank
from entente.core.models import User
from entente.intelligence.models import Entity, Report
from entente.investigations import graph
from entente.investigations.choices import LinkKind
from entente.investigations.models import Investigation, Link
from entente.investigations.services.entities import checked_marking, require_editor, require_reader

MAX_NOTE = 200


def _hidden(field_name: str) -> dict[str, str]:
    return {field_name: _("No such record, or you may not see it.")}


def _visible_record(model: type[Any], user: Any, pk: Any) -> Any:
    """The record if the user may see it, else None: absent and hidden alike."""
    if pk in (None, ""):
        return None
    if isinstance(pk, model):
        pk = pk.pk
    if not access.has_role(user, model.access_module):
        return None
    try:
        return model.objects.visible_to(user).get(pk=int(pk))
    except (model.DoesNotExist, ValueError, TypeError, OverflowError):
        return None


def required_marking(records: Sequence[Any]) -> Marking:
    """The least restrictive marking a link may carry: that of its ends and provenance
    together (see the module's docstring)."""
    marking = combined_marking(records)
    assert marking is not None  # a link always has two ends
    return marking


def _check_link_marking(
    required: Marking, level: int, codes: frozenset[str], tlp: str, errors: dict[str, str]
) -> None:
    if not required.releasability:
        errors["releasability"] = _(
            "These records are not releasable to a common country: no link can join them."
        )
        return
    if level < required.classification:
        errors["classification"] = _(
            "A link is classified at least as high as its ends and its source ({level})."
        ).format(level=Classification(required.classification).label)
    if codes and not codes <= required.releasability:
        errors["releasability"] = _(
            "A link is releasable only to countries its ends and its source are releasable "
            "to ({codes})."
        ).format(codes=", ".join(sorted(required.releasability)))
    if tlp in TLP.values and tlp_rank(tlp) < tlp_rank(required.tlp):
        errors["tlp"] = _(
            "A link's TLP is at least as narrow as its ends' and its source's (TLP:{tlp})."
        ).format(tlp=required.tlp)


def _span_and_confidence(
    starts_on: dt.date | None, ends_on: dt.date | None, confidence: Any, errors: dict[str, str]
) -> float:
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("The end date is before the start date.")
    try:
        value = float(confidence)
    except (TypeError, ValueError):
        value = math.nan
    if not 0.0 <= value <= 1.0:  # NaN fails both comparisons
        errors["confidence"] = _("The confidence is a number between 0 and 1.")
    return value


@dataclass
class _Resolved:
    source: Entity | None
    target: Entity | None
    report: Report | None
    incident: Incident | None
    investigation: Investigation | None


def _resolve(
    user: User,
    errors: dict[str, str],
    *,
    source: Any,
    target: Any,
    report: Any,
    incident: Any,
    investigation: Any,
) -> _Resolved:
    src = _visible_record(Entity, user, source)
    tgt = _visible_record(Entity, user, target)
    if src is None:
        errors.update(_hidden("source"))
    if tgt is None:
        errors.update(_hidden("target"))
    found = _Resolved(src, tgt, None, None, None)
    for name, model, value in (
        ("report", Report, report),
        ("incident", Incident, incident),
        ("investigation", Investigation, investigation),
    ):
        if value in (None, ""):
            continue
        record = _visible_record(model, user, value)
        if record is None:
            errors.update(_hidden(name))
        setattr(found, name, record)
    return found


def _same_entity(a: Any, b: Any) -> bool:
    pa = a.pk if isinstance(a, Entity) else a
    pb = b.pk if isinstance(b, Entity) else b
    try:
        return pa is not None and int(pa) == int(pb)
    except (TypeError, ValueError):
        return False


@transaction.atomic
def create_link(
    *,
    acting_user: User,
    source: Entity | int,
    target: Entity | int,
    kind: str,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    confidence: float = 1.0,
    report: Report | int | None = None,
    incident: Incident | int | None = None,
    investigation: Investigation | int | None = None,
    source_note: str = "",
    classification: int | None = None,
    releasability: Iterable[str] | None = None,
    tlp: str | None = None,
) -> Link:
    """A link "source <kind> target" of the acting user's agency (investigations editors).

    Refused whole (ValidationError naming each wrong field, nothing written): an entity
    linked to itself, an unknown kind, an end date before the start, a confidence outside
    0..1, an end or a provenance record the user may not see (said as of an absent one), a
    marking less restrictive than its ends' and provenance's (see the module's docstring).
    """
    require_editor(acting_user)
    errors: dict[str, str] = {}
    if _same_entity(source, target):
        errors["target"] = _("An entity cannot be linked to itself.")
    if kind not in LinkKind.values:
        errors["kind"] = _("Unknown kind of link {kind}.").format(kind=kind)
    value = _span_and_confidence(starts_on, ends_on, confidence, errors)
    source_note = source_note.strip()
    if len(source_note) > MAX_NOTE:
        errors["source_note"] = _("A note has at most {n} characters.").format(n=MAX_NOTE)
    found = _resolve(
        acting_user,
        errors,
        source=source,
        target=target,
        report=report,
        incident=incident,
        investigation=investigation,
    )
    required = _required_of(found)
    level, codes, tlp_value = _link_marking(
        acting_user, required, classification, releasability, tlp, errors
    )
    if errors:
        raise ValidationError(errors)
    link = Link(
        source=found.source,
        target=found.target,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        confidence=value,
        report=found.report,
        incident=found.incident,
        investigation=found.investigation,
        source_note=source_note,
        classification=level,
        releasability=sorted(codes),  # type: ignore[misc]  # a set of country codes
        tlp=tlp_value,
        originator=acting_user.agency,
        created_by=acting_user,
    )
    link.full_clean()
    link.save()
    audit.record_create(acting_user, link)
    return link


def _required_of(found: _Resolved) -> Marking | None:
    records = [
        r
        for r in (found.source, found.target, found.report, found.incident, found.investigation)
        if r is not None
    ]
    if found.source is None or found.target is None:
        return None
    return required_marking(records)


def _link_marking(
    user: User,
    required: Marking | None,
    classification: int | None,
    releasability: Iterable[str] | None,
    tlp: str | None,
    errors: dict[str, str],
) -> tuple[int, frozenset[str], str]:
    """The link's marking: the one asked for, checked against what its records require, or
    exactly that requirement when left out."""
    if required is not None and required.releasability:
        if classification is None:
            classification = required.classification
        if releasability is None:
            releasability = sorted(required.releasability)
        if tlp is None:
            tlp = required.tlp
    level, codes, tlp_value = checked_marking(
        user, classification=classification, releasability=releasability, tlp=tlp, errors=errors
    )
    if required is not None:
        _check_link_marking(required, level, codes, tlp_value, errors)
    return level, codes, tlp_value


def changeable_link(user: User, link_id: int) -> Link:
    """A link the user may change: Http404 unless they see it and both its ends,
    PermissionDenied unless they are an investigations editor of its originating agency."""
    require_reader(user)
    link: Link = access.get_visible_or_404(
        graph.visible_links(user).select_related("source", "target"), user, pk=link_id
    )
    if not access.can_change_visible(user, link):
        raise PermissionDenied(_("Only editors of the originating agency may change this record."))
    return link


LINK_FIELDS = frozenset(
    {
        "kind",
        "starts_on",
        "ends_on",
        "confidence",
        "report",
        "incident",
        "investigation",
        "source_note",
        "classification",
        "releasability",
        "tlp",
    }
)


@transaction.atomic
def update_link(link_id: int, *, acting_user: User, **changes: Any) -> Link:
    """Change a link's kind, span, confidence, provenance, note or marking (its ends stay:
    a link between other entities is another link). The same checks as ``create_link``."""
    link = changeable_link(acting_user, link_id)
    unknown = set(changes) - LINK_FIELDS
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed: {names}.").format(names=", ".join(sorted(unknown)))
        )
    before = audit.snapshot(link)
    errors: dict[str, str] = {}
    kind = changes.get("kind", link.kind)
    if kind not in LinkKind.values:
        errors["kind"] = _("Unknown kind of link {kind}.").format(kind=kind)
    starts_on = changes.get("starts_on", link.starts_on)
    ends_on = changes.get("ends_on", link.ends_on)
    value = _span_and_confidence(
        starts_on, ends_on, changes.get("confidence", link.confidence), errors
    )
    note = str(changes.get("source_note", link.source_note)).strip()
    if len(note) > MAX_NOTE:
        errors["source_note"] = _("A note has at most {n} characters.").format(n=MAX_NOTE)
    found = _resolve(
        acting_user,
        errors,
        source=link.source_id,
        target=link.target_id,
        report=changes.get("report", link.report_id),
        incident=changes.get("incident", link.incident_id),
        investigation=changes.get("investigation", link.investigation_id),
    )
    level, codes, tlp_value = _link_marking(
        acting_user,
        _required_of(found),
        changes.get("classification", link.classification),
        changes.get("releasability", link.releasability),
        changes.get("tlp", link.tlp),
        errors,
    )
    if errors:
        raise ValidationError(errors)
    link.kind = kind
    link.starts_on, link.ends_on, link.confidence = starts_on, ends_on, value
    link.report, link.incident, link.investigation = (
        found.report,
        found.incident,
        found.investigation,
    )
    link.source_note = note
    link.classification, link.releasability, link.tlp = level, sorted(codes), tlp_value
    link.full_clean()
    link.save()
    audit.record_update(acting_user, link, before)
    return link


@transaction.atomic
def delete_link(link_id: int, *, acting_user: User) -> None:
    """Delete a link (investigations editors of its originating agency); audited with what
    it was."""
    link = changeable_link(acting_user, link_id)
    audit.record_delete(acting_user, link)
    link.delete()
