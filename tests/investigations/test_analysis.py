"""Network analysis: communities, centralities, cores and paths on graphs whose answer is known,
computed over the graph the user may see only (a hidden entity or link changes no figure),
suggested members of an investigation with their reasons, the API's shape and its refusals,
and the pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from entente.core.choices import TLP, Classification
from entente.core.models import Agency, AuditEntry, User
from entente.intelligence.models import Entity
from entente.investigations import analysis
from entente.investigations.choices import EntityRole
from entente.investigations.models import Investigation, Link
from entente.investigations.services import cases

pytestmark = pytest.mark.django_db

Persona = Callable[[str], User]
FRENCH = "investigator.ocriest"  # OFFICIAL-SENSITIVE clearance, French agency
BRITISH = "gold.kent"  # SECRET clearance, British agency


def agency(code: str) -> Agency:
    return Agency.objects.select_related("country").get(code=code)


def entity(name: str, *, classification: int = Classification.OFFICIAL) -> Entity:
    return Entity.objects.create(
        kind="person",
        name=name,
        classification=classification,
        releasability={"FR", "UK"},
        tlp=TLP.GREEN,
        originator=agency("DCPAF"),
    )


def link(
    a: Entity,
    b: Entity,
    kind: str = "calls",
    *,
    classification: int = Classification.OFFICIAL,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
) -> Link:
    return Link.objects.create(
        source=a,
        target=b,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        classification=classification,
        releasability={"FR", "UK"},
        tlp=TLP.GREEN,
        originator=agency("NCA"),
    )


@pytest.fixture
def cliques() -> dict[str, Entity]:
    """Two cliques of five (a1..a5, b1..b5) joined by one bridge a1-b1."""
    people = {f"{side}{i}": entity(f"{side}{i}") for side in "ab" for i in range(1, 6)}
    for side in "ab":
        for i in range(1, 6):
            for j in range(i + 1, 6):
                link(people[f"{side}{i}"], people[f"{side}{j}"])
    link(people["a1"], people["b1"], "pays")
    return people


def by_name(result: analysis.Analysis) -> dict[str, analysis.Node]:
    return {n.label: n for n in result.nodes}


def test_two_cliques_joined_by_a_bridge_are_two_communities(persona: Persona, cliques: Any):
    result = analysis.analyse(persona(FRENCH))
    nodes = by_name(result)
    assert [c.size for c in result.communities] == [5, 5]
    a, b = nodes["a2"].community, nodes["b2"].community
    assert a != b
    assert {n for n, node in nodes.items() if node.community == a} == {f"a{i}" for i in range(1, 6)}
    assert {n for n, node in nodes.items() if node.community == b} == {f"b{i}" for i in range(1, 6)}


def test_the_bridge_ends_have_the_highest_betweenness(persona: Persona, cliques: Any):
    nodes = by_name(analysis.analyse(persona(FRENCH)))
    top = sorted(nodes.values(), key=lambda n: -n.betweenness)[:2]
    assert {n.label for n in top} == {"a1", "b1"}
    assert nodes["a2"].betweenness == 0
    # a1 lies on every path from a2..a5 to b1..b5: 20 of the 36 pairs of the nine others.
    assert nodes["a1"].betweenness == pytest.approx(20 / 36, abs=1e-6)


def test_degree_coreness_and_eigenvector(persona: Persona, cliques: Any):
    tail = entity("tail")
    link(cliques["a2"], tail)
    nodes = by_name(analysis.analyse(persona(FRENCH)))
    assert nodes["a1"].degree == 5 and nodes["a3"].degree == 4 and nodes["tail"].degree == 1
    assert {n.coreness for label, n in nodes.items() if label != "tail"} == {4}
    assert nodes["tail"].coreness == 1
    assert max(n.eigenvector for n in nodes.values()) == 1.0
    assert nodes["tail"].eigenvector < nodes["a3"].eigenvector < nodes["a1"].eigenvector


def test_results_are_the_same_every_time(persona: Persona, cliques: Any):
    first = analysis.analyse(persona(FRENCH)).as_json()
    assert analysis.analyse(persona(FRENCH)).as_json() == first


def test_shortest_path_between_two_entities(persona: Persona, cliques: Any):
    result = analysis.analyse(persona(FRENCH))
    ids = [cliques[name].pk for name in ("a2", "a1", "b1", "b2")]
    assert result.shortest_path(ids[0], ids[-1]) == ids
    alone = entity("alone")
    assert result.shortest_path(ids[0], alone.pk) is None


def test_large_graphs_get_sampled_betweenness_and_say_so():
    edges = [(i, i + 1) for i in range(1, 60)]
    exact = analysis.compute(edges)
    sampled = analysis.compute(edges, exact_limit=10, samples=20)
    assert (exact.betweenness_method, exact.betweenness_sources) == ("exact", 60)
    assert (sampled.betweenness_method, sampled.betweenness_sources) == ("sampled", 20)
    # The middle of a path is still its most central part, estimated or not.
    middle = exact.ids.index(30)
    assert sampled.betweenness[middle] > sampled.betweenness[0]


def test_an_entity_the_user_may_not_see_is_absent_and_never_counted(persona: Persona, cliques: Any):
    secret = entity("secret informant", classification=Classification.SECRET)
    link(cliques["a1"], secret)
    link(cliques["b1"], secret)
    french = analysis.analyse(persona(FRENCH))
    nodes = by_name(french)
    assert "secret informant" not in nodes
    assert secret.pk not in {m for c in french.communities for m in c.members}
    assert nodes["a1"].degree == 5
    assert nodes["a1"].betweenness == pytest.approx(20 / 36, abs=1e-6)
    british = by_name(analysis.analyse(persona(BRITISH)))
    assert british["secret informant"].degree == 2
    assert british["a1"].degree == 6


def test_a_link_the_user_may_not_see_is_not_counted(persona: Persona, cliques: Any):
    link(cliques["a2"], cliques["b2"], classification=Classification.SECRET)
    french = by_name(analysis.analyse(persona(FRENCH)))
    british = by_name(analysis.analyse(persona(BRITISH)))
    assert french["a2"].degree == 4
    assert british["a2"].degree == 5


def test_kinds_and_period_filter_the_links(persona: Persona, cliques: Any):
    only_payments = analysis.analyse(persona(FRENCH), kinds=["pays"])
    assert {n.label for n in only_payments.nodes} == {"a1", "b1"}
    late = analysis.analyse(persona(FRENCH), start=dt.date(2016, 1, 1))
    assert len(late.nodes) == 10  # undated links overlap every period
    old = link(cliques["a3"], cliques["b3"], "drives", ends_on=dt.date(2014, 12, 31))
    assert by_name(analysis.analyse(persona(FRENCH), start=dt.date(2015, 1, 1)))["a3"].degree == 4
    assert by_name(analysis.analyse(persona(FRENCH)))["a3"].degree == 5
    assert old.pk


def test_an_analysis_is_audited(persona: Persona, cliques: Any):
    analysis.analyse(persona(FRENCH))
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry is not None
    assert (entry.actor_username, entry.action, entry.object_type) == (
        FRENCH,
        "read",
        "investigations.graph",
    )
    assert entry.changes["entities"] == 10


# Investigations: scope and suggested members ---------------------------------------------------


def open_file(persona: Persona, members: dict[str, str]) -> Investigation:
    user = persona(FRENCH)
    inv = cases.open_investigation(
        acting_user=user,
        title="Coquelles network",
        lead_fr=agency("OCRIEST"),
        lead_uk=agency("KENTPOL"),
        opened_on=dt.date(2015, 3, 2),
    )
    for name, role in members.items():
        cases.add_entity(inv, acting_user=user, entity=Entity.objects.get(name=name), role=role)
    return inv


def test_an_investigation_is_analysed_with_its_neighbourhood(persona: Persona, cliques: Any):
    far = entity("far away")
    link(cliques["b3"], far)  # three hops from a1
    inv = open_file(persona, {"a1": EntityRole.TARGET})
    result = analysis.analyse(persona(FRENCH), investigation=inv)
    labels = {n.label for n in result.nodes}
    assert {"a1", "a2", "b1", "b2"} <= labels
    assert "far away" not in labels
    assert result.investigation == inv


def test_suggestions_are_the_targets_community_first_with_reasons(persona: Persona, cliques: Any):
    inv = open_file(persona, {"a1": EntityRole.TARGET, "a2": EntityRole.MEMBER})
    suggestions = analysis.suggest_members(persona(FRENCH), inv)
    names = [s.node.label for s in suggestions]
    assert names[:3] and set(names[:3]) == {"a3", "a4", "a5"}
    assert "a1" not in names and "a2" not in names
    first = suggestions[0]
    assert any("Same community as" in r and "a1" in r for r in first.reasons)
    assert any("Linked directly to 2" in r for r in first.reasons)
    # b1, at the other end of the bridge, is suggested for its centrality.
    b1 = next(s for s in suggestions if s.node.label == "b1")
    assert any("most central" in r for r in b1.reasons)


def test_suggestions_leave_out_what_the_user_may_not_see(persona: Persona, cliques: Any):
    secret = entity("secret courier", classification=Classification.SECRET)
    link(cliques["a1"], secret)
    link(cliques["a2"], secret)
    inv = open_file(persona, {"a1": EntityRole.TARGET})
    assert "secret courier" not in {
        s.node.label for s in analysis.suggest_members(persona(FRENCH), inv)
    }


def test_an_investigation_the_user_may_not_see_is_not_found(persona: Persona, cliques: Any):
    from django.http import Http404

    inv = open_file(persona, {"a1": EntityRole.TARGET})
    with pytest.raises(Http404):
        analysis.analyse(persona("analyst.nca"), investigation=inv.pk)
    with pytest.raises(Http404):
        analysis.suggest_members(persona("analyst.nca"), inv)


# API ------------------------------------------------------------------------------------------


def test_the_api_answers_nodes_and_communities(login: Any, cliques: Any):
    response = login(FRENCH).get("/api/v1/investigations/graph/analysis")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"nodes", "communities"}
    assert set(body["nodes"][0]) == {
        "id",
        "label",
        "kind",
        "community",
        "degree",
        "betweenness",
        "eigenvector",
        "coreness",
    }
    assert set(body["communities"][0]) == {"id", "size", "members"}
    assert sorted(c["size"] for c in body["communities"]) == [5, 5]


def test_the_api_filters_by_repeated_kinds(login: Any, cliques: Any):
    client = login(FRENCH)
    response = client.get("/api/v1/investigations/graph/analysis?kinds=pays&kinds=drives")
    assert response.status_code == 200
    assert sorted(n["label"] for n in response.json()["nodes"]) == ["a1", "b1"]


@pytest.mark.parametrize(
    "query",
    ["start=yesterday", "start=2016-01-01&end=2015-01-01", "kinds=knows", "end=1800-01-01"],
)
def test_the_api_refuses_bad_input_with_a_problem(login: Any, query: str):
    response = login(FRENCH).get(f"/api/v1/investigations/graph/analysis?{query}")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"]


def test_the_api_does_not_find_an_investigation_the_caller_may_not_see(
    login: Any, persona: Persona, cliques: Any
):
    inv = open_file(persona, {"a1": EntityRole.TARGET})
    client = login("analyst.nca")
    for url in (
        f"/api/v1/investigations/graph/analysis?investigation={inv.pk}",
        f"/api/v1/investigations/investigations/{inv.pk}/suggestions",
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"


def test_the_api_lists_suggestions(login: Any, persona: Persona, cliques: Any):
    inv = open_file(persona, {"a1": EntityRole.TARGET, "a2": EntityRole.MEMBER})
    response = login(FRENCH).get(f"/api/v1/investigations/investigations/{inv.pk}/suggestions")
    assert response.status_code == 200
    rows = response.json()
    assert set(rows[0]) == {"id", "label", "kind", "community", "score", "reasons"}
    assert {r["label"] for r in rows[:3]} == {"a3", "a4", "a5"}


# Pages ----------------------------------------------------------------------------------------


def test_the_page_shows_a_sortable_table_and_the_communities(login: Any, cliques: Any):
    client = login(FRENCH)
    response = client.get("/investigations/analysis/?sort=-label")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<th scope="col" aria-sort="descending"' in html
    assert "<caption" in html
    assert html.index(">b5<") < html.index(">a1<")
    # The French investigator reads the page in French once the catalogue has the words.
    assert "Community 1" in html or "Communauté 1" in html


def test_the_page_finds_a_shortest_path(login: Any, cliques: Any):
    a2, b2 = cliques["a2"].pk, cliques["b2"].pk
    html = (
        login(FRENCH).get(f"/investigations/analysis/?path_from={a2}&path_to={b2}").content.decode()
    )
    path = html[html.index('id="path-title"') :]
    assert [path.index(f"({cliques[n].pk})") for n in ("a2", "a1", "b1", "b2")] == sorted(
        path.index(f"({cliques[n].pk})") for n in ("a2", "a1", "b1", "b2")
    )
    assert f"({cliques['a3'].pk})" not in path[: path.index("</ol>")]


def test_the_page_refuses_a_period_that_ends_before_it_starts(login: Any, cliques: Any):
    html = (
        login(FRENCH)
        .get("/investigations/analysis/?start=2016-01-01&end=2015-01-01")
        .content.decode()
    )
    assert 'id="id_end_error"' in html  # the message, in the user's language, by the field


def test_the_suggestions_page(login: Any, persona: Persona, cliques: Any):
    inv = open_file(persona, {"a1": EntityRole.TARGET})
    response = login(FRENCH).get(f"/investigations/investigations/{inv.pk}/suggestions/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<th scope="row">a2</th>' in html
    assert '<th scope="row">a1</th>' not in html  # already in the investigation
    assert (
        login("analyst.nca")
        .get(f"/investigations/investigations/{inv.pk}/suggestions/")
        .status_code
        == 404
    )


def test_the_page_analyses_one_investigation_and_links_its_suggestions(
    login: Any, persona: Persona, cliques: Any
):
    far = entity("far away")
    link(cliques["b3"], far)
    inv = open_file(persona, {"a1": EntityRole.TARGET})
    html = login(FRENCH).get(f"/investigations/analysis/?investigation={inv.pk}").content.decode()
    assert f"/investigations/investigations/{inv.pk}/suggestions/" in html
    assert ">far away<" not in html
    # Someone who may not see the investigation cannot choose it: the form says so.
    other = login("analyst.nca").get(f"/investigations/analysis/?investigation={inv.pk}")
    assert other.status_code == 200
    assert 'id="id_investigation_error"' in other.content.decode()


# The analysis kept between requests -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_kept_analysis_sees_a_new_link_a_marking_change_and_a_new_recipient_at_once():
    """Every write here is committed (as in production), so the analysis is kept between
    calls; each change of the graph is seen by the very next analysis, through the graph's
    version in the database (which any worker process reads)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction

    from entente.core.models import Recipient
    from entente.investigations import graph
    from tests.conftest import load_world

    load_world()
    user = User.objects.select_related("agency__country").get(username=FRENCH)
    a, b, c, d = (entity(name) for name in ("k1", "k2", "k3", "k4"))
    link(a, b)
    link(b, c)
    first = analysis.analyse(user)
    assert analysis.analyse(user)._metrics is first._metrics  # kept, not computed again
    assert {n.label for n in first.nodes} == {"k1", "k2", "k3"}

    version = graph.graph_version()
    link(c, d)  # a new link
    assert graph.graph_version() > version
    assert by_name(analysis.analyse(user))["k4"].degree == 1

    c.classification = Classification.SECRET  # a marking change: above the French clearance
    c.save()
    assert {n.label for n in analysis.analyse(user).nodes} == {"k1", "k2"}

    amber = Link.objects.create(
        source=a,
        target=d,
        kind="pays",
        releasability={"FR", "UK"},
        tlp=TLP.AMBER,
        originator=agency("NCA"),
    )
    assert "k4" not in {n.label for n in analysis.analyse(user).nodes}  # AMBER, not named
    Recipient.objects.create(  # a new recipient: the French agency is named
        content_type=ContentType.objects.get_for_model(Link),
        object_id=amber.pk,
        agency=agency("OCRIEST"),
    )
    assert by_name(analysis.analyse(user))["k4"].degree == 1

    # Inside a transaction that wrote the graph, the analysis sees its own writes and keeps
    # nothing; the version moves when it commits.
    version = graph.graph_version()
    with transaction.atomic():
        link(b, d, "owns")
        inside = analysis.analyse(user)
        assert by_name(inside)["k4"].degree == 2
        assert graph.graph_version() == version
    assert graph.graph_version() == version + 1
    kept = analysis.analyse(user)
    assert by_name(kept)["k4"].degree == 2
    assert analysis.analyse(user)._metrics is kept._metrics
    # Another user's analysis is never this one (the policy key holds the user).
    british = User.objects.select_related("agency__country").get(username=BRITISH)
    assert analysis.analyse(british)._metrics is not kept._metrics
