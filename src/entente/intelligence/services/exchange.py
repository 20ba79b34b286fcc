"""Intelligence services: exchange. Every function takes the acting user, runs in one
transaction and audits what it writes (and every read of personal data).

Export: a report the user may see, with the entities the user may see, as a STIX 2.1 bundle
(``entente.intelligence.exchange.stix``), audited as an export.

Import: a STIX 2.1 bundle or a CSV file becomes an ``ImportJob``. The file is read whole at
upload and refused there, with nothing written, when it is not what it claims to be (not
UTF-8, not CSV, not a STIX 2.1 bundle, too large). The job is then advanced a chunk of rows
at a time by ``advance_import``: each row is written through ``create_report`` (the same
rules as a report written by hand) in a savepoint of its own, so that a row is imported
whole or not at all, and a refused row leaves its row number, field and message in the
job's error list, in the importer's language.

Why the progress poll advances the job (and not a thread): on WSGI with several processes,
a thread belongs to one worker, dies with it when the server recycles or restarts it, and
is invisible to the others; a job advanced by whoever asks for its progress (the page's
HTMX poll, the API's progress call, the command's loop) needs no extra process, survives a
restart (the position is in the database), and cannot be run twice: the chunk is taken
under a row lock (PostgreSQL) and committed only if the job's position is still the one it
started from (a conditional update, which also holds on SQLite).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from entente.core import access, audit
from entente.core import services as core_services
from entente.core.choices import AuditAction, Module, Role
from entente.core.models import Agency, Recipient, User
from entente.intelligence.choices import GradingScheme, ImportKind, ImportState
from entente.intelligence.exchange import stix, tabular
from entente.intelligence.exchange.rows import RowInput
from entente.intelligence.models import Entity, ImportJob, Report
from entente.intelligence.services import entities as entity_services
from entente.intelligence.services import reports as report_services

# The largest file taken (bytes) and the most reports in one file; ENTENTE_IMPORT_MAX_BYTES
# in the settings overrides the first.
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 10_000
# Rows written per advance: a poll's request stays well under a second.
CHUNK = 25
# A report with no grade in its file (another system's STIX) is graded F6 on the Admiralty
# code: "reliability cannot be judged", "truth cannot be judged", which is what is known.
UNGRADED = {
    "grading_scheme": GradingScheme.ADMIRALTY,
    "source_grade": "F",
    "information_grade": "6",
}
# STIX property names of the report fields, for the error report of a bundle.
STIX_FIELDS = {"title": "name", "body": "description", "language": "lang", "source_id": "id"}
EXPORT_PURPOSE = "STIX 2.1 export"


def max_bytes() -> int:
    return int(getattr(settings, "ENTENTE_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


# Export -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Export:
    """A serialised bundle and the name to download it under."""

    content: str
    file_name: str
    bundle_id: str


@transaction.atomic
def export_report_stix(report_id: int, *, acting_user: User) -> Export:
    """The report as a STIX 2.1 bundle: Http404 unless the user may see it (absent and
    hidden look the same). Entities the user may not see are left out."""
    report: Report = access.get_visible_or_404(
        Report.objects.select_related("originator__country"), acting_user, pk=report_id
    )
    entities = list(
        Entity.objects.visible_to(acting_user)
        .filter(report_links__report=report)
        .select_related("originator")
        .order_by("kind", "name", "pk")
    )
    recipients = Recipient.objects.filter(
        content_type__app_label="intelligence",
        content_type__model="report",
        object_id=report.pk,
        agency__isnull=False,
    ).values_list("agency__code", flat=True)
    bundle = stix.build_bundle(report, entities, recipients)
    audit.record(
        acting_user,
        AuditAction.EXPORT,
        report,
        purpose=EXPORT_PURPOSE,
        changes={"format": "stix-2.1", "bundle": bundle.id, "entities": [e.pk for e in entities]},
    )
    return Export(
        content=bundle.serialize(pretty=True),
        file_name=f"{report.reference}.stix.json",
        bundle_id=bundle.id,
    )


# Import: the job --------------------------------------------------------------------------


def jobs_of(user: User) -> QuerySet[ImportJob]:
    """A person's own imports: nobody else sees them (they hold what was uploaded)."""
    access.require_role(user, Module.INTELLIGENCE, Role.EDITOR)
    return ImportJob.objects.filter(created_by=user)


