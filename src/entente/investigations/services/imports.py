"""Investigations services: imports of entities (and the links between them) from CSV files
with a column mapping, with progress and a per-row error report.

The pieces are intelligence's (``entente.intelligence.exchange``): the file is read by the
same CSV reader (UTF-8 with or without a byte-order mark, commas, semicolons or tabs, rows
numbered as a spreadsheet shows them), markings are parsed by the same parsers, and the job
moves as intelligence's import jobs do (``entente.intelligence.services.exchange``): whoever
asks for its progress (the page's HTMX poll, the API's status call, the command's loop)
advances it a chunk of rows, under a row lock and a conditional update, so that no chunk is
taken twice and a restart loses nothing.

A mapping (entity field -> column) naming a column the file lacks, or leaving out a column
the import needs, is refused before anything is written. Each row is then written whole or
not at all (a savepoint per row, through the entity and link services, with their rules);
a refused row leaves its row number, column and message in the job's error list, in the
importer's language, and the good rows go on.

Each row is an entity; with the link columns mapped, also the entity at the link's other
end and the link between them. An entity is reused when the importer already sees one with
the same kind and key: for the row's entity, only one of the importer's agency with the
very same marking (as intelligence reuses its entities); for the other end, any entity the
importer sees, their own agency's first. A link already imported (same ends, kind and
span, of the importer's agency) is not written twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from entente.core import audit
from entente.core.choices import AuditAction
from entente.core.markings import Marking
from entente.core.models import User
from entente.intelligence.choices import EntityKind, ImportState
from entente.intelligence.exchange import tabular
from entente.intelligence.exchange.rows import (
    parse_classification,
    parse_releasability,
    parse_tlp,
)
from entente.intelligence.models import Entity, Report
from entente.intelligence.services import exchange as intel_exchange
from entente.investigations import graph
from entente.investigations.choices import LinkKind
from entente.investigations.models import EntityImport, Link
from entente.investigations.services import entities as services
from entente.investigations.services import links as link_services
from entente.investigations.services.import_columns import (
    ATTRIBUTE_TARGETS,
    TARGETS,
    TARGETS_BY_NAME,
    guess_mapping,
    parse_mapping_text,
    validate_mapping,
)

CHUNK = 25
MAX_ROWS = 50_000


# Jobs -------------------------------------------------------------------------------------


def imports_of(user: User) -> QuerySet[EntityImport]:
    """A person's own imports: nobody else sees them (they hold what was uploaded)."""
    services.require_editor(user)
    return EntityImport.objects.filter(created_by=user)


