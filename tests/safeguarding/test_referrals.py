"""Referrals: consent-gated (a child always, an approver with a reason, an anonymous NRM
notification), their states, the bed they allocate, and the control room's handovers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from entente.control_room.choices import HandoverState
from entente.core.models import Agency, AuditEntry
from entente.safeguarding.choices import AgeBand, Gender, PlaceCategory, Purpose, ReferralState
from entente.safeguarding.models import Person, Referral
from entente.safeguarding.services import accommodation, people, referrals
from tests.safeguarding.people_factories import adult, child, consent_to, handover, place, user

pytestmark = pytest.mark.django_db


def _agency(code: str) -> Agency:
    return Agency.objects.select_related("country").get(code=code)


def test_a_referral_without_consent_is_refused_and_nothing_is_written() -> None:
    person, shelter = adult(), place()
    before = (Referral.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationError) as caught:
        referrals.refer(user("caseworker.lva"), person, purpose="accommodation", place=shelter)
    assert "consent" in caught.value.message_dict
    assert (Referral.objects.count(), AuditEntry.objects.count()) == before


def test_with_consent_it_moves_through_its_states_and_the_free_places_follow() -> None:
    person, shelter = adult(), place(women_children=2)
    consent_to(person)
    worker = user("caseworker.lva")
    referral = referrals.refer(worker, person, purpose="accommodation", place=shelter)
    assert referral.consent is not None and referral.to_agency.code == "LVA"
    assert referral.due_on == timezone.localdate() + dt.timedelta(days=1)
    assert accommodation.free_places(shelter, PlaceCategory.WOMEN_CHILDREN) == 2
    referrals.move(worker, referral, ReferralState.ACCEPTED)
    assert accommodation.free_places(shelter, PlaceCategory.WOMEN_CHILDREN) == 1
    referrals.move(worker, referral, ReferralState.REVOKED)
    referral.refresh_from_db()
    assert referral.state == ReferralState.REVOKED and referral.closed_at is not None
    assert accommodation.free_places(shelter, PlaceCategory.WOMEN_CHILDREN) == 2
    with pytest.raises(ValidationError):
        referrals.move(worker, referral, ReferralState.ACCEPTED)
    states = [
        e.changes.get("state")
        for e in AuditEntry.objects.filter(object_type="safeguarding.referral", action="update")
    ]
    assert ["in_progress", "accepted"] in states and ["accepted", "revoked"] in states


def test_a_child_is_always_referred_and_recorded_as_such() -> None:
    minor = child()
    referral = referrals.refer(
        user("caseworker.lva"),
        minor,
        purpose="child_protection",
        to_agency=_agency("FTDA"),
        reason="Unaccompanied, 16",
    )
    assert referral.consent is None and referral.without_consent == "child"
    estimated = adult(age_band="", estimated_age=15, age_disputed=True)
    assert (
        referrals.refer(
            user("caseworker.lva"), estimated, purpose="medical", to_agency=_agency("FTDA")
        ).without_consent
        == "child"
    )


def test_the_receiving_organisation_is_named_and_sees_the_person_and_the_referral() -> None:
    minor = child()
    iom = user("officer.iom")
    assert not people.visible_people(iom).filter(pk=minor.pk).exists()
    referral = referrals.refer(
        user("caseworker.lva"), minor, purpose="voluntary_return", to_agency=_agency("IOM")
    )
    assert people.visible_people(iom).filter(pk=minor.pk).exists()
    assert referrals.visible_referrals(iom).filter(pk=referral.pk).exists()


def test_an_override_needs_the_approver_role_and_a_reason() -> None:
    person = adult(by="safeguarding.pref")
    pref = user("safeguarding.pref")
    with pytest.raises(ValidationError) as caught:
        referrals.refer(pref, person, purpose="medical", to_agency=_agency("LVA"))
    assert "override" in caught.value.message_dict["consent"][0]
    referral = referrals.refer(
        pref, person, purpose="medical", to_agency=_agency("LVA"), override_reason="Life at risk"
    )
    assert referral.without_consent == "override" and referral.overridden_by == pref
    worker_person = adult()
    with pytest.raises(PermissionDenied):
        referrals.refer(
            user("caseworker.lva"),
            worker_person,
            purpose="medical",
            to_agency=_agency("FTDA"),
            override_reason="I think so",
        )


def test_an_adult_who_declines_the_nrm_is_notified_anonymously() -> None:
    person = adult(indicators=["trafficking"])
    worker = user("caseworker.lva")
    home_office = _agency("HO")
    with pytest.raises(ValidationError) as caught:
        referrals.refer(
            worker, person, purpose="nrm", to_agency=home_office, first_responder=home_office
        )
    assert "anonymously" in caught.value.message_dict["consent"][0]
    notification = referrals.refer(
        worker,
        person,
        purpose="nrm",
        to_agency=home_office,
        first_responder=home_office,
        anonymous=True,
    )
    assert notification.anonymous and notification.without_consent == "anonymous"
    person.refresh_from_db()
    # The receiving organisation is named on the notification, not on the person.
    assert person.releasability == {"FR"}
    with pytest.raises(ValidationError):
        referrals.refer(
            worker,
            child(),
            purpose="nrm",
            to_agency=home_office,
            first_responder=home_office,
            anonymous=True,
        )


def test_a_referral_to_the_other_country_widens_the_person_to_it_with_consent() -> None:
    person = adult()
    consent_to(person, Purpose.NRM, "UK")
    home_office = _agency("HO")
    referral = referrals.refer(
        user("caseworker.lva"),
        person,
        purpose="nrm",
        to_agency=home_office,
        first_responder=home_office,
    )
    person.refresh_from_db()
    assert person.releasability == {"FR", "UK"} and referral.releasability == {"FR", "UK"}


def test_only_the_receiving_organisation_answers_and_overdue_is_flagged() -> None:
    minor = child()
    referral = referrals.refer(
        user("caseworker.lva"), minor, purpose="child_protection", to_agency=_agency("IOM")
    )
    with pytest.raises(PermissionDenied):
        referrals.move(user("caseworker.lva"), referral, ReferralState.ACCEPTED)
    assert not referrals.is_overdue(referral)
    assert referrals.is_overdue(referral, timezone.localdate() + dt.timedelta(days=5))
    Referral.objects.filter(pk=referral.pk).update(due_on=timezone.localdate() - dt.timedelta(1))
    assert (
        referrals.filter_referrals(
            referrals.visible_referrals(user("caseworker.lva")), overdue=True
        )
        .filter(pk=referral.pk)
        .exists()
    )


def test_law_enforcement_cannot_receive_a_referral() -> None:
    with pytest.raises(ValidationError) as caught:
        referrals.refer(
            user("caseworker.lva"), child(), purpose="medical", to_agency=_agency("KENTPOL")
        )
    assert "to_agency" in caught.value.message_dict


def test_a_handover_is_taken_up_one_person_per_person_found_and_referred() -> None:
    found = handover(people_found=3, minors=1)
    shelter = place(women_children=3)
    worker = user("caseworker.lva")
    rows = [
        referrals.FoundPerson(
            AgeBand.OLDER_TEEN,
            Gender.MALE,
            minor=True,
            purpose="child_protection",
            to_agency=_agency("FTDA"),
        ),
        referrals.FoundPerson(AgeBand.ADULT, Gender.FEMALE),
        referrals.FoundPerson(AgeBand.ADULT, Gender.MALE),
    ]
    with pytest.raises(ValidationError):
        referrals.take_up_handover(worker, found, rows[:2])
    made = referrals.take_up_handover(worker, found, rows)
    found.refresh_from_db()
    assert found.state == HandoverState.TAKEN_UP
    assert len(made) == 1 and made[0].handover == found and made[0].without_consent == "child"
    assert Person.objects.filter(originator__code="LVA").count() == 3
    assert referrals.handover_summary(found) == [
        "1 person referred: child protection (France terre d'asile)"
    ]
    assert shelter.pk


def test_the_pages_refer_move_and_take_a_handover_up(login: Any) -> None:
    from django.urls import reverse

    person, shelter = adult(), place(women_children=1)
    consent_to(person)
    client = login("caseworker.lva")
    refused = client.post(
        reverse("safeguarding:referral_create", kwargs={"pk": person.pk}),
        {"purpose": "medical", "to_agency": _agency("FTDA").pk},
        follow=True,
    )
    assert "has not consented" in refused.content.decode() or "consenti" in refused.content.decode()
    assert not Referral.objects.filter(person=person).exists()
    client.post(
        reverse("safeguarding:referral_create", kwargs={"pk": person.pk}),
        {"purpose": "accommodation", "place": shelter.pk, "reason": "Alone with a baby"},
    )
    referral = Referral.objects.get(person=person)
    page = client.get(reverse("safeguarding:referral_detail", kwargs={"pk": referral.pk}))
    assert b'value="accepted"' in page.content and b"Alone with a baby" in page.content
    client.post(
        reverse("safeguarding:referral_move", kwargs={"pk": referral.pk}), {"state": "accepted"}
    )
    assert accommodation.free_places(shelter, PlaceCategory.WOMEN_CHILDREN) == 0
    found = handover(people_found=2, minors=1)
    url = reverse("safeguarding:handover_people", kwargs={"pk": found.pk})
    form = client.get(url)
    assert form.status_code == 200 and b"p1-age_band" in form.content
    done = client.post(
        url,
        {
            "p0-age_band": "16-17",
            "p0-gender": "m",
            "p0-minor": "on",
            "p0-purpose": "child_protection",
            "p0-to_agency": _agency("FTDA").pk,
            "p1-age_band": "25-59",
            "p1-gender": "m",
        },
    )
    assert done.status_code == 302
    found.refresh_from_db()
    assert found.state == HandoverState.TAKEN_UP


def test_the_person_form_refuses_a_future_birth_date_in_the_users_language(login: Any) -> None:
    from django.urls import reverse

    before = Person.objects.count()
    response = login("caseworker.lva").post(
        reverse("safeguarding:person_create"),
        {"age_band": "25-59", "gender": "f", "birth_date": "2999-01-01"},
    )
    assert response.status_code == 200
    assert b"birth_date_error" in response.content
    assert Person.objects.count() == before
