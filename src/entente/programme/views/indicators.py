"""Programme pages: the dashboard, indicators with their charts, targets and entered values.
The forms live here, beside the only views that use them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from entente.core import access
from entente.core.choices import Module, Role
from entente.core.forms import StyledMixin, apply_validation_error
from entente.programme import computations
from entente.programme.choices import IndicatorSource, TargetDirection
from entente.programme.models import Indicator, Target
from entente.programme.services import dashboard as dashboards
from entente.programme.services import indicators as services
from entente.programme.services.indicators import Period

# Forms --------------------------------------------------------------------------------------

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class IndicatorForm(StyledMixin, forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=40,
        help_text=gettext_lazy("Lower-case letters, digits, - and _; it cannot change later."),
    )
    name_en = forms.CharField(label=gettext_lazy("Name (English)"), max_length=200)
    name_fr = forms.CharField(label=gettext_lazy("Name (French)"), max_length=200)
    definition_en = forms.CharField(
        label=gettext_lazy("Definition (English)"), widget=forms.Textarea(attrs={"rows": 3})
    )
    definition_fr = forms.CharField(
        label=gettext_lazy("Definition (French)"), widget=forms.Textarea(attrs={"rows": 3})
    )
    unit_en = forms.CharField(label=gettext_lazy("Unit (English)"), max_length=60)
    unit_fr = forms.CharField(label=gettext_lazy("Unit (French)"), max_length=60)
    source = forms.ChoiceField(label=gettext_lazy("Source"), choices=IndicatorSource.choices)
    computation = forms.ChoiceField(
        label=gettext_lazy("Computed from"),
        required=False,
        help_text=gettext_lazy("For computed indicators only."),
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["computation"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—"), *computations.choices()]
        if editing:
            del self.fields["code"]
        for name in ("name_fr", "definition_fr", "unit_fr"):
            self.fields[name].widget.attrs["lang"] = "fr"
        for name in ("name_en", "definition_en", "unit_en"):
            self.fields[name].widget.attrs["lang"] = "en"


class TargetForm(StyledMixin, forms.Form):
    # Not required here: the service refuses a target without a period, with its message.
    starts_on = forms.DateField(label=gettext_lazy("From"), required=False, widget=DATE)
    ends_on = forms.DateField(label=gettext_lazy("To"), required=False, widget=DATE)
    direction = forms.ChoiceField(
        label=gettext_lazy("Direction"),
        choices=TargetDirection.choices,
        initial=TargetDirection.AT_LEAST,
    )
    value = forms.DecimalField(label=gettext_lazy("Target"), min_value=0, max_digits=14)
    basis = forms.CharField(
        label=gettext_lazy("Where the target comes from"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("The agreement and the words that set it."),
    )


class ValueForm(StyledMixin, forms.Form):
    starts_on = forms.DateField(label=gettext_lazy("From"), required=False, widget=DATE)
    ends_on = forms.DateField(label=gettext_lazy("To"), required=False, widget=DATE)
    value = forms.DecimalField(label=gettext_lazy("Value"), min_value=0, max_digits=14)
    source_note = forms.CharField(
        label=gettext_lazy("Source"),
        max_length=300,
        help_text=gettext_lazy("Where the value comes from (a report, a count, a letter)."),
    )


# Period ---------------------------------------------------------------------------------------


def period_of(request: HttpRequest) -> tuple[Period, str]:
    """The period a page shows: ``?period=2015-H2`` or ``?start=&end=``; the default half-year
    (and the reason) when what was asked cannot be read."""
    preset = request.GET.get("period", "").strip()
    start, end = request.GET.get("start", "").strip(), request.GET.get("end", "").strip()
    if not (preset or start or end):
        return services.default_period(), ""
    try:
        return services.parse_period(preset, start, end), ""
    except ValidationError as exc:
        return services.default_period(), " ".join(exc.messages)


def _presets(period: Period) -> list[str]:
    year = period.start.year
    return [f"{year - 1}-H2", f"{year}-H1", f"{year}-H2", str(year)]


def _period_context(request: HttpRequest) -> dict[str, Any]:
    period, problem = period_of(request)
    return {
        "period": period,
        "period_problem": problem,
        "presets": _presets(period),
        "query": period.query(),
    }


# Pages ----------------------------------------------------------------------------------------


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The few figures that matter, each with its trend and target."""
    context = _period_context(request)
    board = dashboards.dashboard(request.user, context["period"])
    return render(
        request,
        "programme/dashboard.html",
        {**context, "board": board, "empty": dashboards.no_figures_message()},
    )


