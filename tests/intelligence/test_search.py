"""Search over intelligence reports: stemming in both languages, ranking, the access policy in
results, counts and facets, watchlists that only tell their owner of what the owner may see,
bad input, and the audit of every search. Runs on SQLite (FTS5, Python stemming) and on
PostgreSQL (tsvector, french/english configurations)."""

from __future__ import annotations

import datetime as dt
import itertools
from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from entente.core.choices import TLP, AuditAction, Classification, Module
from entente.core.models import Agency, AuditEntry, ModuleRole, Recipient, User
from entente.intelligence.models import Entity, Report, ReportEntity, SavedSearch, WatchHit
from entente.intelligence.services import search
from tests.core.test_access_properties import (
    RecordSpec,
    UserSpec,
    _make_user,
    records,
    rules_allow,
    users,
)

pytestmark = pytest.mark.django_db
_refs = itertools.count(1)


def make_report(
    author: User,
    *,
    title: str,
    body: str = "",
    language: str = "en",
    releasability: tuple[str, ...] = ("FR", "UK"),
    tlp: str = TLP.GREEN,
    classification: int = Classification.OFFICIAL,
    originator: Agency | None = None,
    translated_title: str = "",
    translation: str = "",
    grade: tuple[str, str, str] = ("3x5x2", "2", "B"),
    created_at: dt.datetime | None = None,
) -> Report:
    """A report written with the ORM and indexed through the hook every service calls."""
    report = Report.objects.create(
        reference=f"TEST-{next(_refs)}",
        title=title,
        body=body,
        language=language,
        translated_title=translated_title,
        translation=translation,
        releasability=releasability,
        tlp=tlp,
        classification=classification,
        originator=originator or author.agency,
        created_by=author,
        grading_scheme=grade[0],
        source_grade=grade[1],
        information_grade=grade[2],
        handling_code="P" if grade[0] == "3x5x2" else "",
        created_at=created_at or timezone.now(),
    )
    search.report_saved(report)
    return report


def found(user: User, query: str, **filters: str) -> list[Report]:
    return search.search_reports(user, query, filters).reports


# Stemming --------------------------------------------------------------------------------------


def test_french_plural_finds_the_singular_and_back(persona):
    dcpaf = persona("analyst.dcpaf")
    passeur = make_report(
        dcpaf, title="Un passeur à Coquelles", body="Le passeur attend.", language="fr"
    )
    camion = make_report(
        dcpaf, title="Contrôle", body="Un camion frigorifique à Calais.", language="fr"
    )
    assert found(dcpaf, "passeurs") == [passeur]
    assert found(dcpaf, "camions") == [camion]
    plural = make_report(dcpaf, title="Réseau", body="Des passeurs et des camions.", language="fr")
    assert set(found(dcpaf, "passeur camion")) == {plural}


def test_english_words_are_stemmed(persona):
    nca = persona("analyst.nca")
    lorries = make_report(nca, title="Smugglers at Dover", body="Lorries were searched.")
    assert found(nca, "smuggler") == [lorries]
    assert found(nca, "lorry searching") == [lorries]


def test_the_translation_is_found_in_its_own_language(persona):
    dcpaf = persona("analyst.dcpaf")
    report = make_report(
        dcpaf,
        title="Passeurs albanais",
        body="Les passeurs utilisent des camions.",
        language="fr",
        translated_title="Albanian smugglers",
        translation="The smugglers use lorries.",
    )
    assert found(persona("analyst.nca"), "smugglers lorries") == [report]


def test_accents_are_neither_needed_nor_in_the_way(persona):
    """A British analyst types French words without their accents; a French one may type an
    accent the writer left out. Either way the report is found (the stemmers alone would
    make "secur" of "sécurité" and "securit" of "securite")."""
    dcpaf, nca = persona("analyst.dcpaf"), persona("analyst.nca")
    accented = make_report(
        dcpaf,
        title="Sécurité à la frontière",
        body="Le réseau de Benoît passe par l'écluse.",
        language="fr",
    )
    plain = make_report(dcpaf, title="Controle au peage", body="Un vehicule arrete.", language="fr")
    for query in ("securite", "frontiere", "reseaux", "benoit", "ecluse", "Sécurité frontière"):
        assert found(nca, query) == [accented], query
    assert found(dcpaf, '"la frontiere"') == [accented]
    assert found(dcpaf, "contrôle péage véhicule arrêté") == [plain]
    assert found(dcpaf, "sécurité -réseau") == []


