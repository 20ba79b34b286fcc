"""People, minimised: case codes, age bands, a name only with its purpose, special category
encrypted and read only by those who may; screenings; every consultation audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from entente.core.models import AuditEntry
from entente.safeguarding.choices import AgeBand
from entente.safeguarding.models import Person, Screening
from entente.safeguarding.services import people
from tests.safeguarding.people_factories import adult, user

pytestmark = pytest.mark.django_db


def test_a_person_gets_a_case_code_of_the_organisation_and_year() -> None:
    first, second = adult(), adult()
    year = timezone.localdate().year
    assert first.case_code.startswith(f"LVA-{year}-")
    assert int(second.case_code[-4:]) == int(first.case_code[-4:]) + 1
    assert first.originator.code == "LVA"
    assert first.releasability == {"FR"}


def test_an_estimated_age_gives_the_age_band() -> None:
    person = adult(age_band="", estimated_age=16, age_disputed=True)
    assert person.age_band == AgeBand.OLDER_TEEN
    assert person.age_disputed


def test_the_indicators_make_the_person_vulnerable_and_are_stored_in_order() -> None:
    person = adult(indicators=["trafficking", "pregnant"], details="Met at the Jules Ferry centre")
    person.refresh_from_db()
    assert person.vulnerable
    assert person.indicators == ["pregnant", "trafficking"]
    assert person.details == "Met at the Jules Ferry centre"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"birth_date": dt.date.today() + dt.timedelta(days=3)},
            "birth_date",
            "A date of birth cannot be in the future.",
        ),
        ({"name": "Amanuel"}, "name_purpose", "Say why the name is needed"),
        ({"indicators": ["minor", "astrology"]}, "indicators", "astrology"),
        ({"age_band": ""}, "age_band", "Give an age band or an estimated age."),
        ({"nationality": "Eritrea"}, "nationality", "two-letter"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(
    fields: dict[str, Any], field: str, message: str
) -> None:
    before = (Person.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationError) as caught:
        adult(**fields)
    assert message in " ".join(caught.value.message_dict[field])
    assert (Person.objects.count(), AuditEntry.objects.count()) == before


def test_the_future_birth_date_is_refused_in_french_too() -> None:
    with translation.override("fr"), pytest.raises(ValidationError) as caught:
        adult(birth_date=timezone.localdate() + dt.timedelta(days=1))
    assert caught.value.message_dict["birth_date"]


def test_a_name_is_kept_only_with_its_purpose() -> None:
    person = adult(name="Amanuel T.", name_purpose="asylum application")
    assert person.name == "Amanuel T." and person.name_purpose == "asylum application"
    unnamed = adult(name_purpose="no name given")
    assert unnamed.name is None and unnamed.name_purpose == ""


def test_police_and_people_without_a_safeguarding_role_see_no_person() -> None:
    adult()
    for username in ("gold.kent", "gold.pn", "leader.borderforce", "analyst.nca"):
        with pytest.raises(PermissionDenied):
            people.visible_people(user(username))


def test_another_organisation_sees_only_the_people_referred_to_it() -> None:
    mine = adult()
    assert not people.visible_people(user("officer.iom")).filter(pk=mine.pk).exists()
    assert people.visible_people(user("caseworker.lva")).filter(pk=mine.pk).exists()


def test_reading_a_record_needs_a_purpose_and_is_audited() -> None:
    person = adult(indicators=["health"], details="asthma")
    caseworker = user("caseworker.lva")
    with pytest.raises(ValidationError):
        people.read_person(caseworker, person, purpose="  ")
    record = people.read_person(caseworker, person, purpose="preparing the referral")
    assert record.special and record.indicators == ["health"] and record.details == "asthma"
    entry = AuditEntry.objects.filter(action="read", object_id=str(person.pk)).get()
    assert entry.purpose == "preparing the referral"
    assert entry.actor_username == "caseworker.lva"


def test_only_the_holding_organisation_changes_a_record() -> None:
    person = adult()
    changed = people.update_person(
        user("caseworker.lva"),
        person,
        people.PersonInput(age_band=AgeBand.YOUNG_ADULT, gender="f", languages=["ar"]),
    )
    assert changed.age_band == AgeBand.YOUNG_ADULT and changed.languages == ["ar"]
    with pytest.raises(PermissionDenied):
        people.update_person(
            user("safeguarding.pref"), person, people.PersonInput(age_band=AgeBand.ADULT)
        )


def test_a_screening_records_who_where_in_which_language_and_adds_its_indicators() -> None:
    person = adult()
    screening = people.record_screening(
        user("caseworker.lva"),
        person,
        place="Centre Jules Ferry",
        language="ti",
        indicators=["pregnant"],
        notes="Seven months",
    )
    person.refresh_from_db()
    assert screening.screened_by.username == "caseworker.lva"
    assert (screening.place, screening.language) == ("Centre Jules Ferry", "ti")
    assert person.vulnerable and person.indicators == ["pregnant"]
    with pytest.raises(ValidationError) as caught:
        people.record_screening(
            user("caseworker.lva"), person, place="", language="tigrinya", indicators=["x"]
        )
    assert set(caught.value.message_dict) == {"place", "language", "indicators"}
    assert Screening.objects.filter(person=person).count() == 1


def test_a_viewer_cannot_record_a_person() -> None:
    with pytest.raises(PermissionDenied):
        adult(by="officer.iom")


def test_the_demo_loads_people_referrals_and_the_handover_once() -> None:
    from entente.control_room.models import Handover
    from entente.demo import safeguarding_people
    from entente.safeguarding.models import Consent, Referral, RetentionPolicy

    safeguarding_people.load()
    safeguarding_people.load()  # idempotent
    assert Person.objects.filter(name__isnull=False).count() == 0  # case codes, no names
    assert RetentionPolicy.objects.count() == 4
    referred = Referral.objects.all()
    assert referred.filter(without_consent="child").count() == 3
    assert referred.filter(anonymous=True, purpose="nrm").count() == 1
    assert referred.filter(without_consent="override").count() == 1
    assert referred.filter(state="accepted", purpose="accommodation").count() == 2
    assert Consent.objects.exclude(language__in=["ti", "ar", "prs"]).count() == 0
    handover = Handover.objects.get(state="taken_up")
    assert handover.referrals.count() == 2
