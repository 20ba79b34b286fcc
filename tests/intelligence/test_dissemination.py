"""Dissemination: a report goes to the other country only when a second person of its
agency approves it, with a legal basis and a purpose; the release then shows both approvals
and every disclosure is a line of each country's ledger. Refusals write nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.loader import render_to_string
from django.test import Client

from entente.core import services as core_services
from entente.core.choices import TLP, AuditAction, Classification, Module, Role
from entente.core.models import Agency, AuditEntry, Recipient, User
from entente.intelligence.choices import ReleaseState, ReleaseVersion
from entente.intelligence.models import Disclosure, Entity, Release, Report
from entente.intelligence.services import dissemination as dis
from entente.intelligence.services import ledger
from entente.intelligence.services.entities import EntityInput
from entente.intelligence.services.ledger import Direction, LedgerFilter
from entente.intelligence.services.reports import create_report

PROBLEM = "application/problem+json"
LEGAL = "Sandhurst Treaty 2018, article 4; Crime and Courts Act 2013, s. 7"
PURPOSE = "Disrupt the network moving people in lorries through Coquelles."
SOURCE_BODY = "Source HUMINT-7, a driver for the haulier, says the network loads at Dunkirk."


def make_report(
    author: User,
    *,
    tlp: str = TLP.AMBER,
    releasability: tuple[str, ...] | None = None,
    classification: int = Classification.OFFICIAL_SENSITIVE,
    body: str = SOURCE_BODY,
    entities: tuple[EntityInput, ...] = (),
) -> Report:
    """A report of the author's agency, releasable to its own country only by default,
    written through the reports area's service."""
    assert author.agency is not None
    country = author.agency.country.code
    uk = country == "UK"
    return create_report(
        acting_user=author,
        title="Lorries loading at Dunkirk",
        body=body,
        language="en" if uk else "fr",
        grading_scheme="3x5x2" if uk else "admiralty",
        source_grade="2" if uk else "B",
        information_grade="B" if uk else "2",
        handling_code="P" if uk else "",
        classification=classification,
        releasability=releasability or (country,),
        tlp=tlp,
        recipients=[author] if tlp == TLP.RED else [],
        entities=entities,
    )


def counts() -> tuple[int, ...]:
    """What a refusal must leave as it was."""
    return (
        Release.objects.count(),
        Release.objects.filter(state=ReleaseState.PENDING).count(),
        Disclosure.objects.count(),
        Recipient.objects.count(),
        Report.objects.count(),
        AuditEntry.objects.count(),
    )


@pytest.fixture
def nca_report(persona: Callable[[str], User]) -> Report:
    return make_report(persona("analyst.nca"))


@pytest.fixture
def pending(nca_report: Report, persona: Callable[[str], User], agency: Any) -> Release:
    """analyst.nca (author) asks to release the NCA report to the DCPAF."""
    return ask(nca_report)


def ask(
    report: Report,
    who: str = "analyst.nca",
    codes: tuple[str, ...] = ("DCPAF",),
    *,
    legal_basis: str = LEGAL,
    purpose: str = PURPOSE,
    version: str = ReleaseVersion.ORIGINAL,
) -> Release:
    """``who`` asks to release ``report`` to the agencies of ``codes``."""
    return dis.request_release(
        report,
        acting_user=User.objects.select_related("agency__country").get(username=who),
        agencies=[Agency.objects.select_related("country").get(code=c) for c in codes],
        legal_basis=legal_basis,
        purpose=purpose,
        version=version,
    )


# Four-eyes ------------------------------------------------------------------------------


def test_the_requester_and_author_cannot_approve_their_own_release(pending, persona):
    before = counts()
    with pytest.raises(ValidationError) as refused:
        dis.approve_release(pending, acting_user=persona("analyst.nca"))
    assert "An approval by the author" in refused.value.messages[0]
    assert counts() == before


def test_an_approver_who_wrote_the_report_cannot_approve_it(persona, agency):
    author = persona("supervisor.nca")  # an approver, and the author
    report = make_report(author)
    release = ask(report)
    before = counts()
    with pytest.raises(ValidationError, match="An approval by the author"):
        dis.approve_release(release, acting_user=author)
    assert counts() == before
    third = core_services.create_user(
        username="second.nca",
        agency=agency("NCA"),
        acting_user=None,
        clearance=Classification.OFFICIAL_SENSITIVE,
        roles={Module.INTELLIGENCE: Role.APPROVER},
    )
    dis.approve_release(release, acting_user=third)
    assert Release.objects.get(pk=release.pk).state == ReleaseState.APPROVED


