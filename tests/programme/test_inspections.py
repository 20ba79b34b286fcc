"""Joint inspections: the demo's 2015-H2 inspection (closed, its open actions carried to 2016-H1),
closure refused while an item of the checklist is unchecked (translated, nothing written),
carry-over when the next inspection is created or already exists, overdue actions, evidence,
the pages and the API."""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from entente.core.models import Agency, AuditEntry, User
from entente.demo import programme_fund, programme_indicators, programme_inspections
from entente.programme.choices import ActionState, InspectionState
from entente.programme.models import Inspection, InspectionAction
from entente.programme.services import inspections

pytestmark = pytest.mark.django_db

Persona = Callable[[str], User]
Login = Callable[[str], Client]
EDITOR, APPROVER, VIEWER = "programme.homeoffice", "programme.interieur", "gold.kent"


@pytest.fixture
def demo(db: object) -> None:
    programme_indicators.load()
    programme_fund.load()
    programme_inspections.load()


def _inspection(persona: Persona, period: str = "2030-H1", items: int = 2) -> Inspection:
    return inspections.create_inspection(
        acting_user=persona(EDITOR),
        period=period,
        held_on=dt.date(int(period[:4]), 6 if period.endswith("1") else 12, 10),
        checklist=[(f"Item {n}", f"Point {n}") for n in range(1, items + 1)],
    )


def test_the_demo_inspection_is_closed_and_its_open_actions_carried(demo: None):
    h2 = Inspection.objects.get(period="2015-H2")
    h1 = Inspection.objects.get(period="2016-H1")
    assert h2.state == InspectionState.CLOSED and h2.held_on == dt.date(2015, 12, 10)
    assert h1.state == InspectionState.PLANNED and h1.previous == h2
    assert all(item.checked and item.note for item in h2.checklist.all())
    assert h2.checklist.filter(text_fr__contains="Agents de sûreté d’Eurotunnel").exists()
    done = h2.actions.get(state=ActionState.DONE)
    assert done.evidence.count() == 1
    carried = list(h2.actions.filter(state=ActionState.CARRIED))
    assert len(carried) == 4
    # Each carried action has its twin in 2016-H1, which says where it came from.
    for action in carried:
        twin = action.carried_to.get()
        assert twin.inspection == h1 and twin.state == ActionState.OPEN
        assert (twin.title, twin.owner_id, twin.due_on) == (
            action.title,
            action.owner_id,
            action.due_on,
        )
    before = InspectionAction.objects.count()
    programme_inspections.load()
    assert InspectionAction.objects.count() == before


def test_closure_is_refused_while_an_item_is_unchecked(persona: Persona):
    inspection = _inspection(persona)
    first, second = inspection.checklist.all()
    inspections.check_item(first, acting_user=persona(EDITOR), checked=True, note="Seen")
    entries = AuditEntry.objects.count()
    with translation.override("fr"), pytest.raises(ValidationError) as refused:
        inspections.close_inspection(inspection, acting_user=persona(APPROVER))
    inspection.refresh_from_db()
    assert inspection.state == InspectionState.OPEN and inspection.closed_at is None
    assert AuditEntry.objects.count() == entries
    assert "unchecked" in " ".join(refused.value.messages) or "coch" in " ".join(
        refused.value.messages
    )
    # An editor may not close; an approver may once every item is checked.
    inspections.check_item(second, acting_user=persona(EDITOR), checked=True, note="Seen")
    with pytest.raises(Exception, match="role"):
        inspections.close_inspection(inspection, acting_user=persona(EDITOR))
    inspections.close_inspection(inspection, acting_user=persona(APPROVER))
    inspection.refresh_from_db()
    assert inspection.state == InspectionState.CLOSED
    # A closed inspection no longer changes.
    with pytest.raises(ValidationError):
        inspections.add_finding(inspection, acting_user=persona(EDITOR), text="Late")


def test_open_actions_are_carried_whichever_comes_first(persona: Persona, agency: Callable):
    editor, approver = persona(EDITOR), persona(APPROVER)
    first = _inspection(persona, "2030-H1", items=1)
    done = inspections.add_action(
        first, acting_user=editor, title="Done", owner=agency("HO"), due_on=dt.date(2030, 7, 1)
    )
    still = inspections.add_action(
        first, acting_user=editor, title="Open", owner=agency("MININT"), due_on=dt.date(2030, 9, 1)
    )
    inspections.complete_action(done, acting_user=editor, done_on=dt.date(2025, 1, 1))
    inspections.check_item(first.checklist.get(), acting_user=editor, checked=True)
    # The next inspection exists before the closure: the closure carries.
    second = inspections.create_inspection(acting_user=editor, period="2030-H2")
    assert not second.actions.exists()
    inspections.close_inspection(first, acting_user=approver)
    copy = second.actions.get()
    assert copy.carried_from == still and copy.title == "Open"
    still.refresh_from_db()
    assert still.state == ActionState.CARRIED
    # Carried again: the thread goes back through both.
    inspections.update_inspection(second, acting_user=editor, held_on=dt.date(2030, 12, 1))
    inspections.close_inspection(second, acting_user=approver)
    third = inspections.create_inspection(acting_user=editor, period="2031-H1")
    again = third.actions.get()
    assert again.carried_from == copy and again.carried_from.carried_from == still


