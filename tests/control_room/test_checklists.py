"""Procedure checklists: operators tick or skip the steps of an incident's procedure; skipped
steps, and steps left unticked at closing, are flagged to the supervisor until reviewed."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import translation

from entente.control_room.choices import AlertKind, ChecklistStatus, IncidentState
from entente.control_room.models import ChecklistEntry, Incident, ProcedureStep
from entente.control_room.services import AlertItem, advance_incident, ingest_alerts
from entente.control_room.services.checklists import (
    checklist_of,
    record_step,
    review_skipped,
    skip_step,
    skip_unticked,
    skipped_for_review,
    tick_step,
)
from entente.core import services
from entente.core.choices import AuditAction
from entente.core.models import AuditEntry, User
from entente.demo.load import load_procedures
from tests.i18n.test_french_pages import english_left

T0 = dt.datetime(2015, 8, 20, 22, 0, tzinfo=dt.UTC)


def open_incident(
    user: User,
    *,
    sensor: str = "CAL-EAST-HB-01",
    kind: str = "heartbeat",
    event: str = "hb-1",
    confidence: float = 0.8,
) -> Incident:
    outcome = ingest_alerts([AlertItem(sensor, event, T0, kind, confidence)], acting_user=user)[0]
    return Incident.objects.get(pk=outcome.incident)


def entries_audited(action: str) -> int:
    return AuditEntry.objects.filter(
        action=action, object_type="control_room.checklistentry"
    ).count()


@pytest.fixture
def operator(persona):
    return persona("operator.eurotunnel")


@pytest.fixture
def lorry(operator):
    """A heartbeat detected in a lorry in the east parking of the port."""
    return open_incident(operator)


def test_every_kind_of_incident_has_a_short_bilingual_procedure(db):
    for kind in AlertKind.values:
        steps = list(ProcedureStep.objects.filter(incident_kind=kind, active=True))
        assert 4 <= len(steps) <= 7, kind
        assert all(s.text_en and s.text_fr and s.text_en != s.text_fr for s in steps)


def test_loading_the_procedures_again_changes_nothing(db):
    steps = ProcedureStep.objects.count()
    trail = AuditEntry.objects.count()
    load_procedures()
    assert ProcedureStep.objects.count() == steps
    assert AuditEntry.objects.count() == trail


def test_an_operator_ticks_one_step_and_skips_another_with_a_reason(lorry, operator):
    before = entries_audited(AuditAction.CREATE)
    tick_step(lorry, step_code="stop-vehicle", acting_user=operator, note="Bay 4")
    skip_step(
        lorry,
        step_code="medical-standby",
        reason="Paramedics already on site",
        acting_user=operator,
    )
    rows = {row.step.code: row for row in checklist_of(lorry)}
    assert [r.step.code for r in checklist_of(lorry)][:3] == [
        "stop-vehicle",
        "medical-standby",
        "open-with-driver",
    ]
    done, skipped = rows["stop-vehicle"].entry, rows["medical-standby"].entry
    assert done.status == ChecklistStatus.DONE and done.note == "Bay 4" and done.by == operator
    assert skipped.status == ChecklistStatus.SKIPPED and rows["medical-standby"].flagged
    assert rows["open-with-driver"].entry is None
    assert entries_audited(AuditAction.CREATE) == before + 2


def test_skipping_a_step_needs_a_reason(lorry, operator):
    with pytest.raises(ValidationError) as exc:
        skip_step(lorry, step_code="stop-vehicle", reason="  ", acting_user=operator)
    assert "note" in exc.value.message_dict
    assert not ChecklistEntry.objects.filter(incident=lorry).exists()


def test_a_step_is_recorded_once(lorry, operator):
    tick_step(lorry, step_code="stop-vehicle", acting_user=operator)
    with pytest.raises(ValidationError):
        skip_step(lorry, step_code="stop-vehicle", reason="changed my mind", acting_user=operator)
    assert ChecklistEntry.objects.filter(incident=lorry).count() == 1


def test_a_step_of_another_procedure_is_refused(lorry, operator):
    with pytest.raises(ValidationError) as exc, translation.override("en"):
        tick_step(lorry, step_code="check-status", acting_user=operator)  # a silent sensor's
    assert "not a step of the procedure for Heartbeat in a vehicle" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        record_step(lorry, step_code="stop-vehicle", status="maybe", acting_user=operator)
    assert not ChecklistEntry.objects.filter(incident=lorry).exists()


def test_a_viewer_cannot_tick_a_step(lorry, persona, login):
    with pytest.raises(PermissionDenied):
        tick_step(lorry, step_code="stop-vehicle", acting_user=persona("gendarme.egm"))
    client = login("gendarme.egm")
    page = client.get(f"/control-room/incidents/{lorry.pk}/").content.decode()
    assert "Immobiliser le véhicule" in page and 'name="step"' not in page
    response = client.post(
        f"/control-room/incidents/{lorry.pk}/checklist/", {"step": "stop-vehicle", "status": "done"}
    )
    assert response.status_code == 403
    assert not ChecklistEntry.objects.filter(incident=lorry).exists()


def test_unticked_steps_become_skipped_at_closing_and_the_checklist_is_then_fixed(persona):
    """A silent-sensor alarm closes as a bare step; the steps not ticked are flagged."""
    leader = persona("leader.borderforce")
    alarm = open_incident(
        leader, sensor="FOL-PLAT-SCAN-01", kind="sensor_silent", event="silent", confidence=1
    )
    tick_step(alarm, step_code="check-status", acting_user=leader)
    skipped = skip_unticked(alarm, acting_user=leader)
    advance_incident(alarm, to_state=IncidentState.CLOSED, acting_user=leader)
    assert [e.step.code for e in skipped] == ["cover-zone", "call-owner", "note-fault"]
    assert all(e.by == leader and e.note == "" for e in skipped)
    assert skip_unticked(alarm, acting_user=leader) == []  # nothing left to skip
    flagged = skipped_for_review(persona("gold.kent"))
    assert {e.step.code for e in flagged.filter(incident=alarm)} == {
        "cover-zone",
        "call-owner",
        "note-fault",
    }
    with pytest.raises(ValidationError) as exc, translation.override("en"):
        tick_step(alarm, step_code="cover-zone", acting_user=leader)
    assert "closed" in exc.value.messages[0]


def test_a_skipped_step_is_flagged_to_the_supervisor_until_reviewed(lorry, operator, persona):
    entry = skip_step(
        lorry, step_code="medical-standby", reason="Paramedics on site", acting_user=operator
    )
    supervisor = persona("gold.kent")
    assert list(skipped_for_review(supervisor)) == [entry]
    with pytest.raises(PermissionDenied):
        skipped_for_review(operator)  # editors do not supervise
    with pytest.raises(PermissionDenied):
        review_skipped(entry, acting_user=operator)
    reviewed = review_skipped(entry, acting_user=supervisor)
    assert reviewed.reviewed_by == supervisor and reviewed.reviewed_at is not None
    assert list(skipped_for_review(supervisor)) == []
    assert AuditEntry.objects.filter(
        action=AuditAction.UPDATE,
        object_type="control_room.checklistentry",
        object_id=str(entry.pk),
        actor_username="gold.kent",
    ).exists()
    with pytest.raises(ValidationError):
        review_skipped(entry, acting_user=persona("gold.pn"))  # once is enough


def test_the_supervisor_sees_skipped_steps_only_on_incidents_they_may_see(lorry, operator, persona):
    skip_step(lorry, step_code="medical-standby", reason="On site", acting_user=operator)
    # The incident is re-marked for France only (the PAF's heartbeat detector raised it).
    Incident.objects.filter(pk=lorry.pk).update(releasability="FR")
    assert list(skipped_for_review(persona("gold.kent"))) == []
    assert len(skipped_for_review(persona("gold.pn"))) == 1


def test_the_supervisors_page_lists_skipped_steps_and_marks_them_reviewed(lorry, operator, login):
    entry = skip_step(
        lorry, step_code="medical-standby", reason="Paramedics on site", acting_user=operator
    )
    client = login("gold.kent")
    page = client.get("/control-room/checklists/skipped/").content.decode()
    assert "Call medical support to stand by" in page and "Paramedics on site" in page
    assert login("operator.eurotunnel").get("/control-room/checklists/skipped/").status_code == 403
    response = client.post(f"/control-room/checklists/skipped/{entry.pk}/review/")
    assert (
        response.status_code == 302 and response["Location"] == "/control-room/checklists/skipped/"
    )
    entry.refresh_from_db()
    assert entry.reviewed_by.username == "gold.kent"
    assert (
        "Paramedics on site" not in client.get("/control-room/checklists/skipped/").content.decode()
    )


def test_an_operator_ticks_and_skips_from_the_incident_page(lorry, login):
    client = login("leader.borderforce")
    url = f"/control-room/incidents/{lorry.pk}/checklist/"
    done = client.post(url, {"step": "stop-vehicle", "status": "done", "note": ""})
    assert done.status_code == 302 and done["Location"].endswith(f"/{lorry.pk}/#checklist")
    refused = client.post(
        url, {"step": "medical-standby", "status": "skipped", "note": ""}, follow=True
    )
    assert "Say why this step is skipped." in refused.content.decode()
    client.post(url, {"step": "medical-standby", "status": "skipped", "note": "No ambulance free"})
    page = client.get(f"/control-room/incidents/{lorry.pk}/").content.decode()
    section = page[
        page.index('id="checklist"') : page.index("</section>", page.index('id="checklist"'))
    ]
    assert "leader.borderforce" in section and "No ambulance free" in section
    assert "list-group-item-warning" in section  # the skipped step stands out
    assert "Flagged to the supervisor." in section


def test_a_french_operator_sees_the_checklist_in_french(lorry, operator, persona):
    tick_step(lorry, step_code="stop-vehicle", acting_user=persona("leader.borderforce"))
    operator.language = "fr"
    operator.save(update_fields=["language"])
    from tests.conftest import verified_login

    html = (
        verified_login(Client(), operator)
        .get(f"/control-room/incidents/{lorry.pk}/")
        .content.decode()
    )
    start = html.index('<section id="checklist"')
    section = html[start : html.index("</section>", start) + len("</section>")]
    assert "Immobiliser le véhicule à l’aire de fouille, moteur coupé" in section
    assert "Ouvrir la remorque en présence du chauffeur" in section
    assert re.search(r">\s*Fait\s*<", section) and "Passer" in section
    assert english_left(f'<html lang="fr"><body>{section}</body></html>') == []


def test_the_api_ticks_a_step_and_returns_the_checklist(lorry):
    def bearer(username: str) -> Client:
        _, token = services.create_api_token(
            User.objects.get(username=username), name="t", acting_user=None
        )
        return Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    url = f"/api/v1/incidents/{lorry.pk}/checklist"
    operator = bearer("operator.eurotunnel")
    body = {"step": "stop-vehicle", "status": "done", "note": "Bay 4"}
    created = operator.post(url, data=json.dumps(body), content_type="application/json")
    assert created.status_code == 201
    assert created.json()["status"] == "done" and created.json()["by"] == "operator.eurotunnel"
    again = operator.post(url, data=json.dumps(body), content_type="application/json")
    assert again.status_code == 422
    assert again["Content-Type"].startswith("application/problem+json")
    assert again.json()["errors"][0]["location"] == ["body", "step"]
    viewer = bearer("gendarme.egm")
    refused = viewer.post(
        url,
        data=json.dumps({"step": "medical-standby", "status": "done"}),
        content_type="application/json",
    )
    assert refused.status_code == 403
    rows = viewer.get(url).json()
    assert [r["step"] for r in rows][:2] == ["stop-vehicle", "medical-standby"]
    assert rows[0]["status"] == "done" and rows[1]["status"] is None
    assert rows[0]["text_fr"].startswith("Immobiliser")
    assert bearer("analyst.nca").get(url).status_code == 404


def test_a_supervisor_reviews_a_skipped_step_from_the_incident_page(lorry, operator, login):
    entry = skip_step(
        lorry, step_code="open-with-driver", reason="Driver absent", acting_user=operator
    )
    client = login("gold.pn")
    page = client.get(f"/control-room/incidents/{lorry.pk}/").content.decode()
    assert f'action="/control-room/checklists/skipped/{entry.pk}/review/"' in page
    response = client.post(
        f"/control-room/checklists/skipped/{entry.pk}/review/", {"back": "incident"}
    )
    assert response["Location"] == f"/control-room/incidents/{lorry.pk}/#checklist"
    again = client.post(f"/control-room/checklists/skipped/{entry.pk}/review/", follow=True)
    assert "Cette étape omise a déjà été examinée." in again.content.decode()
    operator_page = login("operator.eurotunnel").get(f"/control-room/incidents/{lorry.pk}/")
    assert "/review/" not in operator_page.content.decode()
