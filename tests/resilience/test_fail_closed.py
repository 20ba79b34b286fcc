"""Fault: the audit trail cannot be written, or the access policy cannot be evaluated. Both fail
closed: no write is made and no personal data is served without its audit entry, and a request
whose policy cannot be worked out is refused, never served.

The faults are made in the database itself, as an outage or a bad migration would: a trigger
that refuses every insert into the audit table, the table of module roles gone. The requests run
as in production, each in its own transactions (no test transaction around them that would hide
a write committed before the failure); each fault is undone afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from benchmarks._faults import alert
from django.db import connection
from django.http import HttpResponse
from django.test import Client

from entente.control_room.models import Alert
from entente.core import services
from entente.core.models import AuditEntry, AuditHead, ModuleRole, User
from entente.safeguarding.models import Person
from tests.conftest import verified_login
from tests.resilience.conftest import figures, sensor_token, small_world
from tests.safeguarding.people_factories import adult

NAME = "Selam Resilience-Test"
CASEWORKER = "caseworker.lva"


@contextmanager
def fault(make: list[str], undo: list[str]) -> Iterator[None]:
    """Make a fault (committed, as an outage is), then undo it whatever happens."""
    with connection.cursor() as cursor:
        for statement in make:
            cursor.execute(statement)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for statement in undo:
                cursor.execute(statement)


def audit_unwritable() -> Any:
    """A trigger refusing every new audit entry (the audit table's disk gone, say)."""
    table = AuditEntry._meta.db_table
    if connection.vendor == "sqlite":
        return fault(
            [
                f"CREATE TRIGGER resilience_audit_down BEFORE INSERT ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'audit trail unavailable'); END"
            ],
            ["DROP TRIGGER resilience_audit_down"],
        )
    return fault(
        [
            "CREATE FUNCTION resilience_audit_down() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'audit trail unavailable'; END $$",
            f"CREATE TRIGGER resilience_audit_down BEFORE INSERT ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION resilience_audit_down()",
        ],
        [
            f"DROP TRIGGER resilience_audit_down ON {table}",
            "DROP FUNCTION resilience_audit_down()",
        ],
    )


def policy_unreadable() -> Any:
    """The module roles the policy reads are gone (a failed migration, a lost table)."""
    table = ModuleRole._meta.db_table
    return fault(
        [f"ALTER TABLE {table} RENAME TO resilience_roles_gone"],
        [f"ALTER TABLE resilience_roles_gone RENAME TO {table}"],
    )


def bearer(username: str) -> Client:
    _, token = services.create_api_token(
        User.objects.get(username=username), name="resilience", acting_user=None
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", raise_request_exception=False)


def page_client(username: str) -> Client:
    client = Client(raise_request_exception=False)
    return verified_login(client, User.objects.get(username=username))


def refused(response: HttpResponse) -> bool:
    """Not served: an error status (the server's or the database's), never a page or data."""
    return response.status_code >= 500 or response.status_code in (401, 403, 404)


def alerts(run: str) -> str:
    return json.dumps([alert(run, "a", i) for i in range(3)])


@pytest.fixture
def person(transactional_db: Any) -> Person:
    small_world(CASEWORKER)
    return adult(CASEWORKER, name=NAME, name_purpose="asylum application")


def test_no_write_and_no_read_of_personal_data_is_served_without_its_audit_entry(
    person: Person,
) -> None:
    sensor = Client(HTTP_AUTHORIZATION=f"Bearer {sensor_token()}", raise_request_exception=False)
    caseworker_api = bearer(CASEWORKER)
    caseworker_page = page_client(CASEWORKER)
    # Served while the audit trail works (what the fault below must turn into a refusal).
    reading = f"/api/v1/safeguarding/people/{person.pk}?purpose=preparing+the+referral"
    page = f"/safeguarding/people/{person.pk}/?purpose=preparing+the+referral"
    assert NAME in caseworker_api.get(reading).content.decode()
    assert NAME in caseworker_page.get(page).content.decode()
    head = AuditHead.objects.get(pk=1).seq

    outcomes: dict[str, int] = {}
    with audit_unwritable():
        # Writes: the alerts of a sensor, a person recorded by a caseworker.
        answer = sensor.post("/api/v1/alerts", alerts("audit-down"), "application/json")
        outcomes["alerts"] = answer.status_code
        assert answer.status_code >= 500, answer.content[:300]
        assert answer["Content-Type"] == "application/problem+json"
        assert not Alert.objects.filter(event_id__startswith="audit-down-").exists()
        new = {
            "age_band": "25-59",
            "gender": "m",
            "languages": ["ti"],
            "nationality": "ER",
            "name": "Not Recorded-Test",
            "name_purpose": "asylum application",
        }
        answer = caseworker_api.post("/api/v1/safeguarding/people", new, "application/json")
        outcomes["person_create"] = answer.status_code
        # Refused as the server's failure it is, not taken for a case-code clash to retry.
        assert answer.status_code == 500, answer.content[:300]
        assert not Person.objects.filter(name="Not Recorded-Test").exists()
        assert AuditHead.objects.get(pk=1).seq == head
    with audit_unwritable():
        # Reads of personal data, by the API and by the page: nothing of the person shown.
        answer = caseworker_api.get(reading)
        outcomes["person_read_api"] = answer.status_code
        assert refused(answer) and NAME not in answer.content.decode()
    with audit_unwritable():
        answer = caseworker_page.get(page)
        outcomes["person_read_page"] = answer.status_code
        assert refused(answer) and NAME not in answer.content.decode()
    figures("fail_closed_audit", {"database": connection.vendor, "statuses": outcomes})


def test_a_request_whose_access_policy_cannot_be_evaluated_is_refused(person: Person) -> None:
    sensor = Client(HTTP_AUTHORIZATION=f"Bearer {sensor_token()}", raise_request_exception=False)
    caseworker_api = bearer(CASEWORKER)
    caseworker_page = page_client(CASEWORKER)
    reading = f"/api/v1/safeguarding/people/{person.pk}?purpose=preparing+the+referral"
    outcomes: dict[str, int] = {}
    with policy_unreadable():
        answer = caseworker_api.get(reading)
        outcomes["person_read_api"] = answer.status_code
        assert refused(answer) and NAME not in answer.content.decode()
    with policy_unreadable():
        answer = caseworker_api.get("/api/v1/safeguarding/people")
        outcomes["people_list_api"] = answer.status_code
        assert refused(answer) and NAME not in answer.content.decode()
    with policy_unreadable():
        answer = caseworker_page.get(f"/safeguarding/people/{person.pk}/?purpose=checking")
        outcomes["person_read_page"] = answer.status_code
        assert refused(answer) and NAME not in answer.content.decode()
    with policy_unreadable():
        answer = sensor.post("/api/v1/alerts", alerts("policy-down"), "application/json")
        outcomes["alerts"] = answer.status_code
        assert refused(answer), answer.content[:300]
        assert not Alert.objects.filter(event_id__startswith="policy-down-").exists()
    figures("fail_closed_policy", {"database": connection.vendor, "statuses": outcomes})