@pytest.mark.parametrize(
    "who",
    [
        "analyst.dcpaf",  # an approver of the receiving agency
        "gold.kent",  # an approver of another agency of the same country
        "investigator.ocriest",  # an intelligence viewer
        "caseworker.lva",  # an NGO caseworker
        "outsider",
    ],
)
def test_nobody_outside_the_originating_agencys_approvers_approves(pending, persona, who):
    before = counts()
    with pytest.raises(PermissionDenied):
        dis.approve_release(pending, acting_user=persona(who))
    assert counts() == before
    assert Release.objects.get(pk=pending.pk).state == ReleaseState.PENDING


def test_an_editor_of_the_originating_agency_who_is_not_the_requester_cannot_approve(
    persona, agency
):
    report = make_report(persona("supervisor.nca"))
    release = ask(report, who="supervisor.nca")
    with pytest.raises(PermissionDenied):
        dis.approve_release(release, acting_user=persona("analyst.nca"))  # an editor only


def test_a_second_approver_of_the_same_agency_releases_it(pending, persona, nca_report):
    approved = dis.approve_release(pending, acting_user=persona("supervisor.nca"), note="Agreed.")
    assert approved.state == ReleaseState.APPROVED
    assert approved.decided_by.username == "supervisor.nca"
    assert approved.requested_by.username == "analyst.nca"
    report = Report.objects.get(pk=nca_report.pk)
    assert report.releasability == {"UK", "FR"}
    line = Disclosure.objects.get(release=pending)
    assert (line.from_country, line.to_country, line.agency.code) == ("UK", "FR", "DCPAF")
    assert (line.requested_by.username, line.approved_by.username) == (
        "analyst.nca",
        "supervisor.nca",
    )
    assert (line.legal_basis, line.purpose) == (LEGAL, PURPOSE)


def test_a_release_is_decided_once(pending, persona):
    dis.approve_release(pending, acting_user=persona("supervisor.nca"))
    before = counts()
    with pytest.raises(ValidationError, match="no longer awaiting approval"):
        dis.approve_release(pending, acting_user=persona("supervisor.nca"))
    with pytest.raises(ValidationError):
        dis.reject_release(pending, acting_user=persona("supervisor.nca"), note="Too late.")
    assert counts() == before


def test_a_report_made_tlp_red_after_the_request_is_not_released(pending, persona, nca_report):
    Report.objects.filter(pk=nca_report.pk).update(tlp=TLP.RED)
    before = counts()
    with pytest.raises(ValidationError, match="TLP:RED"):
        dis.approve_release(pending, acting_user=persona("supervisor.nca"))
    assert counts() == before
    assert Report.objects.get(pk=nca_report.pk).releasability == {"UK"}


# Refused requests ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("legal_basis", "purpose", "field"),
    [("", PURPOSE, "legal_basis"), ("   ", PURPOSE, "legal_basis"), (LEGAL, "", "purpose")],
)
def test_a_release_needs_a_legal_basis_and_a_purpose(
    nca_report, persona, agency, legal_basis, purpose, field
):
    before = counts()
    with pytest.raises(ValidationError) as refused:
        ask(nca_report, legal_basis=legal_basis, purpose=purpose)
    assert field in refused.value.message_dict
    assert counts() == before


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("LVA", "humanitarian organisations never receive intelligence"),
        ("IOM", "humanitarian organisations never receive intelligence"),
        ("EUROTUNNEL", "not a law-enforcement agency"),
        ("PREF62", "not a law-enforcement agency"),
        ("KENTPOL", "the report's own country"),
    ],
)
def test_intelligence_goes_to_law_enforcement_of_the_other_country_only(
    nca_report, persona, agency, code, words
):
    before = counts()
    with pytest.raises(ValidationError) as refused:
        ask(nca_report, codes=("DCPAF", code))
    assert words in refused.value.message_dict["agencies"][0]
    assert counts() == before


def test_a_tlp_red_report_is_never_released_to_agencies(persona, agency):
    report = make_report(persona("analyst.nca"), tlp=TLP.RED)
    before = counts()
    with pytest.raises(ValidationError) as refused:
        ask(report)
    assert "TLP:RED" in refused.value.message_dict["agencies"][0]
    assert counts() == before


