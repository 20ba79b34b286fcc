"""The two grading systems of intelligence, and the crosswalk between them.

**UK 3x5x2** (College of Policing, national intelligence report): the *source* is graded
1 (reliable), 2 (untested) or 3 (not reliable); the *intelligence* A (known directly to the
source), B (known indirectly but corroborated), C (known indirectly), D (not known) or
E (suspected to be false); the *handling code* is P (lawful sharing permitted) or C (lawful
sharing permitted with conditions, which are then written out).

**Admiralty / NATO code** (STANAG 2511, AJP-2.1; the code used in France): the *source* is
graded A (completely reliable) to E (unreliable), F when its reliability cannot be judged;
the *information* 1 (confirmed by other sources) to 5 (improbable), 6 when its truth cannot
be judged. There is no handling code.

The two do not measure quite the same things. The 3x5x2's intelligence grade says mostly
*how the source came to know* (directly, indirectly, corroborated); the Admiralty's
information grade says *how credible the information is*. The source scales also differ in
width (three steps against six). So the crosswalk below is explicit, row by row, and says
for each grade whether it maps one to one or not. Its rules:

* **Never overstate.** Where one grade could be several on the other side, the crosswalk
  takes the one that claims less (3x5x2 source 1 becomes B, never A: "reliable" does not
  establish "completely reliable"; Admiralty 2 becomes C, never A: "probably true" does not
  say the source knew it directly).
* **Say when there is no equivalent.** Admiralty information 4 (doubtful) has no 3x5x2 grade:
  D says how the source knows is unknown, E says the information is suspected false, and
  neither is "doubtful". The crosswalk gives none, and the receiving side must grade it
  itself (a re-grade, ``services.reports.regrade``).
* **"Cannot be judged" is only near "untested" / "not known".** Admiralty F and 6 are given
  as 2 and D, marked as nearest, not equivalent: F may be a known source whose reliability
  cannot be assessed, while 2 says the source has not been tested.
* **The handling code has no Admiralty counterpart.** A 3x5x2 handling code and its
  conditions travel with the report as a handling instruction; a report graded in the
  Admiralty code has no handling code, and the 3x5x2 side must set P or C itself.

A crosswalked grade is an aid to the reader, never a replacement: the original grade is kept,
and a receiving side that wants its own grade records a re-grade.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from entente.intelligence.choices import GradingScheme

UK = GradingScheme.UK_3X5X2
ADM = GradingScheme.ADMIRALTY

SOURCE = "source"
INFORMATION = "information"

# The grades of each scheme, in order (best first), with their labels.
SOURCE_GRADES: dict[str, dict[str, Promise]] = {
    UK: {
        "1": gettext_lazy("Reliable"),
        "2": gettext_lazy("Untested"),
        "3": gettext_lazy("Not reliable"),
    },
    ADM: {
        "A": gettext_lazy("Completely reliable"),
        "B": gettext_lazy("Usually reliable"),
        "C": gettext_lazy("Fairly reliable"),
        "D": gettext_lazy("Not usually reliable"),
        "E": gettext_lazy("Unreliable"),
        "F": gettext_lazy("Reliability cannot be judged"),
    },
}
INFORMATION_GRADES: dict[str, dict[str, Promise]] = {
    UK: {
        "A": gettext_lazy("Known directly to the source"),
        "B": gettext_lazy("Known indirectly to the source but corroborated"),
        "C": gettext_lazy("Known indirectly to the source"),
        "D": gettext_lazy("Not known"),
        "E": gettext_lazy("Suspected to be false"),
    },
    ADM: {
        "1": gettext_lazy("Confirmed by other sources"),
        "2": gettext_lazy("Probably true"),
        "3": gettext_lazy("Possibly true"),
        "4": gettext_lazy("Doubtful"),
        "5": gettext_lazy("Improbable"),
        "6": gettext_lazy("Truth cannot be judged"),
    },
}
HANDLING_CODES: dict[str, Promise] = {
    "P": gettext_lazy("Lawful sharing permitted"),
    "C": gettext_lazy("Lawful sharing permitted with conditions"),
}


class Relation(models.TextChoices):
    """How one grade maps onto the other scheme."""

    ONE_TO_ONE = "one_to_one", gettext_lazy("One to one")
    MANY_TO_ONE = "many_to_one", gettext_lazy("Several grades become one")
    ONE_TO_MANY = "one_to_many", gettext_lazy("Could be several; the one claiming less is given")
    NEAREST = "nearest", gettext_lazy("No equivalent; the nearest grade is given")
    NONE = "none", gettext_lazy("No equivalent; the receiving side must grade it")


@dataclass(frozen=True)
class Row:
    """One row of the crosswalk: a grade of one scheme, its counterpart, and why."""

    scheme: str
    axis: str
    grade: str
    to: str  # "" when there is no counterpart
    relation: str
    note: Promise

    @property
    def exact(self) -> bool:
        return self.relation == Relation.ONE_TO_ONE

    @property
    def to_scheme(self) -> str:
        return ADM if self.scheme == UK else UK

    def label(self) -> str:
        return grade_label(self.scheme, self.axis, self.grade)

    def to_label(self) -> str:
        return grade_label(self.to_scheme, self.axis, self.to) if self.to else ""


R = Relation
CROSSWALK: tuple[Row, ...] = (
    # 3x5x2 source -> Admiralty source
    Row(UK, SOURCE, "1", "B", R.ONE_TO_MANY, gettext_lazy(
        "Reliable covers both A and B. B is given: the 3x5x2 does not establish "
        "\"completely reliable\".")),
    Row(UK, SOURCE, "2", "F", R.NEAREST, gettext_lazy(
        "Untested is nearest to \"reliability cannot be judged\", but F may also be a known "
        "source that cannot be assessed.")),
    Row(UK, SOURCE, "3", "D", R.ONE_TO_MANY, gettext_lazy(
        "Not reliable covers both D and E; D is given, as \"there are concerns\" is not "
        "\"unreliable\".")),
    # Admiralty source -> 3x5x2 source
    Row(ADM, SOURCE, "A", "1", R.MANY_TO_ONE, gettext_lazy(
        "A and B both become 1: the 3x5x2 has no \"completely reliable\".")),
    Row(ADM, SOURCE, "B", "1", R.MANY_TO_ONE, gettext_lazy(
        "A and B both become 1.")),
    Row(ADM, SOURCE, "C", "2", R.NEAREST, gettext_lazy(
        "Fairly reliable has no 3x5x2 grade: 1 would overstate it and 3 would understate "
        "it. 2 (untested) claims least.")),
    Row(ADM, SOURCE, "D", "3", R.MANY_TO_ONE, gettext_lazy(
        "D and E both become 3.")),
    Row(ADM, SOURCE, "E", "3", R.MANY_TO_ONE, gettext_lazy(
        "D and E both become 3: the 3x5x2 does not tell \"not usually reliable\" from "
        "\"unreliable\".")),
    Row(ADM, SOURCE, "F", "2", R.NEAREST, gettext_lazy(
        "\"Cannot be judged\" is nearest to untested, but not the same.")),
    # 3x5x2 intelligence -> Admiralty information
    Row(UK, INFORMATION, "A", "2", R.NEAREST, gettext_lazy(
        "Known directly says how the source knows, not that others confirm it: \"probably "
        "true\" is given, never \"confirmed\".")),
    Row(UK, INFORMATION, "B", "1", R.ONE_TO_ONE, gettext_lazy(
        "Corroborated and confirmed by other sources are the same judgement.")),
    Row(UK, INFORMATION, "C", "3", R.NEAREST, gettext_lazy(
        "Known indirectly and not corroborated: \"possibly true\".")),
    Row(UK, INFORMATION, "D", "6", R.NEAREST, gettext_lazy(
        "Not known is nearest to \"truth cannot be judged\".")),
    Row(UK, INFORMATION, "E", "5", R.ONE_TO_ONE, gettext_lazy(
        "Suspected to be false and improbable are the same judgement.")),
    # Admiralty information -> 3x5x2 intelligence
    Row(ADM, INFORMATION, "1", "B", R.ONE_TO_ONE, gettext_lazy(
        "Confirmed by other sources is corroborated.")),
    Row(ADM, INFORMATION, "2", "C", R.NEAREST, gettext_lazy(
        "The 3x5x2 needs to know whether the source knew directly (A); the Admiralty code "
        "does not say, so C is given.")),
    Row(ADM, INFORMATION, "3", "C", R.NEAREST, gettext_lazy(
        "Possibly true: known indirectly, not corroborated.")),
    Row(ADM, INFORMATION, "4", "", R.NONE, gettext_lazy(
        "Doubtful has no 3x5x2 grade: D (not known) and E (suspected to be false) both say "
        "something else.")),
    Row(ADM, INFORMATION, "5", "E", R.ONE_TO_ONE, gettext_lazy(
        "Improbable is suspected to be false.")),
    Row(ADM, INFORMATION, "6", "D", R.NEAREST, gettext_lazy(
        "\"Truth cannot be judged\" is nearest to not known.")),
)  # fmt: skip

_ROWS: Mapping[tuple[str, str, str], Row] = {(r.scheme, r.axis, r.grade): r for r in CROSSWALK}


def grade_label(scheme: str, axis: str, grade: str) -> str:
    table = SOURCE_GRADES if axis == SOURCE else INFORMATION_GRADES
    return str(table.get(scheme, {}).get(grade, grade))


@dataclass(frozen=True)
class Grade:
    """A grade in one scheme: "2B P" (3x5x2) or "B2" (Admiralty)."""

    scheme: str
    source: str
    information: str
    handling: str = ""
    conditions: str = ""

    def render(self) -> str:
        return render_grade(self)

    def source_label(self) -> str:
        return grade_label(self.scheme, SOURCE, self.source)

    def information_label(self) -> str:
        return grade_label(self.scheme, INFORMATION, self.information)

    def handling_label(self) -> str:
        return str(HANDLING_CODES.get(self.handling, ""))


def render_grade(grade: Grade) -> str:
    """ "2B P" for the 3x5x2 (source, intelligence, handling code), "B2" for the Admiralty
    code; a grade the crosswalk could not give is shown as "?"."""
    source = grade.source or "?"
    information = grade.information or "?"
    if grade.scheme == UK:
        text = f"{source}{information}"
        return f"{text} {grade.handling}" if grade.handling else text
    return f"{source}{information}"


def validate_grade(
    scheme: str,
    source: str,
    information: str,
    handling: str = "",
    conditions: str = "",
    *,
    conditions_needed: bool = True,
) -> Grade:
    """The grade, normalised, or a ValidationError naming each field outside the scheme.

    ``conditions_needed=False`` for a re-grade: its handling code C refers to the
    originator's conditions, which a receiving side does not rewrite."""
    source = (source or "").strip().upper()
    information = (information or "").strip().upper()
    handling = (handling or "").strip().upper()
    conditions = (conditions or "").strip()
    errors: dict[str, str] = {}
    if scheme not in GradingScheme.values:
        raise ValidationError(
            {"grading_scheme": _("Unknown grading scheme {scheme}.").format(scheme=scheme)}
        )
    name = GradingScheme(scheme).label
    if source not in SOURCE_GRADES[scheme]:
        errors["source_grade"] = _(
            "{grade} is not a source grade of the {scheme} (use {grades})."
        ).format(grade=source or "—", scheme=name, grades=", ".join(SOURCE_GRADES[scheme]))
    if information not in INFORMATION_GRADES[scheme]:
        errors["information_grade"] = _(
            "{grade} is not an intelligence grade of the {scheme} (use {grades})."
        ).format(
            grade=information or "—", scheme=name, grades=", ".join(INFORMATION_GRADES[scheme])
        )
    if scheme == UK:
        if handling not in HANDLING_CODES:
            errors["handling_code"] = _("The 3x5x2 needs a handling code: P or C.")
        elif handling == "C" and conditions_needed and not conditions:
            errors["handling_conditions"] = _("Handling code C needs its conditions written out.")
        elif handling == "P" and conditions:
            errors["handling_conditions"] = _(
                "Handling code P has no conditions; use C to set some."
            )
    elif handling or conditions:
        errors["handling_code"] = _("The Admiralty code has no handling code.")
    if errors:
        raise ValidationError(errors)
    return Grade(scheme, source, information, handling, conditions)


