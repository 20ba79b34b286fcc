"""The action plan: the measures of both agreements, overdue first and counted, status
changes, evidence (documents checked like intelligence's attachments, links), the pages and
the API."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from entente.core.models import AuditEntry, User
from entente.demo import programme_fund, programme_indicators
from entente.programme.models import Evidence, Measure
from entente.programme.services import plan

pytestmark = pytest.mark.django_db

Persona = Callable[[str], User]
Login = Callable[[str], Client]
END_2015 = dt.date(2015, 12, 31)


@pytest.fixture
def demo(db: object) -> None:
    programme_indicators.load()
    programme_fund.load()


def test_the_demo_holds_the_measures_of_both_agreements(demo: None):
    titles = " ".join(Measure.objects.values_list("title_en", flat=True))
    for words in (
        "information campaigns will begin in October",
        "ring road",
        "from 150 to 250",
        "control room",
        "Joint command and control centre",
        "conference in Paris",
        "voluntary return",
    ):
        assert words in titles
    assert set(Measure.objects.values_list("agreement__code", flat=True)) == {
        "JD-2014",
        "CA-2015",
    }
    staff = Measure.objects.get(code="CA-02")
    assert list(staff.indicators.values_list("code", flat=True)) == ["eurotunnel_security_staff"]


def test_overdue_measures_come_first_and_are_counted(demo: None):
    rows = plan.measure_rows(END_2015)
    overdue = [r.code for r in rows if r.overdue]
    # At the end of 2015: the border-control layout ("before the end of the year" 2014), the
    # east parking (September), British police in Calais (October).
    assert overdue == ["JD-05", "JD-03", "CA-05"]
    assert [r.code for r in rows[: len(overdue)]] == overdue
    assert plan.overdue_count(rows) == 3
    # Done or dropped measures are never overdue; nor one whose deadline is the day asked.
    assert not any(r.overdue for r in rows if r.measure.status in plan.CLOSED)
    assert "CA-12" not in overdue
    assert "CA-12" in [r.code for r in plan.measure_rows(dt.date(2016, 1, 1)) if r.overdue]
    # Filters.
    assert {r.code for r in plan.measure_rows(END_2015, status="overdue")} == set(overdue)
    assert all(r.measure.owner.code == "EUROTUNNEL" for r in plan.measure_rows(owner="EUROTUNNEL"))
    assert len(plan.measure_rows(agreement="JD-2014")) == 8


def test_status_changes_are_checked_and_audited(demo: None, persona: Persona):
    editor = persona("programme.homeoffice")
    measure = Measure.objects.get(code="CA-12")
    with pytest.raises(ValidationError) as caught:
        plan.update_measure(measure, acting_user=editor, status="done")
    assert "done_on" in caught.value.message_dict
    with pytest.raises(ValidationError):
        plan.update_measure(measure, acting_user=editor, status="done", done_on=dt.date(2999, 1, 1))
    measure.refresh_from_db()
    assert measure.status == "planned"
    plan.update_measure(measure, acting_user=editor, status="done", done_on=dt.date(2015, 12, 3))
    entry = AuditEntry.objects.filter(object_type="programme.measure").order_by("-seq").first()
    assert entry is not None and "status" in entry.changes


def test_evidence_documents_are_checked_like_attachments(demo: None, persona: Persona):
    editor = persona("programme.homeoffice")
    measure = Measure.objects.get(code="CA-03")
    for name, data, field in (
        ("minutes.exe", b"MZ", "file"),
        ("minutes.pdf", b"not a pdf", "file"),
    ):
        with pytest.raises(ValidationError) as caught:
            plan.add_evidence(measure, acting_user=editor, title="M", file_name=name, data=data)
        assert field in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        plan.add_evidence(measure, acting_user=editor, title="M", link="javascript:alert(1)")
    assert "link" in caught.value.message_dict
    with pytest.raises(ValidationError):
        plan.add_evidence(measure, acting_user=editor, title="Nothing")
    assert Evidence.objects.count() == 0
    plan.add_evidence(
        measure, acting_user=editor, title="Opening", file_name="opening.pdf", data=b"%PDF-1.4 x"
    )
    plan.add_evidence(measure, acting_user=editor, title="Incident", link="/control-room/")
    assert measure.evidence.count() == 2


def test_the_plan_pages(demo: None, login: Login):
    viewer = login("gold.kent")
    page = viewer.get("/programme/plan/?on=2015-12-31").content.decode()
    assert "3 overdue" in page and "table-danger" in page
    assert page.index("JD-05") < page.index("JD-01")
    detail = viewer.get("/programme/plan/CA-02/").content.decode()
    assert "from 150 to 250" in detail and "eurotunnel_security_staff" in detail
    editor = login("programme.homeoffice")
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = editor.post(
        "/programme/plan/CA-02/evidence/",
        {"title": "Recruitment", "file": SimpleUploadedFile("r.txt", b"100 recruited")},
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get(title="Recruitment")
    download = viewer.get(f"/programme/plan/CA-02/evidence/{evidence.pk}/")
    assert download.content == b"100 recruited"
    assert download["Content-Disposition"].startswith("attachment")


def test_the_api_lists_measures_and_changes_a_status(demo: None, login: Login):
    editor = login("programme.homeoffice")
    body = editor.get("/api/v1/programme/measures?on=2015-12-31").json()
    assert [m["code"] for m in body[:3]] == ["JD-05", "JD-03", "CA-05"]
    assert body[0]["overdue"] is True
    refused = editor.patch(
        "/api/v1/programme/measures/CA-12",
        data=json.dumps({"status": "done"}),
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert refused["Content-Type"].startswith("application/problem+json")
    done = editor.patch(
        "/api/v1/programme/measures/CA-12",
        data=json.dumps({"status": "done", "done_on": "2015-12-07"}),
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["status"] == "done"