@pytest.mark.parametrize("who", ["supervisor.nca", "gold.kent", "analyst.dcpaf", "outsider"])
def test_only_editors_of_the_originating_agency_ask_for_a_release(nca_report, persona, agency, who):
    before = counts()
    allowed = who == "supervisor.nca"  # an approver is also an editor of the NCA
    if allowed:
        assert ask(nca_report, who=who).state == ReleaseState.PENDING
    else:
        with pytest.raises(PermissionDenied):
            ask(nca_report, who=who)
        assert counts() == before


def test_a_rejection_says_why_and_discloses_nothing(pending, persona, nca_report):
    before = counts()
    with pytest.raises(ValidationError, match="Say why"):
        dis.reject_release(pending, acting_user=persona("supervisor.nca"), note="  ")
    assert counts() == before
    dis.reject_release(pending, acting_user=persona("supervisor.nca"), note="Source at risk.")
    assert Release.objects.get(pk=pending.pk).state == ReleaseState.REJECTED
    assert not Disclosure.objects.filter(release=pending).exists()
    assert not Report.objects.visible_to(persona("analyst.dcpaf")).filter(pk=nca_report.pk)


def test_only_the_requester_withdraws(pending, persona):
    before = counts()
    with pytest.raises(PermissionDenied):
        dis.withdraw_release(pending, acting_user=persona("supervisor.nca"))
    assert counts() == before
    dis.withdraw_release(pending, acting_user=persona("analyst.nca"))
    assert Release.objects.get(pk=pending.pk).state == ReleaseState.WITHDRAWN
    with pytest.raises(ValidationError):
        dis.approve_release(pending, acting_user=persona("supervisor.nca"))


# What the receiving side sees ----------------------------------------------------------


def test_the_receiving_agency_sees_the_report_only_after_approval(pending, persona, nca_report):
    dcpaf = [persona("analyst.dcpaf"), persona("officer.dcpaf")]
    for user in dcpaf:
        assert not Report.objects.visible_to(user).filter(pk=nca_report.pk).exists()
    dis.approve_release(pending, acting_user=persona("supervisor.nca"))
    for user in dcpaf:
        assert Report.objects.visible_to(user).filter(pk=nca_report.pk).exists()
    # TLP:AMBER: another French agency, not named, still does not see it.
    assert not Report.objects.visible_to(persona("investigator.ocriest")).filter(pk=nca_report.pk)


def test_the_subject_entities_go_with_the_released_report(persona):
    plate = EntityInput("vehicle", "AB 123 CD", "AB123CD", "PL")
    report = make_report(persona("analyst.nca"), entities=(plate,))
    release = ask(report)
    entity = report.entities.get()
    receiver = persona("analyst.dcpaf")
    assert not Entity.objects.visible_to(receiver).filter(pk=entity.pk).exists()
    dis.approve_release(release, acting_user=persona("supervisor.nca"))
    seen = Entity.objects.visible_to(receiver).filter(reports=report)
    assert [e.name for e in seen] == ["AB 123 CD"]


def test_a_sanitised_version_is_released_instead_of_the_original(nca_report, persona, agency):
    analyst = persona("analyst.nca")
    version = dis.create_sanitised_version(
        nca_report,
        acting_user=analyst,
        title="Lorries loading at Dunkirk",
        body="Lorries of the haulier load people at Dunkirk.",
        note="Source removed.",
    )
    assert version.sanitised_from_id == nca_report.pk
    assert (version.classification, version.tlp, version.releasability) == (
        nca_report.classification,
        nca_report.tlp,
        nca_report.releasability,
    )
    release = ask(nca_report, version=ReleaseVersion.SANITISED)
    assert release.released_report_id == version.pk
    dis.approve_release(release, acting_user=persona("supervisor.nca"))
    receiver = persona("analyst.dcpaf")
    seen = set(Report.objects.visible_to(receiver).values_list("pk", flat=True))
    assert version.pk in seen
    assert nca_report.pk not in seen
    original = Report.objects.get(pk=nca_report.pk)
    assert original.releasability == {"UK"}
    assert original.body == SOURCE_BODY
    assert Disclosure.objects.get(release=release).report_id == version.pk
    # The receiving side is told of the release, never of the original's id.
    response = login_api(receiver).get(f"/api/v1/intelligence/releases/{release.pk}")
    assert response.status_code == 200
    assert response.json()["report"] is None
    assert response.json()["released_report"] == version.pk


