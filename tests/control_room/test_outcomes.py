"""Outcomes: closing an incident records what was found; people found are handed over to
safeguarding, the vehicle may be sent to intelligence; nothing identifies the people found."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from html.parser import HTMLParser

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from entente.control_room.choices import (
    AlertKind,
    ChecklistStatus,
    HandoverState,
    IncidentState,
    ReportState,
)
from entente.control_room.models import (
    ChecklistEntry,
    Handover,
    Incident,
    IncidentOutcome,
    ProcedureStep,
    Sensor,
    VehicleReport,
)
from entente.control_room.services import AlertItem, check_heartbeats, ingest_alerts
from entente.control_room.services.outcomes import (
    OutcomeInput,
    close_incident,
    pending_handovers,
    send_vehicle_report,
    take_up_handover,
    take_up_vehicle_report,
)
from entente.core import services
from entente.core.choices import TLP, AuditAction, Classification, Module, Role
from entente.core.models import AuditEntry, AuditHead, Recipient, User
from tests.conftest import verified_login
from tests.i18n.test_french_pages import english_left, french_client

PROBLEM = "application/problem+json"
_clock = itertools.count()


def open_incident(sensor: str = "COQ-PLAT-CCTV-01", kind: str = AlertKind.INTRUSION) -> Incident:
    """A fresh incident: each alert an hour after the last, so none joins another."""
    at = dt.datetime(2015, 8, 20, tzinfo=dt.UTC) + dt.timedelta(hours=next(_clock))
    result = ingest_alerts(
        [AlertItem(sensor, f"outcome-{at.timestamp()}", at, kind, 0.8)],
        acting_user=User.objects.get(username="operator.eurotunnel"),
    )[0]
    return Incident.objects.get(pk=result.incident)


FOUND = OutcomeInput(
    result="people_found",
    adults=3,
    minors=2,
    injured=1,
    needs=("medical", "water_food", "child_protection"),
    vehicle_plate="ab-123 cd",
    vehicle_country="pl",
    vehicle_type="refrigerated",
    haulier="Trans Example Sp. z o.o.",
    concealment="refrigeration_unit",
    notes="Found behind the pallets.",
)


def close_found(persona, sensor: str = "COQ-PLAT-CCTV-01") -> Incident:
    incident = open_incident(sensor)
    close_incident(incident, outcome=FOUND, acting_user=persona("leader.borderforce"))
    return Incident.objects.get(pk=incident.pk)


def part(html: str, element_id: str) -> str:
    """The element of a page with this id, as a French page of its own: the language check
    of the parts this feature owns (the rest of the page is checked by tests/i18n)."""

    class Finder(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tag, self.depth = "", 0
            self.span: list[tuple[int, int]] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if not self.span and dict(attrs).get("id") == element_id:
                self.tag, self.depth = tag, 1
                self.span.append(self.getpos())
            elif len(self.span) == 1 and tag == self.tag:
                self.depth += 1

        def handle_endtag(self, tag: str) -> None:
            if len(self.span) == 1 and tag == self.tag:
                self.depth -= 1
                if self.depth == 0:
                    self.span.append(self.getpos())

    finder = Finder()
    finder.feed(html)
    assert len(finder.span) == 2, f"no element #{element_id}"
    lines = html.splitlines(keepends=True)
    (l1, c1), (l2, c2) = finder.span
    start = sum(len(line) for line in lines[: l1 - 1]) + c1
    end = sum(len(line) for line in lines[: l2 - 1]) + c2
    return f'<html lang="fr"><body>{html[start:end]}</body></html>'


def bearer(username: str) -> Client:
    _, token = services.create_api_token(
        User.objects.get(username=username), name="t", acting_user=None
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def post(client: Client, path: str, body: object):
    return client.post(path, data=json.dumps(body), content_type="application/json")


# Closing ------------------------------------------------------------------------------------


@pytest.mark.parametrize("result", ["false_alarm", "prevented", "nothing_found"])
def test_a_search_without_people_closes_the_incident_and_hands_nothing_over(persona, result):
    incident = open_incident()
    outcome = close_incident(
        incident, outcome=OutcomeInput(result=result), acting_user=persona("operator.eurotunnel")
    )
    incident.refresh_from_db()
    assert incident.state == IncidentState.CLOSED and incident.closed_at is not None
    assert (outcome.result, outcome.people, outcome.recorded_by.username) == (
        result,
        0,
        "operator.eurotunnel",
    )
    assert not Handover.objects.filter(incident=incident).exists()


def test_people_found_close_the_incident_with_counts_and_a_normalised_vehicle(persona):
    incident = close_found(persona)
    outcome = IncidentOutcome.objects.get(incident=incident)
    assert incident.state == IncidentState.CLOSED
    assert (outcome.adults, outcome.minors, outcome.injured) == (3, 2, 1)
    assert (outcome.vehicle_plate, outcome.vehicle_country) == ("AB-123 CD", "PL")
    assert (outcome.vehicle_type, outcome.concealment) == ("refrigerated", "refrigeration_unit")


def test_people_found_produce_a_handover_with_counts_and_needs_and_no_identity(persona):
    incident = close_found(persona)
    handover = Handover.objects.get(incident=incident)
    assert (handover.people, handover.minors, handover.injured) == (5, 2, 1)
    assert handover.needs == ["medical", "water_food", "child_protection"]
    assert handover.site.code == "COQ-TERM" and handover.state == HandoverState.PENDING
    assert handover.classification == Classification.OFFICIAL
    assert handover.releasability == frozenset({"FR", "UK"})
    assert handover.tlp == TLP.AMBER and handover.originator.code == "BF"
    named = set(
        Recipient.objects.filter(object_id=handover.pk, content_type__model="handover").values_list(
            "agency__code", flat=True
        )
    )
    # The French safeguarding agencies whose people take handovers up; not the
    # voluntary-return organisation (viewers only).
    assert named == {"LVA", "PREF62"}
    fields = {f.name for f in Handover._meta.get_fields()} | {
        f.name for f in IncidentOutcome._meta.get_fields()
    }
    assert not fields & {"name", "first_name", "last_name", "birth_date", "nationality"}


def test_closing_is_audited_in_one_go(persona):
    incident = open_incident()
    head = AuditHead.objects.get().seq
    close_incident(incident, outcome=FOUND, acting_user=persona("leader.borderforce"))
    entries = AuditEntry.objects.filter(seq__gt=head)
    kinds = {(e.action, e.object_type) for e in entries}
    assert (AuditAction.CREATE, "control_room.incidentoutcome") in kinds
    assert (AuditAction.UPDATE, "control_room.incident") in kinds
    assert (AuditAction.CREATE, "control_room.handover") in kinds
    disclosed = entries.get(action=AuditAction.DISCLOSE)
    assert sorted(disclosed.changes["recipients"]) == ["LVA", "PREF62"]
    assert {e.actor_username for e in entries} == {"leader.borderforce"}


def test_unticked_procedure_steps_are_recorded_as_skipped_at_closing(persona):
    ProcedureStep.objects.create(
        incident_kind=AlertKind.INTRUSION,
        position=90,
        code="outcome-test-step",
        text_en="Check the fence line",
        text_fr="Vérifier la clôture",
    )
    incident = open_incident()
    close_incident(
        incident, outcome=OutcomeInput("nothing_found"), acting_user=persona("leader.borderforce")
    )
    steps = ProcedureStep.objects.filter(incident_kind=AlertKind.INTRUSION, active=True)
    entries = ChecklistEntry.objects.filter(incident=incident)
    assert entries.count() == steps.count() >= 1
    assert {(e.status, e.by.username) for e in entries} == {
        (ChecklistStatus.SKIPPED, "leader.borderforce")
    }


REFUSALS = [
    (OutcomeInput("people_found"), "adults"),
    (OutcomeInput("false_alarm", adults=1), "result"),
    (OutcomeInput("prevented", minors=1), "result"),
    (OutcomeInput("nothing_found", needs=("medical",)), "result"),
    (OutcomeInput("people_found", adults=1, injured=2), "injured"),
    (OutcomeInput("people_found", adults=-1, minors=1), "adults"),
    (OutcomeInput("people_found", adults=10_000), "adults"),
    (OutcomeInput("people_found", adults=1, needs=("money",)), "needs"),
    (OutcomeInput("gold_found"), "result"),
    (OutcomeInput("nothing_found", vehicle_plate="AB 123"), "vehicle_country"),
    (
        OutcomeInput("nothing_found", vehicle_plate="AB 123", vehicle_country="FRA"),
        "vehicle_country",
    ),
    (
        OutcomeInput("nothing_found", vehicle_plate="AB 123", vehicle_country="F1"),
        "vehicle_country",
    ),
    (OutcomeInput("nothing_found", vehicle_plate="AB@123", vehicle_country="FR"), "vehicle_plate"),
    (OutcomeInput("nothing_found", vehicle_type="bus"), "vehicle_type"),
    (OutcomeInput("nothing_found", concealment="boot"), "concealment"),
    (OutcomeInput("nothing_found", haulier="x" * 201), "haulier"),
]


@pytest.mark.parametrize(("outcome", "field"), REFUSALS)
def test_a_refused_outcome_names_its_field_and_writes_nothing(persona, outcome, field):
    incident = open_incident()
    head = AuditHead.objects.get().seq
    with pytest.raises(ValidationError) as refused:
        close_incident(incident, outcome=outcome, acting_user=persona("leader.borderforce"))
    assert field in refused.value.message_dict
    incident.refresh_from_db()
    assert incident.state == IncidentState.NEW and incident.closed_at is None
    assert not IncidentOutcome.objects.filter(incident=incident).exists()
    assert not Handover.objects.filter(incident=incident).exists()
    assert not ChecklistEntry.objects.filter(incident=incident).exists()
    assert AuditHead.objects.get().seq == head


def test_a_closed_incident_is_not_closed_again(persona):
    incident = close_found(persona)
    with pytest.raises(ValidationError):
        close_incident(
            incident, outcome=OutcomeInput("false_alarm"), acting_user=persona("leader.borderforce")
        )
    assert IncidentOutcome.objects.get(incident=incident).result == "people_found"


def test_viewers_cannot_close(persona):
    incident = open_incident()
    with pytest.raises(PermissionDenied):
        close_incident(
            incident, outcome=OutcomeInput("false_alarm"), acting_user=persona("gendarme.egm")
        )
    assert Incident.objects.get(pk=incident.pk).state == IncidentState.NEW


def test_the_bare_close_is_refused_with_a_pointer_to_the_close_operation(db):
    incident = open_incident()
    response = post(
        bearer("operator.eurotunnel"),
        f"/api/v1/incidents/{incident.pk}/transitions",
        {"state": "closed"},
    )
    assert response.status_code == 422 and response["Content-Type"].startswith(PROBLEM)
    error = response.json()["errors"][0]
    assert error["location"] == ["body", "state"]
    assert f"/api/v1/incidents/{incident.pk}/close" in error["message"]
    assert Incident.objects.get(pk=incident.pk).state == IncidentState.NEW


def _silent_alarm() -> Incident:
    Sensor.objects.exclude(code="FOL-PLAT-SCAN-01").update(last_seen_at=dt.datetime.now(dt.UTC))
    Sensor.objects.filter(code="FOL-PLAT-SCAN-01").update(last_seen_at=None)
    check_heartbeats()
    return Incident.objects.get(
        kind=AlertKind.SENSOR_SILENT, alerts__sensor__code="FOL-PLAT-SCAN-01"
    )


def test_a_silent_sensor_alarm_may_still_be_closed_bare(db):
    alarm = _silent_alarm()
    response = post(
        bearer("leader.borderforce"),
        f"/api/v1/incidents/{alarm.pk}/transitions",
        {"state": "closed"},
    )
    assert response.status_code == 200
    assert Incident.objects.get(pk=alarm.pk).state == IncidentState.CLOSED


def test_a_silent_sensor_alarm_closes_with_an_outcome_only_as_a_false_alarm(persona):
    alarm = _silent_alarm()
    leader = persona("leader.borderforce")
    with pytest.raises(ValidationError) as refused:
        close_incident(alarm, outcome=OutcomeInput("people_found", adults=1), acting_user=leader)
    assert "result" in refused.value.message_dict
    close_incident(alarm, outcome=OutcomeInput("false_alarm"), acting_user=leader)
    assert Incident.objects.get(pk=alarm.pk).state == IncidentState.CLOSED


# Who sees the handover ----------------------------------------------------------------------


def sees(user: User, handover: Handover) -> bool:
    return Handover.objects.visible_to(user).filter(pk=handover.pk).exists()


def test_the_handover_is_seen_by_the_safeguarding_officer_and_the_caseworker_of_the_sites_country(
    persona,
):
    handover = Handover.objects.get(incident=close_found(persona))
    assert sees(persona("safeguarding.pref"), handover)
    assert sees(persona("caseworker.lva"), handover)
    assert list(pending_handovers(persona("caseworker.lva"))) == [handover]
    # The voluntary-return officer (an international organisation, viewer) is not named.
    assert not sees(persona("officer.iom"), handover)


def test_a_uk_safeguarding_officer_does_not_see_a_french_sites_handover(persona, agency):
    """Releasable to the UK, but TLP:AMBER: only the originator and the named agencies."""
    handover = Handover.objects.get(incident=close_found(persona))
    assert "UK" in handover.releasability
    uk = services.create_user(
        username="safeguarding.homeoffice",
        agency=agency("HO"),
        acting_user=None,
        clearance=Classification.OFFICIAL_SENSITIVE,
        roles={Module.SAFEGUARDING: Role.EDITOR},
    )
    assert not sees(uk, handover)


def test_french_caseworkers_are_not_told_of_people_found_at_folkestone(persona):
    handover = Handover.objects.get(incident=close_found(persona, sensor="FOL-PLAT-CO2-01"))
    assert handover.site.code == "FOL-TERM"
    assert not sees(persona("caseworker.lva"), handover)
    assert not sees(persona("safeguarding.pref"), handover)


def test_police_roles_do_not_see_handovers_unless_they_hold_a_safeguarding_role(persona):
    handover = Handover.objects.get(incident=close_found(persona))
    for name in ("gold.pn", "gold.kent", "leader.borderforce", "operator.eurotunnel"):
        assert not sees(persona(name), handover), name
    leader = persona("leader.borderforce")
    services.set_role(leader, Module.SAFEGUARDING, Role.VIEWER, acting_user=None)
    # Border Force closed it (its originator): with a safeguarding role its people see it.
    assert sees(persona("leader.borderforce"), handover)


def test_the_caseworker_takes_the_handover_up_once(persona):
    handover = Handover.objects.get(incident=close_found(persona))
    taken = take_up_handover(handover, acting_user=persona("caseworker.lva"))
    assert taken.state == HandoverState.TAKEN_UP and taken.taken_up_by.username == "caseworker.lva"
    assert taken.taken_up_at is not None
    assert list(pending_handovers(persona("safeguarding.pref"))) == []
    with pytest.raises(ValidationError):
        take_up_handover(handover, acting_user=persona("safeguarding.pref"))


def test_a_safeguarding_viewer_cannot_take_a_handover_up(persona):
    handover = Handover.objects.get(incident=close_found(persona))
    with pytest.raises(PermissionDenied):
        take_up_handover(handover, acting_user=persona("officer.iom"))
    assert Handover.objects.get(pk=handover.pk).state == HandoverState.PENDING


# The vehicle report -------------------------------------------------------------------------


def test_the_vehicle_report_is_seen_by_analysts_of_both_countries_and_never_by_an_ngo(persona):
    incident = close_found(persona)
    report = send_vehicle_report(
        incident, note="Same haulier as last week.", acting_user=persona("leader.borderforce")
    )
    assert (report.plate, report.country, report.haulier) == (
        "AB-123 CD",
        "PL",
        "Trans Example Sp. z o.o.",
    )
    assert report.classification == Classification.OFFICIAL_SENSITIVE
    assert report.releasability == frozenset({"FR", "UK"}) and report.tlp == TLP.GREEN
    assert report.originator.code == "BF" and report.state == ReportState.SENT
    for name in ("analyst.nca", "analyst.dcpaf", "gold.kent", "gold.pn"):
        assert VehicleReport.objects.visible_to(persona(name)).filter(pk=report.pk).exists(), name
    for name in ("caseworker.lva", "safeguarding.pref", "officer.iom", "operator.eurotunnel"):
        assert not VehicleReport.objects.visible_to(persona(name)).exists(), name


def test_a_vehicle_is_sent_once_and_only_from_a_closed_incident_with_a_plate(persona):
    leader = persona("leader.borderforce")
    with pytest.raises(ValidationError):
        send_vehicle_report(open_incident(), acting_user=leader)
    no_plate = open_incident()
    close_incident(no_plate, outcome=OutcomeInput("nothing_found"), acting_user=leader)
    with pytest.raises(ValidationError):
        send_vehicle_report(no_plate, acting_user=leader)
    incident = close_found(persona)
    send_vehicle_report(incident, acting_user=leader)
    with pytest.raises(ValidationError):
        send_vehicle_report(incident, acting_user=persona("operator.eurotunnel"))
    assert VehicleReport.objects.count() == 1


def test_an_analyst_takes_the_report_up_and_a_reader_may_not(persona):
    report = send_vehicle_report(close_found(persona), acting_user=persona("leader.borderforce"))
    with pytest.raises(PermissionDenied):
        take_up_vehicle_report(report, acting_user=persona("investigator.ocriest"))
    taken = take_up_vehicle_report(report, acting_user=persona("analyst.dcpaf"))
    assert taken.state == ReportState.TAKEN_UP and taken.taken_up_by.username == "analyst.dcpaf"
    with pytest.raises(ValidationError):
        take_up_vehicle_report(report, acting_user=persona("analyst.nca"))


# Pages --------------------------------------------------------------------------------------


def test_the_operator_closes_through_the_page_form(db):
    incident = open_incident()
    client = verified_login(Client(), User.objects.get(username="leader.borderforce"))
    page = client.get(f"/control-room/incidents/{incident.pk}/").content.decode()
    assert 'name="state" value="closed"' not in page  # the bare button is gone
    assert f'action="/control-room/incidents/{incident.pk}/close/"' in page
    response = client.post(
        f"/control-room/incidents/{incident.pk}/close/",
        {
            "result": "people_found",
            "adults": "2",
            "minors": "1",
            "injured": "0",
            "needs": ["warmth", "shelter"],
            "vehicle_plate": "GX15 ABC",
            "vehicle_country": "GB",
            "vehicle_type": "lorry",
            "haulier": "",
            "concealment": "trailer_load",
            "notes": "",
        },
    )
    assert response.status_code == 302
    handover = Handover.objects.get(incident=incident)
    assert (handover.people, handover.minors, handover.needs) == (3, 1, ["warmth", "shelter"])
    closed = client.get(f"/control-room/incidents/{incident.pk}/").content.decode()
    assert "GX15 ABC" in closed and "Send to intelligence" in closed
    sent = client.post(f"/control-room/incidents/{incident.pk}/vehicle-report/", {"note": "n"})
    assert sent.status_code == 302 and VehicleReport.objects.get(incident=incident).note == "n"
    after = client.get(f"/control-room/incidents/{incident.pk}/").content.decode()
    assert "Send to intelligence" not in after and "Vehicle sent to intelligence" in after


def test_a_refused_form_comes_back_in_french_and_writes_nothing(db):
    incident = open_incident()
    client = french_client("operator.eurotunnel")
    response = client.post(
        f"/control-room/incidents/{incident.pk}/close/",
        {"result": "false_alarm", "adults": "2", "minors": "0", "injured": "0"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "« Fausse alerte » signifie qu’aucune personne n’a été trouvée" in html
    assert "has-errors" in html  # the people's part stays in sight
    assert english_left(part(html, "content")) == []
    assert Incident.objects.get(pk=incident.pk).state == IncidentState.NEW


def test_the_outcome_pages_are_in_french(persona):
    incident = open_incident()
    operator = french_client("operator.eurotunnel")
    open_page = operator.get(f"/control-room/incidents/{incident.pk}/").content.decode()
    assert "Clore avec le résultat" in open_page
    assert english_left(part(open_page, "incident-outcome")) == []
    close_page = operator.get(f"/control-room/incidents/{incident.pk}/close/").content.decode()
    assert english_left(part(close_page, "content")) == []
    closed = close_found(persona)
    send_vehicle_report(closed, acting_user=persona("leader.borderforce"))
    closed_page = operator.get(f"/control-room/incidents/{closed.pk}/").content.decode()
    assert (
        "Personnes trouvées" in closed_page and "Véhicule transmis au renseignement" in closed_page
    )
    assert english_left(part(closed_page, "incident-outcome")) == []
    pages = {
        "safeguarding.pref": ("/control-room/handovers/", "Prendre en charge"),
        "caseworker.lva": ("/control-room/handovers/", "Soins médicaux"),
        "analyst.dcpaf": ("/control-room/vehicle-reports/", "AB-123 CD"),
    }
    for username, (url, shown) in pages.items():
        response = french_client(username).get(url)
        assert response.status_code == 200, (username, url)
        html = response.content.decode()
        assert shown in html, (username, url)
        assert english_left(part(html, "content")) == [], (username, url)


def test_the_handover_page_takes_a_handover_up(persona, login):
    handover = Handover.objects.get(incident=close_found(persona))
    client = login("caseworker.lva")
    take_up = f'action="/control-room/handovers/{handover.pk}/take-up/"'
    assert take_up in client.get("/control-room/handovers/").content.decode()
    response = client.post(f"/control-room/handovers/{handover.pk}/take-up/")
    assert response.status_code == 302
    assert Handover.objects.get(pk=handover.pk).state == HandoverState.TAKEN_UP
    iom = login("officer.iom").get("/control-room/handovers/")  # a viewer, and not named
    assert iom.status_code == 200 and take_up not in iom.content.decode()
    assert login("gold.kent").get("/control-room/handovers/").status_code == 403


def test_list_pages_do_not_grow_queries_with_rows(persona, login, django_assert_max_num_queries):
    leader = persona("leader.borderforce")
    close_found(persona)
    send_vehicle_report(close_found(persona), acting_user=leader)
    lva, dcpaf = login("caseworker.lva"), login("analyst.dcpaf")
    with django_assert_max_num_queries(30) as one:
        lva.get("/control-room/handovers/")
    with django_assert_max_num_queries(30) as one_report:
        dcpaf.get("/control-room/vehicle-reports/")
    for _ in range(3):
        send_vehicle_report(close_found(persona), acting_user=leader)
    with django_assert_max_num_queries(len(one.captured_queries)):
        lva.get("/control-room/handovers/")
    with django_assert_max_num_queries(len(one_report.captured_queries)):
        dcpaf.get("/control-room/vehicle-reports/")


# API ----------------------------------------------------------------------------------------


def test_the_api_closes_hands_over_and_reports(db):
    incident = open_incident()
    response = post(
        bearer("leader.borderforce"),
        f"/api/v1/incidents/{incident.pk}/close",
        {
            "result": "people_found",
            "adults": 1,
            "minors": 1,
            "needs": ["medical"],
            "vehicle_plate": "FR-123-AB",
            "vehicle_country": "FR",
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "closed" and body["closed_at"] and body["handover"]
    listed = bearer("caseworker.lva").get("/api/v1/handovers?state=pending").json()
    assert [h["id"] for h in listed["items"]] == [body["handover"]]
    assert listed["items"][0]["needs"] == ["medical"] and listed["items"][0]["minors"] == 1
    taken = bearer("caseworker.lva").post(f"/api/v1/handovers/{body['handover']}/take-up")
    assert taken.status_code == 200 and taken.json()["state"] == "taken_up"
    sent = post(
        bearer("operator.eurotunnel"), f"/api/v1/incidents/{incident.pk}/vehicle-report", {}
    )
    assert sent.status_code == 201 and sent.json()["plate"] == "FR-123-AB"
    again = post(
        bearer("operator.eurotunnel"), f"/api/v1/incidents/{incident.pk}/vehicle-report", {}
    )
    assert again.status_code == 422 and again["Content-Type"].startswith(PROBLEM)
    reports = bearer("analyst.nca").get("/api/v1/vehicle-reports").json()
    assert [r["plate"] for r in reports["items"]] == ["FR-123-AB"]
    report_id = reports["items"][0]["id"]
    assert (
        bearer("analyst.nca")
        .post(f"/api/v1/vehicle-reports/{report_id}/take-up")
        .json()["taken_up_by"]
        == "analyst.nca"
    )
    assert bearer("caseworker.lva").get("/api/v1/vehicle-reports").status_code == 403


def test_the_api_refuses_a_bad_outcome_with_a_problem_naming_the_field(db):
    incident = open_incident()
    response = post(
        bearer("leader.borderforce"),
        f"/api/v1/incidents/{incident.pk}/close",
        {"result": "people_found", "adults": 0},
    )
    assert response.status_code == 422 and response["Content-Type"].startswith(PROBLEM)
    assert response.json()["errors"][0]["location"] == ["body", "adults"]
    unknown = post(
        bearer("leader.borderforce"),
        f"/api/v1/incidents/{incident.pk}/close",
        {"result": "false_alarm", "names": ["someone"]},
    )
    assert unknown.status_code == 422  # no field for identities, and unknown fields refused
    assert Incident.objects.get(pk=incident.pk).state == IncidentState.NEW
