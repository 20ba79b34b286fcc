"""Bad input at the alert intake: each mistake gets a clear, translated answer, and nothing
else is affected. Also the retried and concurrent batches the optimistic write must survive."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from django.db import close_old_connections, connection
from django.test import Client
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError as PydanticError

from entente.control_room.api.intake import AlertIn, _fast, parse_items, plain_batch
from entente.control_room.models import Alert, Incident
from entente.control_room.services import AlertItem, ingest_alerts
from entente.core.models import User
from tests.control_room.test_intake import alert, send

PROBLEM = "application/problem+json"


def state() -> tuple[int, int]:
    return Alert.objects.count(), Incident.objects.count()


def test_malformed_json_is_a_400_problem_and_writes_nothing(sensor_client):
    before = state()
    response = sensor_client.post(
        "/api/v1/alerts", data=b'[{"sensor": "COQ-PLAT-CCTV-01",', content_type="application/json"
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith(PROBLEM)
    assert response.json()["detail"] == "The request body is not valid JSON."
    assert state() == before


def test_the_problem_is_told_in_the_callers_language(sensor_client):
    response = sensor_client.post(
        "/api/v1/alerts", data=b"{oops", content_type="application/json", HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.status_code == 400
    assert response.json()["title"] == "JSON mal formé"


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"]
)
def test_a_body_that_is_not_json_content_is_a_415(sensor_client, content_type):
    before = state()
    response = sensor_client.post(
        "/api/v1/alerts", data=json.dumps([alert("ct1")]), content_type=content_type
    )
    assert response.status_code == 415
    assert response["Content-Type"].startswith(PROBLEM)
    assert "application/json" in response.json()["detail"]
    assert state() == before


def test_json_with_a_charset_is_json(sensor_client):
    response = sensor_client.post(
        "/api/v1/alerts",
        data=json.dumps([alert("cs1")]),
        content_type="application/json; charset=utf-8",
    )
    assert response.status_code == 200 and response.json()["accepted"] == 1


def test_a_batch_over_the_limit_is_refused_whole_with_the_limit_named(sensor_client, settings):
    settings.ENTENTE_ALERT_BATCH_MAX = 3
    response = send(sensor_client, [alert(f"x{i}") for i in range(4)])
    assert response.status_code == 413
    assert response["Content-Type"].startswith(PROBLEM)
    assert response.json()["detail"] == "At most 3 alerts in one batch; this one has 4."
    assert not Alert.objects.filter(event_id__startswith="x").exists()


def test_a_body_past_the_upload_limit_is_a_413(sensor_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = send(sensor_client, [alert(f"big{i}") for i in range(20)])
    assert response.status_code == 413
    assert "1000 bytes" in response.json()["detail"]
    assert not Alert.objects.filter(event_id__startswith="big").exists()


def test_an_empty_batch_is_answered_and_changes_nothing(sensor_client):
    before = state()
    response = send(sensor_client, [])
    assert response.status_code == 200
    assert response.json() == {"accepted": 0, "duplicate": 0, "rejected": 0, "results": []}
    assert state() == before


@pytest.mark.parametrize("body", [{"not": "a list"}, "text", 42, None])
def test_json_that_is_not_an_array_is_a_422(sensor_client, body):
    before = state()
    response = send(sensor_client, body)
    assert response.status_code == 422
    assert response["Content-Type"].startswith(PROBLEM)
    assert response.json()["errors"][0]["message"] == "Send a JSON array of alerts."
    assert state() == before


def test_items_that_are_not_alerts_are_each_rejected_and_the_good_ones_kept(sensor_client):
    batch = [
        1,
        alert("ok1"),
        {**alert("bad-kind"), "kind": "ufo"},
        {**alert("bad-conf"), "confidence": 1.5},
        {**alert("extra"), "colour": "red"},
        {**alert("naive"), "occurred_at": "2015-07-28T23:10:00"},
        {**alert("bad-time"), "occurred_at": "yesterday"},
        {**alert("nul"), "event_id": "a\x00b"},
        alert("ok2"),
    ]
    result = send(sensor_client, batch).json()
    statuses = [r["status"] for r in result["results"]]
    assert statuses == ["rejected", "accepted", *["rejected"] * 6, "accepted"]
    reasons = [r["reason"] for r in result["results"]]
    assert reasons[2].startswith("kind: one of intrusion,")
    assert reasons[3] == "confidence: between 0 and 1"
    assert reasons[4] == "colour: this field is not part of an alert"
    assert reasons[5] == "occurred_at: give the time's UTC offset"
    assert reasons[6].startswith("occurred_at: give a date and time")
    assert reasons[7].startswith("event_id:")
    assert (result["accepted"], result["rejected"]) == (2, 7)
    assert set(Alert.objects.values_list("event_id", flat=True)) >= {"ok1", "ok2"}
    assert not Alert.objects.filter(event_id__in=["bad-kind", "naive", "nul"]).exists()


def test_a_lone_surrogate_rejects_its_item_not_the_batch(sensor_client):
    body = (
        "["
        + json.dumps(alert("sur-ok"))
        + ', {"sensor": "COQ-PLAT-CCTV-01", "event_id": "\\ud800", '
        '"occurred_at": "2015-07-28T23:10:00Z", "kind": "intrusion", "confidence": 0.5}]'
    )
    response = sensor_client.post("/api/v1/alerts", data=body, content_type="application/json")
    assert [r["status"] for r in response.json()["results"]] == ["accepted", "rejected"]


def test_an_unknown_sensor_is_rejected_with_its_name_in_the_callers_language(sensor_client):
    response = sensor_client.post(
        "/api/v1/alerts",
        data=json.dumps([alert("u1", sensor="NOWHERE-01"), alert("u2")]),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    first, second = response.json()["results"]
    assert first["status"] == "rejected"
    assert first["reason"] == "Capteur inconnu : NOWHERE-01."
    assert second["status"] == "accepted"


def test_a_time_too_far_in_the_future_is_rejected(sensor_client, settings):
    settings.ENTENTE_ALERT_MAX_SKEW_SECONDS = 300
    now = timezone.now()
    batch = [
        alert("f-near", at=(now + dt.timedelta(seconds=60)).isoformat()),
        alert("f-far", at=(now + dt.timedelta(seconds=900)).isoformat()),
    ]
    near, far = send(sensor_client, batch).json()["results"]
    assert near["status"] == "accepted"
    assert far["status"] == "rejected"
    assert "in the future" in far["reason"] and "300 seconds" in far["reason"]
    assert not Alert.objects.filter(event_id="f-far").exists()


def test_the_allowed_skew_is_a_setting(sensor_client, settings):
    settings.ENTENTE_ALERT_MAX_SKEW_SECONDS = 0
    later = (timezone.now() + dt.timedelta(seconds=30)).isoformat()
    result = send(sensor_client, [alert("s0", at=later)]).json()
    assert result["rejected"] == 1


def test_a_retry_with_some_alerts_already_stored_counts_each_alert_once(sensor_client):
    send(sensor_client, [alert("r1", at="2015-07-28T21:00:00Z")])
    batch = [
        alert("r0", at="2015-07-28T20:59:00Z"),
        alert("r1", at="2015-07-28T21:00:00Z"),
        alert("r2", at="2015-07-28T21:01:00Z"),
    ]
    result = send(sensor_client, batch).json()
    assert [r["status"] for r in result["results"]] == ["accepted", "duplicate", "accepted"]
    incident = Alert.objects.get(event_id="r1").incident
    assert {r["incident"] for r in result["results"] if r["incident"]} == {incident.pk}
    incident.refresh_from_db()
    assert incident.alert_count == 3 == incident.alerts.count()


def test_a_batch_of_repeats_only_changes_nothing(sensor_client):
    batch = [alert(f"rep{i}", at=f"2015-07-28T19:0{i}:00Z") for i in range(3)]
    send(sensor_client, batch)
    incident = Alert.objects.get(event_id="rep0").incident
    again = send(sensor_client, batch).json()
    assert again["duplicate"] == 3
    incident.refresh_from_db()
    assert incident.alert_count == 3
    assert Incident.objects.filter(zone=incident.zone).count() >= 1
    assert Alert.objects.filter(event_id__startswith="rep").count() == 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_store_each_alert_once_and_count_it_once():
    """Two writers (an HTTP worker and the MQTT bridge, say) sending overlapping batches
    for one zone: every alert stored once, one incident, its count exact."""
    from tests.conftest import load_world

    load_world()
    user = User.objects.get(username="operator.eurotunnel")
    start = dt.datetime(2015, 7, 28, 10, 0, tzinfo=dt.UTC)

    def items(offset: int) -> list[AlertItem]:
        return [
            AlertItem(
                "COQ-PLAT-CCTV-01",
                f"cc-{i}",
                start + dt.timedelta(seconds=i),
                "intrusion",
                0.5,
            )
            for i in range(offset, offset + 60)
        ]

    errors: list[BaseException] = []

    def write(offset: int) -> None:
        try:
            for _ in range(3):
                ingest_alerts(items(offset), acting_user=user)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=write, args=(k * 30,)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    stored = Alert.objects.filter(event_id__startswith="cc-")
    assert stored.count() == 120
    incidents = Incident.objects.filter(pk__in=stored.values("incident"))
    assert incidents.count() == 1
    assert incidents.get().alert_count == 120


# The fast path and the schema agree: on any item, the fast path either steps aside (None)
# or gives exactly what the schema gives.
_texts = st.one_of(
    st.text(max_size=5),
    st.sampled_from(["COQ-PLAT-CCTV-01", "e1", "", "a" * 64, "a" * 65, "a" * 101, "x\x00"]),
)
_times = st.one_of(
    st.sampled_from(
        [
            "2015-07-28T23:10:00Z",
            "2015-07-28T23:10:00+01:00",
            "2015-07-28T23:10:00.5-03:30",
            "2015-07-28T23:10:00.1234567Z",
            "2015-07-28T23:10:00",
            "2015-07-28T23:10Z",
            "2015-07-28T23Z",
            "2015-02-30T23:10:00Z",
            "2015-07-28T23:10:60Z",
            "2015-07-28T23:10:00+25:00",
            "2015-07-28 23:10:00Z",
        ]
    ),
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    st.integers(),
    st.none(),
)
_values = {
    "sensor": _texts,
    "event_id": _texts,
    "occurred_at": _times,
    "kind": st.sampled_from(["intrusion", "person", "ufo", "", "INTRUSION"]),
    "confidence": st.one_of(
        st.floats(allow_nan=False, allow_infinity=False),
        st.integers(-2, 2),
        st.booleans(),
        st.just("0.5"),
    ),
    "details": st.one_of(
        st.dictionaries(st.text(max_size=3), st.one_of(st.integers(), st.text(max_size=3))),
        st.none(),
        st.lists(st.integers(), max_size=2),
    ),
    "colour": st.just("red"),
}


REQUIRED = {"sensor", "event_id", "occurred_at", "kind", "confidence"}


@st.composite
def raw_items(draw):
    names = draw(st.sets(st.sampled_from(sorted(_values))))
    if draw(st.booleans()):
        names |= REQUIRED
    return {name: draw(_values[name]) for name in sorted(names)}


@settings(max_examples=400, deadline=None)
@given(raw_items())
def test_the_fast_path_accepts_nothing_the_schema_refuses_and_reads_the_same_values(raw):
    fast = _fast(raw)
    try:
        model = AlertIn.model_validate(raw)
    except PydanticError:
        assert fast is None, raw
        return
    if fast is not None:
        assert fast.sensor == model.sensor
        assert fast.event_id == model.event_id
        assert fast.occurred_at == model.occurred_at
        assert fast.occurred_at.utcoffset() == model.occurred_at.utcoffset()
        assert fast.kind == model.kind
        assert fast.confidence == model.confidence and type(fast.confidence) is float
        assert dict(fast.details) == model.details


@settings(max_examples=200, deadline=None)
@given(st.lists(raw_items(), max_size=4))
def test_a_batch_read_whole_is_read_as_the_schema_reads_each_item(raws):
    items = plain_batch(json.dumps(raws).encode())
    if items is None:
        return  # read item by item instead (the test above)
    assert len(items) == len(raws)
    for raw, item in zip(raws, items, strict=True):
        model = AlertIn.model_validate(raw)  # raises if the batch took what the schema refuses
        assert (item.sensor, item.event_id, item.kind) == (model.sensor, model.event_id, model.kind)
        assert item.occurred_at == model.occurred_at
        assert item.occurred_at.utcoffset() == model.occurred_at.utcoffset()
        assert item.confidence == model.confidence and type(item.confidence) is float
        assert dict(item.details) == model.details


def test_a_batch_with_one_bad_item_is_read_item_by_item():
    good, bad = alert("g1"), {**alert("b1"), "sensor": "x\x00"}
    assert plain_batch(json.dumps([good, good]).encode()) is not None
    assert plain_batch(json.dumps([good, bad]).encode()) is None
    assert plain_batch(json.dumps([good, {**good, "colour": "red"}]).encode()) is None
    assert plain_batch(b'{"sensor": "COQ-PLAT-CCTV-01"}') is None  # not an array
    valid, rejected = parse_items([good, bad])
    assert [index for index, _item in valid] == [0] and list(rejected) == [1]


def test_the_plain_form_takes_the_fast_path():
    valid, rejected = parse_items([alert("plain"), {**alert("d"), "details": {"plate": "AB"}}])
    assert rejected == {}
    assert all(_fast(raw) is not None for raw in [alert("plain")])
    assert valid[1][1].details == {"plate": "AB"}


def test_the_api_client_gets_problem_details_for_each_refusal(sensor_client):
    """A compact list of what a sensor integrator may meet, as the guide describes it."""
    bad = Client(HTTP_AUTHORIZATION="Bearer ent_nope")
    assert send(bad, [alert("n1")]).status_code == 401
    for response in (
        sensor_client.post("/api/v1/alerts", data=b"nope", content_type="application/json"),
        sensor_client.post("/api/v1/alerts", data=b"[]", content_type="text/csv"),
    ):
        assert response["Content-Type"].startswith(PROBLEM)
        assert {"type", "title", "status", "detail", "instance"} <= set(response.json())
