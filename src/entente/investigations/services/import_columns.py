"""The columns of an entity import: the fields a column can be mapped to (with the header
names they are recognised by), and the checks of a mapping before anything is written.

Used by ``entente.investigations.services.imports`` (the job) and its pages, API and command.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from entente.intelligence.exchange import tabular


@dataclass(frozen=True)
class Target:
    """A field a column can be mapped to."""

    name: str
    label: str | Promise
    aliases: tuple[str, ...] = ()
    group: str = "entity"


TARGETS = [
    Target("kind", gettext_lazy("Kind"), ("type", "genre", "nature")),
    Target("name", gettext_lazy("Name"), ("nom",)),
    Target("identifier", gettext_lazy("Identifier"), ("id", "key", "identifiant", "number")),
    Target("country", gettext_lazy("Country"), ("pays",)),
    Target("given_name", gettext_lazy("Given name"), ("first_name", "prenom", "forename")),
    Target("family_name", gettext_lazy("Family name"), ("last_name", "surname", "nom de famille")),
    Target("birth_date", gettext_lazy("Date of birth"), ("dob", "date de naissance", "born")),
    Target(
        "birth_date_estimated",
        gettext_lazy("Date of birth estimated"),
        ("estimated", "date estimee"),
    ),
    Target("nationality", gettext_lazy("Nationality"), ("nationalite",)),
    Target("gender", gettext_lazy("Gender"), ("sex", "sexe", "genre")),
    Target("plate", gettext_lazy("Plate"), ("registration", "immatriculation")),
    Target("vehicle_type", gettext_lazy("Vehicle type"), ("type de vehicule",)),
    Target("haulier", gettext_lazy("Haulier"), ("transporteur",)),
    Target("bank", gettext_lazy("Bank"), ("banque",)),
    Target("classification", gettext_lazy("Classification"), group="marking"),
    Target(
        "releasability",
        gettext_lazy("Releasable to"),
        ("releasable_to", "releasable to", "diffusable a"),
        group="marking",
    ),
    Target("tlp", "TLP", group="marking"),
    Target("link_kind", gettext_lazy("Link"), ("link", "lien", "relation"), group="link"),
    Target("other_kind", gettext_lazy("Other end: kind"), ("other kind",), group="link"),
    Target("other_name", gettext_lazy("Other end: name"), ("other", "other name"), group="link"),
    Target(
        "other_identifier",
        gettext_lazy("Other end: identifier"),
        ("other identifier", "other id"),
        group="link",
    ),
    Target("other_country", gettext_lazy("Other end: country"), ("other country",), group="link"),
    Target("starts_on", gettext_lazy("Link from date"), ("from", "start", "debut"), group="link"),
    Target("ends_on", gettext_lazy("Link to date"), ("to", "end", "fin"), group="link"),
    Target("confidence", gettext_lazy("Confidence"), ("confiance",), group="link"),
    Target("report", gettext_lazy("Report reference"), ("report", "rapport"), group="link"),
    Target("source_note", gettext_lazy("Source note"), ("note", "source"), group="link"),
]
TARGETS_BY_NAME = {t.name: t for t in TARGETS}
ATTRIBUTE_TARGETS = (
    "given_name",
    "family_name",
    "birth_date",
    "birth_date_estimated",
    "nationality",
    "gender",
    "plate",
    "vehicle_type",
    "haulier",
    "bank",
)
LINK_REQUIRED = ("link_kind", "other_kind")


# Mapping ----------------------------------------------------------------------------------


def parse_mapping_text(text: str) -> dict[str, str]:
    """The command's ``col=field,col=field`` as field -> column; ValidationError when a
    pair is not ``column=field``."""
    mapping: dict[str, str] = {}
    for pair in (p for p in text.split(",") if p.strip()):
        column, sep, name = pair.partition("=")
        if not sep or not column.strip() or not name.strip():
            raise ValidationError(
                _("{pair} is not column=field in the mapping.").format(pair=pair.strip())
            )
        mapping[name.strip()] = column.strip()
    return mapping


def guess_mapping(header: list[str]) -> dict[str, str]:
    """Field -> column, for the columns whose names say what they hold (the reports'
    import's rule, over the entity and link fields)."""
    return tabular.guess_mapping(header, TARGETS)


def validate_mapping(mapping: Any, header: list[str], *, default_kind: str = "") -> dict[str, str]:
    """The mapping without its empty choices, or a ValidationError listing what is wrong: a
    field that is not one, a column the file lacks, a column the import needs left out."""
    if not isinstance(mapping, dict):
        raise ValidationError(_("The column mapping must map entity fields to columns."))
    clean = {str(k): str(v) for k, v in mapping.items() if v not in (None, "")}
    errors: list[str] = []
    for name, column in clean.items():
        if name not in TARGETS_BY_NAME:
            errors.append(_("{field} is not an entity or link field.").format(field=name))
        elif column not in header:
            errors.append(
                _("The file has no column {column} (for {field}).").format(
                    column=column, field=TARGETS_BY_NAME[name].label
                )
            )
    if "kind" not in clean and not default_kind:
        errors.append(
            _("Choose the column that holds {field}, or one kind for every row.").format(
                field=TARGETS_BY_NAME["kind"].label
            )
        )
    if not {"name", "identifier", "given_name", "family_name", "plate"} & set(clean):
        errors.append(
            _("Choose the column that holds {field}.").format(field=TARGETS_BY_NAME["name"].label)
        )
    link_fields = {t.name for t in TARGETS if t.group == "link"} & set(clean)
    if link_fields:
        for name in LINK_REQUIRED:
            if name not in clean:
                errors.append(
                    _("Links need the column that holds {field}.").format(
                        field=TARGETS_BY_NAME[name].label
                    )
                )
        if not {"other_name", "other_identifier"} & set(clean):
            errors.append(
                _("Links need the column that holds {field}.").format(
                    field=TARGETS_BY_NAME["other_name"].label
                )
            )
    if errors:
        raise ValidationError(errors)
    return clean
