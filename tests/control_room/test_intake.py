"""Alert intake: idempotent batches, per-item outcomes, correlation, nothing half-written."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from entente.control_room.models import Alert
from entente.core import services
from entente.core.choices import AuditAction
from entente.core.models import AuditEntry, AuditHead, User


@pytest.fixture
def bearer_for(db):
    def make(username: str) -> Client:
        _, token = services.create_api_token(
            User.objects.get(username=username), name="t", acting_user=None
        )
        return Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    return make


def alert(
    event: str,
    *,
    sensor: str = "COQ-PLAT-CCTV-01",
    at: str = "2015-07-28T23:10:00Z",
    kind: str = "intrusion",
    confidence: float = 0.8,
) -> dict[str, object]:
    return {
        "sensor": sensor,
        "event_id": event,
        "occurred_at": at,
        "kind": kind,
        "confidence": confidence,
    }


def send(client: Client, batch: object):
    return client.post("/api/v1/alerts", data=json.dumps(batch), content_type="application/json")


def test_a_batch_reports_each_alert_and_a_retry_creates_nothing_twice(sensor_client):
    batch = [
        alert("e1"),
        alert("e2", at="2015-07-28T23:11:00Z"),
        alert("e3", sensor="NOT-A-SENSOR"),
        {"sensor": "COQ-PLAT-CCTV-01"},
    ]
    first = send(sensor_client, batch).json()
    assert [r["status"] for r in first["results"]] == [
        "accepted",
        "accepted",
        "rejected",
        "rejected",
    ]
    assert "NOT-A-SENSOR" in first["results"][2]["reason"]
    assert "event_id" in first["results"][3]["reason"]
    again = send(sensor_client, batch).json()
    assert [r["status"] for r in again["results"]] == [
        "duplicate",
        "duplicate",
        "rejected",
        "rejected",
    ]
    assert Alert.objects.filter(event_id__in=["e1", "e2"]).count() == 2


def test_the_same_event_twice_in_one_batch_is_stored_once(sensor_client):
    result = send(sensor_client, [alert("dup"), alert("dup")]).json()
    assert [r["status"] for r in result["results"]] == ["accepted", "duplicate"]
    assert Alert.objects.filter(event_id="dup").count() == 1


def test_alerts_of_a_zone_close_in_time_make_one_incident(sensor_client):
    send(
        sensor_client,
        [
            alert("a1", at="2015-07-28T23:00:00Z"),
            alert(
                "a2",
                sensor="COQ-PLAT-THERM-01",
                at="2015-07-28T23:02:00Z",
                kind="person",
                confidence=0.95,
            ),
            alert("a3", at="2015-07-28T23:30:00Z"),  # past the 5-minute window: a new incident
            alert("a4", sensor="COQ-FENCE-DET-01", at="2015-07-28T23:01:00Z", kind="fence_breach"),
        ],
    )
    first = Alert.objects.get(event_id="a1").incident
    assert Alert.objects.get(event_id="a2").incident == first
    assert first.alert_count == 2
    assert first.severity == 3  # a person seen with high confidence raises it
    assert Alert.objects.get(event_id="a3").incident != first
    assert Alert.objects.get(event_id="a4").incident.zone.code == "COQ-FENCE"


def test_a_later_batch_joins_the_open_incident(sensor_client):
    send(sensor_client, [alert("b1", at="2015-07-28T22:00:00Z")])
    send(sensor_client, [alert("b2", at="2015-07-28T22:03:00Z")])
    assert Alert.objects.get(event_id="b1").incident == Alert.objects.get(event_id="b2").incident


def test_a_time_offset_past_what_postgresql_keeps_is_stored_in_utc(sensor_client):
    """Python reads offsets up to 23:59, PostgreSQL keeps them only up to 15:59: an alert at
    +16:00 opens an incident, and a later one joins it, with the same instants in UTC."""
    first = send(sensor_client, [alert("o1", at="2015-07-29T14:00:00+16:00")])
    second = send(sensor_client, [alert("o2", at="2015-07-28T22:03:00Z")])
    assert first.status_code == second.status_code == 200
    stored = Alert.objects.select_related("incident").get(event_id="o1")
    assert stored.incident == Alert.objects.get(event_id="o2").incident
    assert stored.occurred_at.isoformat() == "2015-07-28T22:00:00+00:00"
    assert stored.incident.opened_at.isoformat() == "2015-07-28T22:00:00+00:00"


def test_incidents_carry_the_joint_control_rooms_marking(sensor_client):
    send(sensor_client, [alert("m1")])
    incident = Alert.objects.get(event_id="m1").incident
    assert incident.originator.code == "EUROTUNNEL"
    assert incident.releasability == frozenset({"FR", "UK"})


def test_each_batch_leaves_one_audit_entry(sensor_client):
    head = AuditHead.objects.get().seq
    send(sensor_client, [alert("c1"), alert("c2")])
    entry = AuditEntry.objects.get(seq=head + 1)
    assert entry.action == AuditAction.CREATE and entry.object_type == "control_room.alert"
    assert entry.changes["accepted"] == 2
    assert AuditHead.objects.get().seq == head + 1


def test_viewers_cannot_report_alerts(login):
    response = login("gendarme.egm").post(
        "/api/v1/alerts", data=json.dumps([alert("v1")]), content_type="application/json"
    )
    assert response.status_code == 403
    assert not Alert.objects.filter(event_id="v1").exists()


def test_operators_see_incidents_in_their_language(sensor_client, login):
    send(sensor_client, [alert("p1", kind="person")])
    page = login("operator.eurotunnel").get("/control-room/incidents/")
    assert page.status_code == 200
    assert "Personne détectée" in page.content.decode()
    incident = Alert.objects.get(event_id="p1").incident
    detail = login("leader.borderforce").get(f"/control-room/incidents/{incident.pk}/")
    assert "COQ-PLAT-CCTV-01" in detail.content.decode()


def test_an_incident_moves_step_by_step_and_each_step_is_timed_and_audited(sensor_client, login):
    send(sensor_client, [alert("l1")])
    incident = Alert.objects.get(event_id="l1").incident
    client = login("leader.borderforce")  # Border Force acts on a Eurotunnel camera's alarm
    for state in ("acknowledged", "dispatched", "on_scene"):
        response = client.post(f"/control-room/incidents/{incident.pk}/advance/", {"state": state})
        assert response.status_code == 302
        incident.refresh_from_db()
        assert incident.state == state
        assert getattr(incident, f"{state}_at") is not None
    # The last step records what was found (tests/control_room/test_outcomes.py).
    response = client.post(
        f"/control-room/incidents/{incident.pk}/close/", {"result": "nothing_found"}
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.state == "closed" and incident.closed_at is not None
    times = [
        incident.acknowledged_at,
        incident.dispatched_at,
        incident.on_scene_at,
        incident.closed_at,
    ]
    assert times == sorted(times)
    steps = AuditEntry.objects.filter(
        action=AuditAction.UPDATE, object_type="control_room.incident", object_id=str(incident.pk)
    )
    assert steps.count() == 4


def test_a_step_out_of_order_is_refused_with_a_reason(sensor_client, bearer_for):
    send(sensor_client, [alert("o1")])
    incident = Alert.objects.get(event_id="o1").incident
    client = bearer_for("operator.eurotunnel")
    response = client.post(
        f"/api/v1/incidents/{incident.pk}/transitions",
        data=json.dumps({"state": "on_scene"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["location"] == ["body", "state"]
    incident.refresh_from_db()
    assert incident.state == "new" and incident.on_scene_at is None
    ok = client.post(
        f"/api/v1/incidents/{incident.pk}/transitions",
        data=json.dumps({"state": "acknowledged"}),
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["acknowledged_at"]


def test_viewers_watch_but_do_not_act(sensor_client, login):
    send(sensor_client, [alert("w1")])
    incident = Alert.objects.get(event_id="w1").incident
    editor_page = login("operator.eurotunnel").get(f"/control-room/incidents/{incident.pk}/")
    assert 'name="state" value="acknowledged"' in editor_page.content.decode()
    client = login("gendarme.egm")
    page = client.get(f"/control-room/incidents/{incident.pk}/").content.decode()
    assert 'name="state"' not in page
    assert (
        client.post(
            f"/control-room/incidents/{incident.pk}/advance/", {"state": "acknowledged"}
        ).status_code
        == 403
    )


def test_an_alerts_details_are_stored_as_the_sensor_sent_them(sensor_client):
    details = {"plate": "AB-123-CD", "lane": 3, "seen": ["côté", "✓"], "nested": {"x": None}}
    answer = send(sensor_client, [{**alert("d1"), "details": details}, alert("d2")]).json()
    assert answer["accepted"] == 2
    stored = dict(Alert.objects.values_list("event_id", "details"))
    assert stored == {"d1": details, "d2": {}}
