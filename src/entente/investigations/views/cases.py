"""Investigations pages: joint investigations (overview, members, tasks, actions, reports,
entities) and the networks they target. Thin: forms parse, services decide and audit, and a
refusal is shown on the form or as a message on the page. The forms live here, beside the
only views that use them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from entente.core import access
from entente.core.choices import TLP, Classification, Language, Module, Role
from entente.core.forms import StyledMixin, apply_validation_error
from entente.core.markings import classification_label
from entente.core.models import Agency, User
from entente.intelligence.models import Entity, Report
from entente.investigations.choices import (
    ActionKind,
    CourtOutcome,
    EntityRole,
    InvestigationState,
    Jurisdiction,
    MemberAccess,
    NetworkStatus,
)
from entente.investigations.models import Action, Investigation, Network, Task
from entente.investigations.services import actions as action_services
from entente.investigations.services import cases as services
from entente.investigations.services import networks as network_services

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# A choice of records by their names, written in whichever language their authors used.
DATA_SELECT = forms.Select(attrs={"lang": ""})


class PersonChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        agency = obj.agency.code if obj.agency else ""
        return f"{obj.get_full_name() or obj.username} ({agency})"


class AgencyChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} · {obj.name}"


class AgencyCodeField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.code)


# Forms ----------------------------------------------------------------------------------------


class InvestigationForm(StyledMixin, forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=services.MAX_TITLE)
    summary = forms.CharField(
        label=gettext_lazy("Summary"),
        required=False,
        max_length=services.MAX_SUMMARY,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the text"), choices=Language.choices
    )
    lead_fr = AgencyChoiceField(
        label=gettext_lazy("French lead agency"), queryset=Agency.objects.none()
    )
    lead_uk = AgencyChoiceField(
        label=gettext_lazy("British lead agency"), queryset=Agency.objects.none()
    )
    network = forms.ModelChoiceField(
        label=gettext_lazy("Target network"),
        required=False,
        queryset=Network.objects.none(),
        widget=DATA_SELECT,
    )
    opened_on = forms.DateField(label=gettext_lazy("Opened on"), widget=DATE)
    classification = forms.TypedChoiceField(
        label=gettext_lazy("Classification"),
        coerce=int,
        choices=Classification.choices,
        initial=Classification.OFFICIAL_SENSITIVE,
    )
    tlp = forms.ChoiceField(
        label=gettext_lazy("TLP"),
        choices=[(v, label) for v, label in TLP.choices if v in services.SHARED_TLP],
        initial=TLP.AMBER,
        help_text=gettext_lazy(
            "TLP:AMBER: both lead agencies and the members see it. TLP:RED: the members only."
        ),
    )

    def __init__(self, *args: Any, user: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["network"].queryset = network_services.visible_networks(user)  # type: ignore[attr-defined]
        self.fields["lead_fr"].queryset = services.lead_agencies("FR")  # type: ignore[attr-defined]
        self.fields["lead_uk"].queryset = services.lead_agencies("UK")  # type: ignore[attr-defined]
        if editing:
            for name in ("lead_fr", "lead_uk", "opened_on", "classification", "tlp"):
                del self.fields[name]


class MemberForm(StyledMixin, forms.Form):
    user = PersonChoiceField(label=gettext_lazy("Person"), queryset=User.objects.none())
    access = forms.TypedChoiceField(
        label=gettext_lazy("Access"),
        coerce=int,
        choices=MemberAccess.choices,
        initial=MemberAccess.CONTRIBUTE,
    )

    def __init__(self, *args: Any, investigation: Investigation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = services.candidate_members(investigation)  # type: ignore[attr-defined]


class TaskForm(StyledMixin, forms.Form):
    title = forms.CharField(label=gettext_lazy("Task"), max_length=services.MAX_TITLE)
    due_on = forms.DateField(label=gettext_lazy("Deadline"), required=False, widget=DATE)
    assignee = PersonChoiceField(
        label=gettext_lazy("Assigned to"), required=False, queryset=User.objects.none()
    )

    def __init__(self, *args: Any, investigation: Investigation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            pk__in=investigation.members.filter(access__gte=MemberAccess.CONTRIBUTE).values(
                "user_id"
            )
        ).select_related("agency")


class ActionForm(StyledMixin, forms.Form):
    kind = forms.ChoiceField(
        label=pgettext_lazy("investigation", "Action"), choices=ActionKind.choices
    )
    jurisdiction = forms.ChoiceField(
        label=gettext_lazy("Jurisdiction"),
        choices=Jurisdiction.choices,
        # Its own class: StyledMixin would give radios a text field's.
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        help_text=gettext_lazy("France / England and Wales"),
    )
    occurred_on = forms.DateField(label=gettext_lazy("Date"), widget=DATE)
    place = forms.CharField(
        label=gettext_lazy("Place"), required=False, max_length=action_services.MAX_PLACE
    )
    people = forms.IntegerField(
        label=gettext_lazy("People"),
        min_value=0,
        max_value=action_services.MAX_PEOPLE,
        initial=0,
        help_text=gettext_lazy("People arrested, charged or prosecuted."),
    )
    entity = forms.ModelChoiceField(
        label=gettext_lazy("Person or object"), required=False, queryset=Entity.objects.none()
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        max_length=action_services.MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    court_outcome = forms.ChoiceField(
        label=gettext_lazy("Court outcome"), required=False, choices=CourtOutcome.choices
    )
    outcome_on = forms.DateField(label=gettext_lazy("Outcome date"), required=False, widget=DATE)
    sentence = forms.CharField(
        label=gettext_lazy("Sentence"), required=False, max_length=action_services.MAX_SENTENCE
    )

    def __init__(self, *args: Any, investigation: Investigation, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entity"].queryset = Entity.objects.visible_to(user).filter(  # type: ignore[attr-defined]
            pk__in=investigation.entity_links.values("entity_id")
        )


class OutcomeForm(StyledMixin, forms.Form):
    court_outcome = forms.ChoiceField(
        label=gettext_lazy("Court outcome"), required=False, choices=CourtOutcome.choices
    )
    outcome_on = forms.DateField(label=gettext_lazy("Outcome date"), required=False, widget=DATE)
    sentence = forms.CharField(
        label=gettext_lazy("Sentence"), required=False, max_length=action_services.MAX_SENTENCE
    )


class ReportLinkForm(StyledMixin, forms.Form):
    report = forms.CharField(
        label=gettext_lazy("Report reference"),
        max_length=40,
        help_text=gettext_lazy("A report you can see, e.g. DCPAF-2026-000001."),
    )


class EntityLinkForm(StyledMixin, forms.Form):
    entity = forms.CharField(
        label=gettext_lazy("Entity"),
        max_length=200,
        help_text=gettext_lazy("Its identifier (plate, phone, company number) or exact name."),
    )
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=EntityRole.choices)


class InvestigationFilterForm(StyledMixin, forms.Form):
    state = forms.ChoiceField(
        label=gettext_lazy("State"),
        required=False,
        choices=[("", gettext_lazy("All")), *InvestigationState.choices],
    )
    agency = AgencyCodeField(
        label=gettext_lazy("Lead agency"),
        required=False,
        empty_label=gettext_lazy("All"),
        queryset=Agency.objects.filter(kind__in=services.LEAD_KINDS).order_by("code"),
        to_field_name="code",
    )
    network = forms.ModelChoiceField(
        label=gettext_lazy("Network"),
        required=False,
        empty_label=gettext_lazy("All"),
        queryset=Network.objects.none(),
        widget=DATA_SELECT,
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["network"].queryset = network_services.visible_networks(user)  # type: ignore[attr-defined]


class NetworkForm(StyledMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=network_services.MAX_NAME)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        max_length=network_services.MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the text"), choices=Language.choices
    )
    classification = forms.TypedChoiceField(
        label=gettext_lazy("Classification"),
        coerce=int,
        choices=Classification.choices,
        initial=Classification.OFFICIAL_SENSITIVE,
    )
    releasability = forms.MultipleChoiceField(
        label=gettext_lazy("Releasable to"),
        choices=[("FR", gettext_lazy("France")), ("UK", gettext_lazy("United Kingdom"))],
        initial=["FR", "UK"],
        widget=forms.CheckboxSelectMultiple,
    )
    tlp = forms.ChoiceField(label=gettext_lazy("TLP"), choices=TLP.choices, initial=TLP.GREEN)


class NetworkMoveForm(StyledMixin, forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("New status"), choices=NetworkStatus.choices)
    on = forms.DateField(label=gettext_lazy("On"), widget=DATE)


# Investigations -------------------------------------------------------------------------------


@login_required
def investigation_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    access.require_role(user, Module.INVESTIGATIONS)
    form = InvestigationFilterForm(request.GET or None, user=user)
    qs = services.visible_investigations(user)
    if form.is_valid():
        data = form.cleaned_data
        if data["state"]:
            qs = qs.filter(state=data["state"])
        if data["agency"]:
            qs = qs.filter(Q(lead_fr=data["agency"]) | Q(lead_uk=data["agency"]))
        if data["network"]:
            qs = qs.filter(network=data["network"])
    qs = qs.annotate(
        arrested=Sum("actions__people", filter=Q(actions__kind=ActionKind.ARREST))
    ).order_by("-opened_on", "-pk")
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "investigations/investigation_list.html",
        {
            "page": page,
            "form": form,
            "query": query.urlencode(),
            "can_create": access.has_role(user, Module.INVESTIGATIONS, Role.EDITOR),
        },
    )


@login_required
def investigation_create(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    access.require_role(user, Module.INVESTIGATIONS, Role.EDITOR)
    form = InvestigationForm(
        request.POST or None,
        user=user,
        initial={
            "language": user.language or "en",
            "opened_on": timezone.localdate(),
            "lead_fr": user.agency if user.agency.country.code == "FR" else None,
            "lead_uk": user.agency if user.agency.country.code == "UK" else None,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            created = services.open_investigation(acting_user=user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request, _("Investigation {reference} opened.").format(reference=created.reference)
            )
            return redirect("investigations:investigation_detail", pk=created.pk)
    return render(request, "investigations/investigation_form.html", {"form": form, "item": None})


@login_required
def investigation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    found = access.get_visible_or_404(services.visible_investigations(user), user, pk=pk)
    services.record_read(found, acting_user=user)
    parts = services.contents(found, user)
    contributes = services.may_write(user, found)
    leads = services.may_write(user, found, MemberAccess.LEAD)
    months = action_services.arrests_by_month(found)
    top = max((m["total"] for m in months), default=0)
    for m in months:
        m["fr_pct"] = round(100 * m["FR"] / top, 1) if top else 0
        m["ew_pct"] = round(100 * m["EW"] / top, 1) if top else 0
    return render(
        request,
        "investigations/investigation_detail.html",
        {
            "item": found,
            "parts": parts,
            "classification": classification_label(found.classification, user),
            "my_access": services.access_of(user, found),
            "contributes": contributes,
            "leads": leads,
            "is_lead_member": services.access_of(user, found) >= MemberAccess.LEAD
            and access.has_role(user, Module.INVESTIGATIONS, Role.EDITOR),
            "months": months,
            "arrested": sum(m["total"] for m in months),
            "member_form": MemberForm(investigation=found) if leads else None,
            "task_form": TaskForm(investigation=found) if contributes else None,
            "report_form": ReportLinkForm() if contributes else None,
            "entity_form": EntityLinkForm() if contributes else None,
            "today": timezone.localdate(),
        },
    )


def _writable(request: HttpRequest, pk: int) -> Investigation | HttpResponse:
    """A visible investigation the user may write in, or the way back to its page with the
    reason (a closed file); 403 without contribute access, 404 when not seen."""
    user: Any = request.user
    found = access.get_visible_or_404(services.visible_investigations(user), user, pk=pk)
    try:
        services.require_member(user, found)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("investigations:investigation_detail", pk=pk)
    return found


@login_required
def investigation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    found = _writable(request, pk)
    if isinstance(found, HttpResponse):
        return found
    form = InvestigationForm(
        request.POST or None,
        user=user,
        editing=True,
        initial={
            "title": found.title,
            "summary": found.summary,
            "language": found.language,
            "network": found.network_id,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_investigation(found, acting_user=user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Investigation updated."))
            return redirect("investigations:investigation_detail", pk=found.pk)
    return render(request, "investigations/investigation_form.html", {"form": form, "item": found})


def _act(
    request: HttpRequest, pk: int, act: Callable[[Investigation], object], done: str
) -> HttpResponse:
    """Run one change on a visible investigation; a refusal is a message on its page."""
    found = access.get_visible_or_404(
        services.visible_investigations(request.user), request.user, pk=pk
    )
    try:
        act(found)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("investigations:investigation_detail", pk=pk)


def _form_or_refuse(form: forms.Form) -> dict[str, Any]:
    if not form.is_valid():
        raise ValidationError(
            [
                f"{form.fields[name].label}: {' '.join(str(e) for e in errors)}"
                if name in form.fields
                else " ".join(str(e) for e in errors)
                for name, errors in form.errors.items()
            ]
        )
    return form.cleaned_data


@require_POST
@login_required
def investigation_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda found: services.close_investigation(found, acting_user=request.user),  # type: ignore[arg-type]
        _("Investigation closed."),
    )


@require_POST
@login_required
def investigation_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda found: services.reopen_investigation(found, acting_user=request.user),  # type: ignore[arg-type]
        _("Investigation reopened."),
    )


@require_POST
@login_required
def member_set(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user

    def act(found: Investigation) -> object:
        services.require_member(user, found, MemberAccess.LEAD)
        data = _form_or_refuse(MemberForm(request.POST, investigation=found))
        return services.set_member(
            found, acting_user=user, user=data["user"], access_level=data["access"]
        )

    return _act(request, pk, act, _("Membership saved."))


@require_POST
@login_required
def member_remove(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    user: Any = request.user

    def act(found: Investigation) -> object:
        person = get_object_or_404(User, pk=user_pk)
        services.remove_member(found, acting_user=user, user=person)
        return None

    return _act(request, pk, act, _("Member removed."))


@require_POST
@login_required
def task_add(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user

    def act(found: Investigation) -> object:
        services.require_member(user, found)
        data = _form_or_refuse(TaskForm(request.POST, investigation=found))
        return services.add_task(found, acting_user=user, **data)

    return _act(request, pk, act, _("Task set."))


@require_POST
@login_required
def task_done(request: HttpRequest, pk: int, task_pk: int) -> HttpResponse:
    user: Any = request.user

    def act(found: Investigation) -> object:
        task = get_object_or_404(Task, investigation=found, pk=task_pk)
        return services.complete_task(task, acting_user=user)

    return _act(request, pk, act, _("Task done."))


@require_POST
@login_required
def report_link(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user

    def act(found: Investigation) -> object:
        services.require_member(user, found)
        data = _form_or_refuse(ReportLinkForm(request.POST))
        report = Report.objects.visible_to(user).filter(reference=data["report"].strip()).first()
        if report is None:
            raise ValidationError({"report": _("You may link only reports you can see.")})
        services.link_report(found, acting_user=user, report=report)
        return None

    return _act(request, pk, act, _("Report linked."))


@require_POST
@login_required
def report_unlink(request: HttpRequest, pk: int, report_pk: int) -> HttpResponse:
    user: Any = request.user

    def act(found: Investigation) -> object:
        report = access.get_visible_or_404(Report, user, pk=report_pk)
        services.unlink_report(found, acting_user=user, report=report)
        return None

    return _act(request, pk, act, _("Report unlinked."))


@require_POST
@login_required
def entity_add(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user

    def act(found: Investigation) -> object:
        services.require_member(user, found)
        data = _form_or_refuse(EntityLinkForm(request.POST))
        entity = services.find_entity(user, data["entity"])
        return services.add_entity(found, acting_user=user, entity=entity, role=data["role"])

    return _act(request, pk, act, _("Entity added."))


@require_POST
@login_required
def entity_remove(request: HttpRequest, pk: int, entity_pk: int) -> HttpResponse:
    user: Any = request.user

    def act(found: Investigation) -> object:
        entity = access.get_visible_or_404(Entity, user, pk=entity_pk)
        services.remove_entity(found, acting_user=user, entity=entity)
        return None

    return _act(request, pk, act, _("Entity removed."))


@login_required
def action_add(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    found = _writable(request, pk)
    if isinstance(found, HttpResponse):
        return found
    form = ActionForm(
        request.POST or None,
        investigation=found,
        user=user,
        initial={
            "occurred_on": timezone.localdate(),
            "jurisdiction": Jurisdiction.FRANCE
            if user.agency.country.code == "FR"
            else Jurisdiction.ENGLAND_WALES,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["entity"] = data["entity"].pk if data["entity"] else None
        data["court_outcome"] = data["court_outcome"] or ""
        try:
            action_services.record_action(
                found, acting_user=user, data=action_services.ActionInput(**data)
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Action recorded."))
            return redirect("investigations:investigation_detail", pk=found.pk)
    return render(
        request, "investigations/action_form.html", {"form": form, "item": found, "action": None}
    )


@login_required
def action_outcome(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    user: Any = request.user
    found = _writable(request, pk)
    if isinstance(found, HttpResponse):
        return found
    action = get_object_or_404(Action, investigation=found, pk=action_pk)
    form = OutcomeForm(
        request.POST or None,
        initial={
            "court_outcome": action.court_outcome,
            "outcome_on": action.outcome_on,
            "sentence": action.sentence,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["court_outcome"] = data["court_outcome"] or ""
        try:
            action_services.set_outcome(action, acting_user=user, **data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Court outcome recorded."))
            return redirect("investigations:investigation_detail", pk=found.pk)
    return render(
        request, "investigations/action_form.html", {"form": form, "item": found, "action": action}
    )


# Networks -------------------------------------------------------------------------------------


@login_required
def network_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    access.require_role(user, Module.INVESTIGATIONS)
    status = request.GET.get("status", "")
    qs = network_services.visible_networks(user)
    if status in NetworkStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("name", "pk"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "investigations/network_list.html",
        {
            "page": page,
            "status": status,
            "statuses": NetworkStatus.choices,
            "query": f"status={status}" if status else "",
            "can_create": network_services.may_record(user),
        },
    )


@login_required
def network_create(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    access.require_role(user, Module.INVESTIGATIONS, Role.EDITOR)
    form = NetworkForm(request.POST or None, initial={"language": user.language or "en"})
    if request.method == "POST" and form.is_valid():
        try:
            created = network_services.create_network(acting_user=user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Network recorded."))
            return redirect("investigations:network_detail", pk=created.pk)
    return render(request, "investigations/network_form.html", {"form": form})


@login_required
def network_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Describe a network (editors of the agency that recorded it)."""
    user: Any = request.user
    found = access.get_changeable_or_404(Network, user, pk=pk)
    form = NetworkForm(
        request.POST or None,
        initial={"name": found.name, "description": found.description, "language": found.language},
    )
    for name in ("classification", "releasability", "tlp"):
        del form.fields[name]
    if request.method == "POST" and form.is_valid():
        try:
            network_services.update_network(found, acting_user=user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Network updated."))
            return redirect("investigations:network_detail", pk=found.pk)
    return render(request, "investigations/network_form.html", {"form": form, "item": found})


@login_required
def network_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    found = access.get_visible_or_404(network_services.visible_networks(user), user, pk=pk)
    investigations = list(
        services.visible_investigations(user)
        .filter(network=found)
        .annotate(arrested=Sum("actions__people", filter=Q(actions__kind=ActionKind.ARREST)))
    )
    steps = [
        (value, label)
        for value, label in NetworkStatus.choices
        if value in network_services.next_statuses(found)
        and network_services.may_move(user, found, value)
    ]
    move_form = None
    if steps:
        move_form = NetworkMoveForm(initial={"on": timezone.localdate()})
        move_form.fields["status"].choices = steps  # type: ignore[attr-defined]
    return render(
        request,
        "investigations/network_detail.html",
        {
            "item": found,
            "classification": classification_label(found.classification, user),
            "investigations": investigations,
            "arrested": sum(i.arrested or 0 for i in investigations),
            "move_form": move_form,
            "may_dismantle": access.has_role(user, Module.INVESTIGATIONS, Role.APPROVER),
            "may_edit": access.can_change_visible(user, found),
        },
    )


@require_POST
@login_required
def network_move(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    found = access.get_visible_or_404(network_services.visible_networks(user), user, pk=pk)
    form = NetworkMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the new status and its date."))
    else:
        try:
            network_services.move_network(
                found,
                acting_user=user,
                status=form.cleaned_data["status"],
                on=form.cleaned_data["on"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("The network is now {status}.").format(
                    status=NetworkStatus(found.status).label.lower()
                ),
            )
    return redirect("investigations:network_detail", pk=pk)
