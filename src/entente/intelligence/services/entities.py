"""Intelligence services: the entities reports are about (people, vehicles, phones,
companies, places).

Entities take their report's marking. An entity is reused only when one with the same key
and the very same marking exists; otherwise the report gets its own. The report's named
recipients are named on its entities too, so that whoever sees the report sees its entities
in the entity list, and nobody else does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from entente.core import audit
from entente.core.models import Recipient, User
from entente.intelligence.choices import EntityKind, EntityRole
from entente.intelligence.models import Entity, Report, ReportEntity


@dataclass(frozen=True)
class EntityInput:
    """A subject of a report as written by its author."""

    kind: str
    name: str
    identifier: str = ""
    country: str = ""
    role: str = EntityRole.SUBJECT


def _normalise_key(kind: str, identifier: str, name: str) -> str:
    key = identifier.strip() or name.strip()
    if kind in (EntityKind.VEHICLE, EntityKind.PHONE):
        key = "".join(ch for ch in key if ch.isalnum() or ch == "+")
    return key.upper()


def _entity_for(report: Report, item: EntityInput, acting_user: User | None) -> Entity:
    if item.kind not in EntityKind.values:
        raise ValidationError({"entities": _("Unknown entity kind {kind}.").format(kind=item.kind)})
    if not item.name.strip():
        raise ValidationError({"entities": _("Every entity needs a name.")})
    if item.role not in EntityRole.values:
        raise ValidationError({"entities": _("Unknown entity role {role}.").format(role=item.role)})
    key = _normalise_key(item.kind, item.identifier, item.name)
    same: Entity | None = Entity.objects.filter(
        kind=item.kind,
        identifier=key,
        classification=report.classification,
        releasability=report.releasability,
        tlp=report.tlp,
        originator_id=report.originator_id,
    ).first()
    if same is not None:
        return same
    entity = Entity(
        kind=item.kind,
        name=item.name.strip()[:200],
        identifier=key[:100],
        country=item.country.strip().upper()[:2],
        classification=report.classification,
        releasability=report.releasability,  # type: ignore[misc]  # a set of country codes
        tlp=report.tlp,
        originator_id=report.originator_id,
        created_by=acting_user,
    )
    entity.full_clean()
    entity.save()
    audit.record_create(acting_user, entity)
    return entity


def _mirror_recipients(report: Report, entities: Iterable[Entity]) -> None:
    """Name the report's recipients on its entities: they see the entities as they see the
    report. The disclosure itself is the report's, audited when the report's recipients were
    named; these rows only keep the entity list in step with it."""
    ct_report = ContentType.objects.get_for_model(Report)
    ct_entity = ContentType.objects.get_for_model(Entity)
    named = list(
        Recipient.objects.filter(content_type=ct_report, object_id=report.pk).values(
            "agency_id", "user_id", "created_by_id"
        )
    )
    for entity in entities:
        for row in named:
            Recipient.objects.get_or_create(
                content_type=ct_entity,
                object_id=entity.pk,
                agency_id=row["agency_id"],
                user_id=row["user_id"],
                defaults={"created_by_id": row["created_by_id"]},
            )


def link_entities(
    report: Report, items: Sequence[EntityInput], acting_user: User | None
) -> list[Entity]:
    linked = []
    for item in items:
        entity = _entity_for(report, item, acting_user)
        ReportEntity.objects.get_or_create(
            report=report, entity=entity, defaults={"role": item.role}
        )
        linked.append(entity)
    _mirror_recipients(report, linked)
    return linked


@transaction.atomic
def sync_entity_markings(report: Report, *, acting_user: User | None) -> None:
    """Bring the report's entities in line with its marking and recipients.

    Called after the report's marking changed, and by whoever names new recipients of a
    report (a release across the border): an entity linked to this report only takes the
    report's new marking; one shared with other reports stays as it is and this report gets
    its own copy, so that no other report's entity is widened or narrowed behind its back.
    """
    for link in report.entity_links.select_related("entity"):
        entity = link.entity
        if (
            entity.classification == report.classification
            and frozenset(entity.releasability) == frozenset(report.releasability)
            and entity.tlp == report.tlp
        ):
            continue
        if entity.report_links.exclude(report=report).exists():
            copy = _entity_for(
                report,
                EntityInput(entity.kind, entity.name, entity.identifier, entity.country, link.role),
                acting_user,
            )
            link.entity = copy
            link.save(update_fields=["entity"])
        else:
            before = audit.snapshot(entity)
            entity.classification = report.classification
            entity.releasability = report.releasability
            entity.tlp = report.tlp
            entity.save()
            audit.record_update(acting_user, entity, before)
    _mirror_recipients(
        report, [link.entity for link in report.entity_links.select_related("entity")]
    )
