"""The incident list of the API: newest first, a page at a time through the ``next`` cursor,
only what the access policy lets the caller see, at a cost that does not grow with the store."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from entente.control_room.models import Incident
from entente.control_room.services import AlertItem, ingest_alerts
from entente.core import compiled, services
from entente.core.api_support import encode_cursor
from entente.core.choices import TLP, Classification, Module, Role
from entente.core.models import User

URL = "/api/v1/incidents"
START = dt.datetime(2015, 7, 28, 22, 0, tzinfo=dt.UTC)


def bearer(username: str) -> Client:
    _, token = services.create_api_token(
        User.objects.get(username=username), name="t", acting_user=None
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def ingest(hour: int, sensor: str = "COQ-PLAT-CCTV-01") -> int:
    """One incident, opened ``hour`` hours after START (hours apart: never correlated)."""
    outcome = ingest_alerts(
        [
            AlertItem(
                sensor=sensor,
                event_id=f"list-{uuid.uuid4().hex[:10]}",
                occurred_at=START + dt.timedelta(hours=hour),
                kind="intrusion",
                confidence=0.8,
            )
        ],
        acting_user=User.objects.get(username="sensors.demo"),
    )[0]
    assert outcome.incident is not None
    return outcome.incident


def every_page(client: Client, limit: int, **extra: Any) -> tuple[list[int], int]:
    """The ids of every page, following ``next``; and how many pages it took."""
    ids: list[int] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": limit, **extra}
        if cursor:
            params["cursor"] = cursor
        response = client.get(URL, params)
        assert response.status_code == 200, response.content
        body = response.json()
        assert len(body["items"]) <= limit
        ids += [row["id"] for row in body["items"]]
        pages += 1
        cursor = body["next"]
        if cursor is None:
            return ids, pages


def newest_first(username: str) -> list[int]:
    user = User.objects.get(username=username)
    return list(
        Incident.objects.visible_to(user).order_by("-opened_at", "-pk").values_list("pk", flat=True)
    )


@pytest.fixture
def incidents(db: Any) -> list[int]:
    """Nine incidents; three share an opening instant (the cursor must break the tie)."""
    made = [ingest(hour) for hour in range(9)]
    Incident.objects.filter(pk__in=made[3:6]).update(opened_at=START + dt.timedelta(hours=4))
    return made


def test_the_list_pages_newest_first_through_next_without_repeating_or_missing_a_row(incidents):
    operator = bearer("operator.eurotunnel")
    ids, pages = every_page(operator, limit=2)
    assert ids == newest_first("operator.eurotunnel")
    assert set(incidents) <= set(ids) and len(ids) == len(set(ids))
    assert pages == (len(ids) + 1) // 2
    first = operator.get(URL, {"limit": 2}).json()["items"][0]
    assert first["zone"] == "COQ-PLAT" and first["site"] == "COQ-TERM"
    assert first["state"] == "new" and first["alert_count"] == 1
    assert first["opened_at"].startswith("2015-07-29T06:00:00")


def test_the_list_shows_each_caller_only_what_the_policy_lets_them_see(incidents):
    uk_only, red = incidents[0], incidents[1]
    Incident.objects.filter(pk=uk_only).update(releasability="UK")
    Incident.objects.filter(pk=red).update(tlp=TLP.RED)
    french, _ = every_page(bearer("operator.eurotunnel"), limit=3)
    british, _ = every_page(bearer("leader.borderforce"), limit=3)
    assert uk_only not in french and red not in french
    assert uk_only in british and red not in british
    assert french == newest_first("operator.eurotunnel")
    assert british == newest_first("leader.borderforce")


def test_offset_still_skips_rows_for_older_clients(incidents):
    operator = bearer("operator.eurotunnel")
    everything = newest_first("operator.eurotunnel")
    page = operator.get(URL, {"limit": 3, "offset": 2}).json()
    assert [row["id"] for row in page["items"]] == everything[2:5]
    after = operator.get(URL, {"limit": 3, "cursor": page["next"]}).json()
    assert [row["id"] for row in after["items"]] == everything[5:8]


@pytest.mark.parametrize(
    "cursor",
    ["nonsense", "bm9uc2Vuc2U", encode_cursor(START, 2**63), "MTIz", "-" * 64],
)
def test_a_cursor_no_page_gave_is_a_422_naming_it(incidents, cursor):
    response = bearer("operator.eurotunnel").get(URL, {"cursor": cursor})
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["location"] == ["query", "cursor"]


def test_a_page_costs_the_same_queries_and_no_count_however_many_incidents(db):
    operator = bearer("operator.eurotunnel")

    def queries(**params: Any) -> list[str]:
        with CaptureQueriesContext(connection) as ctx:
            assert operator.get(URL, {"limit": 2, **params}).status_code == 200
        return [q["sql"] for q in ctx.captured_queries]

    operator.get(URL)  # the token's first use is stamped once
    ingest(0)
    few = queries()
    for hour in range(1, 12):
        ingest(hour)
    many = queries()
    cursor = operator.get(URL, {"limit": 2}).json()["next"]
    later = queries(cursor=cursor)
    assert len(few) == len(many) == len(later) <= 3
    assert not any("COUNT(" in sql.upper() for sql in few + many + later)


def test_the_list_is_refused_without_a_control_room_role(db):
    assert bearer("analyst.nca").get(URL).status_code == 403


def test_the_caller_is_read_afresh_on_every_request_not_kept_from_the_last(incidents):
    """The latest page's SQL is kept per policy key, so what the caller may see is read at
    each request: a role withdrawn, a clearance raised, an account closed take effect at once."""
    user = User.objects.get(username="operator.eurotunnel")
    operator = bearer("operator.eurotunnel")
    secret = incidents[-1]
    Incident.objects.filter(pk=secret).update(classification=Classification.SECRET)
    assert secret not in [row["id"] for row in operator.get(URL).json()["items"]]
    user.clearance = Classification.SECRET
    user.save(update_fields=["clearance"])
    assert operator.get(URL).json()["items"][0]["id"] == secret
    services.set_role(user, Module.CONTROL_ROOM, None, acting_user=None)
    assert operator.get(URL).status_code == 403
    services.set_role(user, Module.CONTROL_ROOM, Role.VIEWER, acting_user=None)
    assert operator.get(URL).status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert operator.get(URL).status_code == 401


def test_a_kept_query_refuses_parameters_that_are_not_its_placeholders(db):
    def build() -> Any:
        return User.objects.filter(username="someone", clearance=10).values_list("username")

    with pytest.raises(ValueError, match="placeholders"):
        compiled.rows(("test-placeholders",), build, ["operator.eurotunnel"], ["someone"])
    kept = ("test-placeholders-ok",)
    # In the compiled query's order (Django sorts keyword filters).
    assert compiled.rows(kept, build, [10, "nobody"], [10, "someone"]) == []
    found = compiled.rows(kept, build, [10, "operator.eurotunnel"], [10, "someone"])
    assert found == [("operator.eurotunnel",)]
