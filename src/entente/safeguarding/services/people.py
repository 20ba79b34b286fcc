"""Safeguarding services: people, minimised, and their screenings.

A person is a case code (``LVA-2015-0042``), an age band or an estimated age, a gender, the
languages they speak and the nationality they declare; a name only when it is needed, with
why; a date of birth only when known. Which vulnerabilities and the details behind them are
special category: encrypted at rest, read only by safeguarding roles outside law enforcement
(``access.may_read_special_category``), and never in lists, exports, the audit trail or logs.

Every function takes the acting user, runs in one transaction, checks everything before it
writes and audits what it writes. Refusals are ``ValidationError`` (bad input, translated,
naming the field) or ``PermissionDenied`` (not theirs to do); nothing is written then. Every
consultation of a person's record goes through ``read_person``, which audits it with its
purpose.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.core import access, audit
from entente.core.choices import TLP, Classification, Module, Role
from entente.safeguarding.choices import MINOR_BANDS, AgeBand, Gender, ReferralState, Vulnerability
from entente.safeguarding.models import Person, Referral, Screening

MAX_NAME = 200
MAX_PURPOSE = 200
MAX_DETAILS = 4000
MAX_PLACE = 200
MAX_LANGUAGES = 6
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")
OPEN_STATES = (ReferralState.IN_PROGRESS, ReferralState.ACCEPTED)


@dataclass
class PersonInput:
    """What a caseworker records about a person, as typed; ``create_person`` checks it."""

    age_band: str = ""
    estimated_age: int | None = None
    age_disputed: bool = False
    gender: str = Gender.OTHER
    languages: list[str] = field(default_factory=list)
    nationality: str = ""
    name: str = ""
    name_purpose: str = ""
    birth_date: dt.date | None = None
    indicators: list[str] = field(default_factory=list)
    details: str = ""


# Reading ------------------------------------------------------------------------------------


def may_edit(user: Any) -> bool:
    return access.has_role(user, Module.SAFEGUARDING, Role.EDITOR)


def visible_people(user: Any) -> QuerySet[Person]:
    """The people the user may see (the one access policy): their organisation's cases and
    those referred to it. Nobody without a safeguarding role sees any."""
    access.require_role(user, Module.SAFEGUARDING)
    return Person.objects.visible_to(user).select_related("originator")


def filter_people(
    qs: QuerySet[Person],
    *,
    age_band: str = "",
    vulnerable: bool | None = None,
    referral_state: str = "",
) -> QuerySet[Person]:
    """Filters of the person list, on clear minimised fields only (encrypted ones cannot be
    filtered, and must not be)."""
    if age_band == "minor":
        qs = qs.filter(age_band__in=MINOR_BANDS)
    elif age_band:
        qs = qs.filter(age_band=age_band)
    if vulnerable is not None:
        qs = qs.filter(vulnerable=vulnerable)
    if referral_state == "none":
        qs = qs.exclude(Exists(Referral.objects.filter(person=OuterRef("pk"))))
    elif referral_state == "overdue":
        qs = qs.filter(
            Exists(
                Referral.objects.filter(
                    person=OuterRef("pk"), state__in=OPEN_STATES, due_on__lt=timezone.localdate()
                )
            )
        )
    elif referral_state:
        qs = qs.filter(Exists(Referral.objects.filter(person=OuterRef("pk"), state=referral_state)))
    return qs


def is_child(person: Person) -> bool:
    """A child: an age band under 18, or an estimated age under 18 (the benefit of the doubt
    when the age is disputed)."""
    if person.age_band in MINOR_BANDS:
        return True
    return person.estimated_age is not None and person.estimated_age < 18


@dataclass(frozen=True)
class PersonRecord:
    """A person as one user may read them: the special-category part only for those who may."""

    person: Person
    special: bool
    name: str | None
    name_purpose: str
    birth_date: str | None
    indicators: list[str] | None
    details: str | None

    @property
    def indicator_labels(self) -> list[str]:
        return [str(Vulnerability(i).label) for i in self.indicators or ()]


def record_of(user: Any, person: Person) -> PersonRecord:
    """The person as this user may read them, without auditing (callers audit the read)."""
    special = access.may_read_special_category(user)
    return PersonRecord(
        person=person,
        special=special,
        name=(person.name or None) if special else None,
        name_purpose=person.name_purpose if special else "",
        birth_date=(person.birth_date or None) if special else None,
        indicators=list(person.indicators or []) if special else None,
        details=(person.details or None) if special else None,
    )


def read_person(user: Any, person: Person, *, purpose: str) -> PersonRecord:
    """One consultation of a person's record: audited with its purpose (required), and what
    the user may read of it."""
    if not access.can_view(user, person):
        raise PermissionDenied(_("You may not see this person."))
    try:
        audit.record_read(user, person, purpose=purpose)
    except audit.PurposeRequired as exc:
        raise ValidationError({"purpose": str(exc)}) from None
    return record_of(user, person)


# Writing ------------------------------------------------------------------------------------


def _band_for(age: int) -> str:
    for band, low, high in (
        (AgeBand.UNDER_5, 0, 4),
        (AgeBand.CHILD, 5, 11),
        (AgeBand.YOUNG_TEEN, 12, 15),
        (AgeBand.OLDER_TEEN, 16, 17),
        (AgeBand.YOUNG_ADULT, 18, 24),
        (AgeBand.ADULT, 25, 59),
    ):
        if low <= age <= high:
            return band
    return AgeBand.OLDER


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def check_indicators(values: Iterable[str], field_name: str = "indicators") -> list[str]:
    """The indicators, known ones only, each once, in the choices' order."""
    given = [str(v) for v in values]
    unknown = sorted(set(given) - set(Vulnerability.values))
    if unknown:
        raise ValidationError(
            {
                field_name: _("Unknown vulnerability indicator: {names}.").format(
                    names=", ".join(unknown)
                )
            }
        )
    return [v for v in Vulnerability.values if v in given]