def get_import(user: User, import_id: int) -> EntityImport:
    try:
        return imports_of(user).get(pk=import_id)
    except (EntityImport.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404(_("No such record.")) from None


def _options(
    user: User,
    *,
    classification: Any,
    releasability: Any,
    tlp: Any,
    kind: str,
) -> dict[str, Any]:
    """The import's defaults (the marking of rows without their own, one kind for every
    row), checked before anything is written."""
    errors: dict[str, str] = {}
    options: dict[str, Any] = {}
    for name, value, parser in (
        ("classification", classification, parse_classification),
        ("releasability", releasability, parse_releasability),
        ("tlp", tlp, parse_tlp),
    ):
        if value in (None, "", []):
            continue
        try:
            options[name] = parser(value)
        except ValidationError as exc:
            errors[name] = " ".join(exc.messages)
    if kind:
        if kind not in EntityKind.values:
            errors["kind"] = _("Unknown entity kind {kind}.").format(kind=kind)
        options["kind"] = kind
    if not errors:
        # The marking itself, as a record written by hand would be checked.
        services.checked_marking(
            user,
            classification=options.get("classification"),
            releasability=options.get("releasability"),
            tlp=options.get("tlp"),
            errors=errors,
        )
    if errors:
        raise ValidationError(errors)
    return options


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return True


@transaction.atomic
def start_import(
    *,
    acting_user: User,
    file_name: str,
    data: bytes,
    mapping: dict[str, str] | None = None,
    guess: bool = False,
    classification: Any = None,
    releasability: Any = None,
    tlp: Any = None,
    kind: str = "",
) -> EntityImport:
    """Check an uploaded CSV file whole and make its import. It waits for its column mapping
    (``set_mapping``) unless one is given or ``guess`` asks for it read from the header.
    Refused (ValidationError, nothing written) when the file is too large, empty, not CSV,
    or the mapping or the default marking is wrong."""
    services.require_editor(acting_user)
    limit = intel_exchange.max_bytes()
    if len(data) > limit:
        raise ValidationError(
            {
                "file": _("The file is larger than {size} MB.").format(
                    size=round(limit / 1024 / 1024, 1)
                )
            }
        )
    if not data.strip():
        raise ValidationError({"file": _("The file is empty.")})
    lines = [line for line in data.splitlines()[1:] if line.strip(b" ,;\t\r")]
    if not lines and _is_utf8(data):
        raise ValidationError({"file": _("The CSV file has no rows under its header.")})
    try:
        table = tabular.read_csv(data)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    if len(table.records) > MAX_ROWS:
        raise ValidationError(
            {"file": _("The file holds more than {n} rows; split it.").format(n=MAX_ROWS)}
        )
    options = _options(
        acting_user,
        classification=classification,
        releasability=releasability,
        tlp=tlp,
        kind=kind,
    )
    state = ImportState.PENDING
    if mapping is None and guess:
        mapping = guess_mapping(table.header)
    if mapping is not None:
        try:
            mapping = validate_mapping(mapping, table.header, default_kind=kind)
        except ValidationError as exc:
            raise ValidationError({"mapping": exc.messages}) from None
        state = ImportState.RUNNING
    job = EntityImport.objects.create(
        file_name=PurePath(file_name.replace("\\", "/")).name[:200] or "upload",
        data=data,
        mapping=mapping or {},
        options={
            **options,
            "header": table.header,
            "language": translation.get_language() or "en",
        },
        state=state,
        total=len(table.records),
        created_by=acting_user,
    )
    audit.record(
        acting_user,
        AuditAction.CREATE,
        job,
        changes={
            "file_name": job.file_name,
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "rows": job.total,
            "mapping": job.mapping,
            "options": options,
        },
    )
    return job


@transaction.atomic
def set_mapping(
    import_id: int, *, acting_user: User, mapping: dict[str, str], kind: str = ""
) -> EntityImport:
    """Choose a waiting import's column mapping (and one kind for every row), which starts
    it."""
    job = get_import(acting_user, import_id)
    if job.state != ImportState.PENDING:
        raise ValidationError(_("This import is not waiting for a column mapping."))
    kind = kind or job.options.get("kind", "")
    if kind and kind not in EntityKind.values:
        raise ValidationError({"kind": _("Unknown entity kind {kind}.").format(kind=kind)})
    mapping = validate_mapping(mapping, header_of(job), default_kind=kind)
    job.mapping = mapping
    job.state = ImportState.RUNNING
    job.options = {
        **job.options,
        "kind": kind,
        "language": translation.get_language() or "en",
    }
    job.save(update_fields=["mapping", "state", "options"])
    audit.record(acting_user, AuditAction.UPDATE, job, changes={"mapping": mapping, "kind": kind})
    return job


def header_of(job: EntityImport) -> list[str]:
    return list(job.options.get("header", []))


def percent(job: EntityImport) -> int:
    return intel_exchange.percent(cast(Any, job))


def errors_csv(job: EntityImport) -> str:
    """The per-row errors as CSV (row, column, message), safe to open in a spreadsheet."""
    return intel_exchange.errors_csv(cast(Any, job))


# Rows -------------------------------------------------------------------------------------


@dataclass
class Row:
    """One row read with the mapping: the entity, its marking, and the link if any."""

    number: int
    cells: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def _read_rows(job: EntityImport, start: int, stop: int) -> list[Row]:
    table = tabular.read_csv(bytes(job.data))
    header = table.header
    rows = []
    for number, record in table.records[start:stop]:
        row = Row(number)
        if len(record) != len(header):
            row.errors[""] = _("This row has {found} columns; the header has {expected}.").format(
                found=len(record), expected=len(header)
            )
        else:
            cells = dict(zip(header, record, strict=True))
            row.cells = {name: cells[col].strip() for name, col in job.mapping.items()}
        rows.append(row)
    return rows


def _row_marking(row: Row, options: dict[str, Any]) -> dict[str, Any]:
    """The row's own marking where its columns say one, the import's otherwise."""
    marking: dict[str, Any] = {}
    for name, parser in (
        ("classification", parse_classification),
        ("releasability", parse_releasability),
        ("tlp", parse_tlp),
    ):
        text = row.cells.get(name, "")
        if text:
            try:
                marking[name] = parser(text)
            except ValidationError as exc:
                row.errors[name] = " ".join(exc.messages)
        elif name in options:
            marking[name] = options[name]
    return marking


def _date(row: Row, name: str) -> dt.date | None:
    text = row.cells.get(name, "")
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        row.errors[name] = _("{value} is not a date (YYYY-MM-DD).").format(value=text)
        return None


def _find(user: User, kind: str, key: str, *, marking: Marking | None) -> Entity | None:
    """An entity the importer sees with this kind and key: with ``marking``, only one of
    their agency marked exactly so; without, any, their own agency's first."""
    if not key:
        return None
    qs = graph.visible_entities(user).filter(kind=kind, identifier=key)
    if marking is not None:
        found = [
            e
            for e in qs.filter(
                originator_id=user.agency_id,
                classification=marking.classification,
                tlp=marking.tlp,
            )
            if frozenset(e.releasability) == marking.releasability
        ]
        return found[0] if found else None
    ordered = sorted(qs, key=lambda e: (e.originator_id != user.agency_id, e.pk))
    return ordered[0] if ordered else None


def _entity(
    user: User, row: Row, prefix: str, kind: str, marking: dict[str, Any]
) -> tuple[Entity, bool]:
    """The row's entity (or its other end), found or created; and whether it was created."""
    cells = row.cells
    name = cells.get(prefix + "name", "")
    identifier = cells.get(prefix + "identifier", "")
    attributes: dict[str, Any] = {}
    if not prefix:
        for key in ATTRIBUTE_TARGETS:
            if cells.get(key):
                if key == "plate":
                    identifier = identifier or cells[key]
                else:
                    attributes[key] = cells[key]
    wanted: Marking | None = None
    if not prefix:
        assert user.agency is not None
        wanted = Marking(
            classification=marking.get("classification", 10),
            releasability=frozenset(marking.get("releasability", [user.agency.country.code])),
            tlp=marking.get("tlp", "AMBER"),
        )
    key = services.entity_key(kind, identifier, name) if kind in EntityKind.values else ""
    found = _find(user, kind, key, marking=wanted)
    if found is not None:
        return found, False
    created = services.create_entity(
        acting_user=user,
        kind=kind,
        name=name,
        identifier=identifier,
        country=cells.get(prefix + "country", ""),
        attributes=attributes,
        **marking,
    )
    return created, True


def _prefixed(exc: ValidationError, prefix: str) -> ValidationError:
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError(
        {f"{prefix}{k}" if k != "__all__" else k: v for k, v in exc.message_dict.items()}
    )


def _report(user: User, reference: str) -> Report | int:
    report = Report.objects.visible_to(user).filter(reference=reference).first()
    # An absent or hidden reference is refused by the link service as a hidden record.
    return report if report is not None else -1


def write_row(job: EntityImport, row: Row, *, acting_user: User) -> tuple[int, int]:
    """One row through the entity and link services; (entities written, links written)."""
    options = job.options
    marking = _row_marking(row, options)
    kind = (row.cells.get("kind") or options.get("kind") or "").lower()
    starts_on, ends_on = _date(row, "starts_on"), _date(row, "ends_on")
    if row.errors:
        raise ValidationError(dict(row.errors))
    entity, new = _entity(acting_user, row, "", kind, marking)
    if not row.cells.get("link_kind"):
        return int(new), 0
    link_kind = row.cells["link_kind"].lower().replace(" ", "_")
    if link_kind not in LinkKind.values:
        raise ValidationError(
            {
                "link_kind": _("Unknown kind of link {kind}: use {choices}.").format(
                    kind=row.cells["link_kind"], choices=", ".join(LinkKind.values)
                )
            }
        )
    other_kind = row.cells.get("other_kind", "").lower()
    try:
        other, other_new = _entity(acting_user, row, "other_", other_kind, marking)
    except ValidationError as exc:
        raise _prefixed(exc, "other_") from None
    written = int(new) + int(other_new)
    existing = Link.objects.filter(
        source=entity,
        target=other,
        kind=link_kind,
        starts_on=starts_on,
        ends_on=ends_on,
        originator_id=acting_user.agency_id,
    ).exists()
    if existing:
        return written, 0
    required = link_services.required_marking([entity, other])
    given = Marking(
        classification=marking.get("classification", required.classification),
        releasability=frozenset(marking.get("releasability", required.releasability)),
        tlp=marking.get("tlp", required.tlp),
    )
    link_marking = link_services.required_marking([required, given])
    reference = row.cells.get("report", "")
    link_services.create_link(
        acting_user=acting_user,
        source=entity,
        target=other,
        kind=link_kind,
        starts_on=starts_on,
        ends_on=ends_on,
        confidence=row.cells.get("confidence") or 1.0,  # type: ignore[arg-type]  # checked there
        report=_report(acting_user, reference) if reference else None,
        source_note=row.cells.get("source_note") or job.file_name,
        classification=link_marking.classification,
        releasability=sorted(link_marking.releasability),
        tlp=link_marking.tlp,
    )
    return written, 1


def _row_errors(job: EntityImport, number: int, exc: ValidationError) -> list[dict[str, Any]]:
    """Errors of a row as (row, column, message): the column of the file the value came
    from, or the field's name when no column holds it."""

    def column(name: str) -> str:
        if name in ("", "__all__", "source", "target"):
            return ""  # the row as a whole, or a link's end (its columns say which)
        return str(job.mapping.get(name, name))

    if hasattr(exc, "error_dict"):
        return [
            {"row": number, "field": column(name), "message": message}
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    return [{"row": number, "field": "", "message": m} for m in exc.messages]


def advance_import(import_id: int, *, acting_user: User, chunk: int = CHUNK) -> EntityImport:
    """Import the next rows of a running import (the caller's own), each row whole or not
    at all, and return the import as it now stands (see the module's docstring)."""
    with transaction.atomic():
        job = get_import(acting_user, import_id)
        job = EntityImport.objects.select_for_update().get(pk=job.pk)
        if job.state != ImportState.RUNNING:
            return job
        start = job.done
        entities = links = 0
        errors: list[dict[str, Any]] = []
        with translation.override(job.options.get("language") or settings.LANGUAGE_CODE):
            rows = _read_rows(job, start, start + chunk)
            for row in rows:
                try:
                    with transaction.atomic():
                        made, linked = write_row(job, row, acting_user=acting_user)
                except ValidationError as exc:
                    errors.extend(_row_errors(job, row.number, exc))
                except PermissionDenied as exc:
                    errors.append({"row": row.number, "field": "", "message": str(exc)})
                else:
                    entities += made
                    links += linked
        done = start + len(rows)
        finished = done >= job.total or not rows
        changes: dict[str, Any] = {
            "done": done,
            "entities": job.entities + entities,
            "links": job.links + links,
            "errors": [*job.errors, *errors],
        }
        if finished:
            changes |= {"state": ImportState.DONE, "finished_at": timezone.now()}
        if not EntityImport.objects.filter(pk=job.pk, done=start).update(**changes):
            transaction.set_rollback(True)
            return EntityImport.objects.get(pk=job.pk)
        if finished:
            audit.record(
                acting_user,
                AuditAction.UPDATE,
                job,
                changes={
                    "state": ImportState.DONE,
                    "rows": job.total,
                    "entities": changes["entities"],
                    "links": changes["links"],
                    "refused_rows": len({e["row"] for e in changes["errors"]}),
                },
            )
    job.refresh_from_db()
    return job


def run_import(import_id: int, *, acting_user: User, on_progress: Any = None) -> EntityImport:
    """Advance an import to its end (the command); ``on_progress(job)`` after each chunk."""
    job = advance_import(import_id, acting_user=acting_user)
    while job.state == ImportState.RUNNING:
        if on_progress:
            on_progress(job)
        job = advance_import(import_id, acting_user=acting_user)
    if on_progress:
        on_progress(job)
    return job


def refused_rows(job: EntityImport) -> int:
    return len({e.get("row") for e in job.errors})


def mapping_labels(job: EntityImport) -> list[tuple[Any, str]]:
    return [(TARGETS_BY_NAME[k].label, v) for k, v in job.mapping.items() if k in TARGETS_BY_NAME]


# The columns' names, for the pages, the API and the command.
__all__ = [
    "TARGETS",
    "TARGETS_BY_NAME",
    "advance_import",
    "errors_csv",
    "get_import",
    "guess_mapping",
    "header_of",
    "imports_of",
    "mapping_labels",
    "parse_mapping_text",
    "percent",
    "refused_rows",
    "run_import",
    "set_mapping",
    "start_import",
    "validate_mapping",
    "write_row",
]
