"""Forms of the core app: log-in, second factor, profile, bulletins, audit filters."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from entente.core.choices import TLP, AuditAction, Classification, Language
from entente.core.models import Country

ZONES = ["Europe/Paris", "Europe/London", "UTC"]


def apply_validation_error(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's refusal on the form: field errors on their fields, others on top.

    Services validate (they are the one place the rules live); views call them with the
    form's cleaned data and hand any ValidationError back to the person through this.
    """
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class StyledMixin:
    """Give widgets Bootstrap's classes (errors are tied to fields in includes/form_fields.html)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class LoginForm(StyledMixin, AuthenticationForm):
    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if user.is_service_account:
            raise forms.ValidationError(
                _("Service accounts use API tokens; they cannot log in here."), code="service"
            )


class TokenForm(StyledMixin, forms.Form):
    token = forms.RegexField(
        label=_("Code from your authenticator app"),
        regex=r"^\d{6}$",
        error_messages={"invalid": _("Enter the six digits your app shows.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class ProfileForm(StyledMixin, forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    timezone = forms.ChoiceField(label=_("Time zone"), choices=[(z, z) for z in ZONES])

    def clean_timezone(self) -> str:
        value: str = self.cleaned_data["timezone"]
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise forms.ValidationError(_("Unknown time zone.")) from None
        return value


class BulletinForm(StyledMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 6}), max_length=20000
    )
    language = forms.ChoiceField(label=_("Language of the text"), choices=Language.choices)
    translation = forms.CharField(
        label=_("Translation"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    classification = forms.TypedChoiceField(
        label=_("Classification"), coerce=int, choices=Classification.choices
    )
    releasability = forms.MultipleChoiceField(
        label=_("Releasable to"), widget=forms.CheckboxSelectMultiple
    )
    tlp = forms.ChoiceField(label=_("TLP"), choices=TLP.choices, initial=TLP.GREEN)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["releasability"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(c.code, c.name) for c in Country.objects.all()]


class BulletinEditForm(StyledMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 6}), max_length=20000
    )
    translation = forms.CharField(
        label=_("Translation"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class AuditFilterForm(StyledMixin, forms.Form):
    actor = forms.CharField(label=_("Actor"), required=False, max_length=150)
    agency = forms.CharField(label=_("Agency"), required=False, max_length=32)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("Any")), *AuditAction.choices]
    )
    object_type = forms.CharField(label=_("Object type"), required=False, max_length=100)
    object_id = forms.CharField(label=_("Object"), required=False, max_length=64)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
