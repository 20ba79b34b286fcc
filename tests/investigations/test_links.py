"""Links between entities: typed, dated, with a confidence and their provenance; refused whole
when they make no sense or reach across a marking; never shown, nor their hidden end, to
someone who may not see them (only a count of what is hidden)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from entente.core.choices import TLP, AuditAction, Classification
from entente.core.models import AuditEntry
from entente.intelligence.models import Report
from entente.investigations.models import Link
from entente.investigations.services import entities as services
from entente.investigations.services import links as link_services
from tests.investigations.test_entities import entity, user

pytestmark = pytest.mark.django_db

BOTH = ["FR", "UK"]


@pytest.fixture
def world() -> dict[str, object]:
    """Two people both sides see, a phone the French only see, a lorry of Kent Police the
    British only see."""
    return {
        "arben": entity("investigator.ocriest", "person", "Arben K.", releasability=BOTH),
        "dritan": entity("investigator.ocriest", "person", "Dritan M.", releasability=BOTH),
        "fr_phone": entity("investigator.ocriest", "phone", "", identifier="+33 6 98 76 54 32"),
        "uk_lorry": entity("gold.kent", "vehicle", "Reefer", identifier="KR 1188"),
    }


def link(username: str, source, target, kind: str = "calls", **fields) -> Link:
    return link_services.create_link(
        acting_user=user(username), source=source, target=target, kind=kind, **fields
    )


def report(username: str, releasability: list[str], tlp: str = TLP.GREEN) -> Report:
    from entente.intelligence.services import reports

    author = user(username)
    return reports.create_report(
        acting_user=author,
        title="Phones of the Coquelles network",
        body="Two phones call each other before every crossing.",
        language="en",
        grading_scheme="3x5x2",
        source_grade="2",
        information_grade="B",
        handling_code="P",
        classification=Classification.OFFICIAL_SENSITIVE,
        releasability=releasability,
        tlp=tlp,
    )


def test_a_link_takes_the_marking_of_its_ends_and_its_source(world):
    source = report("analyst.nca", BOTH)
    made = link(
        "investigator.ocriest",
        world["arben"],
        world["dritan"],
        "travels_with",
        starts_on=dt.date(2015, 6, 1),
        ends_on=dt.date(2015, 8, 31),
        confidence=0.7,
        report=source.pk,
    )
    assert made.classification == Classification.OFFICIAL_SENSITIVE  # the report's
    assert sorted(made.releasability) == BOTH
    assert made.tlp == TLP.GREEN
    assert made.originator.code == "OCRIEST"
    assert AuditEntry.objects.filter(
        action=AuditAction.CREATE, object_type="investigations.link", object_id=str(made.pk)
    ).exists()
    to_phone = link("investigator.ocriest", world["arben"], world["fr_phone"])
    assert sorted(to_phone.releasability) == ["FR"]  # the phone is the French's only


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"target": "arben"}, "target"),
        ({"starts_on": dt.date(2015, 8, 1), "ends_on": dt.date(2015, 7, 1)}, "ends_on"),
        ({"confidence": 1.5}, "confidence"),
        ({"confidence": -0.1}, "confidence"),
        ({"confidence": float("nan")}, "confidence"),
        ({"kind": "knows"}, "kind"),
        ({"classification": Classification.OFFICIAL, "report": "nca-os"}, "classification"),
        ({"tlp": TLP.CLEAR}, "tlp"),
        ({"releasability": BOTH, "target": "fr_phone"}, "releasability"),
    ],
)
def test_a_link_that_makes_no_sense_is_refused_and_nothing_is_written(world, fields, field):
    fields = dict(fields)
    if fields.get("target") in world:
        fields["target"] = world[fields["target"]]
    if fields.get("report") == "nca-os":
        fields["report"] = report("analyst.nca", BOTH).pk
    fields.setdefault("target", world["dritan"])
    before = (
        Link.objects.count(),
        AuditEntry.objects.filter(object_type="investigations.link").count(),
    )
    with pytest.raises(ValidationError) as refused:
        link_services.create_link(
            acting_user=user("investigator.ocriest"),
            source=world["arben"],
            kind=fields.pop("kind", "calls"),
            **fields,
        )
    assert field in refused.value.message_dict
    assert before == (
        Link.objects.count(),
        AuditEntry.objects.filter(object_type="investigations.link").count(),
    )


def test_a_link_to_a_hidden_entity_is_refused_as_if_it_did_not_exist(world):
    kent = user("gold.kent")
    with pytest.raises(ValidationError) as hidden:
        link_services.create_link(
            acting_user=kent, source=world["uk_lorry"], target=world["fr_phone"].pk, kind="owns"
        )
    with pytest.raises(ValidationError) as absent:
        link_services.create_link(
            acting_user=kent, source=world["uk_lorry"], target=2**62, kind="owns"
        )
    assert hidden.value.message_dict == absent.value.message_dict
    assert Link.objects.count() == 0


def test_a_link_citing_a_hidden_report_is_refused_as_if_it_did_not_exist(world):
    uk_only = report("analyst.nca", ["UK"])
    with pytest.raises(ValidationError) as hidden:
        link("investigator.ocriest", world["arben"], world["dritan"], report=uk_only.pk)
    with pytest.raises(ValidationError) as absent:
        link("investigator.ocriest", world["arben"], world["dritan"], report=2**62)
    assert (
        hidden.value.message_dict
        == absent.value.message_dict
        == {"report": ["No such record, or you may not see it."]}
    )
    assert Link.objects.count() == 0


def test_someone_without_the_marking_sees_neither_the_link_nor_its_hidden_end(world, login):
    link("investigator.ocriest", world["arben"], world["fr_phone"], "calls")
    link(
        "investigator.ocriest", world["arben"], world["dritan"], "travels_with", releasability=BOTH
    )
    page = login("gold.kent").get(reverse("investigations:entity_detail", args=[world["arben"].pk]))
    text = page.content.decode()
    assert "Dritan M." in text
    assert "+33698765432" not in text and "98 76 54 32" not in text
    assert page.context["view"].hidden_links == 1
    api = login("gold.kent").get(f"/api/v1/investigations/links?entity={world['arben'].pk}").json()
    assert [row["kind"] for row in api["items"]] == ["travels_with"]
    french = login("gold.pn").get(f"/api/v1/investigations/links?entity={world['arben'].pk}").json()
    assert sorted(row["kind"] for row in french["items"]) == ["calls", "travels_with"]


def test_only_the_originating_agency_changes_or_deletes_a_link(world, login):
    made = link("investigator.ocriest", world["arben"], world["dritan"], releasability=BOTH)
    with pytest.raises(PermissionDenied):
        link_services.update_link(made.pk, acting_user=user("gold.kent"), confidence=0.1)
    with pytest.raises(PermissionDenied):
        link_services.delete_link(made.pk, acting_user=user("gold.pn"))
    changed = link_services.update_link(
        made.pk, acting_user=user("investigator.ocriest"), confidence=0.4, kind="pays"
    )
    assert (changed.confidence, changed.kind) == (0.4, "pays")
    with pytest.raises(ValidationError):
        link_services.update_link(
            made.pk,
            acting_user=user("investigator.ocriest"),
            ends_on=dt.date(2015, 1, 1),
            starts_on=dt.date(2015, 2, 1),
        )
    assert Link.objects.get(pk=made.pk).starts_on is None
    response = login("investigator.ocriest").delete(f"/api/v1/investigations/links/{made.pk}")
    assert response.status_code == 204
    assert not Link.objects.exists()
    assert AuditEntry.objects.filter(
        action=AuditAction.DELETE, object_type="investigations.link", object_id=str(made.pk)
    ).exists()


def test_the_link_form_refuses_a_self_link_and_writes_a_good_one(world, login):
    client = login("investigator.ocriest")
    url = reverse("investigations:link_create", args=[world["arben"].pk])
    assert client.get(url).status_code == 200
    refused = client.post(
        url, {"other": world["arben"].pk, "kind": "calls", "direction": "out", "confidence": "1"}
    )
    assert refused.status_code == 200
    assert "other" in refused.context["form"].errors  # itself is not among the choices
    assert Link.objects.count() == 0
    made = client.post(
        url,
        {
            "other": world["dritan"].pk,
            "kind": "travels_with",
            "direction": "in",
            "confidence": "0.6",
            "starts_on": "2015-07-01",
            "source_note": "Surveillance, A16",
        },
    )
    assert made.status_code == 302
    only = Link.objects.get()
    assert (only.source_id, only.target_id, only.confidence) == (
        world["dritan"].pk,
        world["arben"].pk,
        0.6,
    )


def test_the_link_form_finds_and_takes_an_entity_past_its_list(world, login, monkeypatch):
    from entente.investigations.views import entities as views

    monkeypatch.setattr(views, "MAX_CHOICES", 2)
    garage = entity("investigator.ocriest", "place", "Garage de Zoë", releasability=BOTH)
    client = login("investigator.ocriest")
    url = reverse("investigations:link_create", args=[world["arben"].pk])
    # Arben's form lists by kind, then name: Dritan, the French phone; the garage comes
    # third, past the list, which says so (in French, the investigator's language).
    page = client.get(url)
    offered = [value for value, _label in page.context["form"].fields["other"].choices if value]
    assert offered == [world["dritan"].pk, world["fr_phone"].pk]
    text = page.content.decode()
    assert 'role="search"' in text and "les 2 premières des 3 entités" in text
    # The people offered are audited as read.
    listed = AuditEntry.objects.filter(purpose=services.OTHERS_PURPOSE).get()
    assert listed.changes["people"] == [world["dritan"].pk]
    assert listed.actor_username == "investigator.ocriest"
    # The search narrows the list, whatever the accents typed.
    found = client.get(url, {"q": "garage de zoe"})
    choices = found.context["form"].fields["other"].choices
    assert [value for value, _label in choices if value] == [garage.pk]
    assert "1 entité correspond à la recherche." in found.content.decode()
    # Any entity the person may see can be chosen, listed or not; one they may not see cannot.
    made = client.post(
        url, {"other": garage.pk, "kind": "owns", "direction": "out", "confidence": "1"}
    )
    assert made.status_code == 302
    assert Link.objects.filter(source=world["arben"], target=garage).exists()
    # Saved, the form listed nobody: no read is recorded for it.
    assert AuditEntry.objects.filter(purpose=services.OTHERS_PURPOSE).count() == 1
    hidden = client.post(
        url, {"other": world["uk_lorry"].pk, "kind": "calls", "direction": "out", "confidence": "1"}
    )
    assert hidden.status_code == 200 and "other" in hidden.context["form"].errors
    assert not Link.objects.filter(target=world["uk_lorry"]).exists()


def test_the_link_form_search_speaks_english_too(world, login):
    page = login("gold.kent").get(
        reverse("investigations:link_create", args=[world["arben"].pk]), {"q": "dritan"}
    )
    text = page.content.decode()
    assert "Find the other entity" in text and "1 entity matches the search." in text


def test_listing_people_and_their_links_is_audited(world, login):
    link(
        "investigator.ocriest", world["arben"], world["dritan"], "travels_with", releasability=BOTH
    )
    before = AuditEntry.objects.filter(action=AuditAction.READ).count()
    listed = login("gold.kent").get(reverse("investigations:entity_list"), {"kind": "person"})
    assert listed.status_code == 200
    api = login("gold.kent").get(f"/api/v1/investigations/links?entity={world['arben'].pk}")
    assert api.status_code == 200
    entries = list(AuditEntry.objects.filter(action=AuditAction.READ).order_by("seq")[before:])
    assert [e.purpose for e in entries] == [services.LIST_PURPOSE, services.LINKS_PURPOSE]
    assert entries[0].changes["people"] == sorted([world["arben"].pk, world["dritan"].pk])
    assert entries[1].changes["people"] == sorted([world["arben"].pk, world["dritan"].pk])
    assert all(e.actor_username == "gold.kent" for e in entries)


def test_the_delete_page_asks_then_deletes(world, login):
    made = link("investigator.ocriest", world["arben"], world["dritan"], releasability=BOTH)
    client = login("investigator.ocriest")
    url = reverse("investigations:link_delete", args=[made.pk])
    assert client.get(url).status_code == 200
    assert Link.objects.filter(pk=made.pk).exists()
    assert client.post(url).status_code == 302
    assert not Link.objects.filter(pk=made.pk).exists()


def test_the_entity_page_and_list_do_not_grow_queries_with_links(world, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login("gold.pn")
    url = reverse("investigations:entity_detail", args=[world["arben"].pk])

    def queries(path: str, **params: str) -> int:
        with CaptureQueriesContext(connection) as seen:
            assert client.get(path, params).status_code == 200
        return len(seen)

    link("investigator.ocriest", world["arben"], world["dritan"], releasability=BOTH)
    queries(url)  # the first request fills caches (content types, the session)
    few = (queries(url), queries(reverse("investigations:entity_list")))
    for n in range(8):
        other = entity("investigator.ocriest", "person", f"Courier {n}", releasability=BOTH)
        link("investigator.ocriest", world["arben"], other, "pays", releasability=BOTH)
    assert (queries(url), queries(reverse("investigations:entity_list"))) == few
