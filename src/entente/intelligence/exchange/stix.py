"""STIX 2.1: a report and its entities as a bundle, and bundles read back into reports.

What goes where (docs: the analyst's guide, "Exchange"):

- the report is a ``report`` SDO (``name``, ``description``, ``lang``, ``object_refs``); its
  translation a ``language-content`` object; its originator an ``identity`` (organisation)
  named in ``created_by_ref``;
- people are ``identity`` objects of class ``individual``, companies of class
  ``organization``, places ``location`` objects; STIX 2.1 has no object for a phone or a
  vehicle, so each is a new SCO (``entente-phone``, ``entente-vehicle``) declared by an
  ``extension-definition`` of type ``new-sco``, as the specification asks of new types
  (section 7.3) instead of the deprecated ``x-`` custom objects;
- the TLP is the official TLP 2.0 marking definition (OASIS's TLP 2.0 extension, its
  published ids), in ``object_marking_refs``;
- the classification, releasability, originator and grade travel in a property extension
  of ours, declared by an ``extension-definition`` in the bundle.

Identifiers are UUIDv5 under Entente's namespace, from the report's reference and the
entities' keys, so that exporting the same report twice gives the same bundle (the
validator's advice to use UUIDv4 for SDOs is a SHOULD that stable re-exports outweigh).
SCO identifiers follow the specification's own UUIDv5 rule (stix2 computes them).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import stix2
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stix2.exceptions import STIXError
from stix2.properties import StringProperty
from stix2.v21 import (
    Bundle,
    CustomObservable,
    ExtensionDefinition,
    Identity,
    LanguageContent,
    Location,
    MarkingDefinition,
)
from stix2.v21 import Report as StixReport

from entente.core.choices import CLASSIFICATION_NAMES, TLP
from entente.core.markings import tlp_rank
from entente.intelligence.choices import EntityKind
from entente.intelligence.exchange.rows import (
    ImportedEntity,
    RowInput,
    normalise_identifier,
    parse_classification,
    parse_releasability,
    parse_tlp,
    to_entente_country,
    to_iso_country,
)

if TYPE_CHECKING:
    from entente.core.models import Agency
    from entente.intelligence.models import Entity, Report

# Entente's namespace for UUIDv5 identifiers (itself UUIDv5 of a URN of ours, fixed forever).
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:entente:stix")
# The date of the agreements: the creation time of the objects that describe Entente itself.
EPOCH = "2015-08-20T00:00:00.000Z"

MEDIA_TYPE = "application/stix+json;version=2.1"

# The OASIS TLP 2.0 extension (cti-stix-common-objects, extension-definition-specifications/
# tlp-2.0): consumers recognise the markings by these ids, so they are copied, not made.
TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP2_CREATED = "2022-10-01T00:00:00.000Z"
TLP2_IDS: dict[str, str] = {
    TLP.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    TLP.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    TLP.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    TLP.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    TLP.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
# STIX 2.1's predefined TLP 1.0 markings, read on import (WHITE is CLEAR).
TLP1_IDS: dict[str, str] = {
    TLP.CLEAR: "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
    TLP.GREEN: "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
    TLP.AMBER: "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
    TLP.RED: "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
}
TLP_BY_ID = {v: k for ids in (TLP1_IDS, TLP2_IDS) for k, v in ids.items()}


def make_id(kind: str, key: str) -> str:
    return f"{kind}--{uuid.uuid5(NAMESPACE, f'{kind}:{key}')}"


ENTENTE_IDENTITY = make_id("identity", "entente")
MARKINGS_EXTENSION = make_id("extension-definition", "markings-1")
PHONE_EXTENSION = make_id("extension-definition", "entente-phone-1")
VEHICLE_EXTENSION = make_id("extension-definition", "entente-vehicle-1")

MARKINGS_SCHEMA = (
    "Entente's markings and grade, a property extension of any object. Properties: "
    "classification (UK name: OFFICIAL, OFFICIAL-SENSITIVE, SECRET), classification_fr "
    "(French name: Non protégé, Diffusion Restreinte, Secret), classification_level (10, 20, "
    "30), releasability (ISO 3166-1 alpha-2 codes of the countries whose agencies may see the "
    "object), originator (the originating agency's code), recipients (codes of the agencies "
    "it was disseminated to); on reports also reference, grading_scheme ('3x5x2' or "
    "'admiralty'), source_grade, information_grade, handling_code (3x5x2: P or C), "
    "handling_conditions, translation_state (none, machine, human, verified); on entities "
    "entity_kind (person, vehicle, phone, company, place), identifier (the normalised key: "
    "plate, E.164 number, company number) and country."
)


class _Phone:
    """A telephone number (E.164 in ``number``; ``name`` as it was written)."""


class _Vehicle:
    """A vehicle by its registration plate (without spaces) and the plate's country."""


