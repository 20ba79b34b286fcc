"""Entities for investigators: people, vehicles, phones, hauliers, places and bank accounts
written in the shared conventions, refused whole when a value is wrong, and every reading of
a person audited with its purpose."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from entente.core.choices import TLP, AuditAction, Classification
from entente.core.models import AuditEntry, User
from entente.intelligence.models import Entity
from entente.investigations.services import entities as services

pytestmark = pytest.mark.django_db


def user(username: str) -> User:
    return User.objects.select_related("agency__country").get(username=username)


def entity(username: str, kind: str, name: str, **fields: Any) -> Entity:
    """An entity written through the service by that persona (GREEN, so that every
    intelligence role of the countries it is releasable to sees it)."""
    fields.setdefault("tlp", TLP.GREEN)
    return services.create_entity(acting_user=user(username), kind=kind, name=name, **fields)


def reads_of(entity_id: int) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            action=AuditAction.READ, object_type="intelligence.entity", object_id=str(entity_id)
        ).order_by("seq")
    )


def test_every_kind_is_written_in_the_shared_conventions():
    person = entity(
        "investigator.ocriest",
        "person",
        "",
        attributes={
            "given_name": "Arben",
            "family_name": "Krasniqi",
            "birth_date": "1984-03-02",
            "birth_date_estimated": "oui",
            "nationality": "al",
            "gender": "M",
        },
    )
    assert person.name == "Arben Krasniqi"
    assert person.attributes == {
        "given_name": "Arben",
        "family_name": "Krasniqi",
        "birth_date": "1984-03-02",
        "birth_date_estimated": True,
        "nationality": "AL",
        "gender": "m",
    }
    lorry = entity(
        "investigator.ocriest",
        "vehicle",
        "Tautliner",
        identifier="gh-512 kl",
        country="pl",
        attributes={"vehicle_type": "Lorry"},
    )
    assert (lorry.identifier, lorry.country) == ("GH512KL", "PL")
    assert lorry.attributes == {"plate": "GH512KL", "vehicle_type": "lorry"}
    phone = entity("investigator.ocriest", "phone", "", identifier="0033 6 12 34 56 78")
    assert (phone.identifier, phone.name) == ("+33612345678", "0033 6 12 34 56 78")
    haulier = entity(
        "investigator.ocriest",
        "company",
        "Transports Côte d'Opale",
        identifier="FR-51234567800019",
        attributes={"haulier": True},
    )
    assert haulier.attributes == {"haulier": True}
    account = entity(
        "investigator.ocriest",
        "account",
        "Compte courant",
        identifier="fr76 3000 6000 0112 3456 7890 189",
        attributes={"bank": "Banque du Littoral"},
    )
    assert account.identifier == "FR7630006000011234567890189"
    place = entity("investigator.ocriest", "place", "Aire des Deux Caps", country="FR")
    assert place.originator.code == "OCRIEST"
    assert sorted(place.releasability) == ["FR"]
    assert AuditEntry.objects.filter(
        action=AuditAction.CREATE, object_type="intelligence.entity", object_id=str(place.pk)
    ).exists()


@pytest.mark.parametrize(
    ("kind", "fields", "field"),
    [
        ("person", {"attributes": {"birth_date": "02/03/1984"}}, "birth_date"),
        ("person", {"attributes": {"gender": "unknown"}}, "gender"),
        ("vehicle", {"attributes": {"vehicle_type": "bicycle"}}, "vehicle_type"),
        ("phone", {"identifier": "not a phone"}, "identifier"),
        ("place", {"attributes": {"haulier": True}}, "haulier"),
        ("spaceship", {}, "kind"),
        ("person", {"classification": Classification.SECRET}, "classification"),
        ("person", {"releasability": ["UK"]}, "releasability"),
    ],
)
def test_a_wrong_value_is_refused_whole_with_its_field(kind, fields, field):
    before = Entity.objects.count()
    with pytest.raises(ValidationError) as refused:
        entity("investigator.ocriest", kind, "Someone", **fields)
    assert field in refused.value.message_dict
    assert Entity.objects.count() == before


def test_only_investigations_editors_create_entities():
    with pytest.raises(PermissionDenied):
        entity("analyst.nca", "person", "Someone")  # investigations viewer
    with pytest.raises(PermissionDenied):
        entity("caseworker.lva", "person", "Someone")


def test_an_entity_is_changed_by_its_agency_only():
    place = entity(
        "investigator.ocriest", "place", "Parking Total, Coquelles", releasability=["FR", "UK"]
    )
    changed = services.update_entity(
        place.pk, acting_user=user("investigator.ocriest"), name="Parking Total, Coquelles (A16)"
    )
    assert changed.name == "Parking Total, Coquelles (A16)"
    with pytest.raises(PermissionDenied):
        services.update_entity(place.pk, acting_user=user("gold.pn"), name="Elsewhere")
    assert Entity.objects.get(pk=place.pk).name == "Parking Total, Coquelles (A16)"


def test_reading_a_person_is_audited_with_its_purpose(login):
    person = entity("investigator.ocriest", "person", "Dritan M.", releasability=["FR", "UK"])
    response = login("gold.pn").get(reverse("investigations:entity_detail", args=[person.pk]))
    assert response.status_code == 200
    assert "Dritan M." in response.content.decode()
    [entry] = reads_of(person.pk)
    assert entry.actor_username == "gold.pn"
    assert entry.purpose == services.READ_PURPOSE
    response = login("gold.kent").get(f"/api/v1/investigations/entities/{person.pk}")
    assert response.status_code == 200
    assert [e.actor_username for e in reads_of(person.pk)] == ["gold.pn", "gold.kent"]


def test_an_entity_of_a_country_not_releasable_to_the_viewer_is_not_found(login):
    place = entity("investigator.ocriest", "place", "Aire de Saint-Omer")  # FR only
    assert (
        login("gold.kent").get(reverse("investigations:entity_detail", args=[place.pk])).status_code
        == 404
    )
    assert login("gold.kent").get(f"/api/v1/investigations/entities/{place.pk}").status_code == 404


def test_the_list_filters_by_kind_and_text(login):
    entity("investigator.ocriest", "person", "Besnik R.", releasability=["FR", "UK"])
    entity("investigator.ocriest", "place", "Besnik's garage", releasability=["FR", "UK"])
    entity("investigator.ocriest", "person", "Ilir T.", releasability=["FR", "UK"])
    page = login("gold.kent").get(
        reverse("investigations:entity_list"), {"kind": "person", "q": "besnik"}
    )
    text = page.content.decode()
    assert "Besnik R." in text
    assert "Besnik&#x27;s garage" not in text and "Ilir T." not in text
    api = login("gold.kent").get("/api/v1/investigations/entities?kind=person&q=besnik").json()
    assert [row["name"] for row in api["items"]] == ["Besnik R."]


def test_the_text_matches_whatever_the_accents_on_either_side(login):
    entity("investigator.ocriest", "person", "Benoît Lefèvre", releasability=["FR", "UK"])
    entity("investigator.ocriest", "person", "Zoe Marchand", releasability=["FR", "UK"])
    entity("investigator.ocriest", "person", "Cœur de Lion", releasability=["FR", "UK"])
    entity("investigator.ocriest", "person", "Benoit_Dupont", releasability=["FR", "UK"])
    client = login("gold.kent")

    def found(text: str) -> list[str]:
        api = client.get("/api/v1/investigations/entities", {"kind": "person", "q": text})
        return sorted(row["name"] for row in api.json()["items"])

    # A British keyboard types no accent; a French one may put one where none was written.
    assert found("benoit lefevre") == ["Benoît Lefèvre"]
    assert found("LEFÈVRE") == ["Benoît Lefèvre"]
    assert found("zoë") == ["Zoe Marchand"]
    assert found("coeur") == ["Cœur de Lion"]
    # The wildcards of SQL's LIKE are matched as themselves.
    assert found("benoit_") == ["Benoit_Dupont"]
    assert found("%") == []
    page = client.get(reverse("investigations:entity_list"), {"q": "lefevre"})
    assert "Benoît Lefèvre" in page.content.decode()


def test_the_api_creates_an_entity_and_refuses_a_bad_one_with_a_problem(login):
    client = login("investigator.ocriest")
    made = client.post(
        "/api/v1/investigations/entities",
        {
            "kind": "vehicle",
            "name": "Scania",
            "identifier": "AB 123 CD",
            "attributes": {"vehicle_type": "lorry"},
        },
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    assert made.json()["identifier"] == "AB123CD"
    before = Entity.objects.count()
    bad = client.post(
        "/api/v1/investigations/entities",
        {"kind": "person", "name": "X", "attributes": {"birth_date": "yesterday"}},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert bad["Content-Type"].startswith("application/problem+json")
    assert Entity.objects.count() == before