# Ranking ---------------------------------------------------------------------------------------


def test_a_title_match_ranks_above_a_passing_mention(persona):
    nca = persona("analyst.nca")
    mention = make_report(nca, title="Weekly summary", body="Also a note on a smuggler.")
    headline = make_report(
        nca, title="Smuggler network dismantled", body="The smuggler network was dismantled."
    )
    other = make_report(nca, title="Weather", body="Rain over the Channel.")
    results = found(nca, "smuggler")
    assert results == [headline, mention]
    assert other not in results
    assert results[0].rank >= results[1].rank


def test_without_words_the_newest_come_first(persona):
    nca = persona("analyst.nca")
    old = make_report(nca, title="Old", created_at=timezone.now() - dt.timedelta(days=3))
    new = make_report(nca, title="New")
    assert found(nca, "")[:2] == [new, old]


# The policy ------------------------------------------------------------------------------------


@pytest.fixture
def both_sides(persona) -> dict[str, Report]:
    dcpaf, nca = persona("analyst.dcpaf"), persona("analyst.nca")
    return {
        "fr_only": make_report(
            dcpaf,
            title="Passeurs à Calais",
            body="Un réseau de passeurs",
            language="fr",
            releasability=("FR",),
            grade=("admiralty", "B", "2"),
        ),
        "uk_only": make_report(
            nca,
            title="Network of smugglers in Kent",
            body="smugglers",
            releasability=("UK",),
            grade=("3x5x2", "1", "A"),
        ),
        "shared": make_report(nca, title="Joint note on smugglers and passeurs", body="x"),
    }


def test_a_uk_analyst_never_sees_a_france_only_report_in_results_counts_or_facets(
    persona, both_sides
):
    result = search.search_reports(persona("analyst.nca"), "passeurs")
    assert both_sides["fr_only"] not in result.reports
    assert result.total == 1
    assert [f.value for f in result.facets["agency"]] == ["NCA"]
    assert "B2" not in [f.value for f in result.facets["grade"]]
    assert sum(f.count for f in result.facets["month"]) == 1


def test_a_french_analyst_never_sees_a_uk_only_report(persona, both_sides):
    result = search.search_reports(persona("analyst.dcpaf"), "smugglers")
    assert both_sides["uk_only"] not in result.reports
    assert result.reports == [both_sides["shared"]]
    assert "1A" not in [f.value for f in result.facets["grade"]]


def test_facets_count_what_is_visible_and_filter_the_results(persona, both_sides):
    nca = persona("analyst.nca")
    result = search.search_reports(nca, "smugglers")
    assert result.total == 2
    assert {f.value: f.count for f in result.facets["grade"]} == {"1A": 1, "2B": 1}
    only = search.search_reports(nca, "smugglers", {"grade": "1A"})
    assert only.reports == [both_sides["uk_only"]]
    month = timezone.localtime(both_sides["shared"].created_at).strftime("%Y-%m")
    assert search.search_reports(nca, "smugglers", {"month": month}).total == 2
    assert search.search_reports(nca, "smugglers", {"month": "1999-01"}).total == 0
    assert search.search_reports(nca, "smugglers", {"agency": "NCA"}).total == 2
    assert search.search_reports(nca, "smugglers", {"agency": "DCPAF"}).total == 0


def test_the_entity_facet_shows_only_entities_the_user_may_see(persona, both_sides):
    dcpaf, nca = persona("analyst.dcpaf"), persona("analyst.nca")
    secret_name = Entity.objects.create(
        kind="person",
        name="Hidden Person",
        releasability=("FR",),
        originator=dcpaf.agency,
        tlp=TLP.GREEN,
    )
    plate = Entity.objects.create(
        kind="vehicle",
        name="AB-123-CD",
        releasability=("FR", "UK"),
        originator=nca.agency,
        tlp=TLP.GREEN,
    )
    for entity in (secret_name, plate):
        ReportEntity.objects.create(report=both_sides["shared"], entity=entity)
    facets = search.search_reports(nca, "smugglers").facets["entity"]
    assert [f.label for f in facets] == ["AB-123-CD"]
    filtered = search.search_reports(nca, "smugglers", {"entity": str(plate.pk)})
    assert filtered.reports == [both_sides["shared"]]
    names = [f.label for f in search.search_reports(dcpaf, "passeurs").facets["entity"]]
    assert sorted(names) == ["AB-123-CD", "Hidden Person"]


