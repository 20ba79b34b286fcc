"""Forms of the people pages: a person, a screening, a consent, a referral, a consultation's
purpose, the list filters, and the rows of a handover taken up."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from entente.core.forms import StyledMixin
from entente.core.models import Agency, Country
from entente.safeguarding.choices import (
    AgeBand,
    Gender,
    PlaceCategory,
    Purpose,
    ReferralState,
    Vulnerability,
)
from entente.safeguarding.models import Place
from entente.safeguarding.services import people
from entente.safeguarding.services.referrals import receiving_agencies


def _codes(value: str) -> list[str]:
    return [c.strip().lower() for c in value.replace(";", ",").split(",") if c.strip()]


class AgencyChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.country_id and obj.country.code})"


class PlaceChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}, {obj.town}"


class PersonForm(StyledMixin, forms.Form):
    age_band = forms.ChoiceField(
        label=_("Age band"), required=False, choices=[("", "—"), *AgeBand.choices]
    )
    estimated_age = forms.IntegerField(
        label=_("Estimated age"), required=False, min_value=0, max_value=120
    )
    age_disputed = forms.BooleanField(label=_("Age disputed"), required=False)
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices)
    languages = forms.CharField(
        label=_("Languages"),
        required=False,
        help_text=_("Codes separated by commas: ar, ti, ps, prs, ku, am, fr, en."),
    )
    nationality = forms.CharField(
        label=_("Nationality (declared)"),
        required=False,
        max_length=2,
        help_text=_("A two-letter country code, as the person declares it."),
    )
    indicators = forms.MultipleChoiceField(
        label=_("Vulnerability indicators"),
        required=False,
        choices=Vulnerability.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    details = forms.CharField(
        label=_("Vulnerability details"),
        required=False,
        max_length=people.MAX_DETAILS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Encrypted; read only by safeguarding staff outside law enforcement."),
    )
    name = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=people.MAX_NAME,
        help_text=_("Only when it is needed, and then say why."),
    )
    name_purpose = forms.CharField(
        label=_("Why the name is kept"), required=False, max_length=people.MAX_PURPOSE
    )
    birth_date = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Only when known; an age band is enough otherwise."),
    )

    def to_input(self) -> people.PersonInput:
        data = self.cleaned_data
        return people.PersonInput(
            age_band=data["age_band"],
            estimated_age=data["estimated_age"],
            age_disputed=data["age_disputed"],
            gender=data["gender"],
            languages=_codes(data["languages"]),
            nationality=data["nationality"],
            name=data["name"],
            name_purpose=data["name_purpose"],
            birth_date=data["birth_date"],
            indicators=data["indicators"],
            details=data["details"],
        )


class PurposeForm(StyledMixin, forms.Form):
    purpose = forms.CharField(
        label=_("Why are you consulting this record?"),
        max_length=200,
        help_text=_("Recorded in the audit trail with your name."),
    )


class ScreeningForm(StyledMixin, forms.Form):
    place = forms.CharField(label=_("Where"), max_length=people.MAX_PLACE)
    language = forms.CharField(
        label=_("Language used"), max_length=3, help_text=_("A two- or three-letter code.")
    )
    indicators = forms.MultipleChoiceField(
        label=_("Indicators found"),
        required=False,
        choices=Vulnerability.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=people.MAX_DETAILS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ConsentForm(StyledMixin, forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices)
    country = forms.ModelChoiceField(
        label=_("Recipient country"),
        queryset=Country.objects.order_by("code"),
        to_field_name="code",
    )
    given = forms.TypedChoiceField(
        label=_("The person"),
        coerce=lambda v: v == "yes",
        choices=[("yes", _("consents")), ("no", _("declines"))],
    )
    language = forms.CharField(
        label=_("Explained in"), max_length=3, help_text=_("A two- or three-letter code.")
    )


class ReferralForm(StyledMixin, forms.Form):
    purpose = forms.ChoiceField(label=_("Referral to"), choices=Purpose.choices)
    to_agency = AgencyChoiceField(
        label=_("Receiving organisation"),
        required=False,
        queryset=Agency.objects.none(),
        help_text=_("For protected accommodation, the place's organisation."),
    )
    place = PlaceChoiceField(
        label=_("Protected place"), required=False, queryset=Place.objects.none()
    )
    first_responder = AgencyChoiceField(
        label=_("First responder (NRM)"), required=False, queryset=Agency.objects.none()
    )
    anonymous = forms.BooleanField(
        label=_("Anonymous notification (an adult who declines the NRM)"), required=False
    )
    due_on = forms.DateField(
        label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(
        label=_("Why (encrypted)"),
        required=False,
        max_length=people.MAX_DETAILS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    override_reason = forms.CharField(
        label=_("Override: why refer without consent (approvers)"),
        required=False,
        max_length=people.MAX_DETAILS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agencies = receiving_agencies()
        for name in ("to_agency", "first_responder"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = agencies
        place = self.fields["place"]
        assert isinstance(place, forms.ModelChoiceField)
        place.queryset = Place.objects.visible_to(user).filter(active=True)


class MoveForm(forms.Form):
    state = forms.ChoiceField(choices=ReferralState.choices)
    category = forms.ChoiceField(required=False, choices=[("", "—"), *PlaceCategory.choices])


class PersonFilterForm(StyledMixin, forms.Form):
    age_band = forms.ChoiceField(
        label=_("Age band"),
        required=False,
        choices=[("", _("All")), ("minor", _("Minors")), *AgeBand.choices],
    )
    vulnerable = forms.ChoiceField(
        label=_("Vulnerable"),
        required=False,
        choices=[("", _("All")), ("yes", _("Yes")), ("no", _("No"))],
    )
    referral_state = forms.ChoiceField(
        label=_("Referral"),
        required=False,
        choices=[
            ("", _("All")),
            ("none", _("Not referred")),
            ("overdue", _("Overdue")),
            *ReferralState.choices,
        ],
    )


class ReferralFilterForm(StyledMixin, forms.Form):
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All")), *ReferralState.choices]
    )
    purpose = forms.ChoiceField(
        label=_("Referral to"), required=False, choices=[("", _("All")), *Purpose.choices]
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)


class FoundPersonForm(StyledMixin, forms.Form):
    age_band = forms.ChoiceField(label=_("Age band"), choices=AgeBand.choices)
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices)
    minor = forms.BooleanField(label=_("Minor"), required=False)
    languages = forms.CharField(label=_("Languages"), required=False)
    purpose = forms.ChoiceField(
        label=_("Refer to"), required=False, choices=[("", _("Not now")), *Purpose.choices]
    )
    to_agency = AgencyChoiceField(
        label=_("Receiving organisation"), required=False, queryset=Agency.objects.none()
    )
    place = PlaceChoiceField(
        label=_("Protected place"), required=False, queryset=Place.objects.none()
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency = self.fields["to_agency"]
        assert isinstance(agency, forms.ModelChoiceField)
        agency.queryset = receiving_agencies()
        place = self.fields["place"]
        assert isinstance(place, forms.ModelChoiceField)
        place.queryset = Place.objects.visible_to(user).filter(active=True)
