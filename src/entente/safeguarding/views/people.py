"""Safeguarding pages: people, screenings, consent, referrals, and the control room's
handovers taken up.

Lists carry no special-category data. A person's page first asks why it is consulted (or
takes it from the referral being worked on) and audits the consultation with that purpose;
its special-category block is shown only to those who may read it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from entente.control_room.models import Handover
from entente.core import access, audit
from entente.core.choices import Module, Role
from entente.core.forms import apply_validation_error
from entente.safeguarding import forms_people as f
from entente.safeguarding.models import Consent, Person
from entente.safeguarding.services import consent as consents
from entente.safeguarding.services import people
from entente.safeguarding.services import referrals as refs


def _person_url(pk: int, purpose: str) -> str:
    return (
        reverse("safeguarding:person_detail", kwargs={"pk": pk})
        + "?"
        + urlencode({"purpose": purpose})
    )


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    """People the user's organisation holds or was referred; minimised fields only."""
    user: Any = request.user
    qs = people.visible_people(user)
    form = f.PersonFilterForm(request.GET or None)
    if form.is_valid():
        data = form.cleaned_data
        qs = people.filter_people(
            qs,
            age_band=data["age_band"],
            vulnerable={"yes": True, "no": False}.get(data["vulnerable"]),
            referral_state=data["referral_state"],
        )
    page = Paginator(qs.order_by("-created_at", "-pk"), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "safeguarding/person_list.html",
        {"page": page, "form": form, "query": _query(request), "can_create": people.may_edit(user)},
    )


@login_required
def person_create(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    access.require_role(user, Module.SAFEGUARDING, Role.EDITOR)
    form = f.PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = people.create_person(user, form.to_input())
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("{code} recorded.").format(code=person.case_code))
            return redirect(_person_url(person.pk, _("recording the person")))
    return render(
        request,
        "safeguarding/person_form.html",
        {"form": form, "special": access.may_read_special_category(user), "person": None},
    )


def _purpose(request: HttpRequest, person: Person) -> str:
    """The purpose of a consultation: asked on the page, or the referral being worked on."""
    given = (request.GET.get("purpose") or "").strip()
    if given:
        return given[:200]
    referral_id = request.GET.get("referral", "")
    if referral_id.isdigit():
        referral = (
            refs.visible_referrals(request.user).filter(pk=int(referral_id), person=person).first()
        )
        if referral is not None:
            return _("working on referral {id}").format(id=referral.pk)
    return ""


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    person = access.get_visible_or_404(people.visible_people(user), user, pk=pk)
    purpose = _purpose(request, person)
    if not purpose:
        return render(
            request,
            "safeguarding/person_purpose.html",
            {"person": person, "form": f.PurposeForm()},
        )
    record = people.read_person(user, person, purpose=purpose)
    editor = people.may_edit(user)
    person_referrals = list(refs.referrals_of(person, user))
    today = timezone.localdate()
    for r in person_referrals:
        r.overdue = refs.is_overdue(r, today)  # type: ignore[attr-defined]
    return render(
        request,
        "safeguarding/person_detail.html",
        {
            "record": record,
            "person": person,
            "purpose": purpose,
            "screenings": person.screenings.select_related("screened_by"),
            "consents": consents.consents_of(person),
            "referrals": person_referrals,
            "can_change": access.can_change(user, person),
            "screening_form": f.ScreeningForm() if editor else None,
            "consent_form": f.ConsentForm(initial={"language": (person.languages or [""])[0]})
            if editor
            else None,
            "referral_form": f.ReferralForm(user=user) if editor else None,
            "may_override": refs.may_override(user),
        },
    )


@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    person = access.get_visible_or_404(people.visible_people(user), user, pk=pk)
    if not access.can_change(user, person):
        raise PermissionDenied(_("Only the organisation holding the case changes it."))
    form = f.PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            people.update_person(user, person, form.to_input())
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Record corrected."))
            return redirect(_person_url(person.pk, _("correcting the record")))
    elif request.method != "POST":
        record = people.read_person(user, person, purpose=_("correcting the record"))
        form = f.PersonForm(
            initial={
                "age_band": person.age_band,
                "estimated_age": person.estimated_age,
                "age_disputed": person.age_disputed,
                "gender": person.gender,
                "languages": ", ".join(person.languages or []),
                "nationality": person.nationality,
                "indicators": record.indicators or [],
                "details": record.details or "",
                "name": record.name or "",
                "name_purpose": record.name_purpose,
                "birth_date": record.birth_date or None,
            }
        )
    return render(
        request,
        "safeguarding/person_form.html",
        {"form": form, "special": access.may_read_special_category(user), "person": person},
    )


def _field_errors(form: forms.Form, name: str, errors: Any) -> str:
    label = form.fields[name].label if name in form.fields else ""
    return f"{label}: {' '.join(str(e) for e in errors)}"