def _clean(data: PersonInput) -> tuple[dict[str, Any], dict[str, str]]:
    """The person's fields once checked, and the errors by field."""
    errors: dict[str, str] = {}
    today = timezone.localdate()
    name = (data.name or "").strip()
    purpose = (data.name_purpose or "").strip()
    if len(name) > MAX_NAME:
        errors["name"] = _("At most {n} characters.").format(n=MAX_NAME)
    if name and not purpose:
        errors["name_purpose"] = _("Say why the name is needed, or leave the name out.")
    if len(purpose) > MAX_PURPOSE:
        errors["name_purpose"] = _("At most {n} characters.").format(n=MAX_PURPOSE)
    band = data.age_band or ""
    if band and band not in AgeBand.values:
        errors["age_band"] = _("Unknown age band {band}.").format(band=band)
    if data.estimated_age is not None and not 0 <= data.estimated_age <= 120:
        errors["estimated_age"] = _("An age between 0 and 120.")
    if data.birth_date is not None:
        if data.birth_date > today:
            errors["birth_date"] = _("A date of birth cannot be in the future.")
        elif data.birth_date.year < today.year - 120:
            errors["birth_date"] = _("A date of birth more than 120 years ago.")
    if not band and "age_band" not in errors and "estimated_age" not in errors:
        if data.estimated_age is not None:
            band = _band_for(data.estimated_age)
        elif data.birth_date is not None and "birth_date" not in errors:
            band = _band_for(age_on(data.birth_date, today))
        else:
            errors["age_band"] = _("Give an age band or an estimated age.")
    if data.gender not in Gender.values:
        errors["gender"] = _("Unknown gender.")
    languages = [str(code).strip().lower() for code in data.languages if str(code).strip()]
    if len(languages) > MAX_LANGUAGES or any(not LANGUAGE_CODE.match(c) for c in languages):
        errors["languages"] = _("Languages as two- or three-letter codes (ar, ti, prs...).")
    nationality = (data.nationality or "").strip().upper()
    if nationality and not COUNTRY_CODE.match(nationality):
        errors["nationality"] = _("A two-letter country code (ER, SD, AF...).")
    if len(data.details or "") > MAX_DETAILS:
        errors["details"] = _("At most {n} characters.").format(n=MAX_DETAILS)
    try:
        indicators = check_indicators(data.indicators)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        indicators = []
    fields = {
        "name": name or None,
        "name_purpose": purpose if name else "",
        "birth_date": data.birth_date.isoformat() if data.birth_date else None,
        "age_band": band,
        "estimated_age": data.estimated_age,
        "age_disputed": bool(data.age_disputed),
        "gender": data.gender,
        "languages": list(dict.fromkeys(languages)),
        "nationality": nationality,
        "indicators": indicators or None,
        "details": (data.details or "").strip() or None,
        "vulnerable": bool(indicators),
    }
    return fields, errors


