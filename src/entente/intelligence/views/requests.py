"""Intelligence pages: requests for information between the two countries, and their
turnaround. The forms live here, beside the only views that use them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from entente.core import access, periods
from entente.core.choices import TLP, Classification, Language, Module, Role
from entente.core.forms import StyledMixin, apply_validation_error
from entente.core.markings import classification_label
from entente.core.models import Agency, User
from entente.intelligence.choices import RequestPriority, RequestState
from entente.intelligence.models import InformationRequest, Report
from entente.intelligence.services import requests as services

# Forms --------------------------------------------------------------------------------------


class PersonChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.username)


class ReportChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.reference} {obj.title}"


class RequestForm(StyledMixin, forms.Form):
    to_agency = forms.ModelChoiceField(
        label=gettext_lazy("Asked of"),
        queryset=Agency.objects.none(),
        help_text=gettext_lazy("A law-enforcement agency of the other country."),
    )
    question = forms.CharField(
        label=gettext_lazy("Question"),
        max_length=services.MAX_QUESTION,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the question"), choices=Language.choices
    )
    priority = forms.TypedChoiceField(
        label=pgettext_lazy("request field", "Priority"),
        coerce=int,
        choices=RequestPriority.choices,
        initial=RequestPriority.ROUTINE,
    )
    deadline = forms.DateTimeField(
        label=gettext_lazy("Deadline"),
        help_text=gettext_lazy("In your own time zone."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    classification = forms.TypedChoiceField(
        label=gettext_lazy("Classification"),
        coerce=int,
        choices=Classification.choices,
        initial=Classification.OFFICIAL,
    )
    tlp = forms.ChoiceField(
        label=gettext_lazy("TLP"),
        choices=[(v, label) for v, label in TLP.choices if v != TLP.RED],
        initial=TLP.AMBER,
        help_text=gettext_lazy(
            "TLP:AMBER: the asking and the asked agencies only. Releasable to both countries."
        ),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = services.askable_agencies(user)


class AssignForm(StyledMixin, forms.Form):
    assignee = PersonChoiceField(label=gettext_lazy("Assign to"), queryset=User.objects.none())

    def __init__(self, *args: Any, request: InformationRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = services.assignable_people(request)


class AnswerForm(StyledMixin, forms.Form):
    report = ReportChoiceField(
        label=gettext_lazy("Answering report"),
        queryset=Report.objects.none(),
        help_text=gettext_lazy(
            "A report of your agency already released to the asking agency (four-eyes)."
        ),
    )

    def __init__(self, *args: Any, request: InformationRequest, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["report"]
        assert isinstance(field, forms.ModelChoiceField)
        # Every report of the agency the user sees: one not yet released is refused by the
        # service with the message that says to release it first.
        field.queryset = (
            Report.objects.visible_to(user)
            .filter(originator_id=request.to_agency_id)
            .order_by("-created_at", "-pk")
        )


class FilterForm(StyledMixin, forms.Form):
    direction = forms.ChoiceField(
        label=gettext_lazy("Direction"),
        required=False,
        choices=[
            ("", gettext_lazy("All")),
            ("incoming", gettext_lazy("Incoming (asked of my agency)")),
            ("outgoing", gettext_lazy("Outgoing (asked by my agency)")),
        ],
    )
    state = forms.ChoiceField(
        label=gettext_lazy("State"),
        required=False,
        choices=[("", gettext_lazy("All")), *RequestState.choices],
    )
    priority = forms.TypedChoiceField(
        label=pgettext_lazy("request field", "Priority"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", gettext_lazy("All")), *RequestPriority.choices],
    )
    overdue = forms.BooleanField(label=gettext_lazy("Overdue only"), required=False)


# Lists and pages ----------------------------------------------------------------------------


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    """Requests the viewer's agency asked or was asked; overdue ones flagged."""
    user: Any = request.user
    access.require_role(user, Module.INTELLIGENCE)
    form = FilterForm(request.GET or None)
    filters = services.RequestFilter()
    if form.is_valid():
        data = form.cleaned_data
        filters = services.RequestFilter(
            direction=data["direction"],
            state=data["state"],
            priority=data["priority"],
            overdue=data["overdue"],
        )
    qs = services.filter_requests(services.visible_requests(user), user, filters)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    now = timezone.now()
    for item in page:
        item.overdue = services.is_overdue(item, now)  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "intelligence/request_list.html",
        {
            "page": page,
            "form": form,
            "query": query.urlencode(),
            "can_create": services.may_create(user),
            "zone": timezone.get_current_timezone_name(),
        },
    )


