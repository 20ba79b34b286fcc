"""Programme pages: the joint fund (totals, commitments and their lines, disbursements,
exchange rates) and the action plan (measures, their evidence, indicators and budget).
Programme viewers read; programme editors write. The forms live here, beside their views."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from entente.core import access
from entente.core.choices import Module, Role
from entente.core.forms import StyledMixin, apply_validation_error
from entente.programme.choices import Currency, MeasureStatus
from entente.programme.models import (
    Agreement,
    BudgetLine,
    Commitment,
    Contributor,
    Indicator,
    Measure,
)
from entente.programme.services import fund as services
from entente.programme.services import plan

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
AMOUNT = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})


# Forms --------------------------------------------------------------------------------------


class CommitmentForm(StyledMixin, forms.Form):
    contributor = forms.ModelChoiceField(
        label=gettext_lazy("Contributor"), queryset=Contributor.objects.all()
    )
    agreement = forms.ModelChoiceField(
        label=gettext_lazy("Agreement"), queryset=Agreement.objects.all()
    )
    clause = forms.CharField(label=gettext_lazy("Clause"), max_length=100)
    purpose_en = forms.CharField(label=gettext_lazy("Purpose (English)"), max_length=300)
    purpose_fr = forms.CharField(label=gettext_lazy("Purpose (French)"), max_length=300)
    amount = forms.DecimalField(
        label=gettext_lazy("Amount"), max_digits=14, decimal_places=2, widget=AMOUNT
    )
    currency = forms.ChoiceField(label=gettext_lazy("Currency"), choices=Currency.choices)
    # Not required here: the service refuses a missing day with its own message.
    starts_on = forms.DateField(label=gettext_lazy("From"), required=False, widget=DATE)
    ends_on = forms.DateField(label=gettext_lazy("To"), required=False, widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["purpose_en"].widget.attrs["lang"] = "en"
        self.fields["purpose_fr"].widget.attrs["lang"] = "fr"


class LineForm(StyledMixin, forms.Form):
    measure = forms.ModelChoiceField(
        label=gettext_lazy("Measure"), queryset=Measure.objects.order_by("code")
    )
    amount = forms.DecimalField(
        label=gettext_lazy("Amount"),
        max_digits=14,
        decimal_places=2,
        widget=AMOUNT,
        help_text=gettext_lazy("In the commitment's currency."),
    )


class LineChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.measure.code} · {obj.commitment.contributor.code} · {obj.commitment.clause}"


class DisbursementForm(StyledMixin, forms.Form):
    line = LineChoiceField(
        label=gettext_lazy("Budget line"),
        queryset=BudgetLine.objects.select_related("measure", "commitment__contributor").order_by(
            "measure__code", "pk"
        ),
    )
    paid_on = forms.DateField(label=gettext_lazy("Paid on"), required=False, widget=DATE)
    amount = forms.DecimalField(
        label=gettext_lazy("Amount"), max_digits=14, decimal_places=2, widget=AMOUNT
    )
    currency = forms.ChoiceField(label=gettext_lazy("Currency"), choices=Currency.choices)
    reference = forms.CharField(label=gettext_lazy("Reference"), max_length=100, required=False)


class RateForm(StyledMixin, forms.Form):
    day = forms.DateField(label=gettext_lazy("Day"), required=False, widget=DATE)
    gbp_per_eur = forms.CharField(
        label=gettext_lazy("GBP for one EUR"),
        max_length=20,
        widget=AMOUNT,
        help_text=gettext_lazy("The pounds one euro bought that day, such as 0.7253."),
    )
    source = forms.CharField(label=gettext_lazy("Source"), max_length=100, required=False)


class RateImportForm(StyledMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "UTF-8 text; first line day,gbp_per_eur then one line a day (2015-08-20,0.7134). "
            "All lines are taken or none."
        ),
    )
    source = forms.CharField(label=gettext_lazy("Source"), max_length=100, required=False)


class MeasureForm(StyledMixin, forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=MeasureStatus.choices)
    done_on = forms.DateField(
        label=gettext_lazy("Done on"),
        required=False,
        widget=DATE,
        help_text=gettext_lazy("Only when the measure is done."),
    )
    deadline = forms.DateField(label=gettext_lazy("Deadline"), required=False, widget=DATE)
    indicators = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Indicators"),
        queryset=Indicator.objects.order_by("code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class EvidenceForm(StyledMixin, forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=300)
    link = forms.CharField(
        label=gettext_lazy("Link"),
        max_length=500,
        required=False,
        help_text=gettext_lazy("An address (https://…) or a page of this site (/…)."),
    )
    file = forms.FileField(
        label=gettext_lazy("Document"),
        required=False,
        help_text=gettext_lazy("PDF, PNG, JPEG, DOCX, TXT or CSV."),
    )

    def evidence(self) -> dict[str, Any]:
        """The service's arguments (a valid form): the upload read up to one byte past the
        size limit, so the service, not the reader, refuses a file too large."""
        upload = self.cleaned_data["file"]
        return {
            "title": self.cleaned_data["title"],
            "link": self.cleaned_data["link"],
            "file_name": upload.name if upload else "",
            "data": upload.read(plan.evidence_max_bytes() + 1) if upload else None,
        }


# Helpers ------------------------------------------------------------------------------------


def _viewer(request: HttpRequest) -> Any:
    access.require_role(request.user, Module.PROGRAMME)
    return request.user


def _editor(request: HttpRequest) -> Any:
    access.require_role(request.user, Module.PROGRAMME, Role.EDITOR)
    return request.user


def _on(request: HttpRequest) -> tuple[dt.date | None, str]:
    text = request.GET.get("on", "").strip()
    if not text:
        return None, ""
    try:
        return dt.date.fromisoformat(text), ""
    except ValueError:
        return None, _("The day must be a date such as 2015-12-31; today is shown.")


def _form_page(
    request: HttpRequest,
    form: forms.Form,
    *,
    title: str,
    back: str,
    upload: bool = False,
    intro: str = "",
) -> HttpResponse:
    return render(
        request,
        "programme/fund_form.html",
        {"form": form, "title": title, "back": back, "upload": upload, "intro": intro},
    )


def fund_context(currency: str, on: dt.date | None) -> dict[str, Any]:
    """What _fund_tables.html needs (pages and the joint report alike)."""
    result = services.totals(currency, on)
    return {
        "fund": result,
        "fund_chart": services.chart(result),
        "rate_tolerance": services.RATE_TOLERANCE_DAYS,
    }


def measures_context(on: dt.date | None, **filters: str) -> dict[str, Any]:
    """What _measures_table.html needs (pages and the joint report alike)."""
    rows = plan.measure_rows(on, **filters)
    return {"measure_rows": rows, "overdue_count": plan.overdue_count(rows)}


# Fund pages ---------------------------------------------------------------------------------


@login_required
def fund_overview(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    currency = request.GET.get("currency", Currency.EUR)
    problem = ""
    if currency not in Currency.values:
        currency, problem = Currency.EUR, _("Choose EUR or GBP; euros are shown.")
    on, on_problem = _on(request)
    return render(
        request,
        "programme/fund.html",
        {
            **fund_context(currency, on),
            "currency": currency,
            "currencies": Currency.choices,
            "on_text": on.isoformat() if on else "",
            "problems": [p for p in (problem, on_problem) if p],
            "may_edit": services.may_edit(request.user),
        },
    )


@login_required
def commitment_list(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    rows = [
        {
            "commitment": c,
            "purpose": services.commitment_purpose(c),
            "amount": services.money(c.amount, c.currency),
            "allocated": services.money(c.allocated or services.ZERO, c.currency),
        }
        for c in services.commitments()
    ]
    return render(
        request,
        "programme/commitment_list.html",
        {"rows": rows, "may_edit": services.may_edit(request.user)},
    )


@login_required
def commitment_create(request: HttpRequest) -> HttpResponse:
    user = _editor(request)
    form = CommitmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.create_commitment(acting_user=user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Commitment recorded."))
            return redirect("programme:fund_commitment", pk=created.pk)
    return _form_page(
        request,
        form,
        title=_("New commitment"),
        back=reverse("programme:fund_commitments"),
    )


def _commitment_page(
    request: HttpRequest, commitment: Commitment, line_form: LineForm | None = None
) -> HttpResponse:
    cur = commitment.currency
    lines = []
    for line in commitment.lines.select_related("measure").order_by("measure__code"):
        paid = services.paid_on_line(line)
        lines.append(
            {
                "line": line,
                "title": plan.title(line.measure),
                "amount": services.money(line.amount, cur),
                "paid": services.money(paid, cur),
                "left": services.money(line.amount - paid, cur),
            }
        )
    allocated = services.allocated(commitment)
    may_edit = services.may_edit(request.user)
    return render(
        request,
        "programme/commitment_detail.html",
        {
            "commitment": commitment,
            "purpose": services.commitment_purpose(commitment),
            "amount": services.money(commitment.amount, cur),
            "allocated": services.money(allocated, cur),
            "free": services.money(commitment.amount - allocated, cur),
            "lines": lines,
            "may_edit": may_edit,
            "line_form": (line_form or LineForm()) if may_edit else None,
        },
    )


@login_required
def commitment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _viewer(request)
    return _commitment_page(request, get_object_or_404(services.commitments(), pk=pk))


@require_POST
@login_required
def line_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = _editor(request)
    commitment = get_object_or_404(services.commitments(), pk=pk)
    form = LineForm(request.POST)
    if form.is_valid():
        try:
            services.add_line(commitment, acting_user=user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Budget line added."))
            return redirect("programme:fund_commitment", pk=pk)
    return _commitment_page(request, commitment, form)


@login_required
def disbursement_list(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    page = Paginator(services.disbursements(), 50).get_page(request.GET.get("page"))
    rows = [
        {
            "d": d,
            "amount": services.money(d.amount, d.currency),
            "title": plan.title(d.line.measure),
        }
        for d in page.object_list
    ]
    return render(
        request,
        "programme/disbursement_list.html",
        {"rows": rows, "page": page, "may_edit": services.may_edit(request.user)},
    )


@login_required
def disbursement_create(request: HttpRequest) -> HttpResponse:
    user = _editor(request)
    form = DisbursementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        line = data.pop("line")
        try:
            services.record_disbursement(line, acting_user=user, **data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Disbursement recorded."))
            return redirect("programme:fund_disbursements")
    return _form_page(
        request,
        form,
        title=_("Record a disbursement"),
        back=reverse("programme:fund_disbursements"),
        intro=_(
            "A payment needs the EUR/GBP rate of its day (or of one of the {days} days before "
            "it) and may not take its budget line beyond its amount."
        ).format(days=services.RATE_TOLERANCE_DAYS),
    )


@login_required
def rate_list(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    page = Paginator(services.rates(), 60).get_page(request.GET.get("page"))
    return render(
        request,
        "programme/rate_list.html",
        {
            "page": page,
            "summary": services.by_day_totals(),
            "tolerance": services.RATE_TOLERANCE_DAYS,
            "may_edit": services.may_edit(request.user),
        },
    )


@login_required
def rate_create(request: HttpRequest) -> HttpResponse:
    user = _editor(request)
    form = RateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_rate(acting_user=user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Rate saved."))
            return redirect("programme:fund_rates")
    return _form_page(request, form, title=_("Enter a rate"), back=reverse("programme:fund_rates"))


@login_required
def rate_import(request: HttpRequest) -> HttpResponse:
    user = _editor(request)
    form = RateImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        raw = upload.read(2 * 1024 * 1024 + 1)
        try:
            if len(raw) > 2 * 1024 * 1024:
                raise ValidationError({"file": _("The file is larger than 2 MB.")})
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise ValidationError({"file": _("The file must be UTF-8 text.")}) from None
            result = services.import_rates(
                acting_user=user, text=text, source=form.cleaned_data["source"]
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request,
                _("{created} rates added, {updated} corrected.").format(
                    created=result.created, updated=result.updated
                ),
            )
            return redirect("programme:fund_rates")
    return _form_page(
        request,
        form,
        title=_("Import rates from a CSV file"),
        back=reverse("programme:fund_rates"),
        upload=True,
    )


# Action plan pages --------------------------------------------------------------------------


@login_required
def measure_list(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    on, problem = _on(request)
    filters = {
        "agreement": request.GET.get("agreement", "").strip(),
        "owner": request.GET.get("owner", "").strip(),
        "status": request.GET.get("status", "").strip(),
    }
    if filters["status"] not in ("", "overdue", *MeasureStatus.values):
        filters["status"] = ""
    return render(
        request,
        "programme/measure_list.html",
        {
            **measures_context(on, **filters),
            "filters": filters,
            "on_text": on.isoformat() if on else "",
            "problems": [problem] if problem else [],
            "agreements": Agreement.objects.all(),
            "owners": plan.owners(),
            "statuses": MeasureStatus.choices,
        },
    )


def _measure_page(
    request: HttpRequest, measure: Measure, evidence_form: EvidenceForm | None = None
) -> HttpResponse:
    may_edit = services.may_edit(request.user)
    row = plan.MeasureRow(measure, timezone.localdate())
    return render(
        request,
        "programme/measure_detail.html",
        {
            "measure": measure,
            "row": row,
            "evidence": [
                {"e": e, "size": plan.evidence_size(e)}
                for e in measure.evidence.select_related("added_by")
            ],
            "budget": services.measure_budget(measure),
            "may_edit": may_edit,
            "evidence_form": (evidence_form or EvidenceForm()) if may_edit else None,
        },
    )


@login_required
def measure_detail(request: HttpRequest, code: str) -> HttpResponse:
    return _measure_page(request, plan.measure_for(request.user, code))


@login_required
def measure_edit(request: HttpRequest, code: str) -> HttpResponse:
    user = _editor(request)
    measure = plan.measure_for(user, code)
    initial = {
        "status": measure.status,
        "done_on": measure.done_on,
        "deadline": measure.deadline,
        "indicators": list(measure.indicators.all()),
    }
    form = MeasureForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan.update_measure(
                measure,
                acting_user=user,
                status=data["status"],
                done_on=data["done_on"],
                deadline=data["deadline"],
                set_deadline=True,
                indicators=list(data["indicators"]),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Measure {code} saved.").format(code=code))
            return redirect("programme:plan_measure", code=code)
    return _form_page(
        request,
        form,
        title=_("Edit measure {code}").format(code=code),
        back=reverse("programme:plan_measure", kwargs={"code": code}),
    )


@require_POST
@login_required
def evidence_add(request: HttpRequest, code: str) -> HttpResponse:
    user = _editor(request)
    measure = plan.measure_for(user, code)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            plan.add_evidence(measure, acting_user=user, **form.evidence())
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Evidence added."))
            return redirect("programme:plan_measure", code=code)
    return _measure_page(request, measure, form)


@login_required
def evidence_download(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    _viewer(request)
    measure = plan.measure_for(request.user, code)
    evidence = plan.evidence_of(measure, pk)
    response = HttpResponse(bytes(evidence.data or b""), content_type=evidence.content_type)
    safe = evidence.file_name.replace('"', "").replace("\r", "").replace("\n", "")
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response
