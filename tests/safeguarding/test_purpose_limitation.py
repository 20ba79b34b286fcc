"""Purpose limitation: police see that people were referred and where, never why; NGO users
reach no intelligence or investigations route; every consultation is audited with its
purpose; a canary written into every special-category field is nowhere in the clear, in any
table of the database or in the log output."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from entente.api import api
from entente.core.models import AuditEntry
from entente.safeguarding.choices import ReferralState
from entente.safeguarding.services import people, referrals
from tests.safeguarding.people_factories import (
    adult,
    consent_to,
    handover,
    place,
    user,
)

pytestmark = pytest.mark.django_db

POLICE = [
    "gold.kent",
    "gold.pn",
    "leader.borderforce",
    "operator.eurotunnel",
    "analyst.nca",
    "investigator.ocriest",
]
CANARY = "CANARY-7f3a9c"
CANARY_DATE = dt.date(1987, 3, 14)


def _patterns(
    patterns: list[Any], prefix: str = "", namespace: str | None = None
) -> list[tuple[str | None, str, URLPattern]]:
    found: list[tuple[str | None, str, URLPattern]] = []
    for p in patterns:
        if isinstance(p, URLResolver):
            found += _patterns(p.url_patterns, prefix + str(p.pattern), p.namespace or namespace)
        elif isinstance(p, URLPattern):
            found.append((namespace, prefix + str(p.pattern), p))
    return found


def _fill(route: str) -> str:
    """A concrete path for a route: every parameter 1 (or "x" for slugs)."""
    path = re.sub(r"<int:\w+>", "1", route)
    path = re.sub(r"<(?:slug|str|uuid|path):\w+>|<\w+>", "x", path)
    return "/" + path.lstrip("^").rstrip("$")


def _world() -> dict[str, Any]:
    """People and referrals carrying the canary in every special-category field, made
    through the services (and one through the page)."""
    worker = user("caseworker.lva")
    woman = adult(
        name=f"{CANARY}-name",
        name_purpose="asylum application",
        birth_date=CANARY_DATE,
        indicators=["pregnant", "trafficking"],
        details=f"{CANARY}-details",
    )
    people.record_screening(
        worker,
        woman,
        place="Centre Jules Ferry",
        language="ti",
        indicators=["health"],
        notes=f"{CANARY}-notes",
    )
    consent_to(woman)
    shelter = place()
    stay = referrals.refer(
        worker, woman, purpose="accommodation", place=shelter, reason=f"{CANARY}-reason"
    )
    referrals.move(worker, stay, ReferralState.ACCEPTED)
    pref = user("safeguarding.pref")
    other = adult(by="safeguarding.pref", details=f"{CANARY}-pref")
    override = referrals.refer(
        pref,
        other,
        purpose="medical",
        to_agency=user("caseworker.lva").agency,
        override_reason=f"{CANARY}-override",
    )
    found = handover(people_found=1, minors=1)
    referrals.take_up_handover(
        worker,
        found,
        [
            referrals.FoundPerson(
                "16-17", "m", minor=True, purpose="child_protection", to_agency=shelter.originator
            )
        ],
    )
    return {"woman": woman, "stay": stay, "override": override, "handover": found}


def _page_client(username: str) -> Client:
    from tests.conftest import verified_login

    return verified_login(Client(), user(username))


def test_a_police_persona_sees_no_vulnerability_detail_on_any_screen_or_api_answer() -> None:
    world = _world()
    ids = {
        "pk": world["woman"].pk,
        "person_id": world["woman"].pk,
        "referral_id": world["stay"].pk,
    }
    routes = [
        _fill(route)
        for namespace, route, p in _patterns(get_resolver().url_patterns)
        if namespace != "api-1" and ("<" not in route or namespace == "safeguarding")
    ]
    schema = api.get_openapi_schema()
    api_paths = [
        re.sub(r"\{(\w+)\}", lambda m: str(ids.get(m.group(1), 1)), path)
        for path, item in schema["paths"].items()
        if "get" in item and ("{" not in path or "/safeguarding/" in path)
    ]
    for username in POLICE:
        client = _page_client(username)
        for path in routes:
            response = client.get(path.replace("/1/", f"/{world['woman'].pk}/"))
            assert CANARY.encode() not in response.content, (username, path)
            assert b"1987-03-14" not in response.content, (username, path)
            if "/safeguarding/people" in path or "/safeguarding/referrals" in path:
                assert response.status_code in (403, 404, 405), (username, path)
        for path in api_paths:
            response = client.get(path)
            assert CANARY.encode() not in response.content, (username, path)
            if re.search(r"/safeguarding/(people|referrals|consents)", path):
                assert response.status_code >= 400, (username, path)


def test_the_handover_page_says_who_was_referred_where_never_why() -> None:
    world = _world()
    response = _page_client("safeguarding.pref").get(reverse("control_room:handover_list"))
    text = response.content.decode()
    with translation.override("en"):
        assert referrals.handover_summary(world["handover"]) == [
            "1 person referred: child protection (La Vie Active)"
        ]
    with translation.override("fr"):  # safeguarding.pref reads French
        assert escape(referrals.handover_summary(world["handover"])[0]) in text
    assert CANARY not in text and "minor" not in referrals.handover_summary(world["handover"])[0]


def test_an_ngo_caseworker_reaches_no_intelligence_or_investigations_route() -> None:
    client = _page_client("caseworker.lva")
    checked = 0
    for namespace, route, _p in _patterns(get_resolver().url_patterns):
        if namespace not in ("intelligence", "investigations"):
            continue
        response = client.get(_fill(route))
        assert response.status_code in (403, 404, 405), (route, response.status_code)
        checked += 1
    schema = api.get_openapi_schema()
    for path, item in schema["paths"].items():
        if not re.match(r"/api/v1/(intelligence|investigations)/", path):
            continue
        concrete = re.sub(r"\{\w+\}", "1", path)
        for method in item:
            response = getattr(client, method)(concrete, content_type="application/json")
            assert response.status_code in (403, 404, 405, 422), (method, path)
            checked += 1
    assert checked > 50


def test_every_consultation_of_a_record_is_audited_with_its_purpose() -> None:
    world = _world()
    woman, stay = world["woman"], world["stay"]
    client = _page_client("caseworker.lva")
    url = reverse("safeguarding:person_detail", kwargs={"pk": woman.pk})
    reads = AuditEntry.objects.filter(action="read", object_type="safeguarding.person")
    before = reads.count()
    asked = client.get(url)
    assert b'name="purpose"' in asked.content and CANARY.encode() not in asked.content
    assert reads.count() == before
    shown = client.get(url, {"purpose": "preparing the move"})
    assert f"{CANARY}-details".encode() in shown.content
    assert reads.latest("seq").purpose == "preparing the move"
    client.get(url, {"referral": stay.pk})
    with translation.override("fr"):  # caseworker.lva works in French
        assert reads.latest("seq").purpose == _("working on referral {id}").format(id=stay.pk)
    api_client = client.get(f"/api/v1/safeguarding/people/{woman.pk}", {"purpose": "api check"})
    assert api_client.json()["special"]["details"] == f"{CANARY}-details"
    assert reads.latest("seq").purpose == "api check"


def test_lists_carry_no_special_category_data_even_for_caseworkers() -> None:
    _world()
    client = _page_client("caseworker.lva")
    for url in (
        reverse("safeguarding:person_list"),
        reverse("safeguarding:referral_list"),
        "/api/v1/safeguarding/people",
        "/api/v1/safeguarding/referrals",
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert CANARY.encode() not in response.content, url


def _rows_with(needle: bytes) -> list[str]:
    hits = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview):
                        value = value.tobytes()
                    if isinstance(value, str):
                        value = value.encode()
                    elif isinstance(value, dict | list):
                        value = json.dumps(value, ensure_ascii=False).encode()
                    if isinstance(value, bytes) and needle in value:
                        hits.append(table)
    return hits


def test_a_canary_in_every_special_category_field_is_nowhere_in_the_clear(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    world = _world()
    client = _page_client("caseworker.lva")
    # Through the pages too: a person recorded with the canary, then read and corrected.
    response = client.post(
        reverse("safeguarding:person_create"),
        {
            "age_band": "25-59",
            "gender": "f",
            "details": f"{CANARY}-page",
            "name": f"{CANARY}-page-name",
            "name_purpose": "NRM referral",
            "indicators": ["trafficking"],
        },
    )
    assert response.status_code == 302
    client.get(
        reverse("safeguarding:person_detail", kwargs={"pk": world["woman"].pk}),
        {"purpose": "canary"},
    )
    client.get(reverse("safeguarding:referral_detail", kwargs={"pk": world["override"].pk}))
    # Police try their luck in the logs too.
    _page_client("gold.kent").get(
        reverse("safeguarding:person_detail", kwargs={"pk": world["woman"].pk})
    )
    assert _rows_with(CANARY.encode()) == []
    assert _rows_with(CANARY_DATE.isoformat().encode()) == []
    assert CANARY not in caplog.text
    # And the values are there, sealed, for those who may read them.
    woman = type(world["woman"]).objects.get(pk=world["woman"].pk)
    assert woman.details == f"{CANARY}-details" and woman.birth_date == "1987-03-14"