# stix2's decorators are untyped: the classes they return are typed as Any here.
Phone: Any = CustomObservable(
    "entente-phone",
    [("number", StringProperty(required=True)), ("name", StringProperty())],
    ["number"],
    PHONE_EXTENSION,
)(_Phone)
Vehicle: Any = CustomObservable(
    "entente-vehicle",
    [
        ("registration", StringProperty(required=True)),
        ("country", StringProperty()),
        ("name", StringProperty()),
    ],
    ["registration", "country"],
    VEHICLE_EXTENSION,
)(_Vehicle)


def timestamp(value: dt.datetime) -> str:
    """STIX timestamps: UTC, to the millisecond (the precision ``created`` must have)."""
    value = value.astimezone(dt.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def tlp_marking(tlp: str) -> MarkingDefinition:
    """The official TLP 2.0 marking definition of a level."""
    return MarkingDefinition(
        id=TLP2_IDS[tlp],
        created=TLP2_CREATED,
        name=f"TLP:{tlp}",
        extensions={
            TLP2_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": tlp.lower()}
        },
    )


def _definitions() -> list[Any]:
    """Entente's identity and the three extension definitions it publishes."""
    common = {"created_by_ref": ENTENTE_IDENTITY, "created": EPOCH, "modified": EPOCH}
    return [
        Identity(
            id=ENTENTE_IDENTITY,
            name="Entente",
            description="The platform of the joint Franco-British command.",
            identity_class="system",
            created=EPOCH,
            modified=EPOCH,
        ),
        ExtensionDefinition(
            id=MARKINGS_EXTENSION,
            name="Entente markings and grade",
            description="Classification, releasability and grade of Entente's records.",
            schema=MARKINGS_SCHEMA,
            version="1.0",
            extension_types=["property-extension"],
            **common,
        ),
        ExtensionDefinition(
            id=PHONE_EXTENSION,
            name="entente-phone",
            description="A telephone number, as a cyber-observable.",
            schema="Properties: number (E.164, the identifying property), name (as written).",
            version="1.0",
            extension_types=["new-sco"],
            **common,
        ),
        ExtensionDefinition(
            id=VEHICLE_EXTENSION,
            name="entente-vehicle",
            description="A road vehicle by its registration plate, as a cyber-observable.",
            schema=(
                "Properties: registration (the plate without spaces), country (ISO 3166-1 "
                "alpha-2 of the plate; both identifying), name (as written)."
            ),
            version="1.0",
            extension_types=["new-sco"],
            **common,
        ),
    ]


def agency_identity(agency: Agency) -> Identity:
    return Identity(
        id=make_id("identity", f"agency:{agency.code}"),
        name=agency.name_en,
        description=agency.name_fr,
        identity_class="organization",
        sectors=["government-national"],
        created=EPOCH,
        modified=EPOCH,
        created_by_ref=ENTENTE_IDENTITY,
    )


def _markings(record: Any, recipients: Iterable[str] = ()) -> dict[str, Any]:
    names = CLASSIFICATION_NAMES.get(record.classification, {})
    out: dict[str, Any] = {
        "extension_type": "property-extension",
        "classification": names.get("UK", str(record.classification)),
        "classification_fr": names.get("FR", str(record.classification)),
        "classification_level": int(record.classification),
        "releasability": sorted(to_iso_country(c) for c in record.releasability),
        "originator": record.originator.code,
    }
    codes = sorted(set(recipients))
    if codes:
        out["recipients"] = codes
    return out


def _times(record: Any) -> dict[str, str]:
    created = timestamp(record.created_at)
    return {"created": created, "modified": max(created, timestamp(record.updated_at))}


def entity_object(entity: Entity) -> Any:
    """The STIX object of one entity (an SDO or one of our SCOs)."""
    ext = _markings(entity) | {
        "entity_kind": entity.kind,
        **({"identifier": entity.identifier} if entity.identifier else {}),
        **({"country": to_iso_country(entity.country)} if entity.country else {}),
    }
    common: dict[str, Any] = {
        "object_marking_refs": [TLP2_IDS[entity.tlp]],
        "extensions": {MARKINGS_EXTENSION: ext},
    }
    kind = entity.kind
    if kind in (EntityKind.PHONE, EntityKind.VEHICLE):
        key = entity.identifier or normalise_identifier(kind, entity.name)
        if kind == EntityKind.PHONE:
            common["extensions"][PHONE_EXTENSION] = {"extension_type": "new-sco"}
            return Phone(number=key, name=entity.name, **common)
        common["extensions"][VEHICLE_EXTENSION] = {"extension_type": "new-sco"}
        country = {"country": to_iso_country(entity.country)} if entity.country else {}
        return Vehicle(registration=key, name=entity.name, **country, **common)
    sdo: dict[str, Any] = {
        **common,
        **_times(entity),
        "created_by_ref": make_id("identity", f"agency:{entity.originator.code}"),
    }
    if kind == EntityKind.PLACE:
        where: dict[str, Any] = {}
        lat, lon = entity.attributes.get("latitude"), entity.attributes.get("longitude")
        if isinstance(lat, int | float) and isinstance(lon, int | float):
            where = {"latitude": float(lat), "longitude": float(lon)}
        if entity.country:
            where["country"] = to_iso_country(entity.country)
        if not where:
            # A location needs a region, a country or coordinates; the programme's places
            # are all in Europe, and saying no more than that is honest.
            where["region"] = "europe"
        return Location(
            id=make_id("location", f"entity:{entity.pk}"), name=entity.name, **where, **sdo
        )
    identity_class = "individual" if kind == EntityKind.PERSON else "organization"
    return Identity(
        id=make_id("identity", f"entity:{entity.pk}"),
        name=entity.name,
        identity_class=identity_class,
        **sdo,
    )


def build_bundle(
    report: Report, entities: Iterable[Entity], recipients: Iterable[str] = ()
) -> Bundle:
    """The report, the given entities (those the exporter may see) and what they refer to."""
    entity_objects: dict[str, Any] = {}
    agencies = {report.originator.code: report.originator}
    tlps = {report.tlp}
    for entity in entities:
        obj = entity_object(entity)
        entity_objects.setdefault(obj.id, obj)
        agencies.setdefault(entity.originator.code, entity.originator)
        tlps.add(entity.tlp)
    identities = {code: agency_identity(a) for code, a in sorted(agencies.items())}
    author = identities[report.originator.code]
    times = _times(report)
    ext = _markings(report, recipients) | {
        "reference": report.reference,
        "grading_scheme": report.grading_scheme,
        "source_grade": report.source_grade,
        "information_grade": report.information_grade,
        "translation_state": report.translation_state,
    }
    if report.handling_code:
        ext["handling_code"] = report.handling_code
    if report.handling_conditions:
        ext["handling_conditions"] = report.handling_conditions
    stix_report = StixReport(
        id=make_id("report", report.reference),
        name=report.title,
        description=report.body,
        lang=report.language,
        report_types=["threat-report"],
        published=times["created"],
        # A report must refer to something: without entities, to its originator.
        object_refs=list(entity_objects) or [author.id],
        created_by_ref=author.id,
        object_marking_refs=[TLP2_IDS[report.tlp]],
        external_references=[{"source_name": "entente", "external_id": report.reference}],
        extensions={MARKINGS_EXTENSION: ext},
        **times,
    )
    objects: list[Any] = [
        *_definitions(),
        *(tlp_marking(t) for t in TLP2_IDS if t in tlps),
        *identities.values(),
        *entity_objects.values(),
        stix_report,
    ]
    if report.translation or report.translated_title:
        other = "fr" if report.language == "en" else "en"
        content = {
            k: v
            for k, v in (("name", report.translated_title), ("description", report.translation))
            if v
        }
        objects.append(
            LanguageContent(
                id=make_id("language-content", report.reference),
                object_ref=stix_report.id,
                object_modified=stix_report.modified,
                contents={other: content},
                created_by_ref=author.id,
                object_marking_refs=[TLP2_IDS[report.tlp]],
                **times,
            )
        )
    bundle_key = f"{report.reference}:{times['modified']}"
    return Bundle(*objects, id=make_id("bundle", bundle_key))


# Reading ------------------------------------------------------------------------------------

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]+[a-z0-9]--[0-9a-fA-F-]{36}$")


