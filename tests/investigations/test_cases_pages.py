"""The pages and the API of joint investigations and networks: they render for the people
who see them (in both languages), writes go through the services with their refusals shown,
and API refusals are problem details with nothing written."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from entente.core import services as core_services
from entente.core.models import User
from entente.demo import intelligence_reports, investigations_cases
from entente.investigations.models import Action, Investigation, Network
from tests.conftest import verified_login

pytestmark = pytest.mark.django_db

Persona = Callable[[str], User]


@pytest.fixture
def demo(db: object) -> Investigation:
    intelligence_reports.load()
    investigations_cases.load()
    return Investigation.objects.get(network__name=investigations_cases.MAIN_NETWORK)


def page(persona: Persona, who: str) -> Client:
    return verified_login(Client(), persona(who))


def api(persona: Persona, who: str) -> dict[str, str]:
    _, token = core_services.create_api_token(persona(who), name="t", acting_user=None)
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def post_json(url: str, body: Any, headers: dict[str, str]) -> Any:
    return Client().post(url, data=json.dumps(body), content_type="application/json", **headers)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_detail_page_shows_every_section_in_the_readers_language(
    demo: Investigation, persona: Persona, language: str
):
    client = page(persona, "investigator.ocriest")
    html = client.get(
        reverse("investigations:investigation_detail", args=[demo.pk]),
        HTTP_ACCEPT_LANGUAGE=language,
    ).content.decode()
    assert demo.reference in html and 'lang="fr"' in html
    assert "Arben K." in html and "KR1188" in html
    assert html.count('class="badge text-bg-danger overdue"') >= 1  # the overdue task
    for anchor in ("members", "tasks", "actions", "reports", "entities"):
        assert f'id="{anchor}"' in html
    assert reverse("investigations:action_add", args=[demo.pk]) in html


def test_a_reader_sees_no_write_forms_and_a_writer_gets_403_on_them(
    demo: Investigation, persona: Persona
):
    client = page(persona, "analyst.nca")  # a read member
    html = client.get(reverse("investigations:investigation_detail", args=[demo.pk])).content
    assert reverse("investigations:action_add", args=[demo.pk]).encode() not in html
    assert client.get(reverse("investigations:action_add", args=[demo.pk])).status_code == 403
    outsider = page(persona, "caseworker.lva")
    url = reverse("investigations:investigation_detail", args=[demo.pk])
    assert outsider.get(url).status_code == 404  # absent and forbidden look the same


def test_the_action_form_shows_a_refusal_and_writes_nothing(demo: Investigation, persona: Persona):
    client = page(persona, "investigator.ocriest")
    before = Action.objects.count()
    response = client.post(
        reverse("investigations:action_add", args=[demo.pk]),
        {"kind": "arrest", "jurisdiction": "FR", "occurred_on": "2015-08-01", "people": 0},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 200
    assert 'id="id_people_error"' in response.content.decode()
    assert Action.objects.count() == before
    response = client.post(
        reverse("investigations:action_add", args=[demo.pk]),
        {"kind": "arrest", "jurisdiction": "EW", "occurred_on": "2015-08-01", "people": 2},
    )
    assert response.status_code == 302 and Action.objects.count() == before + 1


def test_lists_filter_by_state_agency_and_network(demo: Investigation, persona: Persona):
    client = page(persona, "gold.kent")
    url = reverse("investigations:investigation_list")
    assert demo.reference.encode() in client.get(url, {"state": "open"}).content
    assert demo.reference.encode() not in client.get(url, {"state": "closed"}).content
    assert demo.reference.encode() in client.get(url, {"agency": "NCA"}).content
    assert client.get(url, {"network": demo.network_id}).status_code == 200
    html = client.get(reverse("investigations:network_list")).content.decode()
    assert investigations_cases.MAIN_NETWORK in html
    detail = client.get(reverse("investigations:network_detail", args=[demo.network_id]))
    assert demo.reference in detail.content.decode()


def test_a_step_back_on_the_network_page_is_refused_with_a_message(
    demo: Investigation, persona: Persona
):
    client = page(persona, "gold.pn")
    response = client.post(
        reverse("investigations:network_move", args=[demo.network_id]),
        {"status": "disrupted", "on": "2015-07-01"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 200
    assert Network.objects.get(pk=demo.network_id).status == "dismantled"


def test_the_api_opens_an_investigation_and_refuses_a_wrong_lead_with_a_problem(
    persona: Persona,
):
    headers = api(persona, "investigator.ocriest")
    url = "/api/v1/investigations/investigations"
    body = {"title": "T", "lead_fr": "OCRIEST", "lead_uk": "PN", "opened_on": "2015-03-01"}
    refused = post_json(url, body, headers)
    assert refused.status_code == 422
    assert refused["Content-Type"].startswith("application/problem+json")
    assert "lead_uk" in json.dumps(refused.json()["errors"])
    assert not Investigation.objects.exists()
    created = post_json(url, {**body, "lead_uk": "NCA"}, headers)
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["my_access"] == "lead" and data["members"][0]["username"] == "investigator.ocriest"
    inv = data["id"]
    zero = post_json(
        f"{url}/{inv}/actions",
        {"kind": "arrest", "jurisdiction": "FR", "occurred_on": "2015-04-01", "people": 0},
        headers,
    )
    assert zero.status_code == 422 and not Action.objects.exists()
    ok = post_json(
        f"{url}/{inv}/actions",
        {"kind": "arrest", "jurisdiction": "EW", "occurred_on": "2015-04-01", "people": 3},
        headers,
    )
    assert ok.status_code == 201 and ok.json()["people"] == 3
    member = post_json(f"{url}/{inv}/members", {"username": "gold.kent", "access": "lead"}, headers)
    assert [m["username"] for m in member.json()["members"]] == [
        "gold.kent",
        "investigator.ocriest",
    ] or len(member.json()["members"]) == 2
    got = Client().get(f"{url}/{inv}", **api(persona, "gold.kent"))
    assert got.status_code == 200 and got.json()["my_access"] == "lead"


def test_the_api_moves_networks_forward_only(persona: Persona):
    headers = api(persona, "gold.pn")
    created = post_json("/api/v1/investigations/networks", {"name": "N"}, headers)
    assert created.status_code == 201
    url = f"/api/v1/investigations/networks/{created.json()['id']}/status"
    on = dt.date(2015, 6, 1).isoformat()
    assert post_json(url, {"status": "dismantled", "on": on}, headers).status_code == 200
    back = post_json(url, {"status": "disrupted"}, headers)
    assert back.status_code == 422
    assert back["Content-Type"].startswith("application/problem+json")
    viewer = post_json(url, {"status": "dismantled"}, api(persona, "investigator.ocriest"))
    assert viewer.status_code in (403, 422)


def test_lists_do_not_grow_queries_with_rows(persona: Persona):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from entente.core.models import Agency
    from entente.investigations.services import cases, networks

    lead = persona("investigator.ocriest")
    client = page(persona, "investigator.ocriest")
    headers = api(persona, "investigator.ocriest")

    def add(n: int) -> None:
        for i in range(n):
            network = networks.create_network(acting_user=lead, name=f"Network {i}")
            cases.open_investigation(
                acting_user=lead,
                title=f"Investigation {i}",
                lead_fr=Agency.objects.get(code="OCRIEST"),
                lead_uk=Agency.objects.get(code="NCA"),
                network=network,
                opened_on=dt.date(2015, 1, 1),
            )

    def count() -> list[int]:
        counts = []
        for url, kw in (
            (reverse("investigations:investigation_list"), {}),
            (reverse("investigations:network_list"), {}),
            ("/api/v1/investigations/investigations", headers),
            ("/api/v1/investigations/networks", headers),
        ):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url, **kw).status_code == 200
            counts.append(len(ctx.captured_queries))
        return counts

    add(1)
    count()  # warm-up: the token's first use is written once
    one = count()
    add(5)
    assert count() == one


def test_the_recording_agency_describes_its_network_on_a_page(persona: Persona):
    from entente.investigations.services import networks

    network = networks.create_network(acting_user=persona("investigator.ocriest"), name="N")
    url = reverse("investigations:network_edit", args=[network.pk])
    assert page(persona, "gold.kent").get(url).status_code == 403
    response = page(persona, "investigator.ocriest").post(
        url, {"name": "Filière N", "description": "Ports.", "language": "fr"}
    )
    assert response.status_code == 302
    assert Network.objects.get(pk=network.pk).name == "Filière N"


def test_readers_get_counts_of_what_is_hidden_from_them_never_which(persona: Persona):
    from entente.core.choices import TLP, Classification
    from entente.core.models import Agency, AuditEntry
    from entente.intelligence.models import Entity
    from entente.investigations.services import actions, cases

    lead = persona("investigator.ocriest")
    inv = cases.open_investigation(
        acting_user=lead,
        title="T",
        lead_fr=Agency.objects.get(code="OCRIEST"),
        lead_uk=Agency.objects.get(code="NCA"),
        opened_on=dt.date(2015, 1, 1),
    )
    french_only = Entity.objects.create(
        kind="person",
        name="Karim B.",
        classification=Classification.OFFICIAL,
        releasability={"FR"},
        tlp=TLP.GREEN,
        originator=Agency.objects.get(code="OCRIEST"),
    )
    cases.add_entity(inv, acting_user=lead, entity=french_only, role="target")
    actions.record_action(
        inv,
        acting_user=lead,
        data=actions.ActionInput(
            "arrest", "FR", dt.date(2015, 2, 1), people=1, entity=french_only.pk
        ),
    )
    body = Client().get(
        f"/api/v1/investigations/investigations/{inv.pk}", **api(persona, "analyst.nca")
    )
    assert body.status_code == 200
    data = body.json()
    assert data["entities"] == [] and data["hidden_entities"] == 1
    assert data["actions"][0]["entity"] is None
    assert "Karim" not in body.content.decode()
    html = page(persona, "analyst.nca").get(
        reverse("investigations:investigation_detail", args=[inv.pk])
    )
    assert "Karim" not in html.content.decode()
    # The French lead who sees the person: the reading is audited with its purpose.
    page(persona, "investigator.ocriest").get(
        reverse("investigations:investigation_detail", args=[inv.pk])
    )
    read = AuditEntry.objects.filter(
        action="read", object_type="investigations.investigation", object_id=str(inv.pk)
    )
    assert read.filter(actor_username="investigator.ocriest", purpose__gt="").exists()
    assert not read.filter(actor_username="analyst.nca").exists()  # shown nobody


def test_the_forms_of_a_closed_file_send_back_to_its_page_with_the_reason(persona: Persona):
    from entente.core.models import Agency
    from entente.investigations.services import cases

    lead = persona("investigator.ocriest")
    inv = cases.open_investigation(
        acting_user=lead,
        title="T",
        lead_fr=Agency.objects.get(code="OCRIEST"),
        lead_uk=Agency.objects.get(code="NCA"),
        opened_on=dt.date(2015, 1, 1),
    )
    cases.close_investigation(inv, acting_user=lead, on=dt.date(2015, 9, 1))
    client = page(persona, "investigator.ocriest")
    for name in ("investigations:action_add", "investigations:investigation_edit"):
        response = client.get(reverse(name, args=[inv.pk]))
        assert response.status_code == 302
        assert response.url == reverse("investigations:investigation_detail", args=[inv.pk])
