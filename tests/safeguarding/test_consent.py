"""Consent per purpose and per recipient country, as explained, and its withdrawal."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from entente.safeguarding.choices import Purpose
from entente.safeguarding.services import consent
from tests.safeguarding.people_factories import adult, consent_to, user

pytestmark = pytest.mark.django_db


def test_consent_counts_for_its_purpose_and_country_only() -> None:
    person = adult()
    given = consent_to(person, Purpose.NRM, "UK")
    assert given.explained_by.username == "caseworker.lva" and given.language == "ti"
    assert consent.consent_for(person, Purpose.NRM, "UK") == given
    assert consent.consent_for(person, Purpose.NRM, "FR") is None
    assert consent.consent_for(person, Purpose.ASYLUM, "UK") is None


def test_a_refusal_and_a_withdrawal_leave_no_standing_consent() -> None:
    person = adult()
    declined = consent.record_consent(
        user("caseworker.lva"), person, purpose="asylum", country="FR", given=False, language="ar"
    )
    assert consent.consent_for(person, "asylum", "FR") is None
    with pytest.raises(ValidationError):
        consent.withdraw_consent(user("caseworker.lva"), declined)
    given = consent_to(person)
    consent.withdraw_consent(user("caseworker.lva"), given)
    assert consent.consent_for(person, Purpose.ACCOMMODATION, "FR") is None
    with pytest.raises(ValidationError):
        consent.withdraw_consent(user("caseworker.lva"), given)


def test_bad_consent_is_refused_naming_each_field() -> None:
    with pytest.raises(ValidationError) as caught:
        consent.record_consent(
            user("caseworker.lva"), adult(), purpose="x", country="ZZ", given=True, language=""
        )
    assert set(caught.value.message_dict) == {"purpose", "country", "language"}


def test_an_organisation_not_holding_the_case_records_no_consent() -> None:
    with pytest.raises(PermissionDenied):
        consent.record_consent(
            user("safeguarding.pref"),
            adult(),
            purpose="asylum",
            country="FR",
            given=True,
            language="fr",
        )
