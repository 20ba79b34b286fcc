"""Requests for information between the two countries: who asks, who assigns, who answers and
who withdraws; the answer must already be released to the asker; overdue requests are
flagged; the turnaround figures are right on a known set."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from entente.core.choices import TLP, Classification
from entente.core.models import Agency, AuditEntry, Recipient, User
from entente.core.services import name_recipients
from entente.intelligence.choices import ReleaseState, RequestPriority, RequestState
from entente.intelligence.models import Disclosure, InformationRequest, Release, Report
from entente.intelligence.services import requests as rfi

pytestmark = pytest.mark.django_db

Persona = Callable[[str], User]
NOW = dt.datetime(2030, 3, 4, 12, 0, tzinfo=dt.UTC)


def make_report(author: User, *, reference: str, countries: str | None = None) -> Report:
    """A report of the author's agency, releasable to its own country only (TLP:AMBER)."""
    assert author.agency is not None
    report = Report.objects.create(
        reference=reference,
        title=f"Report {reference}",
        body="Lorries seen at the Coquelles terminal.",
        language="fr" if author.agency.country.code == "FR" else "en",
        grading_scheme="admiralty" if author.agency.country.code == "FR" else "3x5x2",
        source_grade="B",
        information_grade="2",
        classification=Classification.OFFICIAL_SENSITIVE,
        releasability=frozenset((countries or author.agency.country.code).split(",")),
        tlp=TLP.AMBER,
        originator=author.agency,
        created_by=author,
    )
    return report


def release(report: Report, agency: Agency, *, requested_by: User, approved_by: User) -> None:
    """What the four-eyes release leaves behind (as the dissemination service does it): the
    report releasable to the agency's country, the agency named, one line in the ledger."""
    report.releasability = report.releasability | {agency.country.code}  # type: ignore[assignment]
    report.save()
    name_recipients(report, acting_user=approved_by, agencies=[agency], purpose="test")
    row = Release.objects.create(
        report=report,
        released_report=report,
        legal_basis="Le Touquet treaty",
        purpose="Answer a request",
        state=ReleaseState.APPROVED,
        requested_by=requested_by,
        decided_by=approved_by,
        decided_at=timezone.now(),
    )
    row.agencies.set([agency])
    Disclosure.objects.create(
        release=row,
        report=report,
        agency=agency,
        from_country=report.originator.country.code,
        to_country=agency.country.code,
        legal_basis=row.legal_basis,
        purpose=row.purpose,
        requested_by=requested_by,
        approved_by=approved_by,
    )


def release_to_nca(persona: Persona, report: Report) -> None:
    """Release a DCPAF report to the NCA (officer.dcpaf asked, analyst.dcpaf approved)."""
    release(
        report,
        Agency.objects.get(code="NCA"),
        requested_by=persona("officer.dcpaf"),
        approved_by=persona("analyst.dcpaf"),
    )


def released_to_nca(persona: Persona, reference: str) -> Report:
    report = make_report(persona("officer.dcpaf"), reference=reference)
    release_to_nca(persona, report)
    return report


def ask(persona: Persona, *, by: str = "analyst.nca", to: str = "DCPAF", **kw: Any) -> Any:
    fields: dict[str, Any] = {
        "question": "Who owns the blue Iveco seen at the port of Calais on 3 March?",
        "language": "en",
        "deadline": timezone.now() + dt.timedelta(days=3),
        "priority": RequestPriority.PRIORITY,
        **kw,
    }
    return rfi.create_request(
        acting_user=persona(by), to_agency=Agency.objects.get(code=to), **fields
    )


def state() -> tuple[int, int, int, list[tuple[Any, ...]]]:
    """What a refusal must leave unchanged."""
    return (
        InformationRequest.objects.count(),
        Recipient.objects.count(),
        AuditEntry.objects.count(),
        list(
            InformationRequest.objects.order_by("pk").values_list(
                "state", "assignee_id", "answer_id", "answered_at"
            )
        ),
    )


# Asking ------------------------------------------------------------------------------------


