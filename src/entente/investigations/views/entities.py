"""Investigations pages: entities, the links between them, and their import from CSV files
(upload, column mapping, progress polled by HTMX, per-row errors).

Thin: the forms parse, the services (entente.investigations.services.entities and
.imports) decide and audit, the templates render. Every page that shows people audits it
through the services.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from entente.control_room.choices import VehicleType
from entente.core import access
from entente.core.choices import TLP, Classification, Module, Role
from entente.core.forms import StyledMixin, apply_validation_error
from entente.core.htmx import template_for
from entente.core.models import Country, User
from entente.intelligence.choices import EntityKind, ImportState
from entente.intelligence.exchange.forms import UploadForm
from entente.intelligence.models import Entity, Report
from entente.intelligence.services import exchange as intel_exchange
from entente.investigations.choices import LinkKind
from entente.investigations.models import EntityImport
from entente.investigations.services import entities as services
from entente.investigations.services import imports
from entente.investigations.services import links as link_services

PAGE_SIZE = 50
ERRORS_SHOWN = 200
# The choices of the link form's other end: a select is fine for a team's picture; past
# this, the person narrows the list with the form's own search (any entity they may see can
# still be chosen: the choice is checked against all of them).
MAX_CHOICES = 1000


def _user(request: HttpRequest) -> User:
    """The signed-in person (the log-in requirement ran first)."""
    assert isinstance(request.user, User)
    return request.user


# Forms ------------------------------------------------------------------------------------


def _countries() -> list[tuple[str, str]]:
    return [(c.code, c.name) for c in Country.objects.all()]


class MarkingFields(forms.Form):
    """Classification, releasability and TLP; left empty on a link, they take its ends'."""

    classification = forms.TypedChoiceField(
        label=gettext_lazy("Classification"),
        coerce=int,
        choices=Classification.choices,
        empty_value=None,
    )
    releasability = forms.MultipleChoiceField(
        label=gettext_lazy("Releasable to"), widget=forms.CheckboxSelectMultiple
    )
    tlp = forms.ChoiceField(label=gettext_lazy("TLP"), choices=TLP.choices, initial=TLP.AMBER)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["releasability"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = _countries()

    def marking(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "classification": data.get("classification"),
            "releasability": data.get("releasability") or None,
            "tlp": data.get("tlp") or None,
        }


YES_NO = [("", "—"), ("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]


class EntityForm(StyledMixin, MarkingFields):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=EntityKind.choices)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200, required=False)
    identifier = forms.CharField(
        label=gettext_lazy("Identifier"),
        max_length=100,
        required=False,
        help_text=gettext_lazy(
            "A plate, a phone number (+33…, +44…), a company number or an IBAN."
        ),
    )
    country = forms.CharField(label=gettext_lazy("Country"), max_length=2, required=False)
    given_name = forms.CharField(label=gettext_lazy("Given name"), max_length=200, required=False)
    family_name = forms.CharField(label=gettext_lazy("Family name"), max_length=200, required=False)
    birth_date = forms.DateField(
        label=gettext_lazy("Date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    birth_date_estimated = forms.BooleanField(
        label=gettext_lazy("Date of birth estimated"), required=False
    )
    nationality = forms.CharField(
        label=gettext_lazy("Nationality"),
        max_length=2,
        required=False,
        help_text=gettext_lazy("Two-letter country code."),
    )
    gender = forms.ChoiceField(
        label=gettext_lazy("Gender"),
        required=False,
        choices=[
            ("", "—"),
            ("f", gettext_lazy("Female")),
            ("m", gettext_lazy("Male")),
            ("x", gettext_lazy("Other or not known")),
        ],
    )
    vehicle_type = forms.ChoiceField(
        label=gettext_lazy("Vehicle type"),
        required=False,
        choices=[("", "—"), *VehicleType.choices],
    )
    haulier = forms.ChoiceField(label=gettext_lazy("Haulier"), required=False, choices=YES_NO)
    bank = forms.CharField(label=gettext_lazy("Bank"), max_length=200, required=False)

    field_order = ["kind", "name", "identifier", "country"]

    def entity_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        kind = data["kind"]
        attributes = {
            key: data.get(key)
            for key in services.ATTRIBUTES.get(kind, ())
            if key in self.fields and data.get(key) not in (None, "", False)
        }
        born = attributes.get("birth_date")
        if born is not None:
            attributes["birth_date"] = born.isoformat()
        return {
            "name": data.get("name", ""),
            "identifier": data.get("identifier", ""),
            "country": data.get("country", ""),
            "attributes": attributes,
            **self.marking(),
        }


class LinkForm(StyledMixin, MarkingFields):
    direction = forms.ChoiceField(
        label=gettext_lazy("Direction"),
        choices=[
            ("out", gettext_lazy("This entity → the other")),
            ("in", gettext_lazy("The other → this entity")),
        ],
        initial="out",
    )
    kind = forms.ChoiceField(label=gettext_lazy("Link"), choices=LinkKind.choices)
    other = forms.TypedChoiceField(label=gettext_lazy("Other entity"), coerce=int)
    starts_on = forms.DateField(
        label=gettext_lazy("From date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    ends_on = forms.DateField(
        label=gettext_lazy("To date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    confidence = forms.FloatField(
        label=gettext_lazy("Confidence"),
        initial=1.0,
        help_text=gettext_lazy("Between 0 (a guess) and 1 (established)."),
        widget=forms.NumberInput(attrs={"step": "0.05"}),
    )
    report = forms.CharField(
        label=gettext_lazy("From report (reference)"), max_length=40, required=False
    )
    source_note = forms.CharField(label=gettext_lazy("Source note"), max_length=200, required=False)

    def __init__(
        self, *args: Any, others: list[tuple[int, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for name in ("classification", "releasability", "tlp"):
            self.fields[name].required = False
            self.fields[name].help_text = _("Left empty: the marking of its ends and source.")
        tlp = self.fields["tlp"]
        assert isinstance(tlp, forms.ChoiceField)
        tlp.choices = [("", "—"), *TLP.choices]
        tlp.initial = ""
        level = self.fields["classification"]
        assert isinstance(level, forms.ChoiceField)
        level.choices = [("", "—"), *Classification.choices]
        if others is None:
            del self.fields["direction"], self.fields["other"]
        else:
            other = self.fields["other"]
            assert isinstance(other, forms.ChoiceField)
            other.choices = [("", "—"), *others]

    def link_fields(self, user: User) -> dict[str, Any]:
        data = self.cleaned_data
        reference = data.get("report", "").strip()
        report: int | None = None
        if reference:
            found = Report.objects.visible_to(user).filter(reference=reference).first()
            report = found.pk if found is not None else -1  # refused by the service
        return {
            "kind": data["kind"],
            "starts_on": data.get("starts_on"),
            "ends_on": data.get("ends_on"),
            "confidence": data["confidence"],
            "report": report,
            "source_note": data.get("source_note", ""),
            **self.marking(),
        }


class ImportMappingForm(StyledMixin, forms.Form):
    """One select per entity or link field, offering the file's columns; and one kind for
    every row when no column says it."""

    def __init__(
        self, *args: Any, header: list[str], initial_mapping: dict[str, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["default_kind"] = forms.ChoiceField(
            label=_("Kind of every row (when no column says it)"),
            choices=[("", "—"), *EntityKind.choices],
            required=False,
        )
        columns = [("", _("— not in the file —")), *((h, h) for h in header)]
        for target in imports.TARGETS:
            self.fields[target.name] = forms.ChoiceField(
                label=str(target.label),
                choices=columns,
                required=False,
                initial=initial_mapping.get(target.name, ""),
            )

    def mapping(self) -> dict[str, str]:
        return {k: v for k, v in self.cleaned_data.items() if v and k in imports.TARGETS_BY_NAME}


class ImportUploadForm(UploadForm):
    """The file, and the marking of rows whose file says none."""

    classification = forms.TypedChoiceField(
        label=gettext_lazy("Classification"),
        coerce=int,
        choices=Classification.choices,
        empty_value=None,
    )
    releasability = forms.MultipleChoiceField(
        label=gettext_lazy("Releasable to"), widget=forms.CheckboxSelectMultiple
    )
    tlp = forms.ChoiceField(label=gettext_lazy("TLP"), choices=TLP.choices, initial=TLP.AMBER)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["kind"]
        self.fields["file"].help_text = _("A CSV file in UTF-8 with a header row.")
        field = self.fields["releasability"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = _countries()


# Entities ---------------------------------------------------------------------------------


@login_required
def entity_list(request: HttpRequest) -> HttpResponse:
    """The entities the person may see, by kind and text; the people shown are audited."""
    user = _user(request)
    kind = request.GET.get("kind", "")
    kind = kind if kind in EntityKind.values else ""
    text = request.GET.get("q", "").strip()[:100].replace("\x00", "")
    qs = services.visible_entities(user, kind=kind, text=text)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    services.record_people_read(user, page.object_list, purpose=services.LIST_PURPOSE)
    return render(
        request,
        "investigations/entity_list.html",
        {
            "page": page,
            "kind": kind,
            "q": text,
            "kinds": EntityKind.choices,
            "query": urlencode({k: v for k, v in (("kind", kind), ("q", text)) if v}),
            "can_write": access.has_role(user, Module.INVESTIGATIONS, Role.EDITOR),
        },
    )


def _entity_initial(user: User) -> dict[str, Any]:
    assert user.agency is not None
    return {
        "releasability": [user.agency.country.code],
        "classification": Classification.OFFICIAL,
        "tlp": TLP.AMBER,
    }


@login_required
def entity_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    services.require_editor(user)
    form = EntityForm(request.POST or None, initial=_entity_initial(user))
    if request.method == "POST" and form.is_valid():
        try:
            entity = services.create_entity(
                acting_user=user, kind=form.cleaned_data["kind"], **form.entity_fields()
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Entity recorded."))
            return redirect("investigations:entity_detail", pk=entity.pk)
    return render(request, "investigations/entity_form.html", {"form": form, "entity": None})


@login_required
def entity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    entity = services.changeable_entity(user, pk)
    initial = {
        "kind": entity.kind,
        "name": entity.name,
        "identifier": entity.identifier,
        "country": entity.country,
        "classification": entity.classification,
        "releasability": list(entity.releasability),
        "tlp": entity.tlp,
        **entity.attributes,
    }
    if isinstance(initial.get("haulier"), bool):
        initial["haulier"] = "yes" if initial["haulier"] else "no"
    form = EntityForm(request.POST or None, initial=initial)
    form.fields["kind"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.update_entity(entity.pk, acting_user=user, **form.entity_fields())
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Entity changed."))
            return redirect("investigations:entity_detail", pk=entity.pk)
    return render(request, "investigations/entity_form.html", {"form": form, "entity": entity})


def _url(name: str, pk: int) -> str:
    """A page of another area, if it exists yet (the lead wires them at the end)."""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


@login_required
def entity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An entity, its visible links both ways with their provenance, the reports naming it,
    the number of links the person may not see; consulting people is audited."""
    user = _user(request)
    view = services.read_entity(pk, acting_user=user)
    rows = []
    for row in view.links:
        found = view.provenance.get(row.link.pk, {})
        case = found.get("investigation")
        rows.append(
            {
                "row": row,
                "report": found.get("report"),
                "incident_url": _url("control_room:incident_detail", found["incident"])
                if "incident" in found
                else "",
                "investigation": case,
                "investigation_url": _url("investigations:investigation_detail", case.pk)
                if case
                else "",
                "can_change": access.can_change_visible(user, row.link),
            }
        )
    can_write = access.has_role(user, Module.INVESTIGATIONS, Role.EDITOR)
    return render(
        request,
        "investigations/entity_detail.html",
        {
            "view": view,
            "entity": view.entity,
            "rows": rows,
            "can_link": can_write,
            "can_change": can_write and view.entity.originator_id == user.agency_id,
            "chart_url": _chart_url(view.entity.pk),
            "attributes": _attributes(view.entity),
        },
    )


def _attributes(entity: Entity) -> list[tuple[Any, Any]]:
    """The entity's attributes with their names and coded values in the reader's language."""
    genders = dict(EntityForm.base_fields["gender"].choices)  # type: ignore[attr-defined]
    rows = []
    for key, value in entity.attributes.items():
        if key == "vehicle_type" and value in VehicleType.values:
            value = VehicleType(value).label
        elif key == "gender":
            value = genders.get(value, value)
        target = imports.TARGETS_BY_NAME.get(key)
        rows.append((target.label if target else key, value))
    return rows


def _chart_url(pk: int) -> str:
    try:
        return reverse("investigations:chart") + f"?entity={pk}"
    except NoReverseMatch:
        return ""


# Links ------------------------------------------------------------------------------------


@dataclass
class _Others:
    """The entities the link form's other end may be (as offered), and how many matched."""

    entities: list[Entity]
    matched: int

    @property
    def choices(self) -> list[tuple[int, str]]:
        return [
            (e.pk, f"{e.name} · {e.get_kind_display()} · {e.identifier} (#{e.pk})")
            for e in self.entities
        ]


def _others(user: User, entity: Entity, *, text: str = "", chosen: Any = None) -> _Others:
    """The entities the other end may be, matching ``text`` (MAX_CHOICES at most), plus the
    one ``chosen`` (posted) if the person may see it."""
    qs = (
        services.visible_entities(user, text=text)
        .exclude(pk=entity.pk)
        .order_by("kind", "name", "pk")
    )
    shown = list(qs[:MAX_CHOICES])
    matched = qs.count() if len(shown) == MAX_CHOICES else len(shown)
    try:
        chosen_pk = int(chosen)
    except (TypeError, ValueError):
        chosen_pk = None
    if chosen_pk is not None and chosen_pk not in {e.pk for e in shown}:
        shown += services.visible_entities(user, ids=[chosen_pk]).exclude(pk=entity.pk)
    return _Others(shown, matched)


@login_required
def link_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A link from or to this entity (investigations editors)."""
    user = _user(request)
    services.require_editor(user)
    entity = access.get_visible_or_404(Entity, user, pk=pk)
    text = request.GET.get("q", "").strip()[:100].replace("\x00", "")
    others = _others(user, entity, text=text, chosen=request.POST.get("other"))
    form = LinkForm(request.POST or None, others=others.choices)
    if request.method == "POST" and form.is_valid():
        other = form.cleaned_data["other"]
        ends = (entity.pk, other) if form.cleaned_data["direction"] == "out" else (other, entity.pk)
        try:
            link_services.create_link(
                acting_user=user, source=ends[0], target=ends[1], **form.link_fields(user)
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                # The ends are one field here: "other".
                errs = exc.message_dict
                for end in ("source", "target"):
                    if end in errs:
                        form.add_error("other", errs.pop(end))
                exc = ValidationError(errs) if errs else ValidationError([])
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Link recorded."))
            return redirect("investigations:entity_detail", pk=entity.pk)
    # The people the page lists (not those only checked against a choice that was saved).
    services.record_people_read(user, others.entities, purpose=services.OTHERS_PURPOSE)
    return render(
        request,
        "investigations/link_form.html",
        {
            "form": form,
            "entity": entity,
            "link": None,
            "q": text,
            "matched": others.matched,
            "max_choices": MAX_CHOICES,
        },
    )


@login_required
def link_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    link = link_services.changeable_link(user, pk)
    report = (
        Report.objects.filter(pk=link.report_id).values_list("reference", flat=True).first()
        if link.report_id
        else None
    )
    initial = {
        "kind": link.kind,
        "starts_on": link.starts_on,
        "ends_on": link.ends_on,
        "confidence": link.confidence,
        "report": report or "",
        "source_note": link.source_note,
        "classification": link.classification,
        "releasability": list(link.releasability),
        "tlp": link.tlp,
    }
    form = LinkForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            link_services.update_link(link.pk, acting_user=user, **form.link_fields(user))
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Link changed."))
            return redirect("investigations:entity_detail", pk=link.source_id)
    return render(
        request,
        "investigations/link_form.html",
        {"form": form, "entity": link.source, "link": link},
    )


@login_required
def link_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask, then delete a link (its agency's investigations editors)."""
    user = _user(request)
    link = link_services.changeable_link(user, pk)
    if request.method == "POST":
        link_services.delete_link(link.pk, acting_user=user)
        messages.success(request, _("Link deleted."))
        return redirect("investigations:entity_detail", pk=link.source_id)
    return render(request, "investigations/link_confirm_delete.html", {"link": link})


# Imports ----------------------------------------------------------------------------------


@login_required
def entity_import_list(request: HttpRequest) -> HttpResponse:
    """The person's imports of entities, newest first, and the upload form."""
    user = _user(request)
    jobs = imports.imports_of(user)[:50]
    form = ImportUploadForm(
        request.POST or None,
        request.FILES or None,
        max_bytes=intel_exchange.max_bytes(),
        initial=_entity_initial(user),
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = imports.start_import(
                acting_user=user,
                file_name=upload.name or "upload",
                data=upload.read(),
                classification=form.cleaned_data["classification"],
                releasability=form.cleaned_data["releasability"],
                tlp=form.cleaned_data["tlp"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return redirect("investigations:entity_import_mapping", pk=job.pk)
    return render(request, "investigations/import_entities_list.html", {"jobs": jobs, "form": form})


@login_required
def entity_import_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    """Which column holds which field; choosing them starts the import."""
    user = _user(request)
    job = imports.get_import(user, pk)
    if job.state != ImportState.PENDING:
        return redirect("investigations:entity_import_detail", pk=job.pk)
    form = ImportMappingForm(
        request.POST or None,
        header=imports.header_of(job),
        initial_mapping=imports.guess_mapping(imports.header_of(job)),
    )
    if request.method == "POST" and form.is_valid():
        try:
            imports.set_mapping(
                job.pk,
                acting_user=user,
                mapping=form.mapping(),
                kind=form.cleaned_data.get("default_kind", ""),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Columns chosen: the import has started."))
            return redirect("investigations:entity_import_detail", pk=job.pk)
    return render(
        request, "investigations/import_entities_mapping.html", {"job": job, "form": form}
    )


def _import_context(job: EntityImport) -> dict[str, Any]:
    return {
        "job": job,
        "percent": imports.percent(job),
        "running": job.state == ImportState.RUNNING,
        "errors": job.errors[:ERRORS_SHOWN],
        "more_errors": max(0, len(job.errors) - ERRORS_SHOWN),
        "refused_rows": imports.refused_rows(job),
        "mapping": imports.mapping_labels(job),
    }


@login_required
def entity_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = imports.get_import(_user(request), pk)
    if job.state == ImportState.PENDING:
        return redirect("investigations:entity_import_mapping", pk=job.pk)
    return render(request, "investigations/import_entities_detail.html", _import_context(job))


@login_required
def entity_import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """Advance the import by one chunk and show where it stands: the fragment for the page's
    HTMX poll, the whole page otherwise (its "Continue" link, without JavaScript)."""
    job = imports.advance_import(pk, acting_user=_user(request))
    template = template_for(
        request,
        "investigations/import_entities_detail.html",
        "investigations/import_entities_progress.html",
    )
    return render(request, template, _import_context(job))


@login_required
def entity_import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    """The import's per-row errors as a CSV file."""
    job = imports.get_import(_user(request), pk)
    response = HttpResponse(imports.errors_csv(job), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="entity-import-{job.pk}-errors.csv"'
    return response
