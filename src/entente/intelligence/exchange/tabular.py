"""CSV files of reports, read with a column mapping (report field -> column of the file).

The file must be UTF-8 (with or without the byte-order mark Excel writes) and CSV with a
header row; commas, semicolons (French spreadsheets) and tabs are told apart from the header.
Rows are numbered as a spreadsheet shows them: the header is row 1, the first report row 2.
Lists in a cell (releasability, recipients) are separated by ``|``, commas or spaces; entity
cells by ``|`` only, since names hold commas and spaces.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from entente.intelligence.choices import EntityKind
from entente.intelligence.exchange.rows import (
    ImportedEntity,
    RowInput,
    normalise_identifier,
    parse_classification,
    parse_releasability,
    parse_tlp,
    split_list,
)

DELIMITERS = ",;\t"


@dataclass(frozen=True)
class Target:
    """A report field a column can be mapped to."""

    name: str
    label: str | Promise
    required: bool = False
    # Header names (case and accents aside) a column is recognised by when none is chosen.
    aliases: tuple[str, ...] = ()


TARGETS = [
    Target("title", gettext_lazy("Title"), True, ("title", "titre", "name")),
    Target("body", gettext_lazy("Text"), True, ("body", "text", "texte", "description")),
    Target("language", gettext_lazy("Language"), True, ("language", "lang", "langue")),
    Target("translated_title", gettext_lazy("Translated title"), aliases=("titre traduit",)),
    Target("translation", gettext_lazy("Translation"), aliases=("traduction",)),
    Target("translation_state", gettext_lazy("Translation state"), aliases=("etat traduction",)),
    Target("grading_scheme", gettext_lazy("Grading scheme"), aliases=("scheme", "grille")),
    Target("source_grade", gettext_lazy("Source grade"), aliases=("source",)),
    Target(
        "information_grade",
        gettext_lazy("Intelligence grade"),
        aliases=("intelligence", "information", "intelligence_grade"),
    ),
    Target("handling_code", gettext_lazy("Handling code"), aliases=("handling",)),
    Target("handling_conditions", gettext_lazy("Handling conditions"), aliases=("conditions",)),
    Target("classification", gettext_lazy("Classification"), aliases=("classification",)),
    Target(
        "releasability",
        gettext_lazy("Releasable to"),
        aliases=("releasable_to", "releasable to", "diffusable a"),
    ),
    Target("tlp", "TLP", aliases=("tlp",)),
    Target("recipients", gettext_lazy("Recipients"), aliases=("destinataires",)),
    Target("people", gettext_lazy("People"), aliases=("person", "persons", "personnes")),
    Target("vehicles", gettext_lazy("Vehicles"), aliases=("vehicle", "vehicules", "plates")),
    Target("phones", gettext_lazy("Phones"), aliases=("phone", "telephones")),
    Target("companies", gettext_lazy("Companies"), aliases=("company", "societes")),
    Target("places", gettext_lazy("Places"), aliases=("place", "lieux")),
]
TARGETS_BY_NAME = {t.name: t for t in TARGETS}
ENTITY_TARGETS = {
    "people": EntityKind.PERSON,
    "vehicles": EntityKind.VEHICLE,
    "phones": EntityKind.PHONE,
    "companies": EntityKind.COMPANY,
    "places": EntityKind.PLACE,
}
TEXT_TARGETS = (
    "title",
    "body",
    "translated_title",
    "translation",
    "handling_conditions",
)
CODE_TARGETS = ("grading_scheme", "translation_state", "language")
GRADE_TARGETS = ("source_grade", "information_grade", "handling_code")


@dataclass(frozen=True)
class Table:
    """A CSV file read whole: its header and its records (blank lines left out), each with
    the row number a spreadsheet shows."""

    header: list[str]
    records: list[tuple[int, list[str]]]


def _key(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in folded if not unicodedata.combining(ch)).strip()


def read_csv(data: bytes) -> Table:
    """The file as a table, or a ValidationError (translated) saying why it is not CSV."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            _(
                "The file is not UTF-8 text (byte {position} is not valid UTF-8). Save it as "
                "“CSV UTF-8” and upload it again."
            ).format(position=exc.start + 1)
        ) from None
    if "\x00" in text:
        raise ValidationError(_("The file is not a CSV file (it holds binary data)."))
    first_line = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=first_line.count)
    if not first_line.count(delimiter):
        raise ValidationError(_("The file is not a CSV file: its first row has only one column."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise ValidationError(
            _("The file is not valid CSV (line {line}: {reason}).").format(
                line=reader.line_num, reason=exc
            )
        ) from None
    header = [name.strip() for name in rows[0]] if rows else []
    if not header or any(not name for name in header):
        raise ValidationError(_("The CSV file's first row must name every column."))
    if len({_key(n) for n in header}) != len(header):
        raise ValidationError(_("Two columns of the CSV file have the same name."))
    records = [
        (number, row)
        for number, row in enumerate(rows[1:], start=2)
        if any(cell.strip() for cell in row)
    ]
    if not records:
        raise ValidationError(_("The CSV file has no report rows under its header."))
    return Table(header, records)


def guess_mapping(header: list[str], targets: Sequence[Any] | None = None) -> dict[str, str]:
    """Field -> column, for the columns whose names say what they hold: the report fields, or
    another import's ``targets`` (each with a ``name``, a ``label`` and ``aliases``)."""
    by_key = {_key(name): name for name in header}
    mapping: dict[str, str] = {}
    for target in TARGETS if targets is None else targets:
        for alias in (target.name, _key(str(target.label)), *target.aliases):
            column = by_key.get(_key(alias))
            if column is not None and column not in mapping.values():
                mapping[target.name] = column
                break
    return mapping


def validate_mapping(mapping: Any, header: list[str]) -> dict[str, str]:
    """The mapping without its empty choices, or a ValidationError naming what is wrong."""
    if not isinstance(mapping, dict):
        raise ValidationError(_("The column mapping must map report fields to columns."))
    clean = {str(k): str(v) for k, v in mapping.items() if v not in (None, "")}
    errors: list[str] = []
    for name, column in clean.items():
        if name not in TARGETS_BY_NAME:
            errors.append(_("{field} is not a report field.").format(field=name))
        elif column not in header:
            errors.append(
                _("The file has no column {column} (for {field}).").format(
                    column=column, field=TARGETS_BY_NAME[name].label
                )
            )
    for target in TARGETS:
        if target.required and target.name not in clean:
            errors.append(_("Choose the column that holds {field}.").format(field=target.label))
    if errors:
        raise ValidationError(errors)
    return clean


def row_from_record(
    number: int, record: list[str], header: list[str], mapping: dict[str, str]
) -> RowInput:
    row = RowInput(number=number)
    if len(record) != len(header):
        row.errors[""] = _("This row has {found} columns; the header has {expected}.").format(
            found=len(record), expected=len(header)
        )
        return row
    cells = dict(zip(header, record, strict=True))

    def cell(name: str) -> str:
        column = mapping.get(name)
        return cells[column].strip() if column else ""

    for name in TEXT_TARGETS:
        if name in mapping:
            row.fields[name] = cell(name)
    for name in CODE_TARGETS:
        if cell(name):
            row.fields[name] = cell(name).lower()
    for name in GRADE_TARGETS:
        if cell(name):
            row.fields[name] = cell(name).upper()
    if "language" in mapping:
        row.fields.setdefault("language", "")
    if cell("classification"):
        row.parse("classification", cell("classification"), parse_classification)
    if cell("releasability"):
        row.parse("releasability", cell("releasability"), parse_releasability)
    if cell("tlp"):
        row.parse("tlp", cell("tlp"), parse_tlp)
    row.recipients = split_list(cell("recipients"))
    for name, kind in ENTITY_TARGETS.items():
        for item in cell(name).split("|"):
            if item.strip():
                row.entities.append(
                    ImportedEntity(
                        kind=kind,
                        name=item.strip(),
                        identifier=normalise_identifier(kind, item)
                        if kind in (EntityKind.PHONE, EntityKind.VEHICLE)
                        else "",
                    )
                )
    return row


def rows_from_table(
    table: Table, mapping: dict[str, str], start: int = 0, stop: int | None = None
) -> list[RowInput]:
    """Records ``start`` to ``stop`` (0-based) as rows to import."""
    return [
        row_from_record(number, record, table.header, mapping)
        for number, record in table.records[start:stop]
    ]