def test_an_editor_asks_the_other_country_and_the_request_is_marked_and_named(persona):
    request = ask(persona)
    assert request.reference.startswith("RFI-UK-")
    assert request.releasability == frozenset({"FR", "UK"})
    assert request.tlp == TLP.AMBER
    assert request.originator.code == "NCA"
    assert request.state == RequestState.OPEN
    assert Recipient.objects.filter(object_id=request.pk, agency__code="DCPAF").exists()
    assert AuditEntry.objects.filter(
        object_type="intelligence.informationrequest", object_id=str(request.pk)
    ).exists()


def test_the_asked_agency_sees_the_request_and_others_do_not(persona):
    request = ask(persona)
    for name in ("analyst.nca", "supervisor.nca", "analyst.dcpaf", "officer.dcpaf"):
        assert rfi.visible_requests(persona(name)).filter(pk=request.pk).exists(), name
    # Same country as the asked agency but not named (AMBER), the other UK agencies, an NGO.
    for name in ("investigator.ocriest", "gold.kent", "gold.pn", "caseworker.lva", "outsider"):
        assert not rfi.visible_requests(persona(name)).filter(pk=request.pk).exists(), name


def test_an_ngo_never_sees_a_request_even_under_tlp_green(persona):
    request = ask(persona, tlp=TLP.GREEN)
    assert rfi.visible_requests(persona("gold.pn")).filter(pk=request.pk).exists()
    assert not rfi.visible_requests(persona("caseworker.lva")).filter(pk=request.pk).exists()


@pytest.mark.parametrize(
    ("by", "to", "kw", "error"),
    [
        ("investigator.ocriest", "NCA", {}, PermissionDenied),  # a viewer
        ("caseworker.lva", "NCA", {}, PermissionDenied),  # an NGO
        ("analyst.nca", "KENTPOL", {}, ValidationError),  # same country
        ("analyst.nca", "LVA", {}, ValidationError),  # not law enforcement
        ("analyst.nca", "EUROTUNNEL", {}, ValidationError),  # an operator
        ("analyst.nca", "DCPAF", {"deadline": "past"}, ValidationError),
        ("analyst.nca", "DCPAF", {"question": "   "}, ValidationError),
        ("analyst.nca", "DCPAF", {"tlp": TLP.RED}, ValidationError),
        ("analyst.nca", "DCPAF", {"classification": Classification.SECRET}, ValidationError),
        ("analyst.nca", "DCPAF", {"priority": 7}, ValidationError),
    ],
)
def test_refused_requests_leave_nothing_written(persona, by, to, kw, error):
    if kw.get("deadline") == "past":
        kw["deadline"] = timezone.now() - dt.timedelta(minutes=1)
    before = state()
    with pytest.raises(error):
        ask(persona, by=by, to=to, **kw)
    assert state() == before


def test_a_deadline_in_the_past_is_refused_with_a_clear_message(persona):
    with pytest.raises(ValidationError) as caught:
        ask(persona, deadline=timezone.now() - dt.timedelta(hours=1))
    assert caught.value.message_dict["deadline"] == ["The deadline must be in the future."]


# Assigning ---------------------------------------------------------------------------------


def test_an_editor_of_the_asked_agency_assigns_one_of_its_people(persona):
    request = ask(persona)
    done = rfi.assign(
        request, assignee=persona("officer.dcpaf"), acting_user=persona("analyst.dcpaf")
    )
    assert done.state == RequestState.ASSIGNED
    assert done.assignee.username == "officer.dcpaf"


@pytest.mark.parametrize(
    ("actor", "assignee", "error"),
    [
        ("analyst.nca", "officer.dcpaf", PermissionDenied),  # the asker
        ("investigator.ocriest", "officer.dcpaf", PermissionDenied),  # a viewer
        ("gold.pn", "officer.dcpaf", PermissionDenied),  # does not see it
        ("analyst.dcpaf", "analyst.nca", ValidationError),  # not of the asked agency
        ("analyst.dcpaf", "investigator.ocriest", ValidationError),  # another agency
    ],
)
def test_assignments_by_others_or_to_others_are_refused(persona, actor, assignee, error):
    request = ask(persona)
    before = state()
    with pytest.raises(error):
        rfi.assign(request, assignee=persona(assignee), acting_user=persona(actor))
    assert state() == before


