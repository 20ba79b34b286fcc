"""Small builders for the people tests: people made through the services, a handover."""

from __future__ import annotations

import datetime as dt
from typing import Any

from entente.core.models import User
from entente.safeguarding.choices import AgeBand, Gender, Purpose
from entente.safeguarding.models import Consent, Person, Place
from entente.safeguarding.services import accommodation, consent, people


def user(username: str) -> User:
    return User.objects.select_related("agency__country").get(username=username)


def adult(by: str = "caseworker.lva", **fields: Any) -> Person:
    data = {
        "age_band": AgeBand.ADULT,
        "gender": Gender.FEMALE,
        "languages": ["ti"],
        "nationality": "ER",
        **fields,
    }
    return people.create_person(user(by), people.PersonInput(**data))


def child(by: str = "caseworker.lva", **fields: Any) -> Person:
    return adult(by, age_band=AgeBand.OLDER_TEEN, indicators=["minor", "unaccompanied"], **fields)


def consent_to(
    person: Person, purpose: str = Purpose.ACCOMMODATION, country: str = "FR"
) -> Consent:
    return consent.record_consent(
        user("caseworker.lva"), person, purpose=purpose, country=country, given=True, language="ti"
    )


def place(by: str = "caseworker.lva", women_children: int = 2) -> Place:
    return accommodation.create_place(
        user(by),
        name="Maison des femmes (test)",
        town="Calais",
        address="1 rue Confidentielle, Calais",
        capacity_women_children=women_children,
        capacity_men=1,
        releasability=["FR"],
    )


def handover(people_found: int = 3, minors: int = 1) -> Any:
    """A handover from the control room: a lorry searched at Coquelles, people found."""
    from entente.control_room.models import Incident
    from entente.control_room.services import AlertItem, ingest_alerts
    from entente.control_room.services.outcomes import OutcomeInput, close_incident

    outcome = ingest_alerts(
        [
            AlertItem(
                "COQ-FENCE-DET-01",
                f"sg-people-{dt.datetime.now().timestamp()}",
                dt.datetime(2015, 8, 20, 10, 0, tzinfo=dt.UTC),
                "intrusion",
                0.8,
            )
        ],
        acting_user=user("operator.eurotunnel"),
    )[0]
    incident = Incident.objects.get(pk=outcome.incident)
    closed = close_incident(
        incident,
        outcome=OutcomeInput(
            "people_found",
            adults=people_found - minors,
            minors=minors,
            needs=("medical",),
            vehicle_plate="AB 123 CD",
            vehicle_country="PL",
            vehicle_type="lorry",
        ),
        acting_user=user("leader.borderforce"),
    )
    return closed.incident.handover