@dataclass(frozen=True)
class Crosswalked:
    """A grade given in the other scheme, with what was lost on the way."""

    original: Grade
    grade: Grade
    rows: tuple[Row, ...]
    caveats: tuple[str, ...] = field(default=())

    @property
    def exact(self) -> bool:
        """Both the source and the information grade map one to one (the handling code
        never does: the Admiralty code has none)."""
        return all(row.exact for row in self.rows)

    def render(self) -> str:
        return self.grade.render()


def crosswalk(grade: Grade) -> Crosswalked:
    """The grade in the other scheme, with a caveat for every part that does not map one to
    one. ``grade`` must be valid (``validate_grade``)."""
    source_row = _ROWS[(grade.scheme, SOURCE, grade.source)]
    info_row = _ROWS[(grade.scheme, INFORMATION, grade.information)]
    caveats = [str(row.note) for row in (source_row, info_row) if not row.exact]
    if grade.scheme == UK:
        caveats.append(
            _(
                "The Admiralty code has no handling code: handling code {code} stays with the "
                "report as a handling instruction."
            ).format(code=grade.handling)
        )
        target = Grade(ADM, source_row.to, info_row.to)
    else:
        caveats.append(_("The Admiralty code has no handling code: the 3x5x2 side sets P or C."))
        target = Grade(UK, source_row.to, info_row.to)
    return Crosswalked(grade, target, (source_row, info_row), tuple(caveats))


def rows_for(scheme: str, axis: str) -> list[Row]:
    """The crosswalk's rows from one scheme on one axis, for the page and the guide."""
    return [r for r in CROSSWALK if r.scheme == scheme and r.axis == axis]


def parse_compact(text: str) -> Grade | None:
    """ "2B" (3x5x2) or "B2" (Admiralty), as typed in a filter; None when neither."""
    text = text.strip().upper().replace(" ", "")
    if len(text) < 2:
        return None
    first, second = text[0], text[1]
    if first in SOURCE_GRADES[UK] and second in INFORMATION_GRADES[UK]:
        return Grade(UK, first, second, text[2:3])
    if first in SOURCE_GRADES[ADM] and second in INFORMATION_GRADES[ADM] and len(text) == 2:
        return Grade(ADM, first, second)
    return None