# Answering ---------------------------------------------------------------------------------


@pytest.fixture
def assigned(persona: Persona) -> InformationRequest:
    request = ask(persona)
    return rfi.assign(
        request, assignee=persona("officer.dcpaf"), acting_user=persona("analyst.dcpaf")
    )


def test_the_assignee_answers_with_a_report_released_to_the_asker(persona, assigned):
    report = released_to_nca(persona, "DCPAF-1")
    done = rfi.answer(assigned, report=report, acting_user=persona("officer.dcpaf"))
    assert done.state == RequestState.ANSWERED
    assert done.answer == report
    assert done.answered_by.username == "officer.dcpaf"
    assert done.answered_at is not None
    # The asker reads the answer.
    assert Report.objects.visible_to(persona("analyst.nca")).filter(pk=report.pk).exists()
    assert list(rfi.answering_for(report, persona("analyst.nca"))) == [done]


def test_an_answer_not_released_to_the_asker_is_refused_and_says_to_release_it(persona, assigned):
    report = make_report(persona("officer.dcpaf"), reference="DCPAF-2")
    before = state()
    with pytest.raises(ValidationError) as caught:
        rfi.answer(assigned, report=report, acting_user=persona("officer.dcpaf"))
    message = caught.value.message_dict["report"][0]
    assert "not been released to NCA" in message
    assert "Release it first" in message
    assert state() == before


def test_releasable_to_both_countries_is_not_enough_without_the_release(persona, assigned):
    # Marked for both countries but never released through four-eyes: not an answer.
    report = make_report(persona("officer.dcpaf"), reference="DCPAF-3", countries="FR,UK")
    with pytest.raises(ValidationError):
        rfi.answer(assigned, report=report, acting_user=persona("officer.dcpaf"))


def test_an_answer_released_to_another_agency_is_refused(persona, assigned):
    report = make_report(persona("officer.dcpaf"), reference="DCPAF-4")
    release(
        report,
        Agency.objects.get(code="KENTPOL"),
        requested_by=persona("officer.dcpaf"),
        approved_by=persona("analyst.dcpaf"),
    )
    with pytest.raises(ValidationError):
        rfi.answer(assigned, report=report, acting_user=persona("officer.dcpaf"))


def test_an_answer_must_be_a_report_of_the_asked_agency(persona, assigned):
    # gold.pn's (Police nationale) report, released to NCA: not the asked agency's.
    report = make_report(persona("gold.pn"), reference="PN-1")
    release(
        report,
        Agency.objects.get(code="NCA"),
        requested_by=persona("gold.pn"),
        approved_by=persona("gold.pn"),
    )
    with pytest.raises(ValidationError):
        rfi.answer(assigned, report=report, acting_user=persona("analyst.dcpaf"))


@pytest.mark.parametrize("actor", ["analyst.nca", "investigator.ocriest", "gold.pn"])
def test_only_the_assignee_or_an_editor_of_the_asked_agency_answers(persona, assigned, actor):
    report = released_to_nca(persona, "DCPAF-5")
    before = state()
    with pytest.raises(PermissionDenied):
        rfi.answer(assigned, report=report, acting_user=persona(actor))
    assert state() == before


# Withdrawing -------------------------------------------------------------------------------


def test_the_asker_withdraws_and_a_withdrawn_request_is_not_answered(persona, assigned):
    with pytest.raises(PermissionDenied):
        rfi.withdraw(assigned, acting_user=persona("analyst.dcpaf"))
    done = rfi.withdraw(assigned, acting_user=persona("supervisor.nca"))
    assert done.state == RequestState.WITHDRAWN
    report = released_to_nca(persona, "DCPAF-6")
    before = state()
    with pytest.raises(ValidationError):
        rfi.answer(done, report=report, acting_user=persona("officer.dcpaf"))
    with pytest.raises(ValidationError):
        rfi.withdraw(done, acting_user=persona("analyst.nca"))
    assert state() == before


# Overdue and lists -------------------------------------------------------------------------