def _act_on_person(
    request: HttpRequest,
    pk: int,
    form_class: Callable[..., forms.Form],
    act: Callable[[Person, dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    """Run one write on a visible person from a posted form; refusals shown as messages."""
    user: Any = request.user
    person = access.get_visible_or_404(people.visible_people(user), user, pk=pk)
    form = form_class(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([_field_errors(form, k, v) for k, v in form.errors.items()])
        act(person, form.cleaned_data)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect(_person_url(person.pk, _("recording a step")))


@require_POST
@login_required
def screening_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _act_on_person(
        request,
        pk,
        f.ScreeningForm,
        lambda person, d: people.record_screening(
            request.user,
            person,
            place=d["place"],
            language=d["language"],
            indicators=d["indicators"],
            notes=d["notes"],
        ),
        _("Screening recorded."),
    )


@require_POST
@login_required
def consent_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _act_on_person(
        request,
        pk,
        f.ConsentForm,
        lambda person, d: consents.record_consent(
            request.user,
            person,
            purpose=d["purpose"],
            country=d["country"].code,
            given=d["given"],
            language=d["language"],
        ),
        _("Consent recorded."),
    )


@require_POST
@login_required
def consent_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    access.require_role(user, Module.SAFEGUARDING)
    found = Consent.objects.select_related("person").filter(pk=pk).first()
    if found is None or not access.can_view(user, found.person):
        raise Http404(_("No such record."))
    try:
        consents.withdraw_consent(user, found)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Consent withdrawn."))
    return redirect(_person_url(found.person_id, _("recording a step")))


@require_POST
@login_required
def referral_create(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    return _act_on_person(
        request,
        pk,
        lambda data: f.ReferralForm(data, user=user),
        lambda person, d: refs.refer(
            user,
            person,
            purpose=d["purpose"],
            to_agency=d["to_agency"],
            place=d["place"],
            due_on=d["due_on"],
            reason=d["reason"],
            override_reason=d["override_reason"],
            first_responder=d["first_responder"],
            anonymous=d["anonymous"],
        ),
        _("Referral made."),
    )


@login_required
def referral_list(request: HttpRequest) -> HttpResponse:
    """Referrals made by or to the user's organisation; overdue ones flagged. No reasons."""
    user: Any = request.user
    qs = refs.visible_referrals(user)
    form = f.ReferralFilterForm(request.GET or None)
    if form.is_valid():
        qs = refs.filter_referrals(
            qs,
            state=form.cleaned_data["state"],
            purpose=form.cleaned_data["purpose"],
            overdue=form.cleaned_data["overdue"],
        )
    page = Paginator(qs.order_by("due_on", "-pk"), 25).get_page(request.GET.get("page"))
    today = timezone.localdate()
    visible_people = set(
        people.visible_people(user)
        .filter(pk__in=[r.person_id for r in page])
        .values_list("pk", flat=True)
    )
    for r in page:
        r.overdue = refs.is_overdue(r, today)  # type: ignore[attr-defined]
        r.person_visible = r.person_id in visible_people  # type: ignore[attr-defined]
    return render(
        request,
        "safeguarding/referral_list.html",
        {"page": page, "form": form, "query": _query(request)},
    )


@login_required
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    referral = access.get_visible_or_404(refs.visible_referrals(user), user, pk=pk)
    special = access.may_read_special_category(user)
    if special:
        # The reason is special category: its consultation is audited, for this referral.
        audit.record_read(user, referral, purpose=_("working on the referral"))
    return render(
        request,
        "safeguarding/referral_detail.html",
        {
            "referral": referral,
            "special": special,
            "overdue": refs.is_overdue(referral),
            "moves": refs.allowed_moves(user, referral),
            "person_visible": access.can_view(user, referral.person),
            "allocations": referral.allocations.select_related("place"),
            "categories": f.MoveForm().fields["category"].choices,  # type: ignore[attr-defined]
        },
    )


@require_POST
@login_required
def referral_move(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    referral = access.get_visible_or_404(refs.visible_referrals(user), user, pk=pk)
    form = f.MoveForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Unknown state."))
        refs.move(
            user, referral, form.cleaned_data["state"], category=form.cleaned_data["category"]
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Referral updated."))
    return redirect("safeguarding:referral_detail", pk=pk)


@login_required
def handover_people(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a control-room handover up: one row per person found (minors flagged), each
    referred or not, all recorded at once."""
    user: Any = request.user
    access.require_role(user, Module.SAFEGUARDING, Role.EDITOR)
    handover = access.get_visible_or_404(Handover, user, pk=pk)
    count = handover.people
    initial = [
        {"minor": i < handover.minors, "age_band": "16-17" if i < handover.minors else "25-59"}
        for i in range(count)
    ]
    rows = [
        f.FoundPersonForm(
            request.POST if request.method == "POST" else None,
            prefix=f"p{i}",
            initial=initial[i],
            user=user,
        )
        for i in range(count)
    ]
    error = ""
    if request.method == "POST" and all(r.is_valid() for r in rows):
        try:
            made = refs.take_up_handover(
                user,
                handover,
                [
                    refs.FoundPerson(
                        age_band=r.cleaned_data["age_band"],
                        gender=r.cleaned_data["gender"],
                        minor=r.cleaned_data["minor"],
                        languages=f._codes(r.cleaned_data["languages"]),
                        purpose=r.cleaned_data["purpose"],
                        to_agency=r.cleaned_data["to_agency"],
                        place=r.cleaned_data["place"],
                    )
                    for r in rows
                ],
            )
        except (ValidationError, PermissionDenied) as exc:
            error = " ".join(getattr(exc, "messages", [str(exc)]))
        else:
            messages.success(
                request,
                _("Handover taken up: {people} people recorded, {referred} referred.").format(
                    people=count, referred=len(made)
                ),
            )
            return redirect("safeguarding:person_list")
    return render(
        request,
        "safeguarding/person_handover.html",
        {"handover": handover, "rows": rows, "error": error},
    )
