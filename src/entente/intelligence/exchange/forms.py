"""Forms of the exchange pages: the upload, and the column mapping of a CSV file."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from entente.core.forms import StyledMixin
from entente.intelligence.choices import ImportKind
from entente.intelligence.exchange.tabular import TARGETS


class UploadForm(StyledMixin, forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("A STIX 2.1 bundle (.json) or a CSV file of reports in UTF-8 (.csv)."),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("Tell from the file")), *ImportKind.choices],
        required=False,
    )

    def __init__(self, *args: Any, max_bytes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        # Refused before it is read into memory; the service checks the bytes again.
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                _("The file is larger than {size} MB.").format(
                    size=round(self.max_bytes / 1024 / 1024, 1)
                )
            )
        return upload


class MappingForm(StyledMixin, forms.Form):
    """One select per report field, offering the file's columns."""

    def __init__(
        self, *args: Any, header: list[str], initial_mapping: dict[str, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        columns = [("", _("— not in the file —")), *((h, h) for h in header)]
        for target in TARGETS:
            self.fields[target.name] = forms.ChoiceField(
                label=str(target.label),
                choices=columns,
                required=target.required,
                initial=initial_mapping.get(target.name, ""),
            )

    def mapping(self) -> dict[str, str]:
        return {k: v for k, v in self.cleaned_data.items() if v}