def test_nobody_outside_intelligence_searches(persona):
    with pytest.raises(PermissionDenied):
        search.search_reports(persona("caseworker.lva"), "passeur")
    with pytest.raises(PermissionDenied):
        search.search_reports(persona("outsider"), "passeur")


def _intel_user(spec: UserSpec) -> User:
    user = _make_user(spec)  # the role it gives is in the command module: give it here too
    if spec.role:
        ModuleRole.objects.create(user=user, module=Module.INTELLIGENCE, role=spec.role)
        user.forget_roles()
    return user


def _marked_report(spec: RecordSpec, user: User, other: User, word: str) -> Report:
    report = make_report(
        user if spec.by_user else other,
        title=f"Rapport {word}",
        body=f"Les {word}s et le {word}.",
        language="fr",
        releasability=tuple(spec.releasability),
        tlp=spec.tlp,
        classification=spec.classification,
        originator=Agency.objects.get(code=spec.originator),
    )
    ct = ContentType.objects.get_for_model(Report)
    for code in spec.named_agencies:
        Recipient.objects.create(
            content_type=ct, object_id=report.pk, agency=Agency.objects.get(code=code)
        )
    if spec.name_user:
        Recipient.objects.create(content_type=ct, object_id=report.pk, user=user)
    return report


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(user_spec=users, record_specs=st.lists(records, min_size=1, max_size=5))
def test_search_shows_exactly_what_the_written_policy_allows(db, user_spec, record_specs):
    user = _intel_user(user_spec)
    other = User.objects.get(username="gold.pn")
    word = f"zorglub{next(_refs)}"
    made = [(_marked_report(spec, user, other, word), spec) for spec in record_specs]
    # Humanitarian agencies never hold an intelligence role, whatever is recorded.
    humanitarian = user.agency is not None and user.agency.kind in ("ngo", "international")
    allowed = {r.pk for r, spec in made if rules_allow(user_spec, spec) and not humanitarian}
    if user_spec.agency is None or not user_spec.role or not user_spec.active or humanitarian:
        with pytest.raises(PermissionDenied):
            search.search_reports(user, word)
        return
    result = search.search_reports(user, f"{word}s")
    assert {r.pk for r in result.reports} == allowed
    assert result.total == len(allowed)
    assert sum(f.count for f in result.facets.get("agency", [])) == len(allowed)
    visible = set(
        Report.objects.visible_to(user)
        .filter(pk__in=[r.pk for r, _ in made])
        .values_list("pk", flat=True)
    )
    assert visible == allowed


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(user_spec=users, record_specs=st.lists(records, min_size=1, max_size=4))
def test_watchlists_are_told_exactly_of_what_the_written_policy_allows(db, user_spec, record_specs):
    user = _intel_user(user_spec)
    humanitarian = user.agency is not None and user.agency.kind in ("ngo", "international")
    if user_spec.agency is None or not user_spec.role or humanitarian:
        return  # no intelligence role: no saved search (tested above)
    word = f"zorglub{next(_refs)}"
    watch = SavedSearch.objects.create(owner=user, name="w", query=word, watch=True)
    other = User.objects.get(username="gold.pn")
    allowed = set()
    for spec in record_specs:
        report = _marked_report(spec, user, other, word)
        search.report_saved(report)  # again, now that its recipients are named
        if rules_allow(user_spec, spec):
            allowed.add(report.pk)
    told = set(WatchHit.objects.filter(search=watch).values_list("report_id", flat=True))
    assert told == allowed


# Bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        '"passeur',
        "passeur AND (camion",
        "passeur OR OR camion",
        "NEAR(passeur camion) * ^ : +",
        "title:passeur",
        "passeur -camion",
        "l'Europe e-mail",
        "'; DROP TABLE intelligence_report; --",
        "é" * 200,
    ],
)
def test_odd_queries_are_searched_safely(persona, query):
    result = search.search_reports(persona("analyst.dcpaf"), query)
    assert result.total >= 0