def test_a_sanitised_version_must_differ_from_the_original(nca_report, persona):
    before = counts()
    with pytest.raises(ValidationError) as refused:
        dis.create_sanitised_version(
            nca_report, acting_user=persona("analyst.nca"), title="T", body=SOURCE_BODY
        )
    assert "body" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        dis.create_sanitised_version(
            nca_report, acting_user=persona("gold.kent"), title="T", body="Other."
        )
    assert counts() == before


def test_asking_for_a_sanitised_release_without_a_sanitised_version_is_refused(
    nca_report, persona, agency
):
    before = counts()
    with pytest.raises(ValidationError) as refused:
        ask(nca_report, version=ReleaseVersion.SANITISED)
    assert "version" in refused.value.message_dict
    assert counts() == before


def test_the_released_report_shows_both_approvals(pending, persona, nca_report):
    dis.approve_release(pending, acting_user=persona("supervisor.nca"))
    receiver = persona("analyst.dcpaf")
    html = render_to_string(
        "intelligence/includes/report_sharing.html",
        {"report": Report.objects.get(pk=nca_report.pk), "user": receiver},
    )
    assert "Priya Shah" in html  # analyst.nca asked
    assert "Tom Hughes" in html  # supervisor.nca approved
    assert "DCPAF&nbsp;(FR)" in html and LEGAL in html
    body = login_api(receiver).get(f"/api/v1/intelligence/reports/{nca_report.pk}/releases").json()
    assert body[0]["requested"]["username"] == "analyst.nca"
    assert body[0]["approved"]["username"] == "supervisor.nca"


def test_the_receiving_side_never_hears_of_pending_or_refused_releases(pending, persona):
    assert not dis.visible_releases(persona("analyst.dcpaf")).exists()
    assert dis.visible_releases(persona("supervisor.nca")).filter(pk=pending.pk).exists()


# Audit ------------------------------------------------------------------------------------


def test_the_approval_is_audited_as_a_disclosure(pending, persona, nca_report):
    start = AuditEntry.objects.order_by("-seq").first().seq
    dis.approve_release(pending, acting_user=persona("supervisor.nca"))
    entries = AuditEntry.objects.filter(seq__gt=start)
    report_entries = entries.filter(object_type="intelligence.report", object_id=str(nca_report.pk))
    assert report_entries.filter(action=AuditAction.DISCLOSE).get().changes["recipients"] == [
        "DCPAF"
    ]
    assert "releasability" in report_entries.get(action=AuditAction.UPDATE).changes
    assert entries.filter(object_type="intelligence.disclosure", action=AuditAction.CREATE).count()
    release_entry = entries.get(object_type="intelligence.release")
    assert release_entry.changes["state"] == ["pending", "approved"]
    assert {e.actor_username for e in entries} == {"supervisor.nca"}


def test_asking_for_a_release_and_sanitising_are_audited(nca_report, persona, agency):
    start = AuditEntry.objects.order_by("-seq").first().seq
    version = dis.create_sanitised_version(
        nca_report, acting_user=persona("analyst.nca"), title="T", body="Clean.", note="Cut."
    )
    ask(nca_report)
    entries = AuditEntry.objects.filter(seq__gt=start, action=AuditAction.CREATE)
    assert entries.get(object_type="intelligence.report").object_id == str(version.pk)
    assert entries.get(object_type="intelligence.release").changes["agencies"] == ["DCPAF"]


# The ledger -------------------------------------------------------------------------------


@pytest.fixture
def both_ways(pending, persona, agency) -> tuple[Release, Release]:
    """NCA -> DCPAF, and DCPAF -> NCA and JBIU, both approved."""
    dis.approve_release(pending, acting_user=persona("supervisor.nca"))
    french = make_report(persona("officer.dcpaf"))
    back = ask(
        french,
        who="officer.dcpaf",
        codes=("NCA", "JBIU"),
        legal_basis="Accord de Sandhurst",
        purpose="Identifier le réseau",
    )
    dis.approve_release(back, acting_user=persona("analyst.dcpaf"))
    return pending, back


