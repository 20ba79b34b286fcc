"""The link chart's graph: neighbourhoods, hidden counts, shortest paths and the timeline,
over what the access policy lets each persona see (a French investigator never learns the
name, the id or the link of a record released to the UK only: only how many there are), and
the chart's API and page."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable
from typing import Any

import pytest
from django.http import Http404

from entente.core.choices import TLP, AuditAction
from entente.core.models import Agency, AuditEntry, User
from entente.intelligence.models import Entity
from entente.investigations import graph
from entente.investigations.choices import EntityRole
from entente.investigations.models import Action, Link
from entente.investigations.services import cases

pytestmark = pytest.mark.django_db

Persona = Callable[[str], User]
FRENCH = "investigator.ocriest"  # OCRIEST (FR)
BRITISH = "analyst.nca"  # NCA (UK)
BOTH = {"FR", "UK"}


def agency(code: str) -> Agency:
    return Agency.objects.select_related("country").get(code=code)


def entity(name: str, kind: str = "person", *, countries: set[str] = BOTH) -> Entity:
    return Entity.objects.create(
        kind=kind,
        name=name,
        releasability=countries,
        tlp=TLP.GREEN,
        originator=agency("NCA" if countries == {"UK"} else "DCPAF"),
    )


def link(a: Entity, b: Entity, kind: str, *, countries: set[str] = BOTH, **extra: Any) -> Link:
    return Link.objects.create(
        source=a,
        target=b,
        kind=kind,
        releasability=countries,
        tlp=TLP.GREEN,
        originator=agency("NCA" if countries == {"UK"} else "OCRIEST"),
        **extra,
    )


@pytest.fixture
def net() -> dict[str, Any]:
    """Arben drives a lorry and calls a phone that Dritan calls; Dritan owns a haulier. The
    UK alone knows Arben travels with Dritan, and pays into an account only the UK may see."""
    e = {
        "arben": entity("Arben K."),
        "lorry": entity("GH-512-KL", "vehicle"),
        "phone": entity("+44 7700 900111", "phone"),
        "dritan": entity("Dritan M."),
        "haulier": entity("Transports Littoral SARL", "company"),
        "account": entity("Secret account GB00", "account", countries={"UK"}),
        "alone": entity("Lonely Place", "place"),
    }
    e["drives"] = link(e["arben"], e["lorry"], "drives", starts_on=dt.date(2015, 3, 1))
    e["calls1"] = link(e["arben"], e["phone"], "calls")
    e["calls2"] = link(e["dritan"], e["phone"], "calls", starts_on=dt.date(2015, 4, 2))
    e["owns"] = link(e["dritan"], e["haulier"], "owns")
    e["pays"] = link(e["arben"], e["account"], "pays")  # the link is FR+UK, its end UK only
    e["travels"] = link(e["arben"], e["dritan"], "travels_with", countries={"UK"})
    return e


def ids(sub: graph.Subgraph) -> set[int]:
    return {n["id"] for n in sub.nodes}


def test_a_french_investigator_sees_only_what_is_released_to_france(persona: Persona, net):
    sub = graph.neighbourhood(persona(FRENCH), net["arben"].pk)
    assert ids(sub) == {net["arben"].pk, net["lorry"].pk, net["phone"].pk}
    assert {e["id"] for e in sub.edges} == {net["drives"].pk, net["calls1"].pk}
    # Two links of Arben's are hidden (the UK-only link, the link to a UK-only account):
    # counted, never identified.
    assert sub.hidden == {net["arben"].pk: 2}
    # The neighbours' own links were not read: not counted (None), rather than a guess.
    assert sub.counted == {net["arben"].pk}
    hidden = {n["id"]: n["hidden"] for n in sub.as_json()["nodes"]}
    assert hidden == {net["arben"].pk: 2, net["lorry"].pk: None, net["phone"].pk: None}
    text = json.dumps(sub.as_json())
    assert "Secret account" not in text and "travels_with" not in text
    for hidden in (net["account"].pk, net["travels"].pk, net["pays"].pk, net["dritan"].pk):
        assert f'"id": {hidden},' not in text and f'"target": {hidden},' not in text


def test_a_british_analyst_sees_the_uk_only_records_and_nothing_hidden(persona: Persona, net):
    sub = graph.neighbourhood(persona(BRITISH), net["arben"].pk)
    assert net["account"].pk in ids(sub) and net["dritan"].pk in ids(sub)
    assert net["travels"].pk in {e["id"] for e in sub.edges}
    assert sub.hidden == {}


def test_two_hops_bring_the_neighbours_links_and_their_hidden_counts(persona: Persona, net):
    sub = graph.neighbourhood(persona(FRENCH), net["arben"].pk, hops=2)
    assert ids(sub) == {
        net[k].pk for k in ("arben", "lorry", "phone", "dritan")
    }  # the haulier is three hops away
    assert net["calls2"].pk in {e["id"] for e in sub.edges}
    # Counted for Arben and his neighbours; Dritan, two hops out, when he is expanded.
    assert sub.hidden == {net["arben"].pk: 2}
    assert sub.counted == {net[k].pk for k in ("arben", "lorry", "phone")}
    assert sub.hidden_of(net["dritan"].pk) is None
    assert graph.neighbourhood(persona(FRENCH), net["dritan"].pk).hidden == {net["dritan"].pk: 1}
    edge = next(e for e in sub.edges if e["id"] == net["drives"].pk)
    assert edge["starts_on"] == "2015-03-01" and edge["kind_label"] == "drives"


def test_filters_keep_some_kinds_of_links_and_count_only_those(persona: Persona, net):
    sub = graph.neighbourhood(persona(FRENCH), net["arben"].pk, hops=2, kinds=["calls"])
    assert ids(sub) == {net["arben"].pk, net["phone"].pk, net["dritan"].pk}
    assert sub.hidden == {}  # the hidden links are not calls
    later = graph.neighbourhood(persona(FRENCH), net["arben"].pk, start=dt.date(2016, 1, 1))
    # A link that ended before... none has ended; links without an end overlap every period.
    assert net["lorry"].pk in ids(later)
    before = graph.neighbourhood(
        persona(FRENCH), net["dritan"].pk, end=dt.date(2015, 4, 1), kinds=["calls"]
    )
    assert ids(before) == {net["dritan"].pk}  # Dritan's call starts on 2 April


@pytest.mark.parametrize(("hops", "budget"), [(1, None), (2, None), (2, 12)])
def test_hidden_counts_are_exact_where_given_and_name_nothing_hidden(
    persona: Persona, monkeypatch, hops, budget
):
    """On a random graph with UK-only entities and links: each counted node's number is
    exactly its links the French investigator may not see; nothing UK-only is on the chart;
    the nodes not counted are the outermost ring and, when the second hop's links are too
    many to read (budget), the neighbours whose links were not read: null, never a guess."""
    if budget is not None:
        monkeypatch.setattr(graph, "SECOND_HOP_LINKS", budget)
    rng = random.Random(7)
    people = [entity(f"P{i}", countries={"UK"} if rng.random() < 0.25 else BOTH) for i in range(24)]
    links: list[Link] = []
    for _ in range(70):
        a, b = rng.sample(people, 2)
        links.append(link(a, b, "calls", countries={"UK"} if rng.random() < 0.2 else BOTH))
    uk_only = {e.pk for e in people if e.releasability == {"UK"}}

    def hidden_from_france(pk: int) -> int:
        return sum(
            1
            for li in links
            if pk in (li.source_id, li.target_id)
            and (li.releasability == {"UK"} or {li.source_id, li.target_id} & uk_only)
        )

    user = persona(FRENCH)
    neighbours_left = 0  # neighbours whose links a two-hop neighbourhood did not read
    for centre in (e for e in people if e.pk not in uk_only):
        sub = graph.neighbourhood(user, centre.pk, hops=hops)
        on_chart = ids(sub)
        assert not on_chart & uk_only
        for edge in sub.edges:
            li = next(x for x in links if x.pk == edge["id"])
            assert li.releasability != {"UK"}
        counted = on_chart if sub.counted is None else sub.counted  # None: all counted
        assert centre.pk in counted
        # The links drawn are the counted entities' (the outer ring's when expanded).
        assert all(e["source"] in counted or e["target"] in counted for e in sub.edges)
        for node in sub.as_json()["nodes"]:
            if node["id"] in counted:
                assert node["hidden"] == hidden_from_france(node["id"])
            else:
                assert node["hidden"] is None
        if hops == 2:
            ring = {e["source"] for e in sub.edges if e["target"] == centre.pk}
            ring |= {e["target"] for e in sub.edges if e["source"] == centre.pk}
            neighbours_left += len(ring - counted)
    # The budget left some neighbours to be expanded (and only it did).
    assert bool(neighbours_left) == (budget is not None)


def test_a_hub_two_hops_out_is_left_to_be_expanded_and_gives_away_nothing(
    persona: Persona, monkeypatch
):
    """Two hops out, the neighbours' links are read up to a budget, the neighbours with the
    fewest links first. A hub past it is drawn with its link to the entity, uncounted
    (null, "not counted until expanded"), its other neighbours absent; hidden ones never
    named. Expanded in its turn, it is counted exactly."""
    monkeypatch.setattr(graph, "SECOND_HOP_LINKS", 6)
    centre, courier = entity("Centre"), entity("Courier")
    hub = entity("Hub")
    link(centre, courier, "calls")
    link(centre, hub, "calls")
    contact = entity("Contact")
    link(courier, contact, "calls")
    spokes = [entity(f"Spoke {i}") for i in range(4)]
    for spoke in spokes:
        link(hub, spoke, "pays")
    secret = entity("Secret spoke", countries={"UK"})
    hidden_link = link(hub, secret, "pays")
    uk_only_link = link(hub, spokes[0], "travels_with", countries={"UK"})
    user = persona(FRENCH)

    sub = graph.neighbourhood(user, centre.pk, hops=2)
    # The courier (2 links) is read, the hub (7 links, budget 6 minus the courier's 2) is not.
    assert ids(sub) == {centre.pk, courier.pk, hub.pk, contact.pk}
    assert sub.counted == {centre.pk, courier.pk}
    hidden = {n["id"]: n["hidden"] for n in sub.as_json()["nodes"]}
    assert hidden == {centre.pk: 0, courier.pk: 0, hub.pk: None, contact.pk: None}
    text = json.dumps(sub.as_json())
    assert "Secret spoke" not in text and "travels_with" not in text
    for pk in (secret.pk, hidden_link.pk, uk_only_link.pk):
        assert f'"id": {pk},' not in text and f'"target": {pk},' not in text

    # With room for every neighbour's links, the hub is read: its two hidden links counted.
    monkeypatch.setattr(graph, "SECOND_HOP_LINKS", 100)
    whole = graph.neighbourhood(user, centre.pk, hops=2)
    assert ids(whole) == {centre.pk, courier.pk, hub.pk, contact.pk, *(s.pk for s in spokes)}
    assert whole.hidden_of(hub.pk) == 2
    assert "Secret spoke" not in json.dumps(whole.as_json())
    # And expanded on its own, the hub gives the same exact count.
    assert graph.neighbourhood(user, hub.pk).hidden_of(hub.pk) == 2


def test_an_entity_the_user_may_not_see_is_not_found(persona: Persona, net):
    with pytest.raises(Http404):
        graph.neighbourhood(persona(FRENCH), net["account"].pk)
    with pytest.raises(Http404):
        graph.shortest_path(persona(FRENCH), net["arben"].pk, net["account"].pk)


def test_the_shortest_path_uses_only_visible_links(persona: Persona, net):
    a, d = net["arben"].pk, net["dritan"].pk
    assert graph.shortest_path(persona(FRENCH), a, d) == [a, net["phone"].pk, d]
    assert graph.shortest_path(persona(BRITISH), a, d) == [a, d]
    assert graph.shortest_path(persona(FRENCH), a, net["haulier"].pk) == [
        a,
        net["phone"].pk,
        d,
        net["haulier"].pk,
    ]
    assert graph.shortest_path(persona(FRENCH), a, net["alone"].pk) is None
    assert graph.shortest_path(persona(FRENCH), a, d, kinds=["drives"]) is None


def test_the_timeline_has_dated_links_actions_and_reports(persona: Persona, net):
    user = persona(FRENCH)
    inv = cases.open_investigation(
        acting_user=user,
        title="Littoral",
        lead_fr=agency("OCRIEST"),
        lead_uk=agency("KENTPOL"),
        opened_on=dt.date(2015, 3, 2),
    )
    cases.add_entity(inv, acting_user=user, entity=net["arben"], role=EntityRole.TARGET)
    Action.objects.create(
        investigation=inv,
        kind="arrest",
        jurisdiction="FR",
        occurred_on=dt.date(2015, 5, 6),
        people=1,
        entity=net["arben"],
        created_by=user,
    )
    events = graph.timeline(user, [net[k].pk for k in ("arben", "lorry", "phone", "dritan")])
    assert [(e["date"], e["type"]) for e in events] == [
        ("2015-03-01", "link"),
        ("2015-04-02", "link"),
        ("2015-05-06", "action"),
    ]
    assert "Arben K. drives GH-512-KL" in events[0]["label"]
    assert "Arrest" in events[2]["label"] and inv.reference in events[2]["label"]
    assert graph.timeline(user, [net["account"].pk]) == []  # not visible: nothing
    may = graph.timeline(user, [net["arben"].pk, net["lorry"].pk], start=dt.date(2015, 4, 1))
    assert [e["type"] for e in may] == ["action"]


def test_an_investigations_chart_shows_its_visible_entities(persona: Persona, net, login):
    user = persona(FRENCH)
    inv = cases.open_investigation(
        acting_user=user,
        title="Littoral",
        lead_fr=agency("OCRIEST"),
        lead_uk=agency("KENTPOL"),
        opened_on=dt.date(2015, 3, 2),
    )
    for name in ("arben", "phone"):
        cases.add_entity(inv, acting_user=user, entity=net[name], role=EntityRole.MEMBER)
    sub = graph.subgraph(user, [net["arben"].pk, net["phone"].pk, net["account"].pk])
    assert ids(sub) == {net["arben"].pk, net["phone"].pk}
    assert sub.hidden == {net["arben"].pk: 2}
    page = login(FRENCH).get(f"/investigations/chart/?investigation={inv.pk}")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Arben K." in body and "Secret account" not in body
    assert 'id="chart-data"' in body


# The API ---------------------------------------------------------------------------------------


def test_the_expand_api_answers_the_neighbourhood_and_audits_people(login, net):
    client = login(FRENCH)
    before = AuditEntry.objects.filter(action=AuditAction.READ).count()
    response = client.get(f"/api/v1/investigations/graph/expand/{net['arben'].pk}?hops=2")
    assert response.status_code == 200
    body = response.json()
    hidden = {n["label"]: n["hidden"] for n in body["nodes"]}
    # Dritan (two hops out) is not counted until expanded: null, never a guess.
    assert hidden == {"Arben K.": 2, "GH-512-KL": 0, "+44 7700 900111": 0, "Dritan M.": None}
    assert AuditEntry.objects.filter(action=AuditAction.READ).count() == before + 1
    kinds = client.get(
        f"/api/v1/investigations/graph/expand/{net['arben'].pk}?kinds=calls&kinds=drives"
    )
    assert {e["kind"] for e in kinds.json()["edges"]} == {"calls", "drives"}


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("?hops=3", 422),
        ("?hops=0", 422),
        ("?start=2015-13-01", 422),
        ("?start=2015-06-01&end=2015-05-01", 422),
        ("?kinds=teleports", 422),
    ],
)
def test_the_expand_api_refuses_bad_input_with_a_problem(login, net, query, status):
    response = login(FRENCH).get(f"/api/v1/investigations/graph/expand/{net['arben'].pk}{query}")
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/problem+json")


def test_an_entity_hidden_from_the_caller_is_a_404_everywhere(login, net):
    client = login(FRENCH)
    account = net["account"].pk
    for url in (
        f"/api/v1/investigations/graph/expand/{account}",
        f"/api/v1/investigations/graph/path/{net['arben'].pk}/{account}",
        f"/investigations/chart/?entity={account}",
    ):
        assert client.get(url).status_code == 404, url
    assert login(BRITISH).get(f"/api/v1/investigations/graph/expand/{account}").status_code == 200


def test_the_path_api_answers_the_chain_and_its_links(login, net):
    a, d = net["arben"].pk, net["dritan"].pk
    body = login(FRENCH).get(f"/api/v1/investigations/graph/path/{a}/{d}").json()
    assert body["path"] == [a, net["phone"].pk, d]
    assert {e["id"] for e in body["edges"]} == {net["calls1"].pk, net["calls2"].pk}
    none = login(FRENCH).get(f"/api/v1/investigations/graph/path/{a}/{net['alone'].pk}").json()
    assert none["path"] is None and none["nodes"] == []


def test_the_timeline_api_ignores_entities_the_caller_may_not_see(login, net):
    query = "&".join(f"entities={net[k].pk}" for k in ("arben", "lorry", "account"))
    events = login(FRENCH).get(f"/api/v1/investigations/graph/timeline?{query}").json()
    assert [e["type"] for e in events] == ["link"]


def test_people_without_an_investigations_role_are_refused(login, net):
    response = login("caseworker.lva").get(f"/api/v1/investigations/graph/expand/{net['arben'].pk}")
    assert response.status_code == 403
    assert login("caseworker.lva").get("/investigations/chart/").status_code == 403


def test_the_chart_page_around_an_entity_lists_its_neighbours_and_counts(login, net):
    page = login(FRENCH).get(f"/investigations/chart/?entity={net['arben'].pk}")
    body = page.content.decode()
    assert page.status_code == 200
    assert "GH-512-KL" in body and "Dritan M." not in body and "Secret account" not in body
    search = login(FRENCH).get("/investigations/chart/?q=arben")
    assert f"?entity={net['arben'].pk}" in search.content.decode()
    # Typed with an accent the name was not written with, the same person is found.
    search = login(FRENCH).get("/investigations/chart/?q=Arbèn")
    assert f"?entity={net['arben'].pk}" in search.content.decode()
