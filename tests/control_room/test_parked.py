"""Parked MQTT messages: editors see them and mark them dealt with (audited); others do not."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from entente.control_room.models import ParkedMessage
from entente.control_room.services import bridge
from entente.core.choices import AuditAction
from entente.core.models import AuditEntry, User


@pytest.fixture
def parked(db) -> ParkedMessage:
    bridge_user = User.objects.get(username="operator.eurotunnel")
    return bridge.park_message(
        topic="entente/alerts/COQ",
        payload=b"<html>oops</html>",
        reason="not JSON",
        acting_user=bridge_user,
    )


def test_parking_is_audited_without_copying_the_payload(parked):
    entry = AuditEntry.objects.filter(
        action=AuditAction.CREATE, object_type="control_room.parkedmessage"
    ).latest("seq")
    assert entry.object_id == str(parked.pk)
    assert entry.changes["after"]["reason"] == "not JSON"
    assert entry.changes["after"]["topic"] == "entente/alerts/COQ"
    assert "payload" not in entry.changes["after"]


def test_a_huge_payload_is_kept_in_part_and_says_so(db):
    message = bridge.park_message(
        topic="t",
        payload=b"x" * (bridge.KEEP_BYTES + 10),
        reason="not JSON",
        acting_user=None,
    )
    assert len(message.payload) == bridge.KEEP_BYTES
    assert f"of {bridge.KEEP_BYTES + 10} bytes kept" in message.reason


def test_editors_see_parked_messages_with_their_payload(parked, login):
    page = login("operator.eurotunnel").get("/control-room/parked/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "entente/alerts/COQ" in text and "not JSON" in text
    assert "&lt;html&gt;oops&lt;/html&gt;" in text  # shown as text, never as markup
    assert 'action="/control-room/parked/' in text


def test_viewers_do_not_see_parked_messages(parked, login):
    assert login("gendarme.egm").get("/control-room/parked/").status_code == 403


def test_dealt_with_is_recorded_audited_and_only_once(parked, login):
    client = login("operator.eurotunnel")
    response = client.post(f"/control-room/parked/{parked.pk}/dealt-with/")
    assert response.status_code == 302
    parked.refresh_from_db()
    assert parked.resolved_at is not None
    assert parked.resolved_by.username == "operator.eurotunnel"
    entry = AuditEntry.objects.filter(
        action=AuditAction.UPDATE, object_type="control_room.parkedmessage"
    ).latest("seq")
    assert entry.object_id == str(parked.pk) and entry.actor_username == "operator.eurotunnel"
    waiting = client.get("/control-room/parked/").content.decode()
    assert "entente/alerts/COQ" not in waiting
    assert "entente/alerts/COQ" in client.get("/control-room/parked/?all=1").content.decode()
    again = client.post(f"/control-room/parked/{parked.pk}/dealt-with/", follow=True)
    assert "Ce message a déjà été traité." in again.content.decode()  # a French operator
    assert (
        AuditEntry.objects.filter(
            action=AuditAction.UPDATE, object_type="control_room.parkedmessage"
        ).count()
        == 1
    )


def test_viewers_cannot_mark_a_message_dealt_with(parked, login):
    response = login("gendarme.egm").post(f"/control-room/parked/{parked.pk}/dealt-with/")
    assert response.status_code == 403
    parked.refresh_from_db()
    assert parked.resolved_at is None


def test_the_page_is_in_french_for_french_users(parked, login):
    client = login("operator.eurotunnel")
    text = client.get("/control-room/parked/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Messages MQTT mis de côté" in text


def test_the_command_lists_what_waits(parked):
    out = io.StringIO()
    call_command("parked_messages", stdout=out)
    text = out.getvalue()
    assert f"#{parked.pk}" in text and "not JSON" in text and "<html>oops" in text
    assert "1 parked message(s) waiting" in text
    bridge.resolve_parked(parked, acting_user=User.objects.get(username="operator.eurotunnel"))
    out = io.StringIO()
    call_command("parked_messages", stdout=out)
    assert "0 parked message(s) waiting" in out.getvalue()
    out = io.StringIO()
    call_command("parked_messages", "--all", stdout=out)
    assert "dealt with" in out.getvalue() and "operator.eurotunnel" in out.getvalue()


def test_only_editors_are_offered_the_parked_messages_in_the_menu(login):
    assert "/control-room/parked/" in login("operator.eurotunnel").get("/").content.decode()
    assert "/control-room/parked/" not in login("gendarme.egm").get("/").content.decode()