def test_overdue_requests_are_flagged_and_filtered(persona, login):
    late = ask(persona)
    on_time = ask(persona, question="Second question")
    InformationRequest.objects.filter(pk=late.pk).update(
        deadline=timezone.now() - dt.timedelta(hours=2)
    )
    late.refresh_from_db()
    assert rfi.is_overdue(late) and not rfi.is_overdue(on_time)
    overdue = rfi.filter_requests(
        rfi.visible_requests(persona("analyst.dcpaf")),
        persona("analyst.dcpaf"),
        rfi.RequestFilter(overdue=True),
    )
    assert list(overdue) == [late]

    page = login("analyst.dcpaf").get(reverse("intelligence:request_list"))
    body = page.content.decode()
    assert late.reference in body and on_time.reference in body
    assert body.count('class="badge text-bg-danger overdue"') == 1

    filtered = login("analyst.dcpaf").get(reverse("intelligence:request_list") + "?overdue=on")
    assert late.reference in filtered.content.decode()
    assert on_time.reference not in filtered.content.decode()


def test_an_answered_request_past_its_deadline_is_not_overdue(persona, assigned):
    report = released_to_nca(persona, "DCPAF-7")
    done = rfi.answer(assigned, report=report, acting_user=persona("officer.dcpaf"))
    assert not rfi.is_overdue(done, now=done.deadline + dt.timedelta(days=1))


def test_incoming_and_outgoing_are_seen_from_the_viewers_agency(persona):
    outgoing = ask(persona)  # NCA -> DCPAF
    incoming = ask(persona, by="officer.dcpaf", to="NCA", language="fr")  # DCPAF -> NCA
    nca = persona("analyst.nca")

    def listed(direction: str) -> list[InformationRequest]:
        return list(
            rfi.filter_requests(rfi.visible_requests(nca), nca, rfi.RequestFilter(direction))
        )

    assert listed("outgoing") == [outgoing]
    assert listed("incoming") == [incoming]


def test_the_deadline_is_shown_in_the_viewers_time_zone(persona, login):
    deadline = dt.datetime(2031, 1, 15, 9, 30, tzinfo=dt.UTC)
    request = ask(persona, deadline=deadline)
    # analyst.dcpaf's zone is France's (UTC+1 in January), analyst.nca's the UK's (UTC).
    fr = login("analyst.dcpaf").get(reverse("intelligence:request_detail", args=[request.pk]))
    uk = login("analyst.nca").get(reverse("intelligence:request_detail", args=[request.pk]))
    assert "10:30" in fr.content.decode() and "Europe/Paris" in fr.content.decode()
    assert "09:30" in uk.content.decode() and "Europe/London" in uk.content.decode()


