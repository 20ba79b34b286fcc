"""Safeguarding API: people, screenings, consent, referrals. Thin: the services decide;
refusals are RFC 9457 problem details.

Lists carry minimised fields only. One person's answer needs the purpose of the consultation
(``purpose``, audited); its ``special`` part (indicators, details, name, date of birth) is
null unless the caller may read special category. A referral's ``reason`` and
``override_reason`` likewise.

No ``from __future__ import annotations`` here (django-ninja reads the annotations).
"""

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from entente.core import access, audit
from entente.core.api_support import Pagination, QueryFilter, RecordId, StrictSchema
from entente.core.choices import Module
from entente.core.models import Agency
from entente.safeguarding.models import Consent, Person, Place, Referral
from entente.safeguarding.services import consent as consents
from entente.safeguarding.services import people
from entente.safeguarding.services import referrals as refs

router = Router()

PurposeName = Literal[
    "accommodation",
    "child_protection",
    "medical",
    "nrm",
    "fr_protection",
    "asylum",
    "voluntary_return",
]


class PersonOut(Schema):
    id: int
    case_code: str
    age_band: str
    estimated_age: int | None
    age_disputed: bool
    gender: str
    languages: list[str]
    nationality: str
    vulnerable: bool
    organisation: str = Field(description="the organisation holding the case")
    anonymised: bool
    created_at: dt.datetime

    @staticmethod
    def resolve_organisation(obj: Person) -> str:
        return obj.originator.code

    @staticmethod
    def resolve_anonymised(obj: Person) -> bool:
        return obj.anonymised_at is not None


class SpecialOut(Schema):
    indicators: list[str]
    details: str | None
    name: str | None
    name_purpose: str
    birth_date: str | None


class PersonDetailOut(PersonOut):
    special: SpecialOut | None = Field(
        description="special category: null unless the caller may read it"
    )


class PersonIn(StrictSchema):
    age_band: str = ""
    estimated_age: int | None = Field(None, ge=0, le=120)
    age_disputed: bool = False
    gender: Literal["f", "m", "x"] = "x"
    languages: list[str] = Field(default_factory=list, max_length=people.MAX_LANGUAGES)
    nationality: str = Field("", max_length=2)
    name: str = Field("", max_length=people.MAX_NAME)
    name_purpose: str = Field("", max_length=people.MAX_PURPOSE)
    birth_date: dt.date | None = None
    indicators: list[str] = Field(default_factory=list, max_length=10)
    details: str = Field("", max_length=people.MAX_DETAILS)


class PersonFilter(QueryFilter):
    age_band: str = Field("", description='an age band, or "minor"')
    vulnerable: bool | None = None
    referral_state: str = Field("", description='a referral state, "none" or "overdue"')


class PurposeQuery(QueryFilter):
    purpose: str = Field(
        "", max_length=200, description="why the record is consulted (required, audited)"
    )


class ScreeningIn(StrictSchema):
    place: str = Field(min_length=1, max_length=people.MAX_PLACE)
    language: str = Field(min_length=2, max_length=3)
    indicators: list[str] = Field(default_factory=list, max_length=10)
    notes: str = Field("", max_length=people.MAX_DETAILS)


class ScreeningOut(Schema):
    id: int
    screened_at: dt.datetime
    place: str
    language: str
    vulnerable: bool


class ConsentOut(Schema):
    id: int
    purpose: str
    country: str
    given: bool
    explained_by: str
    language: str
    recorded_at: dt.datetime
    withdrawn_at: dt.datetime | None

    @staticmethod
    def resolve_country(obj: Consent) -> str:
        return obj.country.code

    @staticmethod
    def resolve_explained_by(obj: Consent) -> str:
        return obj.explained_by.username


class ConsentIn(StrictSchema):
    purpose: PurposeName
    country: str = Field(min_length=2, max_length=2)
    given: bool
    language: str = Field(min_length=2, max_length=3)