@pytest.mark.parametrize(
    ("query", "field"),
    [("-passeur", "query"), ("!!!", "query"), ("a\x00b", "query"), ("x" * 501, "query")],
)
def test_queries_with_nothing_to_look_for_are_refused_clearly(persona, query, field):
    with pytest.raises(ValidationError) as info:
        search.search_reports(persona("analyst.dcpaf"), query)
    assert field in info.value.message_dict


@pytest.mark.parametrize(
    ("filters", "page", "field"),
    [
        ({"grade": "Z9"}, 1, "grade"),
        ({"month": "2015-13"}, 1, "month"),
        ({"entity": "abc"}, 1, "entity"),
        ({"language": "de"}, 1, "language"),
        ({}, 0, "page"),
        ({}, "x", "page"),
        ({}, 999, "page"),
    ],
)
def test_bad_filters_and_pages_are_refused_clearly(persona, filters, page, field):
    with pytest.raises(ValidationError) as info:
        search.search_reports(persona("analyst.dcpaf"), "passeur", filters, page)
    assert field in info.value.message_dict


def test_the_search_page_shows_a_bad_query_as_an_error_not_a_crash(login):
    response = login("analyst.nca").get("/intelligence/search/", {"q": "-passeur"})
    assert response.status_code == 200
    assert "at least one word" in response.content.decode()


def test_the_api_answers_a_bad_query_with_a_problem(login):
    response = login("analyst.nca").get("/api/v1/intelligence/search", {"q": "-passeur"})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"


# Audit -----------------------------------------------------------------------------------------


def test_every_search_is_audited_with_its_query(persona, both_sides):
    nca = persona("analyst.nca")
    search.search_reports(nca, "smugglers", {"agency": "NCA"})
    entry = AuditEntry.objects.filter(action=AuditAction.SEARCH).order_by("-seq").first()
    assert entry is not None
    assert entry.actor_username == "analyst.nca"
    assert entry.changes["query"] == "smugglers"
    assert entry.changes["filters"] == {"agency": "NCA"}
    assert entry.changes["results"] == 2


# Watchlists ------------------------------------------------------------------------------------


def test_a_watchlist_is_told_of_a_new_visible_match(persona):
    nca = persona("analyst.nca")
    watch = search.save_search(acting_user=nca, name="Smugglers", query="smuggler", watch=True)
    quiet = search.save_search(acting_user=nca, name="Not watched", query="smuggler")
    report = make_report(persona("supervisor.nca"), title="Smugglers at Folkestone")
    make_report(nca, title="Weather")
    assert [h.report for h in search.watch_hits(nca)] == [report]
    assert WatchHit.objects.filter(search=quiet).count() == 0
    assert search.unseen_count(nca) == 1
    # Saving the same report again does not notify twice.
    search.report_saved(report)
    assert WatchHit.objects.filter(search=watch).count() == 1


def test_a_watchlist_is_never_told_of_a_report_its_owner_may_not_see(persona):
    nca, dcpaf = persona("analyst.nca"), persona("analyst.dcpaf")
    search.save_search(acting_user=nca, name="Passeurs", query="passeurs", watch=True)
    mine = search.save_search(acting_user=dcpaf, name="Passeurs", query="passeurs", watch=True)
    report = make_report(
        dcpaf, title="Passeurs", body="Un passeur", language="fr", releasability=("FR",)
    )
    assert search.unseen_count(nca) == 0
    assert [h.report for h in search.watch_hits(dcpaf, search=mine)] == [report]
    # A release widens who may see it: now the UK analyst is told.
    report.releasability = frozenset({"FR", "UK"})
    report.save()
    search.report_saved(report)
    assert [h.report for h in search.watch_hits(nca)] == [report]


def test_a_hit_is_no_longer_shown_once_its_report_is_out_of_sight(persona):
    nca = persona("analyst.nca")
    search.save_search(acting_user=nca, name="Camions", query="lorry", watch=True)
    report = make_report(persona("supervisor.nca"), title="Lorry at Dover")
    assert search.unseen_count(nca) == 1
    Report.objects.filter(pk=report.pk).update(classification=Classification.SECRET)
    assert search.unseen_count(nca) == 0
    assert list(search.saved_searches(nca).values_list("unseen", flat=True)) == [0]


def test_a_text_change_can_make_a_report_match(persona):
    nca = persona("analyst.nca")
    search.save_search(acting_user=nca, name="Boats", query="small boat", watch=True)
    report = make_report(nca, title="Channel crossing")
    assert search.unseen_count(nca) == 0
    report.body = "Two small boats left Gravelines."
    report.save()
    search.report_saved(report)
    assert search.unseen_count(nca) == 1


