"""The API as a machine client meets it: tokens, problem details, the access policy."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta

import django.db
import pytest
from django.test import Client
from django.utils import timezone

from entente.core import api_support, services
from entente.core.choices import TLP, AuditAction, Classification
from entente.core.models import AuditEntry, AuditHead, Bulletin, User

PROBLEM = "application/problem+json"


@pytest.fixture
def bearer(db):
    def make(username: str) -> Client:
        _, token = services.create_api_token(
            User.objects.get(username=username), name="test", acting_user=None
        )
        return Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    return make


def post(client: Client, path: str, body: object, **extra: str):
    raw = body if isinstance(body, str) else json.dumps(body)
    return client.post(path, data=raw, content_type="application/json", **extra)


def test_a_bulletin_posted_by_token_is_written_with_its_audit_entry(bearer):
    client = bearer("leader.borderforce")
    head = AuditHead.objects.get().seq
    response = post(
        client,
        "/api/v1/bulletins",
        {
            "title": "Platform 4",
            "body": "Two search teams.",
            "language": "en",
            "releasability": ["UK", "FR"],
            "tlp": "GREEN",
        },
    )
    assert response.status_code == 201
    data = response.json()
    assert data["originator"] == "BF" and data["releasability"] == ["FR", "UK"]
    entry = AuditEntry.objects.get(seq=head + 1)
    assert (entry.action, entry.object_id, entry.actor_username) == (
        AuditAction.CREATE,
        str(data["id"]),
        "leader.borderforce",
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "", "body": "x", "language": "en"}, "title"),
        ({"title": "t", "body": "x", "language": "de"}, "language"),
        ({"title": "t", "body": "x", "language": "en", "tlp": "PURPLE"}, "tlp"),
        ({"title": "t", "body": "x", "language": "en", "classification": 99}, "classification"),
        ({"title": "t", "body": "x", "language": "en", "releasability": ["XX"]}, "releasability"),
        ({"title": "t", "body": "x", "language": "en", "colour": "red"}, "colour"),
        ({"body": "x", "language": "en"}, "title"),
    ],
)
def test_bad_input_is_a_422_problem_naming_the_field_and_nothing_is_written(bearer, body, field):
    client = bearer("gold.kent")
    rows, head = Bulletin.objects.count(), AuditHead.objects.get().seq
    response = post(client, "/api/v1/bulletins", body)
    assert response.status_code == 422
    assert response["Content-Type"].startswith(PROBLEM)
    problem = response.json()
    assert problem["status"] == 422 and problem["instance"] == "/api/v1/bulletins"
    assert any(field in e["location"] for e in problem["errors"]), problem
    assert Bulletin.objects.count() == rows
    assert AuditHead.objects.get().seq == head


def test_a_marking_the_services_refuse_is_a_422_problem(bearer):
    # Border Force is British: a bulletin it writes must be releasable to the UK.
    response = post(
        bearer("leader.borderforce"),
        "/api/v1/bulletins",
        {"title": "t", "body": "x", "language": "en", "releasability": ["FR"]},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["location"] == ["body", "releasability"]


def test_malformed_json_is_a_400_problem(bearer):
    response = post(bearer("gold.kent"), "/api/v1/bulletins", "{not json")
    assert response.status_code in (400, 422)
    assert response["Content-Type"].startswith(PROBLEM)


def test_too_many_query_parameters_is_a_400_problem(bearer):
    """Past Django's limit on parameters (DATA_UPLOAD_MAX_NUMBER_FIELDS), as a fuzzer sends."""
    query = "&".join(f"entities={i}" for i in range(1500))
    response = bearer("gold.kent").get(f"/api/v1/investigations/graph/timeline?{query}")
    assert response.status_code == 400
    assert response["Content-Type"].startswith(PROBLEM)