class ReferralOut(Schema):
    id: int
    person: str | None = Field(description="the case code, null when anonymous or not visible")
    purpose: str
    to_agency: str
    place: str | None = Field(description="the place's name and town (never its address)")
    state: str
    due_on: dt.date | None
    overdue: bool
    without_consent: str = Field(description='"", "child", "override" or "anonymous"')
    anonymous: bool
    first_responder: str | None
    handover: int | None
    state_changed_at: dt.datetime | None
    closed_at: dt.datetime | None

    @staticmethod
    def resolve_person(obj: Referral, context: Any) -> str | None:
        if obj.anonymous:
            return None
        user = context["request"].user
        return obj.person.case_code if access.can_view(user, obj.person) else None

    @staticmethod
    def resolve_to_agency(obj: Referral) -> str:
        return obj.to_agency.code

    @staticmethod
    def resolve_place(obj: Referral) -> str | None:
        return f"{obj.place.name}, {obj.place.town}" if obj.place else None

    @staticmethod
    def resolve_overdue(obj: Referral) -> bool:
        return refs.is_overdue(obj)

    @staticmethod
    def resolve_first_responder(obj: Referral) -> str | None:
        return obj.first_responder.code if obj.first_responder else None

    @staticmethod
    def resolve_handover(obj: Referral) -> int | None:
        return obj.handover_id


class ReferralDetailOut(ReferralOut):
    """One referral: with why, for those who may read special category."""

    reason: str | None = Field(description="special category: null unless the caller may")
    override_reason: str | None = Field(description="special category, as reason")

    @staticmethod
    def resolve_reason(obj: Referral, context: Any) -> str | None:
        special = access.may_read_special_category(context["request"].user)
        return (obj.reason or None) if special else None

    @staticmethod
    def resolve_override_reason(obj: Referral, context: Any) -> str | None:
        special = access.may_read_special_category(context["request"].user)
        return (obj.override_reason or None) if special else None


class ReferralIn(StrictSchema):
    purpose: PurposeName
    to_agency: str = Field("", max_length=32, description="the receiving organisation's code")
    place: RecordId | None = Field(None, description="a protected place (accommodation)")
    due_on: dt.date | None = None
    reason: str = Field("", max_length=people.MAX_DETAILS)
    override_reason: str = Field("", max_length=people.MAX_DETAILS)
    first_responder: str = Field("", max_length=32)
    anonymous: bool = False


class MoveIn(StrictSchema):
    state: Literal["accepted", "rejected", "done", "revoked"]
    category: Literal["", "women_children", "families", "men"] = ""


class ReferralFilter(QueryFilter):
    state: str = ""
    purpose: str = ""
    overdue: bool = False


def _person(request: HttpRequest, person_id: int) -> Person:
    found: Person = access.get_visible_or_404(
        people.visible_people(request.user), request.user, pk=person_id
    )
    return found


def _detail(person: Person, record: people.PersonRecord) -> Person:
    """The person with its special-category part for those who may read it (else None)."""
    person.special = (  # type: ignore[attr-defined]
        {
            "indicators": record.indicators or [],
            "details": record.details,
            "name": record.name,
            "name_purpose": record.name_purpose,
            "birth_date": record.birth_date,
        }
        if record.special
        else None
    )
    return person


def _input(payload: PersonIn) -> people.PersonInput:
    return people.PersonInput(**payload.dict())


def _agency(code: str, field: str) -> Agency | None:
    if not code:
        return None
    found = Agency.objects.select_related("country").filter(code=code).first()
    if found is None:
        raise ValidationError({field: _("No agency has this code.")})
    return found


@router.get("/safeguarding/people", response=list[PersonOut], summary="People the caller sees")
@paginate(Pagination)
def list_people(request: HttpRequest, filters: Query[PersonFilter]) -> QuerySet[Person]:
    return people.filter_people(
        people.visible_people(request.user),
        age_band=filters.age_band,
        vulnerable=filters.vulnerable,
        referral_state=filters.referral_state,
    ).order_by("-created_at", "-pk")


@router.post(
    "/safeguarding/people",
    response={201: PersonDetailOut},
    summary="Record a person (safeguarding editors)",
)
def create_person(request: HttpRequest, payload: PersonIn) -> Status[Person]:
    person = people.create_person(request.user, _input(payload))
    record = people.read_person(request.user, person, purpose="recording the person")
    return Status(201, _detail(person, record))


@router.get(
    "/safeguarding/people/{person_id}",
    response=PersonDetailOut,
    summary="One person; the purpose of the consultation is required and audited",
)
def get_person(request: HttpRequest, person_id: int, q: Query[PurposeQuery]) -> Person:
    person = _person(request, person_id)
    return _detail(person, people.read_person(request.user, person, purpose=q.purpose))