def test_a_filter_only_watchlist_matches_on_its_filters(persona):
    nca = persona("analyst.nca")
    search.save_search(
        acting_user=nca, name="DCPAF", query="", filters={"agency": "DCPAF"}, watch=True
    )
    make_report(nca, title="Ours")
    theirs = make_report(persona("analyst.dcpaf"), title="Le leur", language="fr")
    assert [h.report for h in search.watch_hits(nca)] == [theirs]


def test_marking_hits_seen(persona):
    nca = persona("analyst.nca")
    watch = search.save_search(acting_user=nca, name="S", query="smuggler", watch=True)
    make_report(nca, title="Smuggler one")
    make_report(nca, title="Smuggler two")
    assert search.mark_seen(acting_user=nca, search=watch) == 2
    assert search.unseen_count(nca) == 0
    with pytest.raises(PermissionDenied):
        search.mark_seen(acting_user=persona("analyst.dcpaf"), search=watch)


def test_saved_searches_are_validated_and_private(persona):
    nca, dcpaf = persona("analyst.nca"), persona("analyst.dcpaf")
    with pytest.raises(ValidationError):
        search.save_search(acting_user=nca, name="", query="x")
    with pytest.raises(ValidationError):
        search.save_search(acting_user=nca, name="Nothing", query="")
    with pytest.raises(ValidationError):
        search.save_search(acting_user=nca, name="Bad", query="x", filters={"grade": "Q"})
    saved = search.save_search(acting_user=nca, name="Mine", query="x")
    assert list(search.saved_searches(dcpaf)) == []
    with pytest.raises(PermissionDenied):
        search.update_saved_search(saved, acting_user=dcpaf, watch=True)
    search.update_saved_search(saved, acting_user=nca, watch=True, name="Renamed")
    assert SavedSearch.objects.get(pk=saved.pk).watch is True
    search.delete_saved_search(saved, acting_user=nca)
    assert not SavedSearch.objects.filter(pk=saved.pk).exists()


# Pages and API ---------------------------------------------------------------------------------


def test_the_search_page_lists_results_and_facets_as_links(login, persona, both_sides):
    response = login("analyst.nca").get("/intelligence/search/", {"q": "smugglers"})
    html = response.content.decode()
    assert response.status_code == 200
    assert both_sides["shared"].title in html
    assert both_sides["fr_only"].title not in html
    assert "grade=1A" in html
    partial = login("analyst.nca").get(
        "/intelligence/search/", {"q": "smugglers"}, headers={"HX-Request": "true"}
    )
    assert "<html" not in partial.content.decode()
    assert both_sides["shared"].title in partial.content.decode()


def test_the_search_page_keeps_a_fixed_query_count(login, persona):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    nca = persona("analyst.nca")
    client = login("analyst.nca")

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get("/intelligence/search/", {"q": "smuggler"}).status_code == 200
        return len(context.captured_queries)

    make_report(nca, title="Smuggler report")
    few = queries()
    for i in range(30):
        make_report(nca, title=f"Smuggler report {i}")
    assert queries() == few <= 40


def test_the_watchlists_page_and_marking_seen(login, persona):
    nca = persona("analyst.nca")
    watch = search.save_search(acting_user=nca, name="Lorries", query="lorry", watch=True)
    make_report(nca, title="Lorry at Dover")
    client = login("analyst.nca")
    page = client.get("/intelligence/watchlists/")
    assert page.status_code == 200
    assert "Lorry at Dover" in page.content.decode()
    response = client.post(f"/intelligence/watchlists/{watch.pk}/seen/")
    assert response.status_code == 302
    assert search.unseen_count(nca) == 0
    assert (
        login("analyst.dcpaf").post(f"/intelligence/watchlists/{watch.pk}/seen/").status_code == 404
    )


def test_saving_a_search_from_the_page(login, persona):
    client = login("analyst.nca")
    response = client.post(
        "/intelligence/search/save/",
        {"name": "Lorries", "q": "lorry", "grade": "2B", "watch": "on"},
    )
    assert response.status_code == 302
    saved = SavedSearch.objects.get(owner=persona("analyst.nca"))
    assert (saved.query, saved.filters, saved.watch) == ("lorry", {"grade": "2B"}, True)