def test_the_list_page_keeps_its_query_count_whatever_the_number_of_rows(
    persona, login, django_assert_max_num_queries
):
    client = login("analyst.dcpaf")
    url = reverse("intelligence:request_list")
    ask(persona)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for n in range(8):
        ask(persona, question=f"Question {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


# Pages -------------------------------------------------------------------------------------


def test_an_editor_asks_through_the_form_and_the_asked_agency_assigns_and_answers(persona, login):
    asker = login("analyst.nca")
    deadline = (timezone.now() + dt.timedelta(days=2)).astimezone(dt.UTC)
    response = asker.post(
        reverse("intelligence:request_create"),
        {
            "to_agency": Agency.objects.get(code="DCPAF").pk,
            "question": "Which company leased the lorry?",
            "language": "en",
            "priority": RequestPriority.IMMEDIATE,
            "deadline": deadline.astimezone(dt.timezone(dt.timedelta(0))).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "classification": Classification.OFFICIAL,
            "tlp": TLP.AMBER,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    request = InformationRequest.objects.get(question="Which company leased the lorry?")
    answerer = login("analyst.dcpaf")
    response = answerer.post(
        reverse("intelligence:request_assign", args=[request.pk]),
        {"assignee": persona("officer.dcpaf").pk},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.assignee.username == "officer.dcpaf"

    report = make_report(persona("officer.dcpaf"), reference="DCPAF-8")
    # Not released yet: refused, with the message on the page.
    response = login("officer.dcpaf").post(
        reverse("intelligence:request_answer", args=[request.pk]),
        {"report": report.pk},
        follow=True,
    )
    assert (
        "Release it first" in response.content.decode()
        or "Diffusez-le" in response.content.decode()
    )
    request.refresh_from_db()
    assert request.state == RequestState.ASSIGNED
    release_to_nca(persona, report)
    login("officer.dcpaf").post(
        reverse("intelligence:request_answer", args=[request.pk]), {"report": report.pk}
    )
    request.refresh_from_db()
    assert request.state == RequestState.ANSWERED


def test_a_past_deadline_on_the_form_is_shown_on_the_form(login):
    response = login("analyst.nca").post(
        reverse("intelligence:request_create"),
        {
            "to_agency": Agency.objects.get(code="DCPAF").pk,
            "question": "Too late",
            "language": "en",
            "priority": RequestPriority.ROUTINE,
            "deadline": "2001-01-01T10:00",
            "classification": Classification.OFFICIAL,
            "tlp": TLP.AMBER,
        },
    )
    assert response.status_code == 200
    assert not InformationRequest.objects.filter(question="Too late").exists()


def test_the_report_include_lists_the_requests_it_answers_to_those_who_see_them(
    persona, assigned, login
):
    from django.template.loader import render_to_string

    report = released_to_nca(persona, "DCPAF-9")
    rfi.answer(assigned, report=report, acting_user=persona("officer.dcpaf"))
    html = render_to_string(
        "intelligence/includes/report_requests.html",
        {"report": report, "user": persona("analyst.nca")},
    )
    assert assigned.reference in html
    page = login("analyst.nca").get(reverse("intelligence:report_detail", args=[report.pk]))
    assert assigned.reference in page.content.decode()
    detail = login("analyst.nca").get(reverse("intelligence:request_detail", args=[assigned.pk]))
    assert reverse("intelligence:report_detail", args=[report.pk]) in detail.content.decode()
    hidden = render_to_string(
        "intelligence/includes/report_requests.html",
        {"report": report, "user": persona("gold.pn")},
    )
    assert assigned.reference not in hidden


# API ---------------------------------------------------------------------------------------


def api_post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(f"/api/v1{path}", json.dumps(body), content_type="application/json")


def test_the_api_asks_assigns_answers_and_lists(persona, login):
    asker = login("analyst.nca")
    response = api_post(
        asker,
        "/intelligence/information-requests",
        {
            "to_agency": "DCPAF",
            "question": "Phone numbers linked to the network?",
            "language": "en",
            "deadline": (timezone.now() + dt.timedelta(days=1)).isoformat(),
            "priority": "immediate",
        },
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["direction"] == "UK->FR"
    assert created["tlp"] == "AMBER" and created["releasability"] == ["FR", "UK"]
    rid = created["id"]
    response = api_post(
        login("analyst.dcpaf"),
        f"/intelligence/information-requests/{rid}/assign",
        {"assignee": "officer.dcpaf"},
    )
    assert response.status_code == 200 and response.json()["state"] == "assigned"
    report = make_report(persona("officer.dcpaf"), reference="DCPAF-10")
    answerer = login("officer.dcpaf")
    refused = api_post(
        answerer, f"/intelligence/information-requests/{rid}/answer", {"report": report.pk}
    )
    assert refused.status_code == 422
    # The answerer works in French: the refusal says what to do in their language.
    assert "Diffusez-le d'abord" in refused.json()["errors"][0]["message"]
    release_to_nca(persona, report)
    done = api_post(
        answerer, f"/intelligence/information-requests/{rid}/answer", {"report": report.pk}
    )
    assert done.status_code == 200 and done.json()["answer"] == report.pk
    listed = login("analyst.dcpaf").get(
        "/api/v1/intelligence/information-requests?direction=incoming"
    )
    assert [r["id"] for r in listed.json()["items"]] == [rid]
    assert (
        login("gold.kent").get(f"/api/v1/intelligence/information-requests/{rid}").status_code
        == 404
    )


def test_the_api_refuses_a_past_deadline_with_a_422(login):
    before = InformationRequest.objects.count()
    response = api_post(
        login("analyst.nca"),
        "/intelligence/information-requests",
        {
            "to_agency": "DCPAF",
            "question": "Late",
            "language": "en",
            "deadline": "2001-01-01T00:00:00Z",
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["location"] == ["body", "deadline"]
    assert InformationRequest.objects.count() == before


# Turnaround --------------------------------------------------------------------------------


def known_set(persona: Persona) -> None:
    """Requests asked on 2030-03-01 (UTC) with known answers, written with the ORM (the times
    are the point here, not the services, which the tests above cover)."""
    nca, dcpaf = Agency.objects.get(code="NCA"), Agency.objects.get(code="DCPAF")
    asked = dt.datetime(2030, 3, 1, 8, 0, tzinfo=dt.UTC)
    hour = dt.timedelta(hours=1)
    rows = [
        # UK -> FR, priority: answered after 2, 4, 6 and 30 hours, deadline 24 hours.
        (nca, dcpaf, RequestPriority.PRIORITY, 24, 2, RequestState.ANSWERED),
        (nca, dcpaf, RequestPriority.PRIORITY, 24, 4, RequestState.ANSWERED),
        (nca, dcpaf, RequestPriority.PRIORITY, 24, 6, RequestState.ANSWERED),
        (nca, dcpaf, RequestPriority.PRIORITY, 24, 30, RequestState.ANSWERED),
        # UK -> FR, routine: one open past its deadline (overdue), one withdrawn.
        (nca, dcpaf, RequestPriority.ROUTINE, 48, None, RequestState.OPEN),
        (nca, dcpaf, RequestPriority.ROUTINE, 48, None, RequestState.WITHDRAWN),
        # FR -> UK, immediate: answered after 1 hour; one assigned, deadline far ahead.
        (dcpaf, nca, RequestPriority.IMMEDIATE, 4, 1, RequestState.ANSWERED),
        (dcpaf, nca, RequestPriority.IMMEDIATE, 24 * 60, None, RequestState.ASSIGNED),
    ]
    for n, (asker, asked_of, priority, due, answered, state_) in enumerate(rows):
        request = InformationRequest.objects.create(
            reference=f"RFI-KNOWN-{n}",
            question="Known",
            language="en",
            priority=priority,
            deadline=asked + due * hour,
            to_agency=asked_of,
            state=state_,
            answered_at=None if answered is None else asked + answered * hour,
            classification=Classification.OFFICIAL,
            releasability="FR,UK",
            tlp=TLP.AMBER,
            originator=asker,
            created_at=asked,
        )
        name_recipients(request, acting_user=None, agencies=[asked_of])


def test_turnaround_figures_on_a_known_set(persona):
    known_set(persona)
    rows = rfi.turnaround(
        persona("analyst.nca"),
        start=dt.date(2030, 3, 1),
        end=dt.date(2030, 3, 1),
        zone=dt.UTC,
        now=NOW,
    )
    by = {(t.direction, t.priority): t for t in rows}
    hour = 3600.0
    uk_priority = by[("UK->FR", RequestPriority.PRIORITY)]
    assert (uk_priority.count, uk_priority.answered) == (4, 4)
    # Median of 2, 4, 6, 30 hours: 5 h; 90th percentile: 6 + 0.7 * 24 = 22.8 h.
    assert uk_priority.median == 5 * hour
    assert uk_priority.p90 == pytest.approx(22.8 * hour)
    assert (uk_priority.on_time, uk_priority.due) == (3, 4)
    assert uk_priority.overdue == 0
    uk_routine = by[("UK->FR", RequestPriority.ROUTINE)]
    assert (uk_routine.count, uk_routine.answered, uk_routine.withdrawn) == (1, 0, 1)
    assert (uk_routine.overdue, uk_routine.due, uk_routine.on_time_share) == (1, 1, 0.0)
    assert uk_routine.median is None
    uk_all = by[("UK->FR", None)]
    assert (uk_all.count, uk_all.answered, uk_all.overdue, uk_all.withdrawn) == (5, 4, 1, 1)
    assert uk_all.on_time_share == pytest.approx(3 / 5)
    fr = by[("FR->UK", RequestPriority.IMMEDIATE)]
    assert (fr.count, fr.answered, fr.median, fr.p90) == (2, 1, hour, hour)
    assert (fr.due, fr.on_time, fr.overdue) == (1, 1, 0)
    # The CSV carries the same figures.
    csv_text = rfi.turnaround_csv(rows)
    assert "UK->FR,priority,4,4,0,18000,82080,4,3,0.750,0" in csv_text
    assert "UK->FR,all,5,4,1,18000," in csv_text


def test_turnaround_counts_only_the_requests_the_viewer_sees(persona):
    known_set(persona)
    # Kent Police sees none of these (TLP:AMBER, not named): no figures at all.
    assert (
        rfi.turnaround(
            persona("gold.kent"), start=dt.date(2030, 3, 1), end=dt.date(2030, 3, 1), now=NOW
        )
        == []
    )


def test_turnaround_page_csv_and_api(persona, login):
    known_set(persona)
    client = login("analyst.nca")
    query = "?start=2030-03-01&end=2030-03-01"
    page = client.get(reverse("intelligence:request_statistics") + query)
    assert page.status_code == 200
    assert "<svg" in page.content.decode() and "UK-&gt;FR" in page.content.decode()
    csv_response = client.get(reverse("intelligence:request_statistics_csv") + query)
    assert csv_response["Content-Type"].startswith("text/csv")
    assert "UK->FR,priority,4,4,0,18000," in csv_response.content.decode()
    api = client.get("/api/v1/intelligence/statistics/information-requests" + query).json()
    row = next(r for r in api["rows"] if r["direction"] == "UK->FR" and r["priority"] == "all")
    assert (row["requests"], row["answered"], row["median_seconds"]) == (5, 4, 18000.0)
    assert (
        login("caseworker.lva").get(reverse("intelligence:request_statistics")).status_code == 403
    )


# Demo --------------------------------------------------------------------------------------


def test_the_demo_loads_requests_both_ways_once_and_answers_when_reports_are_released(persona):
    from entente.demo import intelligence_requests as demo

    demo.load()
    demo.load()
    loaded = InformationRequest.objects.filter(question__in=[d.question for d in demo.REQUESTS])
    assert loaded.count() == len(demo.REQUESTS)
    assert {r.originator.code for r in loaded} == {"NCA", "DCPAF"}
    # No released report yet: nothing answered, and the request past its deadline is overdue.
    assert not loaded.filter(state=RequestState.ANSWERED).exists()
    assert loaded.filter(rfi.overdue_q()).exists()
    # Once a DCPAF report is released to the NCA, loading again answers the NCA's requests.
    released_to_nca(persona, "DCPAF-DEMO")
    demo.load()
    answered = loaded.filter(state=RequestState.ANSWERED)
    assert answered.count() == 2
    assert all(r.answered_at <= r.deadline for r in answered)
    assert loaded.count() == len(demo.REQUESTS)


# With the reports and dissemination services -----------------------------------------------


def test_an_answer_released_through_the_real_four_eyes_release_is_accepted_and_only_it(
    persona, assigned
):
    """Written and released through the reports and dissemination services: once the
    sanitised version is released to the NCA, it answers; the original, never released,
    does not."""
    from entente.intelligence.choices import ReleaseVersion
    from entente.intelligence.services import dissemination, reports

    officer = persona("officer.dcpaf")
    original = reports.create_report(
        acting_user=officer,
        title="Camion immatriculé en Pologne",
        body="Source humaine au dépôt de Coquelles : le camion appartient à la société X.",
        language="fr",
        grading_scheme="admiralty",
        source_grade="B",
        information_grade="2",
    )
    dissemination.create_sanitised_version(
        original, acting_user=officer, title="Camion polonais", body="Le camion appartient à X."
    )
    release = dissemination.request_release(
        original,
        acting_user=officer,
        agencies=[Agency.objects.get(code="NCA")],
        legal_basis="Traité du Touquet",
        purpose="Réponse à une demande de la NCA",
        version=ReleaseVersion.SANITISED,
    )
    dissemination.approve_release(release, acting_user=persona("analyst.dcpaf"))
    with pytest.raises(ValidationError):
        rfi.answer(assigned, report=original, acting_user=officer)
    done = rfi.answer(assigned, report=release.released_report, acting_user=officer)
    assert done.answer_id == release.released_report_id != original.pk