def _next_case_code(agency_code: str, year: int) -> str:
    prefix = f"{agency_code}-{year}-"
    codes = Person.objects.filter(case_code__startswith=prefix).values_list("case_code", flat=True)
    numbers = [int(c[len(prefix) :]) for c in codes if c[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


def create_person(acting_user: Any, data: PersonInput) -> Person:
    """Record a person met, under a new case code of the acting user's organisation (an
    editor of safeguarding). Two caseworkers saving at once get two codes: a clash on the
    unique code retries with the next number."""
    access.require_role(acting_user, Module.SAFEGUARDING, Role.EDITOR)
    fields, errors = _clean(data)
    if errors:
        raise ValidationError(errors)
    agency = acting_user.agency
    for _attempt in range(5):
        try:
            with transaction.atomic():
                person = Person(
                    case_code=_next_case_code(agency.code, timezone.localdate().year),
                    classification=Classification.OFFICIAL,
                    releasability={agency.country.code},  # type: ignore[misc]
                    tlp=TLP.AMBER,
                    originator=agency,
                    created_by=acting_user,
                    **fields,
                )
                person.full_clean()
                person.save()
                audit.record_create(acting_user, person)
                return person
        except IntegrityError:
            if Person.objects.filter(case_code=person.case_code).exists():
                continue  # another caseworker took the code: the next number
            raise  # anything else (the audit entry refused, say) is not a clash to retry
    raise ValidationError(_("Could not give the person a case code; try again."))


@transaction.atomic
def update_person(acting_user: Any, person: Person, data: PersonInput) -> Person:
    """Correct a person's record (editors of the organisation holding the case)."""
    locked: Person = Person.objects.select_for_update().get(pk=person.pk)
    if not access.can_view(acting_user, locked):
        raise PermissionDenied(_("You may not see this person."))
    if not access.can_change(acting_user, locked):
        raise PermissionDenied(_("Only the organisation holding the case changes it."))
    if locked.anonymised_at is not None:
        raise ValidationError(_("This record was anonymised; it cannot be changed."))
    fields, errors = _clean(data)
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(locked)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    audit.record_update(acting_user, locked, before)
    return locked


@transaction.atomic
def record_screening(
    acting_user: Any,
    person: Person,
    *,
    place: str,
    language: str,
    indicators: Iterable[str] = (),
    notes: str = "",
    at: dt.datetime | None = None,
) -> Screening:
    """A screening: who (the acting user), where, in which language, which indicators. The
    indicators found are added to the person's (a screening finds, it does not clear)."""
    access.require_role(acting_user, Module.SAFEGUARDING, Role.EDITOR)
    locked = Person.objects.select_for_update().get(pk=person.pk)
    if not access.can_view(acting_user, locked):
        raise PermissionDenied(_("You may not see this person."))
    errors: dict[str, str] = {}
    place = (place or "").strip()
    if not place or len(place) > MAX_PLACE:
        errors["place"] = _("Say where the screening took place.")
    language = (language or "").strip().lower()
    if not LANGUAGE_CODE.match(language):
        errors["language"] = _("The language used, as a two- or three-letter code.")
    if len(notes or "") > MAX_DETAILS:
        errors["notes"] = _("At most {n} characters.").format(n=MAX_DETAILS)
    when = at or timezone.now()
    if when > timezone.now() + dt.timedelta(minutes=5):
        errors["screened_at"] = _("A screening cannot be in the future.")
    try:
        found = check_indicators(indicators)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        found = []
    if errors:
        raise ValidationError(errors)
    screening = Screening.objects.create(
        person=locked,
        screened_at=when,
        screened_by=acting_user,
        place=place,
        language=language,
        vulnerable=bool(found),
        indicators=found or None,
        notes=(notes or "").strip() or None,
    )
    audit.record_create(acting_user, screening)
    merged = check_indicators([*(locked.indicators or []), *found])
    if merged != list(locked.indicators or []):
        before = audit.snapshot(locked)
        locked.indicators = merged
        locked.vulnerable = True
        locked.save(update_fields=["indicators", "vulnerable", "updated_at"])
        audit.record_update(acting_user, locked, before)
    return screening
