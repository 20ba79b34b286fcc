"""Forms of the control room. They check the form of the input; the services hold the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from entente.control_room.choices import Concealment, ImmediateNeed, OutcomeResult, VehicleType
from entente.control_room.services.outcomes import (
    MAX_HAULIER,
    MAX_NOTE,
    MAX_NOTES,
    MAX_PEOPLE,
    MAX_PLATE,
    OutcomeInput,
)
from entente.core.forms import StyledMixin

# The fields whose errors must stay in sight: the people's part of the form is folded away
# unless "People found" is chosen, but not while it holds a refusal.
PEOPLE_FIELDS = ("result", "adults", "minors", "injured", "needs")


def _count(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, min_value=0, max_value=MAX_PEOPLE, required=False, initial=0
    )


class OutcomeForm(StyledMixin, forms.Form):
    """What was found, recorded as the incident closes. Counts only: no names, on purpose."""

    result = forms.ChoiceField(
        label=_("What was found"),
        choices=OutcomeResult.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    adults = _count(_("Adults"))
    minors = _count(_("Minors"))
    injured = _count(_("Of them, hurt"))
    needs = forms.MultipleChoiceField(
        label=_("Immediate needs"),
        choices=ImmediateNeed.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    vehicle_plate = forms.CharField(
        label=_("Registration plate"), max_length=MAX_PLATE, required=False
    )
    vehicle_country = forms.CharField(
        label=_("Country of registration"),
        max_length=2,
        required=False,
        help_text=_("Two letters: FR, GB, PL…"),
        widget=forms.TextInput(attrs={"size": 3, "autocapitalize": "characters"}),
    )
    vehicle_type = forms.ChoiceField(
        label=_("Vehicle type"), choices=[("", "—"), *VehicleType.choices], required=False
    )
    haulier = forms.CharField(label=_("Haulier"), max_length=MAX_HAULIER, required=False)
    concealment = forms.ChoiceField(
        label=_("Concealment method"), choices=[("", "—"), *Concealment.choices], required=False
    )
    notes = forms.CharField(
        label=_("Notes"),
        max_length=MAX_NOTES,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("No names or other identity of the people found: safeguarding records them."),
    )

    @property
    def people_errors(self) -> bool:
        return self.is_bound and any(name in self.errors for name in PEOPLE_FIELDS)

    def outcome(self) -> OutcomeInput:
        """The cleaned data as the service takes it (an empty count is zero)."""
        data = self.cleaned_data
        return OutcomeInput(
            result=data["result"],
            adults=data["adults"] or 0,
            minors=data["minors"] or 0,
            injured=data["injured"] or 0,
            needs=tuple(data["needs"]),
            vehicle_plate=data["vehicle_plate"],
            vehicle_country=data["vehicle_country"],
            vehicle_type=data["vehicle_type"],
            haulier=data["haulier"],
            concealment=data["concealment"],
            notes=data["notes"],
        )


class VehicleReportForm(StyledMixin, forms.Form):
    note = forms.CharField(
        label=_("Note for the analysts"),
        max_length=MAX_NOTE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
