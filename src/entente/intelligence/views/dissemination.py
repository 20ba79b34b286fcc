"""Intelligence pages: dissemination. The forms to sanitise a report and to ask for its
release, the buttons that approve, reject or withdraw a release, the approvers' page of
releases awaiting them, and the disclosure ledger.

Who reads the disclosure ledger (page and CSV): people holding the intelligence approver role
(they approve releases and answer for them) and auditors (any role in the audit module),
of any agency of the country, since oversight covers the country's whole exchange. Each line
is shown only to those cleared to the marking of the report it discloses, and the report's
title only to those who may see the report itself. Everyone else gets 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from entente.core import access, periods
from entente.core.choices import Module, Role
from entente.core.forms import StyledMixin, apply_validation_error
from entente.core.models import Agency
from entente.intelligence.choices import ReleaseVersion
from entente.intelligence.models import Release, Report
from entente.intelligence.services import dissemination as services
from entente.intelligence.services import ledger


class SanitiseForm(StyledMixin, forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=services.MAX_TITLE)
    body = forms.CharField(
        label=gettext_lazy("Sanitised text"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=gettext_lazy("The report's text without the passages that reveal the source."),
    )
    note = forms.CharField(
        label=gettext_lazy("What was removed, and why"),
        required=False,
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReleaseForm(StyledMixin, forms.Form):
    agencies = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Recipient agencies"),
        queryset=Agency.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.ChoiceField(
        label=gettext_lazy("Version released"), choices=ReleaseVersion.choices
    )
    legal_basis = forms.CharField(
        label=gettext_lazy("Legal basis"),
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("The agreement or the law that allows this disclosure."),
    )
    purpose = forms.CharField(
        label=gettext_lazy("Purpose"),
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("What the recipients need it for."),
    )

    def __init__(self, *args: Any, report: Report, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agencies"]
        field.queryset = services.eligible_recipients(report)  # type: ignore[attr-defined]
        field.label_from_instance = lambda a: f"{a.code} ({a.country.code}) {a.name}"  # type: ignore[attr-defined]


def _report_url(report_pk: int) -> str:
    """The report's page (the reports area's), or the approvers' page until it exists."""
    try:
        return reverse("intelligence:report_detail", kwargs={"pk": report_pk})
    except NoReverseMatch:
        return reverse("intelligence:release_pending")


def _back(request: HttpRequest, release: Release) -> HttpResponse:
    if request.POST.get("back") == "pending":
        return redirect("intelligence:release_pending")
    return redirect(_report_url(release.released_report_id))


@login_required
def report_sanitise(request: HttpRequest, pk: int) -> HttpResponse:
    """The form that writes a sanitised version of a report (editors of its agency)."""
    report = access.get_visible_or_404(Report, request.user, pk=pk)
    if not services.may_release(request.user, report):
        raise PermissionDenied(_("Only editors of the originating agency may sanitise a report."))
    form = SanitiseForm(request.POST or None, initial={"title": report.title, "body": report.body})
    if request.method == "POST" and form.is_valid():
        try:
            version = services.create_sanitised_version(
                report, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request,
                _("Sanitised version {reference} written.").format(reference=version.reference),
            )
            return redirect(_report_url(report.pk))
    return render(request, "intelligence/report_sanitise.html", {"report": report, "form": form})


@login_required
def release_request(request: HttpRequest, pk: int) -> HttpResponse:
    """The form that asks to release a report across the border (editors of its agency)."""
    report = access.get_visible_or_404(Report, request.user, pk=pk)
    if not services.may_release(request.user, report):
        raise PermissionDenied(_("Only editors of the originating agency may release a report."))
    has_sanitised = Report.objects.visible_to(request.user).filter(sanitised_from=report).exists()
    form = ReleaseForm(
        request.POST or None,
        report=report,
        initial={"version": ReleaseVersion.SANITISED if has_sanitised else ReleaseVersion.ORIGINAL},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.request_release(report, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request, _("Release requested: a second approver of your agency must approve it.")
            )
            return redirect(_report_url(report.pk))
    return render(
        request,
        "intelligence/release_request.html",
        {"report": report, "form": form, "has_sanitised": has_sanitised},
    )


def _act(request: HttpRequest, pk: int, action: Callable[..., Release], done: str) -> HttpResponse:
    """One of the buttons on a pending release: a refusal comes back as a message."""
    release = services.get_release_or_404(request.user, pk)
    try:
        action(release, acting_user=request.user, note=request.POST.get("note", ""))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return _back(request, release)


@require_POST
@login_required
def release_approve(request: HttpRequest, pk: int) -> HttpResponse:
    done = _("Release approved: the report is disclosed and in the ledger.")
    return _act(request, pk, services.approve_release, done)


@require_POST
@login_required
def release_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.reject_release, _("Release rejected."))


@require_POST
@login_required
def release_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.withdraw_release, _("Release withdrawn."))


@login_required
def release_pending(request: HttpRequest) -> HttpResponse:
    """Releases awaiting a second approval in the approver's agency, oldest first."""
    access.require_role(request.user, Module.INTELLIGENCE, Role.APPROVER)
    releases = services.pending_for(request.user).order_by("requested_at", "pk")
    page = Paginator(releases, 25).get_page(request.GET.get("page"))
    rows = [(r, services.can_decide(request.user, r)) for r in page]
    return render(request, "intelligence/release_pending.html", {"page": page, "rows": rows})


def _ledger_filter(request: HttpRequest) -> ledger.LedgerFilter:
    direction = request.GET.get("direction", "")
    if direction not in (ledger.Direction.DISCLOSED, ledger.Direction.RECEIVED):
        direction = ""
    return ledger.LedgerFilter(
        direction=direction,
        since=periods.day(request.GET.get("since", "")),
        until=periods.day(request.GET.get("until", "")),
        agency=request.GET.get("agency", "")[:20],
    )


def _without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
def disclosure_ledger(request: HttpRequest) -> HttpResponse:
    """The disclosure ledger of the reader's country (see the module's docstring for who)."""
    filters = _ledger_filter(request)
    lines = ledger.ledger_for(request.user, filters)
    page = Paginator(lines, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "intelligence/disclosure_ledger.html",
        {
            "page": page,
            "filters": filters,
            "country": request.user.agency.country,  # type: ignore[union-attr]
            "agencies": (
                Agency.objects.select_related("country")
                .filter(kind__in=services.RECIPIENT_KINDS)
                .order_by("code")
            ),
            "query": _without_page(request),
        },
    )


@login_required
def disclosure_ledger_csv(request: HttpRequest) -> HttpResponse:
    """The same lines as CSV, its marking on its first and last lines (the export audited)."""
    filters = _ledger_filter(request)
    text, _count = ledger.ledger_csv(request.user, filters)
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    country = request.user.agency.country.code  # type: ignore[union-attr]
    response["Content-Disposition"] = f'attachment; filename="disclosure-ledger-{country}.csv"'
    return response