def get_job(user: User, job_id: int) -> ImportJob:
    try:
        return jobs_of(user).get(pk=job_id)
    except (ImportJob.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such record.")) from None


def detect_kind(file_name: str, data: bytes) -> str:
    """STIX for a .json file or one that starts with "{", CSV otherwise."""
    suffix = PurePath(file_name).suffix.lower()
    if suffix == ".json" or data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{":
        return ImportKind.STIX
    return ImportKind.CSV


def _count_rows(kind: str, data: bytes) -> tuple[int, list[str]]:
    """The number of reports in a file and, for CSV, its header; a ValidationError (on the
    ``file`` field) when the file is not what its kind says."""
    try:
        if kind == ImportKind.STIX:
            return len(stix.reports_in(stix.read_bundle(data))), []
        table = tabular.read_csv(data)
        return len(table.records), table.header
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None


@transaction.atomic
def start_import(
    *,
    acting_user: User,
    file_name: str,
    data: bytes,
    kind: str | None = None,
    mapping: dict[str, str] | None = None,
    guess: bool = False,
) -> ImportJob:
    """Check an uploaded file whole and make its import job.

    A CSV job waits for its column mapping (``set_mapping``) unless one is given, or
    ``guess`` asks for the mapping read from the header. Refused (ValidationError, nothing
    written) when the file is too large, empty, or not what its kind says.
    """
    access.require_role(acting_user, Module.INTELLIGENCE, Role.EDITOR)
    limit = max_bytes()
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
    kind = kind or detect_kind(file_name, data)
    if kind not in ImportKind.values:
        raise ValidationError({"kind": _("Unknown kind of import.")})
    total, header = _count_rows(kind, data)
    if total > MAX_ROWS:
        raise ValidationError(
            {"file": _("The file holds more than {n} reports; split it.").format(n=MAX_ROWS)}
        )
    state = ImportState.RUNNING
    if kind == ImportKind.CSV:
        if mapping is None and guess:
            mapping = tabular.guess_mapping(header)
        if mapping is None:
            state = ImportState.PENDING
        else:
            try:
                mapping = tabular.validate_mapping(mapping, header)
            except ValidationError as exc:
                raise ValidationError({"mapping": exc.messages}) from None
    job = ImportJob.objects.create(
        kind=kind,
        file_name=PurePath(file_name.replace("\\", "/")).name[:200] or "upload",
        data=data,
        mapping=mapping or {},
        options={"header": header, "language": translation.get_language() or "en"},
        state=state,
        total=total,
        created_by=acting_user,
    )
    audit.record(
        acting_user,
        AuditAction.CREATE,
        job,
        changes={
            "kind": kind,
            "file_name": job.file_name,
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "rows": total,
            "mapping": job.mapping,
        },
    )
    return job


@transaction.atomic
def set_mapping(job: ImportJob, *, acting_user: User, mapping: dict[str, str]) -> ImportJob:
    """Choose a waiting CSV job's column mapping, which starts it."""
    job = get_job(acting_user, job.pk)
    if job.kind != ImportKind.CSV or job.state != ImportState.PENDING:
        raise ValidationError(_("This import is not waiting for a column mapping."))
    mapping = tabular.validate_mapping(mapping, job.options.get("header", []))
    job.mapping = mapping
    job.state = ImportState.RUNNING
    job.options = {**job.options, "language": translation.get_language() or "en"}
    job.save(update_fields=["mapping", "state", "options"])
    audit.record(acting_user, AuditAction.UPDATE, job, changes={"mapping": mapping})
    return job


def header_of(job: ImportJob) -> list[str]:
    return list(job.options.get("header", []))


def guessed_mapping(job: ImportJob) -> dict[str, str]:
    return tabular.guess_mapping(header_of(job))


# Import: the rows -------------------------------------------------------------------------


def _rows(job: ImportJob, start: int, stop: int) -> list[RowInput]:
    data = bytes(job.data)
    if job.kind == ImportKind.STIX:
        return stix.rows_from_bundle(stix.read_bundle(data), start, stop)
    return tabular.rows_from_table(tabular.read_csv(data), job.mapping, start, stop)


def _recipients(names: Sequence[str]) -> tuple[list[User], list[Agency]]:
    """Named recipients: an agency by its code, otherwise a person by user name."""
    agencies = {a.code: a for a in Agency.objects.filter(code__in=names).select_related("country")}
    people = {
        u.username: u
        for u in User.objects.filter(username__in=names, is_active=True).select_related(
            "agency__country"
        )
    }
    unknown = [n for n in names if n not in agencies and n not in people]
    if unknown:
        raise ValidationError(
            {"recipients": _("Unknown recipient: {names}.").format(names=", ".join(unknown))}
        )
    return [people[n] for n in names if n in people and n not in agencies], [
        agencies[n] for n in names if n in agencies
    ]


def write_report(row: RowInput, *, acting_user: User) -> Report:
    """One row as a report of the importer's agency, through the reports service (the rules
    of a report written by hand: grade, markings, clearance, TLP:RED recipients)."""
    if row.errors:
        raise ValidationError(dict(row.errors))
    fields = dict(row.fields)
    source_id = fields.get("source_id", "")
    if _imported(acting_user, source_id):
        raise ValidationError({"source_id": _imported_before(source_id)})
    if "grading_scheme" not in fields and not any(
        k in fields for k in ("source_grade", "information_grade")
    ):
        fields.update(UNGRADED)
    fields.setdefault(
        "grading_scheme",
        GradingScheme.UK_3X5X2
        if acting_user.agency and acting_user.agency.country.code == "UK"
        else GradingScheme.ADMIRALTY,
    )
    people, agencies = _recipients(row.recipients)
    items = [
        entity_services.EntityInput(
            kind=e.kind, name=e.name, identifier=e.identifier, country=e.country
        )
        for e in row.entities
    ]
    report = report_services.create_report(
        acting_user=acting_user,
        title=fields.pop("title", ""),
        body=fields.pop("body", ""),
        language=fields.pop("language", ""),
        grading_scheme=fields.pop("grading_scheme"),
        source_grade=fields.pop("source_grade", ""),
        information_grade=fields.pop("information_grade", ""),
        entities=items,
        recipients=people,
        **fields,
    )
    if agencies:
        core_services.name_recipients(
            report, acting_user=acting_user, agencies=agencies, purpose=_("Imported recipients")
        )
        for entity in report.entities.all():
            core_services.name_recipients(entity, acting_user=acting_user, agencies=agencies)
    return report


def _imported(acting_user: User, source_id: str) -> bool:
    """Whether the person's agency already holds the report of this STIX id."""
    return bool(source_id) and (
        Report.objects.filter(originator=acting_user.agency, source_id=source_id).exists()
    )


def _imported_before(source_id: str) -> str:
    return _("Your agency imported this report before ({id}); it is not imported twice.").format(
        id=source_id
    )


def _field_label(job: ImportJob, field: str) -> str:
    """Where the person finds the faulty value: the CSV column, or the STIX property."""
    if job.kind == ImportKind.CSV:
        return str(job.mapping.get(field, field))
    return STIX_FIELDS.get(field, field)


def _row_errors(job: ImportJob, number: int, exc: ValidationError) -> list[dict[str, Any]]:
    if hasattr(exc, "error_dict"):
        return [
            {
                "row": number,
                "field": _field_label(job, field) if field != "__all__" else "",
                "message": message,
            }
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return [{"row": number, "field": "", "message": m} for m in exc.messages]


def advance_import(job_id: int, *, acting_user: User, chunk: int = CHUNK) -> ImportJob:
    """Import the next rows of a running job (the caller's own), each row whole or not at
    all, and return the job as it now stands. Nothing happens to a job that is waiting for
    its mapping or finished; a chunk another request took meanwhile is not taken twice."""
    with transaction.atomic():
        job = get_job(acting_user, job_id)
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.state != ImportState.RUNNING:
            return job
        start = job.done
        with translation.override(job.options.get("language") or settings.LANGUAGE_CODE):
            rows = _rows(job, start, start + chunk)
            imported, errors = 0, []
            for row in rows:
                try:
                    with transaction.atomic():
                        write_report(row, acting_user=acting_user)
                except ValidationError as exc:
                    errors.extend(_row_errors(job, row.number, exc))
                except PermissionDenied as exc:
                    errors.append({"row": row.number, "field": "", "message": str(exc)})
                except IntegrityError:
                    # The same report imported by a colleague's job meanwhile (the check in
                    # write_report saw neither): the database's constraint refused it, and
                    # it is there now. Any other integrity error is a fault, not this row's.
                    source_id = row.fields.get("source_id", "")
                    if not _imported(acting_user, source_id):
                        raise
                    errors.append(
                        {
                            "row": row.number,
                            "field": _field_label(job, "source_id"),
                            "message": _imported_before(source_id),
                        }
                    )
                else:
                    imported += 1
        done = start + len(rows)
        finished = done >= job.total or not rows
        changes: dict[str, Any] = {
            "done": done,
            "imported": job.imported + imported,
            "errors": [*job.errors, *errors],
        }
        if finished:
            changes |= {"state": ImportState.DONE, "finished_at": timezone.now()}
        # Written only if nobody advanced the job meanwhile; otherwise this chunk's reports
        # are rolled back with the rest of this transaction.
        if not ImportJob.objects.filter(pk=job.pk, done=start).update(**changes):
            transaction.set_rollback(True)
            return ImportJob.objects.get(pk=job.pk)
        if finished:
            audit.record(
                acting_user,
                AuditAction.UPDATE,
                job,
                changes={
                    "state": ImportState.DONE,
                    "rows": job.total,
                    "imported": changes["imported"],
                    "refused_rows": len({e["row"] for e in changes["errors"]}),
                },
            )
    job.refresh_from_db()
    return job


def run_import(job_id: int, *, acting_user: User, on_progress: Any = None) -> ImportJob:
    """Advance a job to its end (the command); ``on_progress(job)`` after each chunk."""
    job = advance_import(job_id, acting_user=acting_user)
    while job.state == ImportState.RUNNING:
        if on_progress:
            on_progress(job)
        job = advance_import(job_id, acting_user=acting_user)
    if on_progress:
        on_progress(job)
    return job


def percent(job: ImportJob) -> int:
    if job.state == ImportState.DONE or not job.total:
        return 100 if job.state == ImportState.DONE else 0
    return min(100, job.done * 100 // job.total)


def errors_csv(job: ImportJob) -> str:
    """The job's per-row errors as CSV (row, field, message), headed in the reader's
    language."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Row"), _("Field"), _("Message")])
    for error in job.errors:
        writer.writerow(
            [
                error.get("row", ""),
                _safe_cell(error.get("field", "")),
                _safe_cell(error.get("message", "")),
            ]
        )
    return out.getvalue()


def _safe_cell(value: Any) -> str:
    """A cell a spreadsheet will not run as a formula (messages quote the file's values)."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
