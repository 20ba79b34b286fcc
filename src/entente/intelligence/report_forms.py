"""Forms of the reports area: writing and editing a report, attaching a file, re-grading.

The forms parse; the services validate (one place for the rules), and their refusals come
back on the form through ``core.forms.apply_validation_error``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from entente.core.choices import TLP, Classification, Language
from entente.core.forms import StyledMixin
from entente.core.models import Country, User
from entente.intelligence import grading
from entente.intelligence.choices import EntityKind, EntityRole, GradingScheme, TranslationState
from entente.intelligence.services.entities import EntityInput
from entente.intelligence.services.reports import MAX_BODY, MAX_TITLE


def _grade_choices(table: dict[str, dict[str, Any]]) -> list[tuple[Any, Any]]:
    """Both schemes' grades in one list, grouped by scheme (their codes do not overlap)."""
    groups: list[tuple[Any, Any]] = [("", "—")]
    for scheme, grades in table.items():
        groups.append(
            (
                GradingScheme(scheme).label,
                [(code, format_lazy("{} – {}", code, label)) for code, label in grades.items()],
            )
        )
    return groups


def _kind(text: str) -> str | None:
    text = text.strip().lower()
    for value, label in EntityKind.choices:
        if text in (value, str(label).lower()):
            return str(value)
    return None


def parse_entities(text: str) -> list[EntityInput]:
    """One entity a line: "kind; name; identifier; country" (the last two may be left out).
    The kind is its code or its label in either language (person, personne, ...)."""
    items = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(";")]
        kind = _kind(parts[0])
        if kind is None or len(parts) < 2 or not parts[1]:
            raise ValidationError(
                _(
                    "Line {number}: write the kind (person, vehicle, phone, company or place), "
                    "then the name, separated by a semicolon."
                ).format(number=number)
            )
        items.append(
            EntityInput(
                kind=kind,
                name=parts[1][:200],
                identifier=(parts[2] if len(parts) > 2 else "")[:100],
                country=(parts[3] if len(parts) > 3 else "")[:2],
                role=EntityRole.SUBJECT,
            )
        )
    return items


class GradeFields(forms.Form):
    """A grade in either scheme: the report's own, or a receiving side's re-grade."""

    grading_scheme = forms.ChoiceField(
        label=gettext_lazy("Grading scheme"), choices=GradingScheme.choices
    )
    source_grade = forms.ChoiceField(
        label=gettext_lazy("Source"), choices=_grade_choices(grading.SOURCE_GRADES)
    )
    information_grade = forms.ChoiceField(
        label=gettext_lazy("Intelligence"), choices=_grade_choices(grading.INFORMATION_GRADES)
    )
    handling_code = forms.ChoiceField(
        label=gettext_lazy("Handling code (3x5x2)"),
        required=False,
        choices=[
            ("", "—"),
            *((k, format_lazy("{} – {}", k, v)) for k, v in grading.HANDLING_CODES.items()),
        ],
    )


class ReportEditForm(StyledMixin, GradeFields):
    # The grade's fields (inherited) after the text's, as the page reads.
    field_order = [
        "title",
        "body",
        "language",
        "translated_title",
        "translation",
        "translation_state",
        *GradeFields.base_fields,
    ]

    title = forms.CharField(label=gettext_lazy("Title"), max_length=MAX_TITLE)
    body = forms.CharField(
        label=gettext_lazy("Text"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the text"), choices=Language.choices
    )
    translated_title = forms.CharField(
        label=gettext_lazy("Translated title"), max_length=MAX_TITLE, required=False
    )
    translation = forms.CharField(
        label=gettext_lazy("Translation"),
        max_length=MAX_BODY,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    translation_state = forms.ChoiceField(
        label=gettext_lazy("Translation state"), choices=TranslationState.choices
    )
    handling_conditions = forms.CharField(
        label=gettext_lazy("Handling conditions (code C)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    classification = forms.TypedChoiceField(
        label=gettext_lazy("Classification"), coerce=int, choices=Classification.choices
    )
    releasability = forms.MultipleChoiceField(
        label=gettext_lazy("Releasable to"), widget=forms.CheckboxSelectMultiple
    )
    tlp = forms.ChoiceField(label=gettext_lazy("TLP"), choices=TLP.choices, initial=TLP.AMBER)
    entities = forms.CharField(
        label=gettext_lazy("Entities"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "One a line: kind; name; identifier; country. For example: "
            "vehicle; Scania lorry; AB-123-CD; FR"
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["releasability"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(c.code, c.name) for c in Country.objects.all()]

    def clean_entities(self) -> list[EntityInput]:
        return parse_entities(self.cleaned_data.get("entities", ""))

    def report_fields(self) -> dict[str, Any]:
        """The cleaned values as the services take them."""
        data = dict(self.cleaned_data)
        data.pop("entities", None)
        data.pop("cites", None)
        data.pop("recipients", None)
        return data


class ReportForm(ReportEditForm):
    cites = forms.CharField(
        label=gettext_lazy("Cites (references)"),
        required=False,
        max_length=2000,
        help_text=gettext_lazy(
            "For a derived product: the references of the reports it draws on, separated by "
            "commas. It takes their highest marking."
        ),
    )
    recipients = forms.CharField(
        label=gettext_lazy("Named recipients (user names)"),
        required=False,
        max_length=2000,
        help_text=gettext_lazy("Required for TLP:RED: the people the report is for."),
    )

    def clean_recipients(self) -> list[User]:
        names = {n.strip() for n in self.cleaned_data.get("recipients", "").split(",")}
        names.discard("")
        found = list(
            User.objects.select_related("agency__country").filter(
                username__in=names, is_active=True
            )
        )
        missing = names - {u.username for u in found}
        if missing:
            raise ValidationError(
                _("Unknown user: {names}.").format(names=", ".join(sorted(missing)))
            )
        return found

    def clean_cites(self) -> list[str]:
        refs = [r.strip() for r in self.cleaned_data.get("cites", "").split(",")]
        return [r for r in refs if r]


class AttachmentForm(StyledMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("PDF, PNG, JPEG, text, CSV or Word (.docx), up to the size limit."),
    )


class RegradeForm(StyledMixin, GradeFields):
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
