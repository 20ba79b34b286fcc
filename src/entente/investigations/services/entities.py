"""Investigations services: entities (people, vehicles, phones, companies, places, bank
accounts), the typed links between them, and what a person may read of them.

Every function takes the acting user, runs in one transaction and audits what it writes;
every read of a person (and of the people shown beside an entity) is audited with its
purpose, as intelligence audits reports that name people.

Entities are intelligence's ``Entity`` (marked, access module intelligence); investigations
editors create them. Links are marked records of the investigations module.

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
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

from entente.control_room.choices import VehicleType
from entente.control_room.models import Incident
from entente.core import access, audit
from entente.core import services as core_services
from entente.core.choices import TLP, AuditAction, Classification, Module, Role
from entente.core.markings import Marking, combined_marking, tlp_rank
from entente.core.models import User
from entente.intelligence.choices import EntityKind
from entente.intelligence.exchange.rows import normalise_identifier
from entente.intelligence.models import Entity, Report
from entente.investigations import graph
from entente.investigations.choices import LinkKind
from entente.investigations.models import Investigation, Link

# Purposes recorded when people are consulted (the law-enforcement logging rule).
READ_PURPOSE = "person entity consulted"
LIST_PURPOSE = "entities listed"
LINKS_PURPOSE = "links listed"

MAX_NAME = 200
MAX_IDENTIFIER = 100
MAX_NOTE = 200

# Attribute conventions (docs: INV_CONTEXT, "Attribute conventions"): the keys each kind
# takes in ``Entity.attributes``; any other key is refused.
ATTRIBUTES: dict[str, tuple[str, ...]] = {
    EntityKind.PERSON: (
        "given_name",
        "family_name",
        "birth_date",
        "birth_date_estimated",
        "nationality",
        "gender",
    ),
    EntityKind.VEHICLE: ("plate", "vehicle_type"),
    EntityKind.PHONE: (),
    EntityKind.COMPANY: ("haulier",),
    EntityKind.PLACE: (),
    EntityKind.ACCOUNT: ("bank",),
}
GENDERS = ("f", "m", "x")
E164 = re.compile(r"^\+[1-9]\d{5,14}$")


# Reading ----------------------------------------------------------------------------------


def require_reader(user: Any) -> None:
    """Investigations pages and API: any investigations role (entities also need the
    intelligence role that lets one see them, which every investigations persona holds)."""
    access.require_role(user, Module.INVESTIGATIONS)


def require_editor(user: Any) -> None:
    access.require_role(user, Module.INVESTIGATIONS, Role.EDITOR)


def visible_entities(
    user: Any, *, kind: str = "", text: str = "", ids: Iterable[int] | None = None
) -> QuerySet[Entity]:
    """Entities the user may see, optionally of one kind and matching a text (name or
    identifier, any case)."""
    require_reader(user)
    qs = graph.visible_entities(user).select_related("originator")
    if kind:
        qs = qs.filter(kind=kind)
    text = text.strip()
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(identifier__icontains=text))
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs


def links_of(user: Any, *, entity: int | None = None, kind: str = "") -> QuerySet[Link]:
    """Links the user may see (both ends visible), optionally touching one entity and of
    one kind, with their ends."""
    require_reader(user)
    qs = graph.visible_links(user, kinds=[kind] if kind else None).select_related(
        "source", "target", "originator"
    )
    if entity is not None:
        qs = qs.filter(Q(source_id=entity) | Q(target_id=entity))
    return qs.order_by("starts_on", "pk")


@transaction.atomic
def record_people_read(
    user: Any, people: Iterable[Entity], *, purpose: str, subject: Model | None = None
) -> bool:
    """Audit a consultation of the people among ``people``: one entry on ``subject`` (the
    entity consulted) or on the entities as a list. Returns whether it recorded one."""
    ids = sorted({e.pk for e in people if e.kind == EntityKind.PERSON})
    if not ids:
        return False
    audit.record(
        user,
        AuditAction.READ,
        subject,
        object_type="" if subject is not None else "intelligence.entity",
        purpose=purpose,
        changes={"people": ids},
    )
    return True


@dataclass
class LinkRow:
    """A link as seen from one of its ends: the other end and the direction."""

    link: Link
    other: Entity
    outgoing: bool


@dataclass
class EntityView:
    """What a person may read of an entity: its visible links both ways, the number of its
    links they may not see (never which), the visible reports that name it."""

    entity: Entity
    links: list[LinkRow] = field(default_factory=list)
    hidden_links: int = 0
    reports: list[Report] = field(default_factory=list)
    provenance: dict[int, dict[str, Any]] = field(default_factory=dict)


def _visible_ids(model: type[Any], user: Any, ids: set[int]) -> set[int]:
    if not ids or not access.has_role(user, model.access_module):
        return set()
    return set(model.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


@transaction.atomic
def read_entity(entity_id: int, *, acting_user: User) -> EntityView:
    """An entity the user may see (Http404 otherwise), with its links, reports and hidden
    count; the consultation of any person shown is audited."""
    require_reader(acting_user)
    entity = access.get_visible_or_404(
        Entity.objects.select_related("originator"), acting_user, pk=entity_id
    )
    visible = list(links_of(acting_user, entity=entity.pk))
    rows = [
        LinkRow(
            link,
            link.target if link.source_id == entity.pk else link.source,
            link.source_id == entity.pk,
        )
        for link in visible
    ]
    total = Link.objects.filter(Q(source_id=entity.pk) | Q(target_id=entity.pk)).count()
    reports = list(
        Report.objects.visible_to(acting_user)
        .filter(entity_links__entity=entity)
        .distinct()
        .order_by("-created_at")
    )
    view = EntityView(entity, rows, max(0, total - len(rows)), reports)
    view.provenance = provenance_of(acting_user, visible)
    record_people_read(
        acting_user, [entity, *(r.other for r in rows)], purpose=READ_PURPOSE, subject=entity
    )
    return view


def provenance_of(user: Any, links: Sequence[Link]) -> dict[int, dict[str, Any]]:
    """Per link, the provenance records the user may see: {"report": Report, ...}; a hidden
    one is left out (the link's note still says where it came from)."""
    reports = _visible_ids(Report, user, {lk.report_id for lk in links if lk.report_id})
    incidents = _visible_ids(Incident, user, {lk.incident_id for lk in links if lk.incident_id})
    cases = _visible_ids(
        Investigation, user, {lk.investigation_id for lk in links if lk.investigation_id}
    )
    by_report = {r.pk: r for r in Report.objects.filter(pk__in=reports)}
    by_case = {c.pk: c for c in Investigation.objects.filter(pk__in=cases)}
    out: dict[int, dict[str, Any]] = {}
    for lk in links:
        found: dict[str, Any] = {}
        if lk.report_id in by_report:
            found["report"] = by_report[lk.report_id]
        if lk.incident_id in incidents:
            found["incident"] = lk.incident_id
        if lk.investigation_id in by_case:
            found["investigation"] = by_case[lk.investigation_id]
        out[lk.pk] = found
    return out


# Entities ---------------------------------------------------------------------------------


def _marking(
    user: User,
    *,
    classification: int | None,
    releasability: Iterable[str] | None,
    tlp: str | None,
    errors: dict[str, str],
) -> tuple[int, frozenset[str], str]:
    """The marking asked for, with the defaults of a record written by hand (OFFICIAL, the
    author's country only, TLP:AMBER), checked by ``core.services.marking_errors``."""
    assert user.agency is not None  # an editor always has an agency
    level = Classification.OFFICIAL if classification is None else classification
    codes_in = [user.agency.country.code] if releasability is None else list(releasability)
    tlp = TLP.AMBER if tlp is None else tlp
    codes, problems = core_services.marking_errors(
        originator=user.agency,
        releasability=codes_in,
        tlp=tlp,
        classification=level,
        author=user,
    )
    errors.update(problems)
    return level, codes, tlp


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in ("1", "true", "yes", "y", "oui", "o", "vrai"):
        return True
    if text in ("0", "false", "no", "n", "non", "faux", ""):
        return False
    return None


def clean_attributes(
    kind: str, attributes: Mapping[str, Any], errors: dict[str, str]
) -> dict[str, Any]:
    """The attributes of an entity of this kind in the shared conventions (ISO dates,
    ISO-2 codes, booleans), or messages in ``errors`` (keyed by attribute)."""
    allowed = ATTRIBUTES.get(kind, ())
    out: dict[str, Any] = {}
    for key, raw in attributes.items():
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        value = raw.strip() if isinstance(raw, str) else raw
        if key not in allowed:
            errors[key] = _("A {kind} has no attribute {name}.").format(
                kind=EntityKind(kind).label if kind in EntityKind.values else kind, name=key
            )
        elif key == "birth_date":
            try:
                out[key] = dt.date.fromisoformat(str(value)).isoformat()
            except ValueError:
                errors[key] = _("{value} is not a date (YYYY-MM-DD).").format(value=value)
        elif key in ("birth_date_estimated", "haulier"):
            flag = _bool(value)
            if flag is None:
                errors[key] = _("{value} is not yes or no.").format(value=value)
            else:
                out[key] = flag
        elif key == "nationality":
            code = str(value).upper()
            if len(code) != 2 or not code.isalpha():
                errors[key] = _("{code} is not a two-letter country code.").format(code=value)
            else:
                out[key] = code
        elif key == "gender":
            if str(value).lower() not in GENDERS:
                errors[key] = _("The gender is f, m or x.")
            else:
                out[key] = str(value).lower()
        elif key == "vehicle_type":
            if str(value).lower() not in VehicleType.values:
                errors[key] = _("Unknown vehicle type {value}: use {choices}.").format(
                    value=value, choices=", ".join(VehicleType.values)
                )
            else:
                out[key] = str(value).lower()
        else:
            out[key] = str(value)[:MAX_NAME]
    return out


def entity_key(kind: str, identifier: str, name: str = "") -> str:
    """The normalised key of an entity (``Entity.identifier``): a plate without spaces or
    dashes in capitals, a phone in E.164, an IBAN without spaces; others as written,
    capitalised, as intelligence keys them."""
    text = identifier.strip() or name.strip()
    if kind in (EntityKind.VEHICLE, EntityKind.PHONE):
        return normalise_identifier(kind, text).upper()
    if kind == EntityKind.ACCOUNT:
        return re.sub(r"\s", "", text).upper()
    return text.upper()


def _entity_fields(
    kind: str,
    name: str,
    identifier: str,
    country: str,
    attributes: Mapping[str, Any],
    errors: dict[str, str],
) -> dict[str, Any]:
    if kind not in EntityKind.values:
        errors["kind"] = _("Unknown entity kind {kind}.").format(kind=kind)
        return {}
    attrs = clean_attributes(kind, attributes, errors)
    name = name.strip()
    if not name and kind == EntityKind.PERSON:
        name = " ".join(p for p in (attrs.get("given_name"), attrs.get("family_name")) if p)
    if not name and kind in (EntityKind.VEHICLE, EntityKind.PHONE, EntityKind.ACCOUNT):
        name = identifier.strip()
    if not name:
        errors["name"] = _("Every entity needs a name.")
    elif len(name) > MAX_NAME:
        errors["name"] = _("A name has at most {n} characters.").format(n=MAX_NAME)
    key = entity_key(kind, identifier or str(attrs.get("plate", "")), name)
    if kind == EntityKind.PHONE and not E164.match(key):
        errors["identifier"] = _(
            "{value} is not a phone number in international form (+33…, +44…)."
        ).format(value=identifier or name)
    if len(key) > MAX_IDENTIFIER:
        errors["identifier"] = _("An identifier has at most {n} characters.").format(
            n=MAX_IDENTIFIER
        )
    if kind == EntityKind.VEHICLE:
        attrs["plate"] = key
    country = country.strip().upper()
    if country and (len(country) != 2 or not country.isalpha()):
        errors["country"] = _("{code} is not a two-letter country code.").format(code=country)
    return {"kind": kind, "name": name, "identifier": key, "country": country, "attributes": attrs}


@transaction.atomic
def create_entity(
    *,
    acting_user: User,
    kind: str,
    name: str = "",
    identifier: str = "",
    country: str = "",
    attributes: Mapping[str, Any] | None = None,
    classification: int | None = None,
    releasability: Iterable[str] | None = None,
    tlp: str | None = None,
) -> Entity:
    """A new entity of the acting user's agency (investigations editors). Refused whole
    (ValidationError naming each wrong field, nothing written) when a value breaks the
    conventions or the marking does not hold together."""
    require_editor(acting_user)
    errors: dict[str, str] = {}
    fields = _entity_fields(kind, name, identifier, country, attributes or {}, errors)
    level, codes, tlp = _marking(
        acting_user,
        classification=classification,
        releasability=releasability,
        tlp=tlp,
        errors=errors,
    )
    if errors:
        raise ValidationError(errors)
    entity = Entity(
        **fields,
        classification=level,
        releasability=sorted(codes),  # type: ignore[misc]  # a set of country codes
        tlp=tlp,
        originator=acting_user.agency,
        created_by=acting_user,
    )
    entity.full_clean()
    entity.save()
    audit.record_create(acting_user, entity)
    return entity


def changeable_entity(user: User, entity_id: int) -> Entity:
    """An entity the user may change: Http404 unless they see it, PermissionDenied unless
    they are an editor (investigations or intelligence) of its originating agency."""
    entity: Entity = access.get_visible_or_404(Entity, user, pk=entity_id)
    editor = access.has_role(user, Module.INVESTIGATIONS, Role.EDITOR) or access.has_role(
        user, Module.INTELLIGENCE, Role.EDITOR
    )
    if not editor or entity.originator_id != user.agency_id:
        raise PermissionDenied(_("Only editors of the originating agency may change this record."))
    return entity


@transaction.atomic
def update_entity(entity_id: int, *, acting_user: User, **changes: Any) -> Entity:
    """Change an entity's name, identifier, country, attributes (replaced whole) or marking.
    The fields left out stay as they are."""
    entity = changeable_entity(acting_user, entity_id)
    allowed = {
        "name",
        "identifier",
        "country",
        "attributes",
        "classification",
        "releasability",
        "tlp",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed: {names}.").format(names=", ".join(sorted(unknown)))
        )
    before = audit.snapshot(entity)
    errors: dict[str, str] = {}
    fields = _entity_fields(
        entity.kind,
        changes.get("name", entity.name),
        changes.get("identifier", entity.identifier),
        changes.get("country", entity.country),
        changes.get("attributes", entity.attributes),
        errors,
    )
    level, codes, tlp = _marking(
        acting_user,
        classification=changes.get("classification", entity.classification),
        releasability=changes.get("releasability", entity.releasability),
        tlp=changes.get("tlp", entity.tlp),
        errors=errors,
    )
    if errors:
        raise ValidationError(errors)
    for name, value in fields.items():
        setattr(entity, name, value)
    entity.classification = level
    entity.releasability = sorted(codes)
    entity.tlp = tlp
    entity.full_clean()
    entity.save()
    audit.record_update(acting_user, entity, before)
    return entity


# Links ------------------------------------------------------------------------------------


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
    level, codes, tlp_value = _marking(
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


def visible_link(user: User, link_id: int) -> Link:
    require_reader(user)
    link: Link = access.get_visible_or_404(
        graph.visible_links(user).select_related("source", "target"), user, pk=link_id
    )
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