def test_each_country_has_its_ledger_of_what_it_disclosed_and_received(both_ways, persona):
    uk, fr = persona("supervisor.nca"), persona("analyst.dcpaf")
    out = LedgerFilter(direction=Direction.DISCLOSED)
    received = LedgerFilter(direction=Direction.RECEIVED)
    assert [(d.from_country, d.agency.code) for d in ledger.ledger_for(uk, out)] == [
        ("UK", "DCPAF")
    ]
    assert sorted(d.agency.code for d in ledger.ledger_for(uk, received)) == ["JBIU", "NCA"]
    assert [d.agency.code for d in ledger.ledger_for(fr, received)] == ["DCPAF"]
    assert sorted(d.agency.code for d in ledger.ledger_for(fr, out)) == ["JBIU", "NCA"]
    assert ledger.ledger_for(fr).count() == 3
    assert ledger.ledger_for(fr, LedgerFilter(agency="JBIU")).count() == 1
    today = Disclosure.objects.first().disclosed_at.date()
    assert ledger.ledger_for(fr, LedgerFilter(since=today, until=today)).count() == 3
    assert not ledger.ledger_for(fr, LedgerFilter(until=today.replace(year=2015))).exists()
    # An auditor of the Home Office reads the UK's ledger.
    assert ledger.ledger_for(persona("auditor.homeoffice")).count() == 3


@pytest.mark.parametrize("who", ["analyst.nca", "investigator.ocriest", "caseworker.lva"])
def test_the_ledger_is_for_approvers_and_auditors(both_ways, persona, who):
    with pytest.raises(PermissionDenied):
        ledger.ledger_for(persona(who))


def test_the_ledger_shows_a_title_only_to_those_who_may_read_the_report(both_ways, persona):
    lines = {d.agency.code: d for d in ledger.ledger_for(persona("auditor.homeoffice"))}
    assert not lines["DCPAF"].title_visible  # an auditor does not read intelligence


def test_the_ledger_page_and_its_csv_carry_the_marking(both_ways, login, persona):
    client = login("auditor.homeoffice")
    page = client.get("/intelligence/disclosures/?direction=received")
    assert page.status_code == 200
    assert "JBIU" in page.content.decode()
    start = AuditEntry.objects.order_by("-seq").first().seq
    response = client.get("/intelligence/disclosures.csv")
    assert response.status_code == 200
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("Marking,OFFICIAL-SENSITIVE") and "TLP:AMBER" in lines[0]
    assert lines[-1] == lines[0]
    assert len(lines) == 2 + 3 + 1
    export = AuditEntry.objects.get(seq__gt=start, action=AuditAction.EXPORT)
    assert export.changes["lines"] == 3
    assert login("analyst.nca").get("/intelligence/disclosures/").status_code == 403


def test_the_ledger_keeps_its_query_count_whatever_its_length(
    both_ways, login, django_assert_max_num_queries
):
    client = login("supervisor.nca")
    with django_assert_max_num_queries(20):
        assert client.get("/intelligence/disclosures/").status_code == 200


# API and pages ----------------------------------------------------------------------------


def login_api(user: User) -> Client:
    _, token = core_services.create_api_token(user, name="test", acting_user=None)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def test_the_api_asks_approves_and_lists_the_ledger(nca_report, persona):
    analyst = login_api(persona("analyst.nca"))
    url = f"/api/v1/intelligence/reports/{nca_report.pk}/releases"
    body = {"agencies": ["DCPAF"], "legal_basis": LEGAL, "purpose": PURPOSE}
    asked = analyst.post(url, json.dumps(body), content_type="application/json")
    assert asked.status_code == 201, asked.content
    release = asked.json()
    assert release["state"] == "pending" and release["agencies"] == ["DCPAF"]
    approve = f"/api/v1/intelligence/releases/{release['id']}/approve"
    own = analyst.post(approve, "{}", content_type="application/json")
    assert own.status_code == 422 and own["Content-Type"].startswith(PROBLEM)
    assert "An approval by the author" in own.json()["errors"][0]["message"]
    supervisor = login_api(persona("supervisor.nca"))
    done = supervisor.post(approve, "{}", content_type="application/json")
    assert done.status_code == 200
    assert done.json()["approved"]["username"] == "supervisor.nca"
    ledger = supervisor.get("/api/v1/intelligence/disclosures?direction=disclosed").json()
    assert ledger["count"] == 1 and ledger["items"][0]["recipient"] == "DCPAF"


