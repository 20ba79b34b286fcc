"""An alert always names a sensor and an incident that exist, whoever writes to the table.

On PostgreSQL the alert table has no foreign keys: triggers check its references once per
statement (migration 0008). These tests write by raw SQL, past the intake and the ORM, and hold
the database to what the foreign keys promised: a missing reference is refused, a sensor or
incident still named cannot be deleted (deferred to the commit, as the keys were; the tests ask
for the deferred checks with ``check_constraints``), and removing the alerts first lets it go.
SQLite keeps real foreign keys; the same tests hold there.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.test import Client

from entente.control_room.models import Alert, Incident, Sensor
from entente.core.models import Agency
from tests.control_room.test_intake import alert, send

COLUMNS = "sensor_id, event_id, occurred_at, received_at, kind, confidence, details, incident_id"


@pytest.fixture
def stored_alert(sensor_client: Client) -> Alert:
    """One alert taken in through the intake, with the incident it opened."""
    response = send(sensor_client, [alert("ref-1")])
    assert response.json()["accepted"] == 1
    return Alert.objects.select_related("sensor", "incident").get(event_id="ref-1")


def insert_alert(sensor_id: int, incident_id: int | None, event: str) -> None:
    when = connection.ops.adapt_datetimefield_value(dt.datetime(2015, 7, 29, tzinfo=dt.UTC))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO control_room_alert ({COLUMNS})"
            " VALUES (%s, %s, %s, %s, 'intrusion', 0.5, '{}', %s)",
            [sensor_id, event, when, when, incident_id],
        )


def missing_id(model: type[Sensor] | type[Incident]) -> int:
    return (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000


def refused(write) -> None:
    """``write`` is refused by the database, at once or at the commit's deferred checks; and
    nothing of it is left."""
    with pytest.raises(IntegrityError), transaction.atomic():
        write()
        connection.check_constraints()


def test_an_alert_naming_a_sensor_that_does_not_exist_is_refused(stored_alert):
    refused(lambda: insert_alert(missing_id(Sensor), stored_alert.incident_id, "no-sensor"))
    assert not Alert.objects.filter(event_id="no-sensor").exists()


def test_an_alert_naming_an_incident_that_does_not_exist_is_refused(stored_alert):
    refused(lambda: insert_alert(stored_alert.sensor_id, missing_id(Incident), "no-incident"))
    assert not Alert.objects.filter(event_id="no-incident").exists()


def test_an_alert_with_existing_references_or_no_incident_is_stored(stored_alert):
    with transaction.atomic():
        insert_alert(stored_alert.sensor_id, stored_alert.incident_id, "fine-1")
        insert_alert(stored_alert.sensor_id, None, "fine-2")
        connection.check_constraints()
    assert Alert.objects.filter(event_id__in=["fine-1", "fine-2"]).count() == 2


def test_moving_alerts_to_an_incident_that_does_not_exist_is_refused(stored_alert):
    refused(
        lambda: Alert.objects.filter(pk=stored_alert.pk).update(incident_id=missing_id(Incident))
    )
    stored_alert.refresh_from_db()
    assert Incident.objects.filter(pk=stored_alert.incident_id).exists()


def test_a_sensor_or_incident_its_alerts_name_cannot_be_deleted_through_django(stored_alert):
    with pytest.raises(ProtectedError):
        stored_alert.sensor.delete()
    with pytest.raises(ProtectedError):
        stored_alert.incident.delete()


def test_a_sensor_its_alerts_name_cannot_be_deleted_by_sql(stored_alert):
    def delete() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM control_room_sensor WHERE id = %s", [stored_alert.sensor_id]
            )

    refused(delete)
    assert Sensor.objects.filter(pk=stored_alert.sensor_id).exists()


def test_an_incident_its_alerts_name_cannot_be_deleted_by_sql(stored_alert):
    def delete() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM control_room_incident WHERE id = %s", [stored_alert.incident_id]
            )

    refused(delete)
    assert Incident.objects.filter(pk=stored_alert.incident_id).exists()


def test_an_incident_goes_once_its_alerts_are_gone_even_deleted_after_it(stored_alert):
    """The check waits for the commit, as the foreign key did: the order of the deletes within
    one transaction does not matter."""
    incident_id = stored_alert.incident_id
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM control_room_incident WHERE id = %s", [incident_id])
            cursor.execute("DELETE FROM control_room_alert WHERE incident_id = %s", [incident_id])
        connection.check_constraints()
    assert not Incident.objects.filter(pk=incident_id).exists()


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="TRUNCATE is PostgreSQL's")
def test_the_sensors_cannot_be_truncated_from_under_their_alerts(stored_alert):
    from django.db import NotSupportedError

    with pytest.raises(NotSupportedError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE control_room_sensor CASCADE")
    assert Sensor.objects.filter(pk=stored_alert.sensor_id).exists()


def _connect():
    """A connection of its own to the test database, beside Django's."""
    import psycopg

    s = connection.settings_dict
    return psycopg.connect(
        dbname=s["NAME"],
        host=s["HOST"] or None,
        port=s["PORT"] or None,
        user=s["USER"] or None,
        password=s["PASSWORD"] or None,
    )


