"""The unified command: watch handovers at the control rooms, and decisions signed by both
gold commanders (services, pages in English and French, the API)."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from entente.control_room.choices import DecisionState, IncidentState
from entente.control_room.models import Decision, DecisionSignature, Incident, WatchHandover
from entente.control_room.services import AlertItem, ingest_alerts
from entente.control_room.services import command as services
from entente.core import services as core_services
from entente.core.choices import TLP, Classification, Module, Role
from entente.core.models import Agency, AuditEntry, Site, User
from entente.demo.load import load_command
from tests.conftest import verified_login
from tests.i18n.test_french_pages import english_left, french_client

EIGHT_HOURS = dt.timedelta(hours=8)


@pytest.fixture(autouse=True)
def _english(db):
    """Every persona reads English here, unless a test turns one French (french_client)."""
    User.objects.update(language="en")


def alert(sensor: str, event: str, minutes_ago: int, kind: str = "intrusion") -> AlertItem:
    return AlertItem(sensor, event, timezone.now() - dt.timedelta(minutes=minutes_ago), kind, 0.95)


def hand_over(persona, username="operator.eurotunnel", site="COQ-CCC", **fields):
    values = {
        "watch_started_at": timezone.now() - EIGHT_HOURS,
        "summary": "Quiet night; fence alarm at the platforms still open.",
        "language": "en",
    }
    values.update(fields)
    return services.hand_over_watch(
        Site.objects.get(code=site), acting_user=persona(username), **values
    )


def decide(persona, username="leader.borderforce", **fields):
    values = {
        "title": "Freight search teams on duty 24/7",
        "situation": "About 1,700 intrusion attempts a day in July.",
        "decision": "Deploy additional freight search teams around the clock.",
        "rationale": "Searches at the platforms find people before boarding.",
        "options": "Patrols only; more fences only.",
        "risks": "Overtime of the teams.",
        "language": "en",
    }
    values.update(fields)
    return services.record_decision(acting_user=persona(username), **values)


# Watch handovers ----------------------------------------------------------------------------


@pytest.fixture
def incidents(persona):
    """Open incidents at Coquelles (platforms, fence) and Folkestone, one Coquelles closed."""
    operator = persona("operator.eurotunnel")
    outcomes = ingest_alerts(
        [
            alert("COQ-PLAT-CCTV-01", "h1", 90),
            alert("COQ-FENCE-DET-01", "h2", 60, "fence_breach"),
            alert("CAL-RING-CCTV-01", "h3", 50),
            alert("FOL-PLAT-CO2-01", "h4", 30, "co2"),
        ],
        acting_user=operator,
    )
    ids = {o.incident for o in outcomes}
    by_zone = {i.zone.code: i for i in Incident.objects.filter(pk__in=ids).select_related("zone")}
    # The closing itself belongs to the outcomes; here only its result matters.
    Incident.objects.filter(pk=by_zone["CAL-RING"].pk).update(
        state=IncidentState.CLOSED, closed_at=timezone.now()
    )
    return by_zone


def test_a_handover_keeps_the_open_incidents_of_its_countrys_zones(persona, incidents):
    handover = hand_over(persona)
    kept = {row["id"]: row for row in handover.open_incidents}
    assert set(kept) == {incidents["COQ-PLAT"].pk, incidents["COQ-FENCE"].pk}
    fence = kept[incidents["COQ-FENCE"].pk]
    assert fence["kind"] == "fence_breach" and fence["state"] == "new"
    assert fence["severity"] == incidents["COQ-FENCE"].severity and fence["zone"] == "COQ-FENCE"
    folkestone = hand_over(persona, "leader.borderforce", site="FOL-CCC")
    assert [row["id"] for row in folkestone.open_incidents] == [incidents["FOL-PLAT"].pk]


def test_a_handover_is_marked_for_both_countries_and_audited(persona):
    handover = hand_over(persona)
    assert handover.classification == Classification.OFFICIAL
    assert handover.releasability == {"FR", "UK"} and handover.tlp == TLP.GREEN
    assert handover.originator.code == "EUROTUNNEL"
    assert handover.watch_ended_at > handover.watch_started_at
    assert AuditEntry.objects.filter(
        object_type="control_room.watchhandover", object_id=str(handover.pk), action="create"
    ).exists()


def test_the_snapshot_holds_only_incidents_the_operator_may_see(persona, incidents):
    Incident.objects.filter(pk=incidents["COQ-PLAT"].pk).update(
        tlp=TLP.AMBER, originator=Agency.objects.get(code="PAF")
    )
    ids = [row["id"] for row in hand_over(persona).open_incidents]
    assert ids == [incidents["COQ-FENCE"].pk]


def test_watches_are_handed_over_at_a_command_centre(persona):
    with pytest.raises(ValidationError) as exc:
        hand_over(persona, site="COQ-TERM")
    assert "site" in exc.value.message_dict


@pytest.mark.parametrize(
    "start",
    [dt.timedelta(hours=-1), dt.timedelta(hours=30)],
    ids=["in the future", "longer than a day"],
)
def test_a_watch_start_must_be_plausible(persona, start):
    with pytest.raises(ValidationError) as exc:
        hand_over(persona, watch_started_at=timezone.now() - start)
    assert "watch_started_at" in exc.value.message_dict
    assert not WatchHandover.objects.exists()


def test_a_handover_needs_a_summary(persona):
    with pytest.raises(ValidationError) as exc:
        hand_over(persona, summary="   ")
    assert "summary" in exc.value.message_dict


def test_a_viewer_cannot_hand_over_or_take_over(persona):
    with pytest.raises(PermissionDenied):
        hand_over(persona, "gendarme.egm")
    handover = hand_over(persona)
    with pytest.raises(PermissionDenied):
        services.accept_handover(handover, acting_user=persona("gendarme.egm"))


def test_the_outgoing_operator_cannot_take_over_their_own_watch(persona):
    handover = hand_over(persona)
    with pytest.raises(ValidationError), translation.override("en"):
        services.accept_handover(handover, acting_user=persona("operator.eurotunnel"))
    handover.refresh_from_db()
    assert handover.accepted_at is None and handover.incoming is None


def test_an_incoming_operator_takes_over_once(persona):
    handover = hand_over(persona)
    accepted = services.accept_handover(handover, acting_user=persona("leader.borderforce"))
    assert accepted.incoming.username == "leader.borderforce" and accepted.accepted_at
    with pytest.raises(ValidationError):
        services.accept_handover(handover, acting_user=persona("gold.pn"))
    handover.refresh_from_db()
    assert handover.incoming.username == "leader.borderforce"
    assert AuditEntry.objects.filter(
        object_type="control_room.watchhandover", object_id=str(handover.pk), action="update"
    ).exists()


def test_an_operator_hands_over_on_the_page_and_another_accepts(login, persona, incidents):
    outgoing = login("operator.eurotunnel")
    page = outgoing.get("/control-room/watch/", {"site": "COQ-CCC"})
    html = page.content.decode()
    assert page.status_code == 200
    assert f'href="/control-room/incidents/{incidents["COQ-PLAT"].pk}/"' in html  # for reference
    zone = zoneinfo.ZoneInfo(persona("operator.eurotunnel").zone)
    started = timezone.localtime(timezone.now() - EIGHT_HOURS, zone)
    response = outgoing.post(
        "/control-room/watch/?site=COQ-CCC",
        {
            "site": "COQ-CCC",
            "watch_started_at": started.strftime("%Y-%m-%dT%H:%M"),
            "summary": "Relève : alarme clôture toujours ouverte.",
            "language": "fr",
        },
    )
    assert response.status_code == 302
    handover = WatchHandover.objects.get()
    assert handover.site.code == "COQ-CCC" and handover.language == "fr"
    assert len(handover.open_incidents) == 2
    assert "Accept and take the watch over" not in outgoing.get(response.url).content.decode()

    incoming = login("leader.borderforce")
    html = incoming.get("/control-room/watch/?site=COQ-CCC").content.decode()
    assert "Accept and take the watch over" in html and 'lang="fr"' in html
    incoming.post(f"/control-room/watch/{handover.pk}/accept/")
    handover.refresh_from_db()
    assert handover.incoming.username == "leader.borderforce"


def test_a_refused_handover_is_shown_on_the_form(login):
    client = login("leader.borderforce")
    response = client.post(
        "/control-room/watch/?site=COQ-CCC",
        {
            "site": "COQ-CCC",
            "watch_started_at": "2015-08-20T06:00",
            "summary": "x",
            "language": "en",
        },
    )
    assert response.status_code == 200
    assert "A watch lasts at most 24 hours" in response.content.decode()
    assert not WatchHandover.objects.exists()


# Decisions --------------------------------------------------------------------------------


def test_a_decision_is_joint_and_awaits_both_gold_commanders(persona):
    decision = decide(persona)
    assert decision.classification == Classification.OFFICIAL_SENSITIVE
    assert decision.releasability == {"FR", "UK"} and decision.tlp == TLP.GREEN
    assert decision.originator.code == "BF" and decision.state == DecisionState.DRAFT
    assert services.awaiting(decision) == ["FR", "UK"]
    assert AuditEntry.objects.filter(
        object_type="control_room.decision", object_id=str(decision.pk), action="create"
    ).exists()


def test_only_editors_cleared_to_official_sensitive_record_decisions(persona):
    with pytest.raises(PermissionDenied):
        decide(persona, "analyst.nca")  # viewer of the joint command
    with pytest.raises(PermissionDenied):
        decide(persona, "operator.eurotunnel")  # editor, cleared to OFFICIAL only
    assert not Decision.objects.exists()


def test_a_decision_needs_what_and_why(persona):
    with pytest.raises(ValidationError) as exc:
        decide(persona, rationale=" ")
    assert "rationale" in exc.value.message_dict


def test_a_gold_commander_who_is_not_one_cannot_sign(persona):
    decision = decide(persona)
    for username in ("leader.borderforce", "analyst.dcpaf"):
        with pytest.raises(PermissionDenied):
            services.sign_decision(decision, acting_user=persona(username))
    assert not DecisionSignature.objects.exists()


def test_a_country_signs_once(persona):
    decision = decide(persona)
    services.sign_decision(decision, acting_user=persona("gold.kent"))
    with pytest.raises(ValidationError):
        services.sign_decision(decision, acting_user=persona("gold.kent"))
    deputy = core_services.create_user(
        username="gold.kent.deputy",
        agency=Agency.objects.get(code="KENTPOL"),
        acting_user=None,
        clearance=Classification.SECRET,
        roles={Module.COMMAND: Role.APPROVER},
    )
    with pytest.raises(ValidationError) as exc, translation.override("en"):
        services.sign_decision(decision, acting_user=deputy)
    assert "United Kingdom" in exc.value.messages[0]
    assert decision.signatures.count() == 1
    decision.refresh_from_db()
    assert decision.state == DecisionState.DRAFT


def test_both_signatures_make_the_decision_signed(persona):
    decision = decide(persona)
    services.sign_decision(decision, acting_user=persona("gold.kent"))
    assert Decision.objects.get(pk=decision.pk).state == DecisionState.DRAFT
    signed = services.sign_decision(decision, acting_user=persona("gold.pn"))
    assert signed.state == DecisionState.SIGNED and services.awaiting(signed) == []
    by_country = {s.country.code: s.signer.username for s in signed.signatures.all()}
    assert by_country == {"UK": "gold.kent", "FR": "gold.pn"}
    assert AuditEntry.objects.filter(object_type="control_room.decisionsignature").count() == 2


def test_a_signed_decision_can_no_longer_be_changed(persona):
    decision = decide(persona)
    services.sign_decision(decision, acting_user=persona("gold.kent"))
    services.sign_decision(decision, acting_user=persona("gold.pn"))
    with pytest.raises(ValidationError):
        services.update_decision(
            decision, acting_user=persona("leader.borderforce"), decision="Something else."
        )
    with pytest.raises(ValidationError):
        services.sign_decision(decision, acting_user=persona("gold.kent"))
    assert Decision.objects.get(pk=decision.pk).decision.startswith("Deploy additional")


def test_a_decision_is_frozen_from_the_first_signature(persona):
    decision = decide(persona)
    services.sign_decision(decision, acting_user=persona("gold.pn"))
    with pytest.raises(ValidationError):
        services.update_decision(decision, acting_user=persona("leader.borderforce"), title="X")


def test_the_author_corrects_a_decision_nobody_has_signed(persona):
    decision = decide(persona)
    services.update_decision(
        decision, acting_user=persona("leader.borderforce"), risks="Overtime; fatigue."
    )
    assert Decision.objects.get(pk=decision.pk).risks == "Overtime; fatigue."
    with pytest.raises(PermissionDenied):
        services.update_decision(decision, acting_user=persona("gold.kent"), risks="")


def test_the_decision_page_shows_both_signature_blocks(login, persona):
    decision = decide(persona)
    url = f"/control-room/decisions/{decision.pk}/"
    services.sign_decision(decision, acting_user=persona("gold.kent"))
    html = login("gold.pn").get(url).content.decode()
    assert "Helen Morgan" in html and "Kent Police" in html and "United Kingdom" in html
    assert "Awaiting the signature of the French gold commander." in html
    assert "Sign this decision" in html
    assert "Sign this decision" not in login("gold.kent").get(url).content.decode()

    response = login("gold.pn").post(f"{url}sign/")
    assert response.status_code == 302
    html = login("leader.borderforce").get(url).content.decode()
    assert "Philippe Marchand" in html and "National Police" in html and "France" in html
    assert "Awaiting the signature" not in html and "Signed by both gold commanders" in html
    assert "Sign this decision" not in html and f"/decisions/{decision.pk}/edit/" not in html


def test_a_decision_is_recorded_on_the_page(login):
    client = login("leader.borderforce")
    response = client.post(
        "/control-room/decisions/new/",
        {
            "title": "Fences along the ring road",
            "decision": "Fence the ring-road access to the port.",
            "rationale": "Lorries slow down there.",
            "language": "en",
        },
    )
    decision = Decision.objects.get()
    assert response.status_code == 302 and response.url == f"/control-room/decisions/{decision.pk}/"
    listing = client.get("/control-room/decisions/").content.decode()
    assert "Fences along the ring road" in listing and "Awaiting signatures" in listing


def test_the_edit_page_of_a_signed_decision_sends_back_to_it(login, persona):
    decision = decide(persona)
    services.sign_decision(decision, acting_user=persona("gold.pn"))
    response = login("leader.borderforce").get(f"/control-room/decisions/{decision.pk}/edit/")
    assert response.status_code == 302


def test_the_demo_has_signed_and_awaiting_decisions_and_handovers(db):
    load_command()
    load_command()  # a second run changes nothing
    states = sorted(Decision.objects.values_list("state", flat=True))
    assert states == ["draft", "signed", "signed"]
    awaiting = Decision.objects.get(state="draft")
    assert services.awaiting(awaiting) == ["FR"]
    sites = sorted(WatchHandover.objects.values_list("site__code", flat=True))
    assert sites == ["COQ-CCC", "FOL-CCC"]


# French -----------------------------------------------------------------------------------


def english_in_content(html: str) -> list[str]:
    """English left in the page's own content; the menu (other apps' entries) is checked by
    tests/i18n for every page."""
    start, end = html.index("<main"), html.index("</main>") + len("</main>")
    return english_left(f'<html lang="fr"><body>{html[start:end]}</body></html>')


def test_the_command_pages_in_french(persona):
    signed_by_uk = decide(persona)
    services.sign_decision(signed_by_uk, acting_user=persona("gold.kent"))
    own = decide(
        persona,
        "gold.pn",
        title="Clôtures le long de la rocade",
        situation="",
        decision="Clôturer l’accès par la rocade.",
        rationale="Les camions y ralentissent.",
        options="",
        risks="",
        language="fr",
    )
    hand_over(persona)
    client = french_client("gold.pn")
    pages = {
        "/control-room/watch/?site=COQ-CCC": "Relèves de vacation",
        "/control-room/decisions/": "Registre des décisions",
        f"/control-room/decisions/{signed_by_uk.pk}/": (
            "En attente de la signature du commandant « gold » français"
        ),
        "/control-room/decisions/new/": "Consigner une décision",
        f"/control-room/decisions/{own.pk}/edit/": "Modifier la décision",
    }
    for url, expected in pages.items():
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert expected in html, url
        assert english_in_content(html) == [], url


def test_an_operator_in_french_hands_over(persona):
    hand_over(persona, "leader.borderforce")
    client = french_client("operator.eurotunnel")
    html = client.get("/control-room/watch/").content.decode()
    assert "Passer la relève" in html and "Accepter et prendre la relève" in html
    assert english_in_content(html) == []


# API --------------------------------------------------------------------------------------


def api(client, method, url, body=None):
    response = getattr(client, method)(
        f"/api/v1{url}",
        data=json.dumps(body) if body is not None else None,
        content_type="application/json",
    )
    return response.status_code, response.json()


def test_the_decision_log_through_the_api(login, persona):
    status, created = api(
        login("leader.borderforce"),
        "post",
        "/decisions",
        {
            "title": "Joint command and control centre at Coquelles",
            "decision": "Open the joint centre with staff of both countries.",
            "rationale": "Exchange operational intelligence daily.",
            "language": "en",
        },
    )
    assert status == 201 and created["awaiting"] == ["FR", "UK"] and created["state"] == "draft"
    url = f"/decisions/{created['id']}/signatures"
    status, problem = api(login("leader.borderforce"), "post", url)
    assert status == 403 and problem["status"] == 403
    assert api(login("gold.kent"), "post", url)[0] == 201
    status, problem = api(login("gold.kent"), "post", url)
    assert status == 422
    status, signed = api(login("gold.pn"), "post", url)
    assert status == 201 and signed["state"] == "signed" and signed["awaiting"] == []
    assert {s["country"] for s in signed["signatures"]} == {"FR", "UK"}
    assert {s["name"] for s in signed["signatures"]} == {"Helen Morgan", "Philippe Marchand"}


def test_a_watch_handover_through_the_api(login):
    start = (timezone.now() - EIGHT_HOURS).isoformat()
    body = {"site": "FOL-CCC", "watch_started_at": start, "summary": "Quiet.", "language": "en"}
    status, created = api(login("leader.borderforce"), "post", "/watch-handovers", body)
    assert status == 201 and created["outgoing"] == "leader.borderforce"
    assert created["incoming"] is None
    bad = {**body, "site": "COQ-TERM"}
    assert api(login("leader.borderforce"), "post", "/watch-handovers", bad)[0] == 422
    url = f"/watch-handovers/{created['id']}/accept"
    assert api(login("leader.borderforce"), "post", url)[0] == 422
    status, accepted = api(login("gold.kent"), "post", url)
    assert status == 200 and accepted["incoming"] == "gold.kent"
    status, listed = api(login("gendarme.egm"), "get", "/watch-handovers?site=FOL-CCC")
    assert status == 200 and [h["id"] for h in listed["items"]] == [created["id"]]


def test_the_demo_decisions_are_seen_by_people_cleared_for_them(client, persona):
    load_command()
    seen = verified_login(client, persona("gendarme.egm")).get("/control-room/decisions/")
    assert "No decision recorded." in seen.content.decode()  # cleared to OFFICIAL only
    seen = verified_login(client, persona("analyst.nca")).get("/control-room/decisions/")
    for title in ("Additional freight search teams", "Centre conjoint", "Security fences"):
        assert title in seen.content.decode()


def test_the_lists_do_not_grow_queries_with_rows(login, persona):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login("leader.borderforce")
    urls = [
        "/api/v1/decisions",
        "/control-room/decisions/",
        "/api/v1/watch-handovers",
        "/control-room/watch/?site=COQ-CCC",
    ]

    def counts() -> list[int]:
        found = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            found.append(len(queries))
        return found

    def one_more(n: int) -> None:
        decision = decide(persona, title=f"Decision {n}")
        services.sign_decision(decision, acting_user=persona("gold.kent"))
        hand_over(persona, summary=f"Watch {n}.")

    one_more(0)
    before = counts()
    for n in range(1, 4):
        one_more(n)
    after = counts()
    assert all(a <= b for a, b in zip(after, before, strict=True)), (before, after)