def test_the_api_refuses_unknown_agencies_and_missing_fields(nca_report, persona):
    analyst = login_api(persona("analyst.nca"))
    url = f"/api/v1/intelligence/reports/{nca_report.pk}/releases"
    before = counts()
    unknown = {"agencies": ["NOPE"], "legal_basis": LEGAL, "purpose": PURPOSE}
    response = analyst.post(url, json.dumps(unknown), content_type="application/json")
    assert response.status_code == 422 and "NOPE" in response.json()["errors"][0]["message"]
    ngo = {"agencies": ["LVA"], "legal_basis": LEGAL, "purpose": PURPOSE}
    assert analyst.post(url, json.dumps(ngo), content_type="application/json").status_code == 422
    assert (
        analyst.post(
            url, json.dumps({"agencies": ["DCPAF"]}), content_type="application/json"
        ).status_code
        == 422
    )
    assert counts()[:5] == before[:5]


def test_the_pending_page_lets_a_second_approver_approve(pending, login, nca_report):
    client = login("supervisor.nca")
    page = client.get("/intelligence/releases/pending/")
    assert page.status_code == 200 and nca_report.reference in page.content.decode()
    response = client.post(f"/intelligence/releases/{pending.pk}/approve/", {"back": "pending"})
    assert response.status_code == 302
    assert Release.objects.get(pk=pending.pk).state == ReleaseState.APPROVED
    assert login("analyst.nca").get("/intelligence/releases/pending/").status_code == 403


def test_the_request_form_asks_for_a_release(nca_report, login, agency):
    client = login("analyst.nca")
    url = f"/intelligence/reports/{nca_report.pk}/release/"
    assert client.get(url).status_code == 200
    refused = client.post(url, {"agencies": [agency("DCPAF").pk], "version": "original"})
    assert refused.status_code == 200 and not Release.objects.exists()
    done = client.post(
        url,
        {
            "agencies": [agency("DCPAF").pk],
            "version": "original",
            "legal_basis": LEGAL,
            "purpose": PURPOSE,
        },
    )
    assert done.status_code == 302
    assert Release.objects.get().requested_by.username == "analyst.nca"
    assert login("officer.dcpaf").get(url).status_code == 404


def test_the_sanitise_form_writes_a_version(nca_report, login):
    client = login("analyst.nca")
    url = f"/intelligence/reports/{nca_report.pk}/sanitise/"
    assert client.get(url).status_code == 200
    done = client.post(url, {"title": "Clean", "body": "Lorries load at Dunkirk.", "note": ""})
    assert done.status_code == 302
    assert Report.objects.get(sanitised_from=nca_report).title == "Clean"


def test_agencies_are_sorted_out_of_codes(agency):
    assert [a.code for a in dis.agencies_from_codes(["dcpaf", " JBIU "])] == ["DCPAF", "JBIU"]
    assert isinstance(agency("DCPAF"), Agency)


# Demo -------------------------------------------------------------------------------------


def test_the_demo_releases_both_ways_once_and_leaves_one_pending(persona):
    from entente.demo import intelligence_dissemination as demo

    demo.load()  # no report yet: nothing to release, and no error
    assert not Release.objects.exists()
    make_report(persona("analyst.nca"))
    make_report(persona("officer.dcpaf"), body="Un informateur signale des départs. Suite.")
    demo.load()
    demo.load()
    releases = {r.agencies.get().code: r for r in Release.objects.all()}
    assert set(releases) == {"DCPAF", "NCA", "PAF"}
    assert releases["DCPAF"].state == releases["NCA"].state == ReleaseState.APPROVED
    assert releases["NCA"].version == ReleaseVersion.SANITISED
    assert releases["PAF"].state == ReleaseState.PENDING
    assert Disclosure.objects.count() == 2


def test_the_demo_releases_the_reports_demos_reports(db):
    from entente.demo import intelligence_dissemination, intelligence_reports

    intelligence_reports.load()
    intelligence_dissemination.load()
    intelligence_dissemination.load()
    states = sorted(
        (r.report.originator.code, r.agencies.get().code, r.version, r.state)
        for r in Release.objects.select_related("report__originator")
    )
    assert states == [
        ("DCPAF", "NCA", ReleaseVersion.SANITISED, ReleaseState.APPROVED),
        ("NCA", "DCPAF", ReleaseVersion.ORIGINAL, ReleaseState.APPROVED),
        ("NCA", "PAF", ReleaseVersion.ORIGINAL, ReleaseState.PENDING),
    ]
    for release in Release.objects.filter(state=ReleaseState.APPROVED):
        assert release.requested_by_id != release.decided_by_id
        assert Disclosure.objects.filter(release=release).count() == 1