@login_required
def request_create(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    access.require_role(user, Module.INTELLIGENCE, Role.EDITOR)
    form = RequestForm(
        request.POST or None,
        user=user,
        initial={
            "language": user.language or "en",
            "deadline": (timezone.now() + dt.timedelta(days=7)).astimezone(
                timezone.get_current_timezone()
            ),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            created = services.create_request(acting_user=user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request,
                _("Request {reference} sent to {agency}.").format(
                    reference=created.reference, agency=created.to_agency.code
                ),
            )
            return redirect("intelligence:request_detail", pk=created.pk)
    return render(
        request,
        "intelligence/request_form.html",
        {"form": form, "zone": timezone.get_current_timezone_name()},
    )


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    found = access.get_visible_or_404(services.visible_requests(user), user, pk=pk)
    may_assign = services.may_assign(user, found)
    may_answer = services.may_answer(user, found)
    return render(
        request,
        "intelligence/request_detail.html",
        {
            "item": found,
            "overdue": services.is_overdue(found),
            "classification": classification_label(found.classification, user),
            "assign_form": AssignForm(request=found, initial={"assignee": found.assignee_id})
            if may_assign
            else None,
            "answer_form": AnswerForm(request=found, user=user) if may_answer else None,
            "may_withdraw": services.may_withdraw(user, found),
            "answer_visible": found.answer is not None and access.can_view(user, found.answer),
            "zone": timezone.get_current_timezone_name(),
        },
    )


def _act(
    request: HttpRequest, pk: int, act: Callable[[InformationRequest], object], done: str
) -> HttpResponse:
    """Run one change on a visible request; a refusal is shown as a message on its page."""
    found = access.get_visible_or_404(InformationRequest, request.user, pk=pk)
    try:
        act(found)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("intelligence:request_detail", pk=pk)


@require_POST
@login_required
def request_assign(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user

    def act(found: InformationRequest) -> object:
        if not services.may_assign(user, found):
            raise PermissionDenied(_("Only editors of the asked agency assign a request."))
        form = AssignForm(request.POST, request=found)
        if not form.is_valid():
            raise ValidationError(_("Choose someone of your agency."))
        return services.assign(found, assignee=form.cleaned_data["assignee"], acting_user=user)

    return _act(request, pk, act, _("Request assigned."))


@require_POST
@login_required
def request_answer(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user

    def act(found: InformationRequest) -> object:
        if not services.may_answer(user, found):
            raise PermissionDenied(
                _("Only the assignee or an editor of the asked agency answers a request.")
            )
        form = AnswerForm(request.POST, request=found, user=user)
        if not form.is_valid():
            raise ValidationError(_("Choose a report of your agency."))
        return services.answer(found, report=form.cleaned_data["report"], acting_user=user)

    return _act(request, pk, act, _("Request answered."))


@require_POST
@login_required
def request_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda found: services.withdraw(found, acting_user=request.user),
        _("Request withdrawn."),
    )


# Turnaround ---------------------------------------------------------------------------------


@login_required
def request_statistics(request: HttpRequest) -> HttpResponse:
    """Turnaround per direction and priority: a chart, the table, and the CSV of them."""
    start, end = periods.period(request)
    rows = services.turnaround(request.user, start=start, end=end)
    return render(
        request,
        "intelligence/request_statistics.html",
        {
            "rows": rows,
            "chart": services.turnaround_chart(rows),
            "start": start,
            "end": end,
            "query": request.GET.urlencode(),
            "zone": timezone.get_current_timezone_name(),
        },
    )


@login_required
def request_statistics_csv(request: HttpRequest) -> HttpResponse:
    start, end = periods.period(request)
    rows = services.turnaround(request.user, start=start, end=end)
    response = HttpResponse(services.turnaround_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="requests-turnaround-{start}-{end}.csv"'
    )
    return response