def _wait_until_blocked(watcher, pid: int) -> None:
    """Return once the backend ``pid`` waits for a lock (the other transaction's)."""
    import time

    for _ in range(400):
        with watcher.cursor() as cursor:
            cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
            if cursor.fetchone()[0] == "Lock":
                return
        time.sleep(0.05)
    raise AssertionError("the second transaction never waited for the first")


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's triggers and locks")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first", ["intake", "delete"])
def test_an_incident_deleted_while_alerts_join_it_leaves_no_alert_naming_nothing(first):
    """Two transactions at once, one writing an alert for an incident and one deleting that
    incident: whichever comes first, the second waits for it, then is refused."""
    import threading

    from psycopg import errors

    from tests.conftest import load_world

    load_world()
    sensor_id = Sensor.objects.order_by("pk").values_list("pk", flat=True)[0]
    incident = Incident.objects.create(
        zone_id=Sensor.objects.get(pk=sensor_id).zone_id,
        kind="intrusion",
        severity=1,
        opened_at=dt.datetime(2015, 7, 28, tzinfo=dt.UTC),
        last_alert_at=dt.datetime(2015, 7, 28, tzinfo=dt.UTC),
        originator=Agency.objects.get(code="EUROTUNNEL"),
    )
    when = dt.datetime(2015, 7, 28, tzinfo=dt.UTC)
    insert = (
        f"INSERT INTO control_room_alert ({COLUMNS})"
        " VALUES (%s, 'race', %s, %s, 'intrusion', 0.5, '{}', %s)"
    )
    delete = "DELETE FROM control_room_incident WHERE id = %s"
    writer, deleter, watcher = _connect(), _connect(), _connect()
    watcher.autocommit = True
    early, late = (writer, deleter) if first == "intake" else (deleter, writer)
    statements = {
        writer: (insert, [sensor_id, when, when, incident.pk]),
        deleter: (delete, [incident.pk]),
    }
    early.execute(*statements[early])
    outcome: list[BaseException | None] = []

    def second() -> None:
        try:
            late.execute(*statements[late])
            late.commit()
            outcome.append(None)
        except errors.ForeignKeyViolation as exc:
            late.rollback()
            outcome.append(exc)

    thread = threading.Thread(target=second)
    thread.start()
    _wait_until_blocked(watcher, late.info.backend_pid)
    early.commit()
    thread.join(30)
    for c in (writer, deleter, watcher):
        c.close()
    assert outcome and isinstance(outcome[0], errors.ForeignKeyViolation)
    alerts = Alert.objects.filter(event_id="race")
    if first == "intake":
        assert alerts.count() == 1 and Incident.objects.filter(pk=incident.pk).exists()
    else:
        assert not alerts.exists() and not Incident.objects.filter(pk=incident.pk).exists()
