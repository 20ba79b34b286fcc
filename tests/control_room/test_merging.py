"""Operators merge incidents that are one event and split an incident that is two."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import translation

from entente.control_room.choices import AlertKind, IncidentState, Severity
from entente.control_room.models import Alert, ChecklistEntry, Incident
from entente.control_room.services import AlertItem, ingest_alerts
from entente.control_room.services.checklists import tick_step
from entente.control_room.services.merging import merge_incidents, split_incident
from entente.core import services
from entente.core.choices import AuditAction
from entente.core.models import AuditEntry, Recipient, User

T0 = dt.datetime(2015, 8, 20, 22, 0, tzinfo=dt.UTC)


def minutes(n: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=n)


def raise_alerts(user: User, *alerts: tuple[str, str, dt.datetime, str, float]) -> Incident:
    """Send alerts (sensor, event, time, kind, confidence); the incident of the last one."""
    outcomes = ingest_alerts([AlertItem(*a) for a in alerts], acting_user=user)
    return Incident.objects.get(pk=outcomes[-1].incident)


def audited(incident: Incident, action: str = AuditAction.UPDATE) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            action=action, object_type="control_room.incident", object_id=str(incident.pk)
        ).order_by("seq")
    )


@pytest.fixture
def operator(persona):
    return persona("operator.eurotunnel")


@pytest.fixture
def platform(operator):
    """Two intrusion alerts on the Coquelles freight platform."""
    return raise_alerts(
        operator,
        ("COQ-PLAT-CCTV-01", "p1", minutes(0), "intrusion", 0.8),
        ("COQ-PLAT-CCTV-01", "p2", minutes(2), "intrusion", 0.7),
    )


@pytest.fixture
def fence(operator):
    """A fence breach on the Coquelles perimeter a little later, with high confidence."""
    return raise_alerts(
        operator,
        ("COQ-FENCE-DET-01", "f1", minutes(3), "fence_breach", 0.95),
        ("COQ-FENCE-DET-01", "f2", minutes(4), "fence_breach", 0.6),
    )


def test_merging_moves_the_alerts_and_closes_the_others_pointing_to_the_target(
    platform, fence, operator
):
    assert (platform.severity, fence.severity) == (Severity.MEDIUM, Severity.HIGH)
    merged = merge_incidents(platform, [fence], acting_user=operator)
    assert merged.alert_count == 4 == Alert.objects.filter(incident=platform).count()
    assert merged.last_alert_at == minutes(4)
    # The more serious breach now leads: severity and kind follow it, as the intake does.
    assert (merged.severity, merged.kind) == (Severity.HIGH, AlertKind.FENCE_BREACH)
    assert merged.state == IncidentState.NEW and merged.zone.code == "COQ-PLAT"
    fence.refresh_from_db()
    assert fence.state == IncidentState.CLOSED and fence.closed_at is not None
    assert fence.merged_into == platform and fence.alert_count == 0
    entry = audited(platform)[-1]
    assert entry.changes["merged"] == [fence.pk] and entry.changes["alerts"] == 2
    assert entry.changes["alert_count"] == [2, 4]
    assert audited(fence)[-1].changes["merged_into_id"] == [None, platform.pk]


def test_merging_carries_steps_not_yet_recorded_on_the_target(operator):
    first = raise_alerts(operator, ("COQ-PLAT-CCTV-01", "a", minutes(0), "intrusion", 0.8))
    second = raise_alerts(operator, ("COQ-PLAT-CCTV-01", "b", minutes(30), "intrusion", 0.8))
    assert first != second  # past the correlation window: two incidents
    tick_step(first, step_code="confirm-cctv", acting_user=operator)
    tick_step(second, step_code="confirm-cctv", acting_user=operator)
    tick_step(second, step_code="send-patrol", acting_user=operator, note="Patrol 3")
    merge_incidents(first, [second.pk], acting_user=operator)
    on_first = ChecklistEntry.objects.filter(incident=first)
    assert sorted(on_first.values_list("step__code", flat=True)) == ["confirm-cctv", "send-patrol"]
    assert on_first.get(step__code="send-patrol").note == "Patrol 3"
    assert ChecklistEntry.objects.filter(incident=second).count() == 1


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("itself", "cannot be merged into itself"),
        ("nothing", "at least one incident"),
        ("closed", "closed incidents cannot be merged"),
        ("other site", "one site"),
        ("unknown", "that you may see"),
        ("hidden", "that you may see"),
        ("marking", "different markings"),
    ],
)
def test_merging_is_refused_with_a_reason(case, message, platform, fence, operator):
    others: list[Incident | int] = [fence]
    if case == "itself":
        others = [fence, platform]
    elif case == "nothing":
        others = []
    elif case == "closed":
        other = raise_alerts(operator, ("COQ-PORTAL-CCTV-01", "c", minutes(1), "intrusion", 0.8))
        merge_incidents(fence, [other], acting_user=operator)
        others = [other]
    elif case == "other site":
        others = [raise_alerts(operator, ("CAL-RING-CCTV-01", "r", minutes(1), "intrusion", 0.8))]
    elif case == "unknown":
        others = [10**12]
    elif case == "hidden":
        # The fence incident re-marked for France only: a British operator may not see it.
        Incident.objects.filter(pk=fence.pk).update(releasability="FR")
        operator = User.objects.get(username="leader.borderforce")
    elif case == "marking":
        Incident.objects.filter(pk=fence.pk).update(tlp="AMBER")
    alerts = dict(Alert.objects.values_list("pk", "incident_id"))
    with pytest.raises(ValidationError) as exc, translation.override("en"):
        merge_incidents(platform, others, acting_user=operator)
    assert message in " ".join(exc.value.messages)
    assert dict(Alert.objects.values_list("pk", "incident_id")) == alerts
    platform.refresh_from_db()
    assert platform.alert_count == 2


def test_a_viewer_cannot_merge_or_split(platform, fence, persona):
    viewer = persona("gendarme.egm")
    with pytest.raises(PermissionDenied):
        merge_incidents(platform, [fence], acting_user=viewer)
    with pytest.raises(PermissionDenied):
        split_incident(platform, [platform.alerts.first().pk], acting_user=viewer)
    assert Incident.objects.get(pk=fence.pk).state == IncidentState.NEW


def test_splitting_moves_the_chosen_alerts_to_a_new_incident(operator):
    source = raise_alerts(
        operator,
        ("COQ-PLAT-CCTV-01", "s1", minutes(0), "intrusion", 0.8),
        ("COQ-PLAT-THERM-01", "s2", minutes(1), "person", 0.95),
        ("COQ-PLAT-CCTV-01", "s3", minutes(2), "intrusion", 0.7),
    )
    assert (source.kind, source.severity, source.alert_count) == ("person", Severity.HIGH, 3)
    person = Alert.objects.get(event_id="s2")
    new = split_incident(source, [person.pk], acting_user=operator)
    source.refresh_from_db()
    assert (new.kind, new.severity, new.alert_count) == ("person", Severity.HIGH, 1)
    assert new.opened_at == new.last_alert_at == minutes(1)
    assert new.zone_id == source.zone_id and new.state == IncidentState.NEW
    assert (new.classification, new.releasability, new.tlp, new.originator_id) == (
        source.classification,
        source.releasability,
        source.tlp,
        source.originator_id,
    )
    assert (source.kind, source.severity, source.alert_count) == ("intrusion", Severity.MEDIUM, 2)
    assert source.last_alert_at == minutes(2)
    assert audited(new, AuditAction.CREATE)[-1].changes["split_from"] == source.pk
    assert audited(source)[-1].changes["split_to"] == new.pk


def test_a_split_off_incident_is_seen_by_the_same_named_recipients(operator, persona):
    source = raise_alerts(
        operator,
        ("COQ-PLAT-CCTV-01", "r1", minutes(0), "intrusion", 0.8),
        ("COQ-PLAT-CCTV-01", "r2", minutes(1), "intrusion", 0.8),
    )
    gendarmerie = persona("gendarme.egm").agency
    services.name_recipients(source, acting_user=operator, agencies=[gendarmerie])
    new = split_incident(source, [Alert.objects.get(event_id="r2").pk], acting_user=operator)
    assert list(
        Recipient.objects.filter(
            content_type=ContentType.objects.get_for_model(Incident), object_id=new.pk
        ).values_list("agency__code", flat=True)
    ) == [gendarmerie.code]
    assert audited(new, AuditAction.DISCLOSE)[-1].changes["recipients"] == [gendarmerie.code]
    assert audited(new, AuditAction.DISCLOSE)[-1].purpose == "split"


@pytest.mark.parametrize(
    ("choose", "message"),
    [
        ("none", "Choose the alerts"),
        ("all", "Leave at least one alert"),
        ("foreign", "is not one of this incident's alerts"),
    ],
)
def test_splitting_is_refused_for_all_none_or_foreign_alerts(
    choose, message, platform, fence, operator
):
    ids = {
        "none": [],
        "all": list(platform.alerts.values_list("pk", flat=True)),
        "foreign": [fence.alerts.first().pk],
    }[choose]
    count = Incident.objects.count()
    with pytest.raises(ValidationError) as exc, translation.override("en"):
        split_incident(platform, ids, acting_user=operator)
    assert message in " ".join(exc.value.messages)
    assert Incident.objects.count() == count


def test_a_closed_incident_cannot_be_split(platform, fence, operator):
    merge_incidents(platform, [fence], acting_user=operator)
    fence.refresh_from_db()
    with pytest.raises(ValidationError):
        split_incident(fence, [platform.alerts.first().pk], acting_user=operator)


def test_operators_merge_and_split_from_the_incident_page(platform, fence, operator, login):
    elsewhere = raise_alerts(operator, ("CAL-RING-CCTV-01", "r", minutes(1), "intrusion", 0.8))
    client = login("leader.borderforce")
    page = client.get(f"/control-room/incidents/{platform.pk}/").content.decode()
    assert f'name="incidents" value="{fence.pk}"' in page  # same site: offered
    assert f'name="incidents" value="{elsewhere.pk}"' not in page  # the port: not offered
    assert 'form="split-form" name="alerts"' in page
    response = client.post(
        f"/control-room/incidents/{platform.pk}/merge/", {"incidents": [fence.pk]}, follow=True
    )
    assert "1 incident merged into this one." in response.content.decode()
    closed = client.get(f"/control-room/incidents/{fence.pk}/").content.decode()
    assert f"/control-room/incidents/{platform.pk}/" in closed and "Merged into" in closed
    assert 'name="incidents"' not in closed and 'name="step"' not in closed
    breach = list(Alert.objects.filter(event_id__in=["f1", "f2"]).values_list("pk", flat=True))
    split = client.post(f"/control-room/incidents/{platform.pk}/split/", {"alerts": breach})
    new = Incident.objects.get(alerts__event_id="f1")
    assert new != platform and split["Location"] == f"/control-room/incidents/{new.pk}/"
    refused = client.post(
        f"/control-room/incidents/{new.pk}/split/", {"alerts": breach}, follow=True
    )
    assert "Leave at least one alert" in refused.content.decode()


def test_viewers_see_no_merge_or_split_forms(platform, fence, login):
    client = login("gendarme.egm")
    page = client.get(f"/control-room/incidents/{platform.pk}/").content.decode()
    assert 'name="incidents"' not in page and 'name="alerts"' not in page
    response = client.post(
        f"/control-room/incidents/{platform.pk}/merge/", {"incidents": [fence.pk]}
    )
    assert response.status_code == 403


def test_the_api_merges_and_splits(platform, fence):
    def bearer(username: str) -> Client:
        _, token = services.create_api_token(
            User.objects.get(username=username), name="t", acting_user=None
        )
        return Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    def post(client: Client, url: str, body: object):
        return client.post(url, data=json.dumps(body), content_type="application/json")

    operator = bearer("leader.borderforce")
    assert (
        post(
            bearer("gendarme.egm"),
            f"/api/v1/incidents/{platform.pk}/merge",
            {"incidents": [fence.pk]},
        ).status_code
        == 403
    )
    itself = post(operator, f"/api/v1/incidents/{platform.pk}/merge", {"incidents": [platform.pk]})
    assert itself.status_code == 422 and itself.json()["errors"][0]["location"] == [
        "body",
        "incidents",
    ]
    merged = post(operator, f"/api/v1/incidents/{platform.pk}/merge", {"incidents": [fence.pk]})
    assert merged.status_code == 200
    assert merged.json()["alert_count"] == 4 and merged.json()["kind"] == "fence_breach"
    breach = list(Alert.objects.filter(event_id="f1").values_list("pk", flat=True))
    split = post(operator, f"/api/v1/incidents/{platform.pk}/split", {"alerts": breach})
    assert split.status_code == 201
    assert split.json()["alert_count"] == 1 and split.json()["id"] != platform.pk
    assert (
        post(operator, f"/api/v1/incidents/{platform.pk}/split", {"alerts": []}).status_code == 422
    )