@router.put(
    "/safeguarding/people/{person_id}",
    response=PersonDetailOut,
    summary="Correct a person's record (the organisation holding the case)",
)
def update_person(request: HttpRequest, person_id: int, payload: PersonIn) -> Person:
    person = people.update_person(request.user, _person(request, person_id), _input(payload))
    return _detail(person, people.read_person(request.user, person, purpose="correcting"))


@router.post(
    "/safeguarding/people/{person_id}/screenings",
    response={201: ScreeningOut},
    summary="Record a screening (who, where, in which language, indicators found)",
)
def create_screening(request: HttpRequest, person_id: int, payload: ScreeningIn) -> Status[Any]:
    screening = people.record_screening(request.user, _person(request, person_id), **payload.dict())
    return Status(201, screening)


@router.get(
    "/safeguarding/people/{person_id}/consents",
    response=list[ConsentOut],
    summary="A person's consents per purpose and recipient country",
)
def list_consents(request: HttpRequest, person_id: int) -> QuerySet[Consent]:
    return consents.consents_of(_person(request, person_id))


@router.post(
    "/safeguarding/people/{person_id}/consents",
    response={201: ConsentOut},
    summary="Record a consent (or a refusal) to a purpose with one country's organisations",
)
def create_consent(request: HttpRequest, person_id: int, payload: ConsentIn) -> Status[Consent]:
    made = consents.record_consent(request.user, _person(request, person_id), **payload.dict())
    return Status(201, made)


@router.post(
    "/safeguarding/consents/{consent_id}/withdraw",
    response=ConsentOut,
    summary="The person withdraws a consent",
)
def withdraw_consent(request: HttpRequest, consent_id: int) -> Consent:
    access.require_role(request.user, Module.SAFEGUARDING)
    found = (
        Consent.objects.select_related("person", "country", "explained_by")
        .filter(pk=consent_id)
        .first()
    )
    if found is None or not access.can_view(request.user, found.person):
        raise Http404(_("No such record."))
    return consents.withdraw_consent(request.user, found)


@router.get(
    "/safeguarding/referrals",
    response=list[ReferralOut],
    summary="Referrals made by or to the caller's organisation, the nearest due date first",
)
@paginate(Pagination)
def list_referrals(request: HttpRequest, filters: Query[ReferralFilter]) -> QuerySet[Referral]:
    return refs.filter_referrals(
        refs.visible_referrals(request.user),
        state=filters.state,
        purpose=filters.purpose,
        overdue=filters.overdue,
    ).order_by("due_on", "-pk")


@router.post(
    "/safeguarding/people/{person_id}/referrals",
    response={201: ReferralDetailOut},
    summary="Refer a person (needs their consent, except a child or an approver's override)",
)
def create_referral(request: HttpRequest, person_id: int, payload: ReferralIn) -> Status[Any]:
    person = _person(request, person_id)
    place = None
    if payload.place is not None:
        place = Place.objects.visible_to(request.user).filter(pk=payload.place).first()
        if place is None:
            raise ValidationError({"place": _("No such place.")})
    made = refs.refer(
        request.user,
        person,
        purpose=payload.purpose,
        to_agency=_agency(payload.to_agency, "to_agency"),
        place=place,
        due_on=payload.due_on,
        reason=payload.reason,
        override_reason=payload.override_reason,
        first_responder=_agency(payload.first_responder, "first_responder"),
        anonymous=payload.anonymous,
    )
    return Status(201, refs.visible_referrals(request.user).get(pk=made.pk))


@router.get(
    "/safeguarding/referrals/{referral_id}",
    response=ReferralDetailOut,
    summary="One referral (its reasons only for safeguarding roles outside law enforcement)",
)
def get_referral(request: HttpRequest, referral_id: int) -> Referral:
    found: Referral = access.get_visible_or_404(
        refs.visible_referrals(request.user), request.user, pk=referral_id
    )
    if access.may_read_special_category(request.user):
        audit.record_read(request.user, found, purpose="working on the referral")
    return found


@router.post(
    "/safeguarding/referrals/{referral_id}/state",
    response=ReferralDetailOut,
    summary="Accept, reject, close or revoke a referral",
)
def move_referral(request: HttpRequest, referral_id: int, payload: MoveIn) -> Referral:
    found = access.get_visible_or_404(
        refs.visible_referrals(request.user), request.user, pk=referral_id
    )
    refs.move(request.user, found, payload.state, category=payload.category)
    return refs.visible_referrals(request.user).get(pk=referral_id)