def read_bundle(data: bytes) -> dict[str, Any]:
    """The bundle in a file, checked whole: JSON, a STIX 2.1 bundle whose objects each parse,
    with at least one report. A ValidationError (translated) says what is wrong; nothing of a
    refused file is imported."""
    try:
        bundle = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ValidationError(_("The file is not UTF-8 text.")) from None
    except RecursionError:
        # Arrays or objects nested thousands deep: the parser runs out of stack.
        raise ValidationError(
            _("The file nests its JSON too deeply to be a STIX bundle.")
        ) from None
    except json.JSONDecodeError as exc:
        raise ValidationError(
            _("The file is not JSON (line {line}, column {column}: {reason}).").format(
                line=exc.lineno, column=exc.colno, reason=exc.msg
            )
        ) from None
    if not isinstance(bundle, dict) or bundle.get("type") != "bundle":
        raise ValidationError(_("The file is not a STIX bundle (its type must be 'bundle')."))
    objects = bundle.get("objects")
    if not isinstance(bundle.get("id"), str) or not ID_PATTERN.match(bundle["id"]):
        raise ValidationError(_("The bundle has no valid id."))
    if not isinstance(objects, list) or not objects:
        raise ValidationError(_("The bundle has no objects."))
    for position, obj in enumerate(objects, start=1):
        if not isinstance(obj, dict) or not isinstance(obj.get("id"), str):
            raise ValidationError(
                _("Object {n} of the bundle is not a STIX object.").format(n=position)
            )
        if obj.get("spec_version", "2.1") != "2.1":
            raise ValidationError(
                _("Object {id} is not STIX 2.1 (spec_version {version}).").format(
                    id=obj["id"], version=obj.get("spec_version")
                )
            )
        try:
            stix2.parse(obj, allow_custom=True, version="2.1")
        # stix2 lets an AttributeError out of an extension that is not an object (null).
        except (STIXError, ValueError, TypeError, KeyError, AttributeError) as exc:
            raise ValidationError(
                _("Object {id} is not valid STIX 2.1: {reason}").format(id=obj["id"], reason=exc)
            ) from None
    if not any(obj.get("type") == "report" for obj in objects):
        raise ValidationError(_("The bundle holds no report."))
    return bundle