@login_required
def indicator_list(request: HttpRequest) -> HttpResponse:
    context = _period_context(request)
    rows = services.visible_rows(request.user, context["period"])
    return render(
        request,
        "programme/indicator_list.html",
        {**context, "rows": rows, "may_edit": services.may_edit(request.user)},
    )


def _detail(
    request: HttpRequest,
    indicator: Indicator,
    *,
    target_form: TargetForm | None = None,
    value_form: ValueForm | None = None,
) -> HttpResponse:
    context = _period_context(request)
    row = services.build_row(indicator, context["period"], trend=True)
    may_edit = services.may_edit(request.user)
    entered = indicator.source == IndicatorSource.ENTERED
    return render(
        request,
        "programme/indicator_detail.html",
        {
            **context,
            "row": row,
            "indicator": indicator,
            "targets": indicator.all_targets,  # type: ignore[attr-defined]
            "values": indicator.entered_values,  # type: ignore[attr-defined]
            "entered": entered,
            "computation_label": computations.REGISTRY[indicator.computation].label
            if indicator.computation in computations.REGISTRY
            else "",
            "may_edit": may_edit,
            "target_form": (target_form or TargetForm()) if may_edit else None,
            "value_form": (value_form or ValueForm()) if may_edit and entered else None,
        },
    )


@login_required
def indicator_detail(request: HttpRequest, code: str) -> HttpResponse:
    return _detail(request, services.indicator_for(request.user, code))


@login_required
def indicator_create(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    access.require_role(user, Module.PROGRAMME, Role.EDITOR)
    form = IndicatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.create_indicator(acting_user=user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Indicator {code} created.").format(code=created.code))
            return redirect("programme:indicator_detail", code=created.code)
    return render(request, "programme/indicator_form.html", {"form": form, "indicator": None})


@login_required
def indicator_edit(request: HttpRequest, code: str) -> HttpResponse:
    user: Any = request.user
    access.require_role(user, Module.PROGRAMME, Role.EDITOR)
    indicator = services.indicator_for(user, code)
    initial = {
        name: getattr(indicator, name) for name in (*services.TEXT_FIELDS, "source", "computation")
    }
    form = IndicatorForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_indicator(indicator, acting_user=user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Indicator {code} saved.").format(code=code))
            return redirect("programme:indicator_detail", code=code)
    return render(request, "programme/indicator_form.html", {"form": form, "indicator": indicator})


@require_POST
@login_required
def target_add(request: HttpRequest, code: str) -> HttpResponse:
    user: Any = request.user
    access.require_role(user, Module.PROGRAMME, Role.EDITOR)
    indicator = services.indicator_for(user, code)
    form = TargetForm(request.POST)
    if form.is_valid():
        try:
            services.add_target(indicator, acting_user=user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Target added."))
            return redirect("programme:indicator_detail", code=code)
    return _detail(request, indicator, target_form=form)


@require_POST
@login_required
def target_delete(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    user: Any = request.user
    access.require_role(user, Module.PROGRAMME, Role.EDITOR)
    indicator = services.indicator_for(user, code)
    target = Target.objects.filter(indicator=indicator, pk=pk).first()
    if target is None:
        raise Http404(_("No such target."))
    services.delete_target(target, acting_user=user)
    messages.success(request, _("Target removed."))
    return redirect("programme:indicator_detail", code=code)


@require_POST
@login_required
def value_add(request: HttpRequest, code: str) -> HttpResponse:
    user: Any = request.user
    access.require_role(user, Module.PROGRAMME, Role.EDITOR)
    indicator = services.indicator_for(user, code)
    if indicator.source != IndicatorSource.ENTERED:
        messages.error(
            request, _("This indicator is computed from operations; its values are not entered.")
        )
        return redirect("programme:indicator_detail", code=code)
    form = ValueForm(request.POST)
    if form.is_valid():
        try:
            services.enter_value(indicator, acting_user=user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Value entered."))
            return redirect("programme:indicator_detail", code=code)
    return _detail(request, indicator, value_form=form)
