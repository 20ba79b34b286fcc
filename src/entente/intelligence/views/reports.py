"""Intelligence pages: reports (list, detail, write, edit), attachments, re-grades, the
entity list and the grading crosswalk."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from entente.core import access
from entente.core.choices import Language, Module, Role
from entente.core.forms import apply_validation_error
from entente.core.models import Agency, User
from entente.intelligence import grading
from entente.intelligence.choices import EntityKind, GradingScheme
from entente.intelligence.downloads import attachment_response
from entente.intelligence.models import Entity, Report
from entente.intelligence.report_forms import (
    AttachmentForm,
    RegradeForm,
    ReportEditForm,
    ReportForm,
)
from entente.intelligence.services import reports as services
from entente.intelligence.services.report_queries import (
    detail_queryset,
    filter_reports,
    visible_reports,
)

PAGE_SIZE = 25


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required
    return user


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    """The reports the user may see, filtered by grade, originating agency and language."""
    access.require_role(request.user, Module.INTELLIGENCE)
    filters = {
        "grade": request.GET.get("grade", "").strip()[:4],
        "agency": request.GET.get("agency", "").strip()[:32],
        "language": request.GET.get("language", "")
        if request.GET.get("language") in Language.values
        else "",
    }
    qs = filter_reports(visible_reports(request.user), **filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"report": r, "grade": services.report_grade(r).render()} for r in page]
    return render(
        request,
        "intelligence/report_list.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "languages": Language.choices,
            "agencies": Agency.objects.filter(kind__in=INTELLIGENCE_AGENCY_KINDS).order_by("code"),
            "query": urlencode({k: v for k, v in filters.items() if v}),
            "can_write": access.has_role(request.user, Module.INTELLIGENCE, Role.EDITOR),
        },
    )


# The agencies offered in the list's filter: those that write intelligence.
INTELLIGENCE_AGENCY_KINDS = ("police", "gendarmerie", "border", "crime_agency")


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The original and its translation side by side, the grade and its crosswalk, the
    re-grades, entities and attachments. Consulting a report that names people is audited."""
    user = _user(request)
    report = access.get_visible_or_404(detail_queryset(user), user, pk=pk)
    services.record_read(report, acting_user=user)
    grade = services.report_grade(report)
    regrades = [
        {
            "row": r,
            "grade": services.report_grade(r),
            "crosswalk": grading.crosswalk(services.report_grade(r)),
        }
        for r in report.regrades.all()
    ]
    return render(
        request,
        "intelligence/report_detail.html",
        {
            "report": report,
            "grade": grade,
            "crosswalk": grading.crosswalk(grade),
            "regrades": regrades,
            "can_change": access.can_change_visible(user, report),
            "can_regrade": access.has_role(user, Module.INTELLIGENCE, Role.EDITOR)
            and report.originator_id != user.agency_id,
            "attachment_form": AttachmentForm(),
        },
    )


def _create(user: User, form: ReportForm) -> Report:
    data = form.report_fields()
    return services.create_report(
        acting_user=user,
        entities=form.cleaned_data["entities"],
        cites=form.cleaned_data["cites"],  # references, checked by the service
        recipients=form.cleaned_data["recipients"],
        **data,
    )


@login_required
def report_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    access.require_role(user, Module.INTELLIGENCE, Role.EDITOR)
    assert user.agency is not None  # an editor always has an agency
    initial = {
        "language": user.language or Language.ENGLISH,
        "grading_scheme": GradingScheme.UK_3X5X2
        if user.country_code == "UK"
        else GradingScheme.ADMIRALTY,
        "releasability": [user.agency.country.code],
    }
    form = ReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            report = _create(user, form)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request, _("Report {reference} written.").format(reference=report.reference)
            )
            return redirect("intelligence:report_detail", pk=report.pk)
    return render(request, "intelligence/report_form.html", {"form": form, "report": None})


@login_required
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Editors of the originating agency only (others who see it get 403)."""
    user = _user(request)
    report = access.get_changeable_or_404(Report, user, pk=pk)
    initial: dict[str, Any] = {
        name: getattr(report, name)
        for name in ReportEditForm.base_fields
        if name not in ("entities", "releasability")
    }
    initial["releasability"] = sorted(report.releasability)
    form = ReportEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_report(
                report,
                acting_user=user,
                entities=form.cleaned_data["entities"] or None,
                **form.report_fields(),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Report changed."))
            return redirect("intelligence:report_detail", pk=report.pk)
    return render(request, "intelligence/report_form.html", {"form": form, "report": report})


@login_required
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    report = access.get_changeable_or_404(Report, user, pk=pk)
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.add_attachment(
                report,
                acting_user=user,
                name=upload.name or "",
                data=upload.read(services.attachment_max_bytes() + 1),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("File attached."))
            return redirect("intelligence:report_detail", pk=report.pk)
    return render(
        request,
        "intelligence/attachment_form.html",
        {"form": form, "report": report, "limit_mb": services.attachment_max_bytes() // 2**20},
    )


@login_required
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    user = _user(request)
    report = access.get_visible_or_404(Report, user, pk=pk)
    return attachment_response(services.attachment_of(report, attachment_pk), acting_user=user)


@login_required
def report_regrade(request: HttpRequest, pk: int) -> HttpResponse:
    """Another agency's editors record their own grade of a report they see."""
    user = _user(request)
    report = access.get_visible_or_404(Report, user, pk=pk)
    access.require_role(user, Module.INTELLIGENCE, Role.EDITOR)
    if report.originator_id == user.agency_id:
        raise PermissionDenied(
            _("The originating agency changes its own grade by editing the report.")
        )
    form = RegradeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.regrade(report, acting_user=user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Your grade is recorded beside the original."))
            return redirect("intelligence:report_detail", pk=report.pk)
    return render(
        request,
        "intelligence/regrade_form.html",
        {"form": form, "report": report, "grade": services.report_grade(report)},
    )


@login_required
def entity_list(request: HttpRequest) -> HttpResponse:
    """The people, vehicles, phones, companies and places the user may see."""
    access.require_role(request.user, Module.INTELLIGENCE)
    kind = request.GET.get("kind", "")
    qs = Entity.objects.visible_to(request.user).select_related("originator")
    if kind in EntityKind.values:
        qs = qs.filter(kind=kind)
    else:
        kind = ""
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "intelligence/entity_list.html",
        {
            "page": page,
            "kind": kind,
            "kinds": EntityKind.choices,
            "query": urlencode({"kind": kind}) if kind else "",
        },
    )


@login_required
def grading_crosswalk(request: HttpRequest) -> HttpResponse:
    """The two grading systems and the crosswalk between them, row by row, for analysts."""
    access.require_role(request.user, Module.INTELLIGENCE)
    sections = [
        {
            "title": title,
            "rows": grading.rows_for(scheme, axis),
        }
        for title, scheme, axis in (
            (_("3x5x2 source to Admiralty source"), grading.UK, grading.SOURCE),
            (_("Admiralty source to 3x5x2 source"), grading.ADM, grading.SOURCE),
            (_("3x5x2 intelligence to Admiralty information"), grading.UK, grading.INFORMATION),
            (_("Admiralty information to 3x5x2 intelligence"), grading.ADM, grading.INFORMATION),
        )
    ]
    return render(
        request,
        "intelligence/grading_crosswalk.html",
        {
            "sections": sections,
            "handling": grading.HANDLING_CODES.items(),
            "relations": grading.Relation.choices,
        },
    )
