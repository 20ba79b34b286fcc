"""What an import reads from a file, whatever the format: one ``RowInput`` per report.

The readers parse the markings' many spellings (``OFFICIAL-SENSITIVE``, ``Diffusion
Restreinte``, ``20``; ``TLP:AMBER``, ``amber``; ``FR|UK``, ``GB``) into Entente's values here,
so that a STIX bundle and a CSV file are held to the same rules by the same code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from entente.core.choices import CLASSIFICATION_NAMES, TLP
from entente.intelligence.choices import EntityKind

# ISO 3166-1 calls the United Kingdom GB; Entente's country code is UK (as in the agreements).
ISO_TO_ENTENTE = {"GB": "UK"}
ENTENTE_TO_ISO = {v: k for k, v in ISO_TO_ENTENTE.items()}

# TLP 1.0's WHITE is TLP 2.0's CLEAR; other names are the same in both versions.
TLP_ALIASES = {"WHITE": TLP.CLEAR}

LIST_SEPARATORS = re.compile(r"[|,;\s]+")


@dataclass
class ImportedEntity:
    """A subject entity of an imported report."""

    kind: str
    name: str
    identifier: str = ""
    country: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass
class RowInput:
    """One report to import: its values (the names of ``Report``'s fields), its entities, the
    recipients it names, and the faults found while reading it (field -> message)."""

    number: int
    fields: dict[str, Any] = field(default_factory=dict)
    entities: list[ImportedEntity] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    def parse(self, name: str, value: Any, parser: Any) -> None:
        """Set ``fields[name]`` to ``parser(value)``, or note the parser's refusal."""
        try:
            self.fields[name] = parser(value)
        except ValidationError as exc:
            self.errors[name] = " ".join(exc.messages)


def split_list(text: str) -> list[str]:
    """ "FR|UK", "FR, UK", "FR UK" -> ["FR", "UK"]."""
    return [item for item in LIST_SEPARATORS.split(text.strip()) if item]


def to_entente_country(code: str) -> str:
    code = code.strip().upper()
    return ISO_TO_ENTENTE.get(code, code)


def to_iso_country(code: str) -> str:
    return ENTENTE_TO_ISO.get(code, code)


def parse_classification(value: Any) -> int:
    """A level (10, 20, 30) or its UK or French name, in any case."""
    text = str(value).strip()
    if text.isdigit() and int(text) in CLASSIFICATION_NAMES:
        return int(text)
    wanted = text.casefold().replace("_", "-")
    for level, names in CLASSIFICATION_NAMES.items():
        if wanted in {n.casefold() for n in names.values()}:
            return level
    raise ValidationError(
        _("Unknown classification {value}: use OFFICIAL, OFFICIAL-SENSITIVE or SECRET.").format(
            value=text
        )
    )


def parse_tlp(value: Any) -> str:
    """ "TLP:AMBER+STRICT", "amber+strict", "WHITE" (TLP 1.0) -> Entente's TLP value."""
    text = str(value).strip().upper().removeprefix("TLP:").replace(" ", "")
    text = TLP_ALIASES.get(text, text)
    if text not in TLP.values:
        raise ValidationError(
            _("Unknown TLP {value}: use CLEAR, GREEN, AMBER, AMBER+STRICT or RED.").format(
                value=str(value).strip()
            )
        )
    return text


def parse_releasability(value: Any) -> list[str]:
    """Country codes in a list or one text ("FR|UK", "FR,GB"), ISO's GB read as UK."""
    items = value if isinstance(value, list) else split_list(str(value))
    codes = sorted({to_entente_country(str(item)) for item in items if str(item).strip()})
    for code in codes:
        if len(code) != 2 or not code.isalpha():
            raise ValidationError(_("{code} is not a two-letter country code.").format(code=code))
    return codes


def normalise_identifier(kind: str, text: str) -> str:
    """The entity's normalised key: a plate without spaces or dashes, a phone's digits with
    its leading +; other kinds as given."""
    text = text.strip()
    if kind == EntityKind.VEHICLE:
        return re.sub(r"[\s\-]", "", text).upper()
    if kind == EntityKind.PHONE:
        digits = re.sub(r"\D", "", text)
        if text.startswith("+"):
            return "+" + digits
        if digits.startswith("00"):
            return "+" + digits[2:]
        return digits
    return text
