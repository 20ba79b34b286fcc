"""Forms of the care pages: places, allocations, day-centre counts, pathways, campaigns.

They parse and label; the rules live in the services (entente.safeguarding.services.*), whose
refusals are shown on the form through ``apply_validation_error``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from entente.core.forms import StyledMixin
from entente.core.models import Agency, User
from entente.safeguarding.choices import (
    CampaignLanguage,
    Channel,
    Milestone,
    PathwayKind,
    PlaceCategory,
)
from entente.safeguarding.services import accommodation, campaigns


class UserChoices(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        name = obj.get_full_name() or obj.username
        return f"{name} ({obj.agency.code})" if obj.agency_id else str(name)


def _safeguarding_users() -> Any:
    return (
        User.objects.filter(
            is_active=True, agency__isnull=False, module_roles__module="safeguarding"
        )
        .select_related("agency")
        .distinct()
        .order_by("username")
    )


class PlaceForm(StyledMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    town = forms.CharField(label=_("Town"), max_length=100)
    address = forms.CharField(
        label=_("Confidential address"),
        max_length=accommodation.MAX_ADDRESS,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Seen only by you and the people named below; never in lists or exports."),
    )
    capacity_women_children = forms.IntegerField(
        label=_("Places for women and children"), min_value=0, initial=0
    )
    capacity_families = forms.IntegerField(label=_("Places for families"), min_value=0, initial=0)
    capacity_men = forms.IntegerField(label=_("Places for men"), min_value=0, initial=0)
    address_known_to = UserChoices(
        label=_("Who must know the address"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Hold Ctrl (or Cmd) to choose several."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["address_known_to"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = _safeguarding_users()


class PlaceEditForm(StyledMixin, forms.Form):
    capacity_women_children = forms.IntegerField(
        label=_("Places for women and children"), min_value=0
    )
    capacity_families = forms.IntegerField(label=_("Places for families"), min_value=0)
    capacity_men = forms.IntegerField(label=_("Places for men"), min_value=0)
    active = forms.BooleanField(label=_("Open"), required=False)

    def __init__(self, *args: Any, knows_address: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if knows_address:
            self.fields["address"] = forms.CharField(
                label=_("Confidential address"),
                max_length=accommodation.MAX_ADDRESS,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
            )
            self.fields["address_known_to"] = UserChoices(
                label=_("Who must know the address"),
                queryset=_safeguarding_users(),
                required=False,
                widget=forms.SelectMultiple(attrs={"class": "form-select"}),
            )


class AllocationForm(StyledMixin, forms.Form):
    case_code = forms.CharField(
        label=_("Case code"), max_length=20, help_text=_("The person's case code, not a name.")
    )
    category = forms.ChoiceField(label=_("Category"), choices=PlaceCategory.choices)


class PeriodForm(StyledMixin, forms.Form):
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ServiceDayForm(StyledMixin, forms.Form):
    """One short line per day: the day and four counts, in the order they are read out."""

    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    meals = forms.IntegerField(label=_("Meals"), min_value=0, initial=0)
    showers = forms.IntegerField(label=_("Showers"), min_value=0, initial=0)
    charging = forms.IntegerField(label=_("Phone charges"), min_value=0, initial=0)
    consultations = forms.IntegerField(label=_("Medical consultations"), min_value=0, initial=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("meals", "showers", "charging", "consultations"):
            self.fields[name].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})
        self.fields["meals"].widget.attrs["autofocus"] = True


class PathwayForm(StyledMixin, forms.Form):
    case_code = forms.CharField(label=_("Case code"), max_length=20)
    kind = forms.ChoiceField(label=_("Pathway"), choices=PathwayKind.choices)
    started_on = forms.DateField(label=_("Started"), widget=forms.DateInput(attrs={"type": "date"}))
    partner = forms.ModelChoiceField(
        label=_("Partner organisation"),
        queryset=Agency.objects.order_by("code"),
        required=False,
        help_text=_("For a voluntary return: the organisation that arranges it (e.g. IOM)."),
    )


class MilestoneForm(StyledMixin, forms.Form):
    milestone = forms.ChoiceField(label=_("Milestone"), choices=Milestone.choices)
    reached_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    partner = forms.ModelChoiceField(
        label=_("Partner organisation"), queryset=Agency.objects.order_by("code"), required=False
    )


class CampaignForm(StyledMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=campaigns.MAX_TITLE)
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    channels = forms.MultipleChoiceField(
        label=_("Channels"), choices=Channel.choices, widget=forms.CheckboxSelectMultiple
    )
    starts_on = forms.DateField(label=_("Starts"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(
        label=_("Ends"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, label in CampaignLanguage.choices:
            self.fields[f"message_{code}"] = forms.CharField(
                label=_("Message in %(language)s") % {"language": label},
                required=False,
                max_length=campaigns.MAX_TEXT,
                widget=forms.Textarea(
                    attrs={
                        "rows": 3,
                        "class": "form-control",
                        "lang": campaigns.lang_tag(code),
                        "dir": campaigns.direction(code),
                    }
                ),
            )

    def service_fields(self) -> dict[str, Any]:
        """The cleaned fields as the campaign services take them (one message per language;
        an empty one removes that language)."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "summary": data["summary"],
            "channels": data["channels"],
            "starts_on": data["starts_on"],
            "ends_on": data["ends_on"],
            "messages": {c: data.get(f"message_{c}", "") for c in CampaignLanguage.values},
        }


class ReachForm(StyledMixin, forms.Form):
    reach = forms.IntegerField(label=_("People reached"), min_value=0)
