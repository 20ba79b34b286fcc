"""Investigations services: entities (people, vehicles, phones, companies, places, bank
accounts) and what a person may read of them and of their links.

Every function takes the acting user, runs in one transaction and audits what it writes;
every read of a person (and of the people shown beside an entity) is audited with its
purpose, as intelligence audits reports that name people.

Entities are intelligence's ``Entity`` (marked, access module intelligence); investigations
editors create them. Links are written by ``entente.investigations.services.links``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model, Q, QuerySet, Value
from django.utils.translation import gettext as _

from entente.control_room.choices import VehicleType
from entente.control_room.models import Incident
from entente.core import access, audit
from entente.core import services as core_services
from entente.core.choices import TLP, AuditAction, Classification, Module, Role
from entente.core.models import User
from entente.core.text import Folded
from entente.intelligence.choices import EntityKind
from entente.intelligence.exchange.rows import normalise_identifier
from entente.intelligence.models import Entity, Report
from entente.investigations import graph
from entente.investigations.models import Investigation, Link

# Purposes recorded when people are consulted (the law-enforcement logging rule).
READ_PURPOSE = "person entity consulted"
LIST_PURPOSE = "entities listed"
LINKS_PURPOSE = "links listed"
OTHERS_PURPOSE = "entities listed as a link's other end"

MAX_NAME = 200
MAX_IDENTIFIER = 100

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
    identifier, any case and any accents: "benoit" finds "Benoît")."""
    require_reader(user)
    qs = graph.visible_entities(user).select_related("originator")
    if kind:
        qs = qs.filter(kind=kind)
    text = text.strip()
    if text:
        folded = Folded(Value(text))
        qs = qs.alias(folded_name=Folded("name"), folded_identifier=Folded("identifier")).filter(
            Q(folded_name__contains=folded) | Q(folded_identifier__contains=folded)
        )
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


def checked_marking(
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
    level, codes, tlp = checked_marking(
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
    level, codes, tlp = checked_marking(
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