@pytest.mark.parametrize(
    "header", ["", "Bearer ", "Bearer ent_nope", "Token abc", "Bearer " + "x" * 500]
)
def test_a_missing_or_wrong_token_is_a_401_problem(db, header):
    client = Client(HTTP_AUTHORIZATION=header) if header else Client()
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response["Content-Type"].startswith(PROBLEM)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_revoked_and_expired_tokens_stop_working(persona):
    user = persona("analyst.nca")
    token, raw = services.create_api_token(user, name="t", acting_user=None)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/me").status_code == 200
    services.revoke_api_token(token, acting_user=None)
    assert client.get("/api/v1/me").status_code == 401
    _, raw = services.create_api_token(
        user, name="t", acting_user=None, expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/me").status_code == 401


def test_only_the_tokens_hash_is_stored(persona):
    token, raw = services.create_api_token(persona("analyst.nca"), name="t", acting_user=None)
    assert raw not in token.key_hash and token.key_hash == services.hash_token(raw)


def test_forbidden_and_absent_records_look_the_same(bearer, persona):
    author = persona("gold.kent")
    hidden = services.create_bulletin(
        acting_user=author,
        title="UK only",
        body="x",
        language="en",
        releasability=["UK"],
        tlp=TLP.GREEN,
    )
    client = bearer("analyst.dcpaf")
    forbidden = client.get(f"/api/v1/bulletins/{hidden.pk}")
    absent = client.get("/api/v1/bulletins/987654321")
    assert forbidden.status_code == absent.status_code == 404
    assert forbidden.json()["detail"] == absent.json()["detail"]


def test_a_red_bulletin_reaches_only_its_recipient_and_author(bearer, persona):
    author = persona("gold.pn")
    red = services.create_bulletin(
        acting_user=author,
        title="Gold only",
        body="x",
        language="fr",
        releasability=["FR", "UK"],
        tlp=TLP.RED,
        classification=Classification.SECRET,
    )
    services.disseminate(red, acting_user=author, users=[persona("gold.kent")])
    listed = {
        name: [b["id"] for b in bearer(name).get("/api/v1/bulletins?limit=500").json()["items"]]
        for name in ("gold.kent", "gold.pn", "analyst.nca", "leader.borderforce")
    }
    assert red.pk in listed["gold.kent"] and red.pk in listed["gold.pn"]
    assert red.pk not in listed["analyst.nca"] and red.pk not in listed["leader.borderforce"]


def test_the_session_works_for_the_browser_after_the_second_factor(login, client, persona):
    assert login("analyst.nca").get("/api/v1/me").json()["agency"] == "NCA"
    client.force_login(persona("analyst.nca"))  # password only, no second factor
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response["Content-Type"].startswith(PROBLEM)


def test_the_schema_and_its_docs_are_served(login):
    client = login("analyst.nca")
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "Entente API"
    assert "/api/v1/bulletins" in schema["paths"]
    assert client.get("/api/v1/docs").status_code == 200


def test_problem_titles_follow_the_callers_language(db):
    response = Client().get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.json()["title"] == "Non authentifié"
    assert (
        Client().get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="en").json()["title"] == "Not authenticated"
    )


def test_the_audit_trail_is_readable_by_auditors_only(bearer):
    assert (
        bearer("auditor.homeoffice").get("/api/v1/audit/entries?action=create").status_code == 200
    )
    assert bearer("gold.kent").get("/api/v1/audit/entries").status_code == 403
    bad = bearer("auditor.homeoffice").get("/api/v1/audit/entries?since=yesterday")
    assert bad.status_code == 422


@pytest.mark.parametrize("text", ["nul\x00inside", "lone \ud800 surrogate"])
def test_text_no_database_can_store_is_a_422_not_a_crash(bearer, text):
    client = bearer("gold.kent")
    rows = Bulletin.objects.count()
    response = post(client, "/api/v1/bulletins", {"title": "t", "body": text, "language": "en"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["location"][-1] == "body"
    assert Bulletin.objects.count() == rows


@pytest.mark.parametrize(
    "query", ["offset=16021785046173410820133698404352", "limit=0", "limit=100000", "offset=-1"]
)
def test_out_of_range_paging_is_a_422(bearer, query):
    assert bearer("gold.kent").get(f"/api/v1/bulletins?{query}").status_code == 422


@pytest.mark.parametrize(
    ("username", "path", "parameter"),
    [
        ("auditor.homeoffice", "/api/v1/audit/entries", "actor"),
        ("gold.kent", "/api/v1/watch-handovers", "site"),
        ("gold.kent", "/api/v1/roster", "site"),
        ("safeguarding.pref", "/api/v1/handovers", "state"),
        ("analyst.nca", "/api/v1/vehicle-reports", "state"),
        ("gold.kent", "/api/v1/statistics/response-times", "site"),
    ],
)
def test_text_no_database_can_store_in_a_filter_is_a_422_naming_it(
    bearer, username, path, parameter
):
    response = bearer(username).get(path, {parameter: "nul\x00inside"})
    assert response.status_code == 422, response.content[:300]
    assert response["Content-Type"].startswith(PROBLEM)
    assert response.json()["errors"][0]["location"][-1] == parameter


@pytest.mark.parametrize(
    ("error", "retry"),
    [
        (sqlite3.OperationalError("database is locked"), True),
        (sqlite3.OperationalError("database or disk is full"), True),
        (sqlite3.OperationalError("no such table: core_modulerole"), False),
        (sqlite3.OperationalError('near "SELEKT": syntax error'), False),
        (django.db.OperationalError("connection refused"), True),
        (ValueError("not a database error"), False),
    ],
)
def test_only_a_database_out_of_reach_asks_to_try_again(error, retry):
    """A 503 with Retry-After says "come back later": right for a busy, full or unreachable
    database, wrong for a broken query, which stays the server error it is."""
    assert api_support.database_unavailable(error) is retry
    wrapped = django.db.OperationalError(str(error))
    wrapped.__cause__ = error
    if isinstance(error, sqlite3.Error):
        assert api_support.database_unavailable(wrapped) is retry