def reports_in(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [obj for obj in bundle["objects"] if obj.get("type") == "report"]


def _entity_from(obj: dict[str, Any]) -> ImportedEntity | None:
    """An entity from a referred object, or None for objects that are not entities."""
    ext = obj.get("extensions", {}).get(MARKINGS_EXTENSION, {})
    kind: str | None = None
    name = str(obj.get("name") or "")
    identifier = str(ext.get("identifier") or "")
    country = to_entente_country(str(ext.get("country") or obj.get("country") or ""))
    attributes: dict[str, Any] = {}
    otype = obj.get("type")
    if otype == "identity":
        kind = {"individual": EntityKind.PERSON, "organization": EntityKind.COMPANY}.get(
            str(obj.get("identity_class", ""))
        )
    elif otype == "location":
        kind = EntityKind.PLACE
        name = name or ", ".join(str(obj[k]) for k in ("city", "region", "country") if obj.get(k))
        if "latitude" in obj and "longitude" in obj:
            attributes = {"latitude": obj["latitude"], "longitude": obj["longitude"]}
    elif otype == "entente-phone":
        kind = EntityKind.PHONE
        identifier = str(obj.get("number") or identifier)
        name = name or identifier
    elif otype == "entente-vehicle":
        kind = EntityKind.VEHICLE
        identifier = str(obj.get("registration") or identifier)
        name = name or identifier
    if kind is None or not name:
        return None
    return ImportedEntity(
        kind=kind,
        name=name,
        identifier=identifier or normalise_identifier(kind, name),
        country=country,
        attributes=attributes,
    )


def row_from_report(number: int, obj: dict[str, Any], index: dict[str, Any]) -> RowInput:
    """What Entente reads from one report object of a bundle (``index``: objects by id)."""
    row = RowInput(number=number)
    ext = obj.get("extensions", {}).get(MARKINGS_EXTENSION, {})
    fields = row.fields
    fields["source_id"] = str(obj.get("id") or "")
    fields["title"] = str(obj.get("name") or "")
    fields["body"] = str(obj.get("description") or "")
    # STIX: without ``lang``, the content is in English.
    fields["language"] = str(obj.get("lang") or "en")
    for name in ("grading_scheme", "source_grade", "information_grade", "handling_code"):
        if ext.get(name):
            fields[name] = str(ext[name])
    if ext.get("handling_conditions"):
        fields["handling_conditions"] = str(ext["handling_conditions"])
    if ext.get("translation_state"):
        fields["translation_state"] = str(ext["translation_state"])
    level = ext.get("classification_level", ext.get("classification"))
    if level is not None:
        row.parse("classification", level, parse_classification)
    if ext.get("releasability") is not None:
        row.parse("releasability", ext["releasability"], parse_releasability)
    row.recipients = [str(code) for code in ext.get("recipients", []) if str(code).strip()]
    found: set[str] = set()
    for ref in obj.get("object_marking_refs", []):
        if ref in TLP_BY_ID:
            found.add(TLP_BY_ID[ref])
            continue
        # Another producer's copy of a TLP marking, under an id of its own.
        marking = index.get(ref, {})
        level = marking.get("extensions", {}).get(TLP2_EXTENSION, {}).get("tlp_2_0") or (
            marking.get("definition", {}).get("tlp")
            if marking.get("definition_type") == "tlp"
            else None
        )
        if level:
            try:
                found.add(parse_tlp(level))
            except ValidationError as exc:
                row.errors["tlp"] = " ".join(exc.messages)
    if found:
        fields["tlp"] = max(found, key=tlp_rank)  # two TLPs: the stricter
    for content in index.values():
        if content.get("type") == "language-content" and content.get("object_ref") == obj["id"]:
            for lang, values in sorted(content.get("contents", {}).items()):
                if lang != fields["language"] and isinstance(values, dict):
                    fields["translated_title"] = str(values.get("name") or "")
                    fields["translation"] = str(values.get("description") or "")
                    fields.setdefault("translation_state", "machine")
                    break
    seen: set[tuple[str, str]] = set()
    for ref in obj.get("object_refs", []):
        entity = _entity_from(index.get(ref, {}))
        if entity is not None and (entity.kind, entity.identifier) not in seen:
            seen.add((entity.kind, entity.identifier))
            row.entities.append(entity)
    return row


def rows_from_bundle(
    bundle: dict[str, Any], start: int = 0, stop: int | None = None
) -> list[RowInput]:
    """Rows ``start`` to ``stop`` (0-based) of a bundle read by ``read_bundle``; a row's number
    is the report's position among the bundle's reports, from 1."""
    index = {obj["id"]: obj for obj in bundle["objects"]}
    reports = reports_in(bundle)
    return [row_from_report(start + i + 1, obj, index) for i, obj in enumerate(reports[start:stop])]
