"""Intelligence pages: exchange (a report as STIX 2.1; imports of STIX bundles and CSV files
with their column mapping, progress and per-row errors)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from entente.core.forms import apply_validation_error
from entente.core.htmx import template_for
from entente.core.models import User
from entente.intelligence.choices import ImportKind, ImportState
from entente.intelligence.exchange.forms import MappingForm, UploadForm
from entente.intelligence.exchange.stix import MEDIA_TYPE
from entente.intelligence.exchange.tabular import TARGETS_BY_NAME
from entente.intelligence.models import ImportJob
from entente.intelligence.services import exchange

# Errors shown on the page; all of them are in the CSV download.
ERRORS_SHOWN = 200


def _user(request: HttpRequest) -> User:
    """The signed-in person (the log-in requirement or the API's authentication ran first)."""
    assert isinstance(request.user, User)
    return request.user


def _attachment(content: str, file_name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


@login_required
def report_stix(request: HttpRequest, pk: int) -> HttpResponse:
    """The report as a STIX 2.1 bundle, downloaded (404 for a report the user may not see)."""
    export = exchange.export_report_stix(pk, acting_user=_user(request))
    return _attachment(export.content, export.file_name, MEDIA_TYPE)


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    """The person's imports, newest first, and the upload form."""
    jobs = exchange.jobs_of(_user(request))[:50]
    form = UploadForm(request.POST or None, request.FILES or None, max_bytes=exchange.max_bytes())
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = exchange.start_import(
                acting_user=_user(request),
                file_name=upload.name or "upload",
                data=upload.read(),
                kind=form.cleaned_data["kind"] or None,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            if job.state == ImportState.PENDING:
                return redirect("intelligence:import_mapping", pk=job.pk)
            messages.success(request, _("File accepted: the import has started."))
            return redirect("intelligence:import_detail", pk=job.pk)
    return render(request, "intelligence/import_list.html", {"jobs": jobs, "form": form})


@login_required
def import_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    """Which column of a CSV file holds which report field; choosing it starts the import."""
    job = exchange.get_job(_user(request), pk)
    if job.kind != ImportKind.CSV or job.state != ImportState.PENDING:
        return redirect("intelligence:import_detail", pk=job.pk)
    form = MappingForm(
        request.POST or None,
        header=exchange.header_of(job),
        initial_mapping=exchange.guessed_mapping(job),
    )
    if request.method == "POST" and form.is_valid():
        try:
            exchange.set_mapping(job, acting_user=_user(request), mapping=form.mapping())
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Columns chosen: the import has started."))
            return redirect("intelligence:import_detail", pk=job.pk)
    return render(request, "intelligence/import_mapping.html", {"job": job, "form": form})


def _detail_context(job: ImportJob) -> dict[str, object]:
    return {
        "job": job,
        "percent": exchange.percent(job),
        "running": job.state == ImportState.RUNNING,
        "errors": job.errors[:ERRORS_SHOWN],
        "more_errors": max(0, len(job.errors) - ERRORS_SHOWN),
        "refused_rows": len({e.get("row") for e in job.errors}),
        "mapping": [
            (TARGETS_BY_NAME[k].label, v) for k, v in job.mapping.items() if k in TARGETS_BY_NAME
        ],
    }


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = exchange.get_job(_user(request), pk)
    if job.state == ImportState.PENDING:
        return redirect("intelligence:import_mapping", pk=job.pk)
    return render(request, "intelligence/import_detail.html", _detail_context(job))


@login_required
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """Advance the import by one chunk and show where it stands: the fragment for the page's
    HTMX poll, the whole page otherwise (its "Continue" link, without JavaScript)."""
    job = exchange.advance_import(pk, acting_user=_user(request))
    template = template_for(
        request, "intelligence/import_detail.html", "htmx/intelligence_import_progress.html"
    )
    return render(request, template, _detail_context(job))


@login_required
def import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    """The import's per-row errors as a CSV file."""
    job = exchange.get_job(_user(request), pk)
    return _attachment(
        exchange.errors_csv(job), f"import-{job.pk}-errors.csv", "text/csv; charset=utf-8"
    )