def test_overdue_actions_stand_out(persona: Persona, agency: Callable, login: Login):
    inspection = _inspection(persona, "2015-H2", items=1)
    inspections.add_action(
        inspection,
        acting_user=persona(EDITOR),
        title="Fit the cameras",
        owner=agency("HO"),
        due_on=dt.date(2016, 1, 31),
    )
    rows = inspections.action_rows(
        inspections.inspection_for(persona(VIEWER), "2015-H2"), dt.date(2016, 2, 10)
    )
    assert rows[0].overdue and rows[0].days_late == 10
    page = login(VIEWER).get("/programme/inspections/2015-H2/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "table-danger" in html and "overdue by" in html
    # A viewer sees no form.
    assert "Record a finding" not in html


def test_refusals_are_translated_and_write_nothing(persona: Persona):
    editor = persona(EDITOR)
    with translation.override("fr"), pytest.raises(ValidationError) as bad:
        inspections.create_inspection(acting_user=editor, period="2015-H3")
    assert "period" in bad.value.message_dict
    inspection = _inspection(persona)
    with pytest.raises(ValidationError) as missing:
        inspections.add_action(inspection, acting_user=editor, title="", owner=None, due_on=None)
    assert set(missing.value.message_dict) == {"title", "owner", "due_on"}
    with pytest.raises(ValidationError):
        inspections.create_inspection(acting_user=editor, period="2030-H1")
    assert Inspection.objects.filter(period="2030-H1").count() == 1
    assert not InspectionAction.objects.exists()


def test_pages_record_findings_actions_and_evidence(persona: Persona, login: Login):
    editor = login(EDITOR)
    created = editor.post(
        "/programme/inspections/new/",
        {"period": "2030-H1", "held_on": "2030-06-10", "summary_en": "S", "summary_fr": "R"},
    )
    assert created.status_code == 302 and created["Location"].endswith("/2030-H1/")
    inspection = Inspection.objects.get(period="2030-H1")
    assert (
        editor.post(
            "/programme/inspections/2030-H1/items/", {"text_en": "Fences", "text_fr": "Clôtures"}
        ).status_code
        == 302
    )
    item = inspection.checklist.get()
    assert (
        editor.post(
            f"/programme/inspections/2030-H1/items/{item.pk}/", {"checked": "on", "note": "Seen"}
        ).status_code
        == 302
    )
    assert (
        editor.post(
            "/programme/inspections/2030-H1/findings/",
            {
                "text": "Gap in the fence",
                "language": "en",
                "severity": "3",
                "recommendation": "Mend",
            },
        ).status_code
        == 302
    )
    owner = Agency.objects.get(code="HO")
    assert (
        editor.post(
            "/programme/inspections/2030-H1/actions/",
            {"title": "Mend the fence", "owner": owner.pk, "due_on": "2030-08-01"},
        ).status_code
        == 302
    )
    action = inspection.actions.get()
    sent = editor.post(
        f"/programme/inspections/2030-H1/actions/{action.pk}/evidence/",
        {"title": "Photo report", "link": "https://example.org/report"},
    )
    assert sent.status_code == 302 and action.evidence.get().title == "Photo report"
    refused = editor.post(
        f"/programme/inspections/2030-H1/actions/{action.pk}/evidence/", {"title": "x"}
    )
    assert (
        refused.status_code == 422
        and "Attach a document or give a link" in refused.content.decode()
    )
    # The approver closes through the page; the French page says so in French.
    approver = login(APPROVER)
    assert approver.post("/programme/inspections/2030-H1/close/").status_code == 302
    inspection.refresh_from_db()
    assert inspection.state == InspectionState.CLOSED
    listing = login(VIEWER).get("/programme/inspections/", HTTP_ACCEPT_LANGUAGE="fr")
    assert listing.status_code == 200 and "2030-H1" in listing.content.decode()


def test_the_close_page_refuses_with_the_unchecked_items(persona: Persona, login: Login):
    _inspection(persona)
    refused = login(APPROVER).post("/programme/inspections/2030-H1/close/")
    assert refused.status_code == 422
    # The approver reads French: the refusal is in French.
    with translation.override("fr"):
        message = translation.gettext(
            "The inspection cannot be closed while an item of its checklist is unchecked "
            "({count} left): check each item, with a note, first."
        )
    assert message.split("(")[0].strip() in html.unescape(refused.content.decode())
    assert Inspection.objects.get(period="2030-H1").state == InspectionState.OPEN


def test_the_api(persona: Persona, login: Login):
    _inspection(persona)
    viewer, editor, approver = login(VIEWER), login(EDITOR), login(APPROVER)
    listed = viewer.get("/api/v1/programme/inspections").json()
    assert [i["period"] for i in listed] == ["2030-H1"]
    finding = editor.post(
        "/api/v1/programme/inspections/2030-H1/findings",
        json.dumps({"text": "Gap", "severity": 3, "recommendation": "Mend"}),
        content_type="application/json",
    )
    assert finding.status_code == 201
    action = editor.post(
        "/api/v1/programme/inspections/2030-H1/actions",
        json.dumps(
            {
                "title": "Mend",
                "owner": "HO",
                "due_on": "2030-07-01",
                "finding": finding.json()["id"],
            }
        ),
        content_type="application/json",
    )
    assert action.status_code == 201 and action.json()["owner"] == "HO"
    refused = approver.post("/api/v1/programme/inspections/2030-H1/close")
    assert refused.status_code == 422
    assert refused["Content-Type"] == "application/problem+json"
    detail = viewer.get("/api/v1/programme/inspections/2030-H1").json()
    assert detail["state"] == "open" and len(detail["action_list"]) == 1
    assert viewer.get("/api/v1/programme/inspections/1999-H1").status_code == 404
    assert viewer.post("/api/v1/programme/inspections/2030-H1/close").status_code == 403
