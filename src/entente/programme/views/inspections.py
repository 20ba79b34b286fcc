"""Programme pages: the six-monthly joint inspections (list, detail with the checklist, findings,
actions and their evidence, closure) and the joint report of a period (page and PDF).
Programme viewers read; programme editors write; programme approvers close. The forms live
here, beside their views."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from entente.core import access
from entente.core.choices import Module, Role
from entente.core.forms import StyledMixin, apply_validation_error
from entente.core.models import Agency
from entente.programme.choices import Severity
from entente.programme.models import Finding, Inspection
from entente.programme.services import inspections as services
from entente.programme.services import report as reports
from entente.programme.views.fund import DATE, EvidenceForm

# Forms --------------------------------------------------------------------------------------


class InspectionForm(StyledMixin, forms.Form):
    period = forms.CharField(
        label=gettext_lazy("Half-year"),
        max_length=7,
        help_text=gettext_lazy("Such as 2016-H1 (January to June) or 2016-H2."),
    )
    held_on = forms.DateField(label=gettext_lazy("Held on"), required=False, widget=DATE)
    summary_en = forms.CharField(
        label=gettext_lazy("Summary (English)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "lang": "en"}),
    )
    summary_fr = forms.CharField(
        label=gettext_lazy("Summary (French)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "lang": "fr"}),
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["period"]


class ItemForm(StyledMixin, forms.Form):
    text_en = forms.CharField(
        label=gettext_lazy("Item (English)"), max_length=300, widget=forms.TextInput({"lang": "en"})
    )
    text_fr = forms.CharField(
        label=gettext_lazy("Item (French)"), max_length=300, widget=forms.TextInput({"lang": "fr"})
    )


class CheckForm(StyledMixin, forms.Form):
    checked = forms.BooleanField(label=gettext_lazy("Checked"), required=False)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=5000)


class FindingForm(StyledMixin, forms.Form):
    text = forms.CharField(label=gettext_lazy("Finding"), widget=forms.Textarea(attrs={"rows": 3}))
    language = forms.ChoiceField(
        label=gettext_lazy("Written in"),
        choices=[("en", gettext_lazy("English")), ("fr", gettext_lazy("French"))],
    )
    severity = forms.TypedChoiceField(
        label=gettext_lazy("Severity"),
        choices=Severity.choices,
        coerce=int,
        initial=Severity.MEDIUM,
    )
    recommendation = forms.CharField(
        label=gettext_lazy("Recommendation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class FindingChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.text[:80])


class ActionForm(StyledMixin, forms.Form):
    title = forms.CharField(label=gettext_lazy("Action"), max_length=300)
    owner = forms.ModelChoiceField(
        label=gettext_lazy("Owner agency"), queryset=Agency.objects.order_by("code")
    )
    due_on = forms.DateField(label=gettext_lazy("Deadline"), required=False, widget=DATE)
    finding = FindingChoiceField(
        label=gettext_lazy("From the finding"), queryset=Finding.objects.none(), required=False
    )

    def __init__(self, *args: Any, inspection: Inspection | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["finding"]
        assert isinstance(field, forms.ModelChoiceField)
        if inspection is not None:
            field.queryset = inspection.findings.all()


class DoneForm(StyledMixin, forms.Form):
    done_on = forms.DateField(label=gettext_lazy("Done on"), required=False, widget=DATE)


# Helpers ------------------------------------------------------------------------------------


def _viewer(request: HttpRequest) -> Any:
    access.require_role(request.user, Module.PROGRAMME)
    return request.user


def _editor(request: HttpRequest) -> Any:
    access.require_role(request.user, Module.PROGRAMME, Role.EDITOR)
    return request.user


def _detail(inspection: Inspection) -> HttpResponse:
    return redirect("programme:inspection", period=inspection.period)


def _inspection_page(
    request: HttpRequest, inspection: Inspection, status: int = 200, **forms_: Any
) -> HttpResponse:
    may_edit = services.may_edit(request.user) and inspection.state != "closed"
    today = timezone.localdate()
    rows = services.action_rows(inspection, today)
    insp = {
        "inspection": inspection,
        "summary": services.summary(inspection),
        "checklist": list(inspection.checklist.all()),
        "findings": list(inspection.findings.all()),
        "action_rows": rows,
    }
    return render(
        request,
        "programme/inspection_detail.html",
        {
            "insp": insp,
            "inspection": inspection,
            "unchecked": services.unchecked(inspection),
            "may_edit": may_edit,
            "may_close": services.may_close(request.user) and inspection.state != "closed",
            "item_form": forms_.get("item_form") or ItemForm(),
            "finding_form": forms_.get("finding_form") or FindingForm(),
            "action_form": forms_.get("action_form") or ActionForm(inspection=inspection),
            "evidence_form": forms_.get("evidence_form") or EvidenceForm(),
            "evidence_action": forms_.get("evidence_action"),
            "close_errors": forms_.get("close_errors", []),
        },
        status=status,
    )


# Inspection pages ---------------------------------------------------------------------------


@login_required
def inspection_list(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    return render(
        request,
        "programme/inspection_list.html",
        {"inspections": services.inspections(), "may_edit": services.may_edit(request.user)},
    )


@login_required
def inspection_create(request: HttpRequest) -> HttpResponse:
    user = _editor(request)
    form = InspectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.create_inspection(acting_user=user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request, _("Inspection {period} recorded.").format(period=created.period)
            )
            return _detail(created)
    return render(
        request,
        "programme/fund_form.html",
        {
            "form": form,
            "title": _("New joint inspection"),
            "back": reverse("programme:inspections"),
            "intro": _(
                "The open actions of the inspection before it, once that one is closed, are "
                "carried to this one."
            ),
        },
    )


@login_required
def inspection_detail(request: HttpRequest, period: str) -> HttpResponse:
    return _inspection_page(request, services.inspection_for(request.user, period))


@login_required
def inspection_edit(request: HttpRequest, period: str) -> HttpResponse:
    user = _editor(request)
    inspection = services.inspection_for(user, period)
    initial = {
        "held_on": inspection.held_on,
        "summary_en": inspection.summary_en,
        "summary_fr": inspection.summary_fr,
    }
    form = InspectionForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_inspection(inspection, acting_user=user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Inspection {period} saved.").format(period=period))
            return _detail(inspection)
    return render(
        request,
        "programme/fund_form.html",
        {
            "form": form,
            "title": _("Edit the inspection {period}").format(period=inspection.period),
            "back": reverse("programme:inspection", kwargs={"period": inspection.period}),
        },
    )


def _post(request: HttpRequest, period: str) -> tuple[Any, Inspection]:
    user = _editor(request)
    return user, services.inspection_for(user, period)


def _refused(
    request: HttpRequest, inspection: Inspection, exc: ValidationError, **kw: Any
) -> HttpResponse:
    return _inspection_page(request, inspection, status=422, close_errors=exc.messages, **kw)


@require_POST
@login_required
def item_add(request: HttpRequest, period: str) -> HttpResponse:
    user, inspection = _post(request, period)
    form = ItemForm(request.POST)
    if form.is_valid():
        try:
            services.add_item(inspection, acting_user=user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Item added to the checklist."))
            return _detail(inspection)
    return _inspection_page(request, inspection, status=422, item_form=form)


@require_POST
@login_required
def item_check(request: HttpRequest, period: str, pk: int) -> HttpResponse:
    user, inspection = _post(request, period)
    item = get_object_or_404(inspection.checklist.all(), pk=pk)
    form = CheckForm(request.POST)
    if form.is_valid():
        try:
            services.check_item(item, acting_user=user, **form.cleaned_data)
        except ValidationError as exc:
            return _refused(request, inspection, exc)
        messages.success(request, _("Checklist item saved."))
    return _detail(inspection)


@require_POST
@login_required
def finding_add(request: HttpRequest, period: str) -> HttpResponse:
    user, inspection = _post(request, period)
    form = FindingForm(request.POST)
    if form.is_valid():
        try:
            services.add_finding(inspection, acting_user=user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Finding recorded."))
            return _detail(inspection)
    return _inspection_page(request, inspection, status=422, finding_form=form)


@require_POST
@login_required
def action_add(request: HttpRequest, period: str) -> HttpResponse:
    user, inspection = _post(request, period)
    form = ActionForm(request.POST, inspection=inspection)
    if form.is_valid():
        try:
            services.add_action(inspection, acting_user=user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Action recorded."))
            return _detail(inspection)
    return _inspection_page(request, inspection, status=422, action_form=form)


@require_POST
@login_required
def action_done(request: HttpRequest, period: str, pk: int) -> HttpResponse:
    user, inspection = _post(request, period)
    action = services.action_of(inspection, pk)
    form = DoneForm(request.POST)
    if form.is_valid():
        try:
            services.complete_action(action, acting_user=user, done_on=form.cleaned_data["done_on"])
        except ValidationError as exc:
            return _refused(request, inspection, exc)
        messages.success(request, _("Action marked done."))
    return _detail(inspection)


@require_POST
@login_required
def evidence_add(request: HttpRequest, period: str, pk: int) -> HttpResponse:
    user, inspection = _post(request, period)
    action = services.action_of(inspection, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_action_evidence(action, acting_user=user, **form.evidence())
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Evidence added."))
            return _detail(inspection)
    return _inspection_page(
        request, inspection, status=422, evidence_form=form, evidence_action=action.pk
    )


@login_required
def evidence_download(request: HttpRequest, period: str, pk: int) -> HttpResponse:
    _viewer(request)
    inspection = services.inspection_for(request.user, period)
    evidence = services.evidence_of(inspection, pk)
    response = HttpResponse(bytes(evidence.data or b""), content_type=evidence.content_type)
    safe = evidence.file_name.replace('"', "").replace("\r", "").replace("\n", "")
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


@require_POST
@login_required
def inspection_close(request: HttpRequest, period: str) -> HttpResponse:
    user = request.user
    access.require_role(user, Module.PROGRAMME, Role.APPROVER)
    inspection = services.inspection_for(user, period)
    try:
        services.close_inspection(inspection, acting_user=user)
    except ValidationError as exc:
        return _refused(request, services.inspection_for(user, period), exc)
    messages.success(request, _("Inspection {period} closed.").format(period=inspection.period))
    return _detail(inspection)


# The joint report ---------------------------------------------------------------------------


def _default_period() -> str:
    latest = Inspection.objects.filter(state="closed").order_by("-period").first()
    if latest is not None:
        return latest.period
    today = timezone.localdate()
    return f"{today.year}-H{1 if today.month <= 6 else 2}"


@login_required
def report_page(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    asked = request.GET.get("period", "").strip().upper()
    text = asked or _default_period()
    context: dict[str, Any] = {
        "period_text": text,
        "period": None,
        "problem": "",
        "languages": settings.LANGUAGES,
        "pdf_language": (get_language() or "en")[:2],
    }
    status = 200
    try:
        period = reports.report_period(text)
        context.update(reports.report_context(period))
        context["countries_label"] = " · ".join(c.name for c in context["countries"])
    except ValidationError as exc:
        # A period the reader asked for is their error; the page's own default (from the
        # menu) with nothing in it yet is not.
        context["period"], context["problem"] = None, " ".join(exc.messages)
        status = 422 if asked else 200
    return render(request, "programme/report.html", context, status=status)


@login_required
def report_pdf(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    text = request.GET.get("period", "").strip().upper()
    language = request.GET.get("lang", "") or (get_language() or "en")[:2]
    try:
        period = reports.report_period(text)
        pdf = reports.render_pdf(period, reports.language_of(language))
    except ValidationError as exc:
        return render(
            request,
            "programme/report.html",
            {
                "period_text": text,
                "period": None,
                "problem": " ".join(exc.messages),
                "languages": settings.LANGUAGES,
            },
            status=422,
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{reports.file_name(period, language)}"'
    )
    return response
