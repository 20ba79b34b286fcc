"""The demo's safeguarding: people.

People met at the Centre Jules Ferry (La Vie Active) and in a control-room handover (a lorry
searched at Coquelles), screened in their languages; women and children referred to the
centre's night places for women and children (about 100, from the 2015 agreement), minors to
child protection, an asylum seeker to accommodation away from Calais, a voluntary return, an
adult who declined the UK National Referral Mechanism notified anonymously, and one override
by the prefecture. Consents are recorded per purpose and country, in the person's language.
No name is kept: case codes only. Retention policies: the documented defaults.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from entente.core.choices import AgencyKind
from entente.core.models import Agency, Country, User
from entente.safeguarding.choices import ReferralState
from entente.safeguarding.models import Person, Place, Referral
from entente.safeguarding.services import consent, people, referrals, retention

# The UK first responder organisation of the NRM referral (reference data, demo only).
FIRST_RESPONDER = ("SALVARMY", "UK", "The Salvation Army", "Armée du Salut (Royaume-Uni)")
# About 100 night places for women and children at the Centre Jules Ferry (2015 agreement).
JULES_FERRY = "Centre Jules Ferry"
NIGHT_PLACES = 100


def _user(username: str) -> User:
    return User.objects.select_related("agency__country").get(username=username)


def _agency(code: str) -> Agency:
    return Agency.objects.select_related("country").get(code=code)


def _first_responder() -> Agency:
    from entente.core.services import upsert_agency

    code, country, name_en, name_fr = FIRST_RESPONDER
    return upsert_agency(
        code=code,
        name_en=name_en,
        name_fr=name_fr,
        country=Country.objects.get(code=country),
        kind=AgencyKind.NGO,
        acting_user=None,
    )


def _night_place(worker: User) -> Place:
    """The women-and-children night places of La Vie Active (the care demo's, if loaded)."""
    from entente.safeguarding.services import accommodation

    existing: Place | None = (
        Place.objects.filter(originator__code="LVA", capacity_women_children__gt=0, active=True)
        .order_by("pk")
        .first()
    )
    if existing is not None:
        return existing
    created: Place = accommodation.create_place(
        worker,
        name=JULES_FERRY,
        town="Calais",
        address="Chemin des Dunes, 62100 Calais",
        capacity_women_children=NIGHT_PLACES,
    )
    return created


def _person(worker: User, **fields: Any) -> Person:
    return people.create_person(worker, people.PersonInput(**fields))


def _screen(worker: User, person: Person, language: str, indicators: list[str]) -> None:
    people.record_screening(
        worker, person, place=JULES_FERRY, language=language, indicators=indicators
    )


def _consent(worker: User, person: Person, purpose: str, country: str, language: str) -> None:
    consent.record_consent(
        worker, person, purpose=purpose, country=country, given=True, language=language
    )


def _handover(leader: User, operator: User) -> Any:
    """A lorry searched at Coquelles: three people found, one of them a minor."""
    from entente.control_room.models import Handover, Incident
    from entente.control_room.services import AlertItem, ingest_alerts
    from entente.control_room.services.outcomes import OutcomeInput, close_incident

    existing = Handover.objects.filter(incident__alerts__event_id="demo-sg-lorry").first()
    if existing is not None:
        return existing
    at = timezone.now() - dt.timedelta(hours=6)
    outcome = ingest_alerts(
        [AlertItem("COQ-FENCE-DET-01", "demo-sg-lorry", at, "intrusion", 0.9)],
        acting_user=operator,
    )[0]
    assert outcome.incident is not None  # a new alert opens an incident
    closed = close_incident(
        Incident.objects.get(pk=outcome.incident),
        outcome=OutcomeInput(
            "people_found",
            adults=2,
            minors=1,
            needs=("medical",),
            vehicle_plate="WGM 4512K",
            vehicle_country="PL",
            vehicle_type="lorry",
        ),
        acting_user=leader,
    )
    return closed.incident.handover


@transaction.atomic
def load() -> None:
    """Loaded after the control room's handovers, the personas and the care demo."""
    retention.load_defaults()
    if Person.objects.filter(case_code__startswith="LVA-").exists():
        return  # already loaded
    worker = _user("caseworker.lva")
    pref = _user("safeguarding.pref")
    shelter = _night_place(worker)
    ftda, iom, home_office = _agency("FTDA"), _agency("IOM"), _agency("HO")
    responder = _first_responder()

    # A pregnant Eritrean woman and her small child: the night places.
    mother = _person(worker, age_band="25-59", gender="f", languages=["ti"], nationality="ER")
    _screen(worker, mother, "ti", ["pregnant"])
    _consent(worker, mother, "accommodation", "FR", "ti")
    stay = referrals.refer(
        worker, mother, purpose="accommodation", place=shelter, reason="Pregnant, 7 months."
    )
    referrals.move(worker, stay, ReferralState.ACCEPTED)
    toddler = _person(worker, age_band="0-4", gender="f", languages=["ti"], nationality="ER")
    referrals.move(
        worker,
        referrals.refer(worker, toddler, purpose="accommodation", place=shelter),
        ReferralState.ACCEPTED,
    )

    # A Sudanese woman with trafficking indicators: a bed, and she declines the NRM, so the
    # first responder notifies the Home Office anonymously.
    woman = _person(worker, age_band="18-24", gender="f", languages=["ar"], nationality="SD")
    _screen(worker, woman, "ar", ["trafficking"])
    _consent(worker, woman, "accommodation", "FR", "ar")
    consent.record_consent(worker, woman, purpose="nrm", country="UK", given=False, language="ar")
    referrals.refer(worker, woman, purpose="accommodation", place=shelter)
    referrals.refer(
        worker,
        woman,
        purpose="nrm",
        to_agency=home_office,
        first_responder=responder,
        anonymous=True,
    )

    # An unaccompanied Afghan boy: child protection (always referred).
    boy = _person(
        worker,
        age_band="16-17",
        gender="m",
        languages=["ps"],
        nationality="AF",
        indicators=["minor", "unaccompanied"],
    )
    to_child_protection = referrals.refer(worker, boy, purpose="child_protection", to_agency=ftda)
    # Referred three days ago and not yet answered: overdue on the lists.
    ago = timezone.now() - dt.timedelta(days=3)
    Referral.objects.filter(pk=to_child_protection.pk).update(
        created_at=ago, state_changed_at=ago, due_on=ago.date() + dt.timedelta(days=1)
    )

    # An Afghan man who asks for asylum, with accommodation away from Calais; a Sudanese man
    # who asks to go home (assisted voluntary return, IOM).
    seeker = _person(worker, age_band="25-59", gender="m", languages=["prs"], nationality="AF")
    _consent(worker, seeker, "asylum", "FR", "prs")
    referrals.refer(worker, seeker, purpose="asylum", to_agency=ftda)
    returning = _person(worker, age_band="25-59", gender="m", languages=["ar"], nationality="SD")
    _consent(worker, returning, "voluntary_return", "FR", "ar")
    referrals.refer(worker, returning, purpose="voluntary_return", to_agency=iom)

    # The prefecture's override: a woman found unconscious, medical care at once.
    unconscious = _person(pref, age_band="25-59", gender="f", indicators=["health"])
    referrals.refer(
        pref,
        unconscious,
        purpose="medical",
        to_agency=_agency("LVA"),
        override_reason="Unconscious when found; cannot consent.",
    )

    # The control room's handover: one per person found, the minor (age disputed) referred
    # to child protection; the woman to the night places once she consents.
    found = _handover(_user("leader.borderforce"), _user("operator.eurotunnel"))
    if found.state == "pending":
        referrals.take_up_handover(
            worker,
            found,
            [
                referrals.FoundPerson(
                    "12-15",
                    "m",
                    minor=True,
                    languages=["ti"],
                    purpose="child_protection",
                    to_agency=ftda,
                ),
                referrals.FoundPerson("18-24", "f", languages=["ti"]),
                referrals.FoundPerson("25-59", "m", languages=["ti"]),
            ],
        )
        woman_found = Person.objects.filter(originator__code="LVA", gender="f").latest("pk")
        _consent(worker, woman_found, "accommodation", "FR", "ti")
        referrals.refer(worker, woman_found, purpose="accommodation", place=shelter, handover=found)