def test_the_api_searches_saves_and_lists_hits(login, persona, both_sides):
    client = login("analyst.nca")
    body = client.get("/api/v1/intelligence/search", {"q": "smugglers"}).json()
    assert body["total"] == 2
    assert both_sides["fr_only"].reference not in [r["reference"] for r in body["results"]]
    assert {f["value"] for f in body["facets"]["agency"]} == {"NCA"}
    created = client.post(
        "/api/v1/intelligence/saved-searches",
        {"name": "Smugglers", "query": "smuggler", "watch": True},
        content_type="application/json",
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    make_report(persona("supervisor.nca"), title="Smuggler seen")
    hits = client.get("/api/v1/intelligence/watch-hits").json()
    assert [h["report"]["title"] for h in hits["items"]] == ["Smuggler seen"]
    assert (
        client.patch(
            f"/api/v1/intelligence/saved-searches/{pk}",
            {"watch": False},
            content_type="application/json",
        ).json()["watch"]
        is False
    )
    other = login("analyst.dcpaf")
    assert other.get(f"/api/v1/intelligence/saved-searches/{pk}").status_code == 404
    assert client.delete(f"/api/v1/intelligence/saved-searches/{pk}").status_code == 204


# Index upkeep ----------------------------------------------------------------------------------


def test_reindex_rebuilds_the_index(persona):
    nca = persona("analyst.nca")
    report = make_report(nca, title="Smuggler rebuilt")
    Report.objects.filter(pk=report.pk).update(title="Smuggler rebuilt again")
    out = StringIO()
    call_command("reindex_reports", stdout=out)
    assert "reports indexed" in out.getvalue()
    assert found(nca, "smuggler") == [report]


def test_the_demo_watchlists_load_once_and_respect_the_policy(persona):
    from entente.demo import intelligence_search

    nca = persona("analyst.nca")
    make_report(
        persona("analyst.dcpaf"), title="Passeurs", body="x", language="fr", releasability=("FR",)
    )
    shared = make_report(nca, title="Smugglers in a lorry")
    intelligence_search.load()
    counts = (SavedSearch.objects.count(), WatchHit.objects.count())
    intelligence_search.load()
    assert (SavedSearch.objects.count(), WatchHit.objects.count()) == counts
    assert {h.report for h in search.watch_hits(nca)} == {shared}
    assert WatchHit.objects.filter(search__owner=nca).count() == 1


def test_past_the_window_the_count_says_more_than(persona, monkeypatch, login):
    monkeypatch.setattr(search, "FACET_WINDOW", 3)
    nca = persona("analyst.nca")
    newest = [make_report(nca, title=f"Smuggler {i}") for i in range(5)][-3:]
    result = search.search_reports(nca, "smuggler")
    assert (result.total, result.total_exact) == (3, False)
    assert sum(f.count for f in result.facets["agency"]) == 3
    assert len(result.reports) == 5
    assert set(newest) <= set(result.reports)
    html = login("analyst.nca").get("/intelligence/search/", {"q": "smuggler"}).content.decode()
    assert "More than 3 reports found" in html


def test_through_the_services_a_release_tells_the_other_side_watchlist(persona, agency):
    from entente.intelligence.services import dissemination, reports

    nca, officer, approver = (
        persona("analyst.nca"),
        persona("officer.dcpaf"),
        persona("analyst.dcpaf"),
    )
    search.save_search(acting_user=nca, name="Passeurs", query="passeurs camions", watch=True)
    report = reports.create_report(
        acting_user=officer,
        title="Passeurs et camions à Coquelles",
        body="Un réseau de passeurs charge des camions frigorifiques.",
        language="fr",
        grading_scheme="admiralty",
        source_grade="B",
        information_grade="2",
        releasability=["FR"],
        tlp=TLP.AMBER,
    )
    assert search.unseen_count(nca) == 0
    assert search.search_reports(nca, "passeur").total == 0
    release = dissemination.request_release(
        report,
        acting_user=officer,
        agencies=[agency("NCA")],
        legal_basis="Sandhurst Treaty, art. 4",
        purpose="Joint work on the network",
    )
    dissemination.approve_release(release, acting_user=approver)
    assert [h.report for h in search.watch_hits(nca)] == [report]
    assert search.search_reports(nca, "passeur").reports == [report]
