"""Bulletins through the pages: the teaching test of the house patterns.

- data is set up through the services, as users create it;
- personas from the demo (``login("gold.kent")``) act through the pages;
- success and refusal share the same setup, and each test name reads as a sentence;
- list pages keep a query budget that does not grow with rows.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from entente.core import services
from entente.core.choices import TLP, AuditAction, Classification
from entente.core.models import Agency, AuditEntry, Bulletin


@pytest.fixture
def uk_only(persona):
    """An AMBER bulletin of Kent Police, releasable to the UK only, shared with the NCA."""
    author = persona("gold.kent")
    bulletin = services.create_bulletin(
        acting_user=author,
        title="Ring-road fence works",
        body="Night shift from 22:00.",
        language="en",
        classification=Classification.OFFICIAL_SENSITIVE,
        releasability=["UK"],
        tlp=TLP.AMBER,
    )
    services.disseminate(bulletin, acting_user=author, agencies=[Agency.objects.get(code="NCA")])
    return bulletin


def test_an_editor_posts_a_bulletin_through_the_form(login):
    client = login("leader.borderforce")
    response = client.post(
        "/bulletins/new/",
        {
            "title": "Search teams at platform 4",
            "body": "Two teams from 06:00.",
            "language": "en",
            "translation": "",
            "classification": Classification.OFFICIAL,
            "releasability": ["UK", "FR"],
            "tlp": TLP.GREEN,
        },
    )
    bulletin = Bulletin.objects.get(title="Search teams at platform 4")
    assert response.status_code == 302
    assert response["Location"] == f"/bulletins/{bulletin.pk}/"
    assert bulletin.originator.code == "BF"
    assert bulletin.releasability == frozenset({"FR", "UK"})
    assert AuditEntry.objects.filter(
        action=AuditAction.CREATE, object_type="core.bulletin", object_id=str(bulletin.pk)
    ).exists()


def test_a_bulletin_not_releasable_to_the_authors_country_is_refused_with_a_reason(login):
    client = login("leader.borderforce")
    response = client.post(
        "/bulletins/new/",
        {
            "title": "French eyes only?",
            "body": "x",
            "language": "en",
            "classification": 10,
            "releasability": ["FR"],
            "tlp": TLP.GREEN,
        },
    )
    assert response.status_code == 200
    assert "always releasable to its originator" in response.content.decode()
    assert not Bulletin.objects.filter(title="French eyes only?").exists()


def test_marking_above_ones_clearance_is_refused(login):
    client = login("operator.eurotunnel")  # cleared OFFICIAL only
    response = client.post(
        "/bulletins/new/",
        {
            "title": "Too high",
            "body": "x",
            "language": "fr",
            "classification": Classification.SECRET,
            "releasability": ["FR"],
            "tlp": TLP.GREEN,
        },
    )
    assert response.status_code == 200
    # The operator works in French: the refusal says so in French.
    assert "au-dessus de votre propre habilitation" in response.content.decode()
    assert not Bulletin.objects.filter(title="Too high").exists()


def test_it_hides_bulletins_not_released_to_france(login, uk_only):
    assert login("analyst.nca").get(f"/bulletins/{uk_only.pk}/").status_code == 200
    # DCPAF is French: the same 404 as for a bulletin that does not exist.
    assert login("analyst.dcpaf").get(f"/bulletins/{uk_only.pk}/").status_code == 404
    assert login("analyst.dcpaf").get("/bulletins/999999/").status_code == 404
    assert "Ring-road fence works" not in login("analyst.dcpaf").get("/bulletins/").content.decode()


def test_amber_is_seen_by_the_named_agency_only(login, uk_only):
    assert login("analyst.nca").get(f"/bulletins/{uk_only.pk}/").status_code == 200
    assert login("leader.borderforce").get(f"/bulletins/{uk_only.pk}/").status_code == 404


def test_only_the_originating_agency_edits(login, uk_only):
    assert login("gold.kent").get(f"/bulletins/{uk_only.pk}/edit/").status_code == 200
    # The NCA analyst sees the bulletin but is not of the originating agency.
    assert login("analyst.nca").get(f"/bulletins/{uk_only.pk}/edit/").status_code == 403
    response = login("analyst.nca").post(
        f"/bulletins/{uk_only.pk}/edit/", {"title": "Changed", "body": "Changed", "translation": ""}
    )
    assert response.status_code == 403
    uk_only.refresh_from_db()
    assert uk_only.title == "Ring-road fence works"


def test_a_red_bulletin_is_for_its_named_recipient(login, persona):
    author = persona("gold.pn")
    bulletin = services.create_bulletin(
        acting_user=author,
        title="Gold to gold",
        body="…",
        language="fr",
        releasability=["FR", "UK"],
        tlp=TLP.RED,
        classification=Classification.SECRET,
    )
    services.disseminate(bulletin, acting_user=author, users=[persona("gold.kent")])
    assert login("gold.kent").get(f"/bulletins/{bulletin.pk}/").status_code == 200
    assert login("gold.pn").get(f"/bulletins/{bulletin.pk}/").status_code == 200
    # Same agency as the author, cleared, but not named.
    assert login("leader.borderforce").get(f"/bulletins/{bulletin.pk}/").status_code == 404


def _list_queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("path", ["/bulletins/", "/", "/api/v1/bulletins"])
def test_list_pages_keep_their_query_budget(login, persona, path):
    author = persona("gold.kent")
    client = login("gold.kent")

    def post(n: int) -> None:
        for i in range(n):
            services.create_bulletin(
                acting_user=author,
                title=f"Note {i}",
                body="b",
                language="en",
                releasability=["UK", "FR"],
                tlp=TLP.GREEN,
            )

    post(2)
    few = _list_queries(client, path)
    post(20)
    many = _list_queries(client, path)
    assert many == few, f"{path}: {few} queries with 2 bulletins, {many} with 22"
