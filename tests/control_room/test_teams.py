"""Teams, the 24/7 roster and its gaps, dispatches: what operators and team leaders rely on.

The demo's teams and roster (loaded once for the session, around the day the suite runs) are
there; tests that need their own make teams with call signs of their own (``T-...``).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import zoneinfo

import polib
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from django.utils import timezone, translation

from entente.control_room.choices import DispatchState, IncidentState, ShiftSlot, TeamKind
from entente.control_room.models import Dispatch, Incident, Shift, Team
from entente.control_room.services import AlertItem, ingest_alerts
from entente.control_room.services import teams as services
from entente.core import services as core_services
from entente.core.choices import AuditAction, SiteKind
from entente.core.models import Agency, AuditEntry, AuditHead, Country, Site, User
from tests.i18n.test_french_pages import CATALOGUE, english_left

PARIS, LONDON = "Europe/Paris", "Europe/London"
UTC = dt.UTC


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def make_team(code: str, site: str = "COQ-TERM", agency: str = "BF", **extra: object) -> Team:
    fields: dict[str, object] = {
        "name_en": f"Test team {code}",
        "name_fr": f"Équipe d’essai {code}",
        "kind": TeamKind.FREIGHT_SEARCH,
        "agency": Agency.objects.get(code=agency),
        "site": Site.objects.get(code=site),
    }
    fields.update(extra)
    return services.upsert_team(code=code, acting_user=None, **fields)  # type: ignore[arg-type]


def on_duty_now(team: Team) -> Shift:
    """Put a team on the roster for the shift in progress at its base."""
    day, slot = services.slot_at(team.site.timezone, timezone.now())
    return services.add_shift(team, day, slot, acting_user=None)


def new_incident(zone_sensor: str = "COQ-PLAT-CCTV-01", event: str = "t-1") -> Incident:
    outcome = ingest_alerts(
        [AlertItem(zone_sensor, event, timezone.now() - dt.timedelta(seconds=5), "intrusion", 0.8)],
        acting_user=User.objects.get(username="operator.eurotunnel"),
    )[0]
    return Incident.objects.get(pk=outcome.incident)


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English unless a test asks for French (a French persona's page
    earlier in the thread would otherwise leave French active)."""
    with translation.override("en"):
        yield


@pytest.fixture
def operator(persona):
    return persona("operator.eurotunnel")


@pytest.fixture
def leader(persona):
    return persona("leader.borderforce")


@pytest.fixture
def team(db, leader) -> Team:
    """A Border Force freight search team at Coquelles, led by the leader, on duty now."""
    team = make_team("T-BF-1", leader=leader)
    on_duty_now(team)
    return team


@pytest.fixture
def incident(db) -> Incident:
    return new_incident()


@pytest.fixture
def bearer(db):
    def make(username: str) -> Client:
        _, token = core_services.create_api_token(
            User.objects.get(username=username), name="t", acting_user=None
        )
        return Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    return make


def same_in_both() -> list[str]:
    """Words the catalogue spells alike in both languages ("Incident", "Zone", "Site")."""
    return sorted({e.msgid for e in polib.pofile(str(CATALOGUE)) if e.msgid == e.msgstr}, key=len)[
        ::-1
    ]


def main_part(html: str) -> str:
    """The page's own content (the menu and the layout are checked by tests/i18n), without
    the words that are French too: a message such as "Incident {id} is closed", translated
    "L’incident…", would otherwise make every "Incident 12" on a French page look English."""
    start, end = html.index("<main"), html.index("</main>") + len("</main>")
    head = html[: html.index("<head")]
    main = html[start:end]
    for word in same_in_both():
        main = re.sub(rf"(?<![\w-]){re.escape(word)}(?![\w-])", " ", main)
    return f"{head}<body>{main}</body></html>"


def french(login, username: str) -> Client:
    user = User.objects.get(username=username)
    user.language = "fr"
    user.save(update_fields=["language"])
    return login(username)


# The roster across the clock changes --------------------------------------------------------


@pytest.mark.parametrize(
    ("site", "day", "starts", "ends", "hours"),
    [
        # Last Sunday of March 2026: 02:00 becomes 03:00 in Paris, 01:00 becomes 02:00 in London.
        ("COQ-TERM", dt.date(2026, 3, 28), utc(2026, 3, 28, 21), utc(2026, 3, 29, 4), 7),
        ("FOL-TERM", dt.date(2026, 3, 28), utc(2026, 3, 28, 22), utc(2026, 3, 29, 5), 7),
        # Last Sunday of October 2026: the clocks go back an hour.
        ("COQ-TERM", dt.date(2026, 10, 24), utc(2026, 10, 24, 20), utc(2026, 10, 25, 5), 9),
        ("FOL-TERM", dt.date(2026, 10, 24), utc(2026, 10, 24, 21), utc(2026, 10, 25, 6), 9),
    ],
)
def test_the_night_of_a_clock_change_follows_the_site_wall_clock(
    db, site, day, starts, ends, hours
):
    team = make_team("T-DST", site=site)
    shift = services.add_shift(team, day, ShiftSlot.NIGHT, acting_user=None)
    assert (shift.starts_at, shift.ends_at) == (starts, ends)
    assert shift.ends_at - shift.starts_at == dt.timedelta(hours=hours)
    local = shift.ends_at.astimezone(zoneinfo.ZoneInfo(team.site.timezone))
    assert (local.hour, local.minute) == (6, 0)


@pytest.mark.parametrize("site", ["COQ-TERM", "FOL-TERM"])
@pytest.mark.parametrize("sunday", [dt.date(2026, 3, 29), dt.date(2026, 10, 25)])
def test_the_slots_follow_each_other_without_gap_or_overlap_across_a_change(db, site, sunday):
    slots = services.coverage(Site.objects.get(code=site), sunday - dt.timedelta(days=1), sunday)
    assert len(slots) == 6
    for before, after in itertools.pairwise(slots):
        assert before.ends_at == after.starts_at
    # The early shift of the Sunday starts at 06:00 local, in the new offset.
    early = next(s for s in slots if s.day == sunday and s.slot == ShiftSlot.EARLY)
    zone = zoneinfo.ZoneInfo(Site.objects.get(code=site).timezone)
    assert early.starts_at.astimezone(zone).hour == 6


def test_the_shift_in_progress_is_found_at_three_in_the_morning():
    # 03:00 in Paris on Tuesday 24 November 2026 is Monday's night.
    assert services.slot_at(PARIS, utc(2026, 11, 24, 2)) == (dt.date(2026, 11, 23), "night")
    assert services.slot_at(LONDON, utc(2026, 11, 24, 14)) == (dt.date(2026, 11, 24), "late")


# The roster ---------------------------------------------------------------------------------


def test_a_team_goes_on_the_roster_once_per_shift_and_the_refusal_is_translated(operator):
    team = make_team("T-ONCE")
    services.add_shift(team, dt.date(2030, 1, 7), ShiftSlot.EARLY, acting_user=operator)
    with pytest.raises(ValidationError) as refused, translation.override("fr"):
        services.add_shift(team, dt.date(2030, 1, 7), ShiftSlot.EARLY, acting_user=operator)
    message = refused.value.message_dict["team"][0]
    assert "T-ONCE" in message and "déjà" in message
    assert Shift.objects.filter(team=team).count() == 1


def test_putting_a_team_on_the_roster_is_audited_with_its_author(operator):
    team = make_team("T-AUDIT")
    head = AuditHead.objects.get().seq
    shift = services.add_shift(team, dt.date(2030, 1, 8), ShiftSlot.LATE, acting_user=operator)
    entry = AuditEntry.objects.get(seq=head + 1)
    assert (entry.action, entry.object_type, entry.object_id, entry.actor_username) == (
        AuditAction.CREATE,
        "control_room.shift",
        str(shift.pk),
        "operator.eurotunnel",
    )
    assert shift.created_by == operator


def test_a_viewer_cannot_change_the_roster(persona):
    team = make_team("T-VIEW")
    with pytest.raises(PermissionDenied):
        services.add_shift(
            team, dt.date(2030, 1, 7), ShiftSlot.EARLY, acting_user=persona("gendarme.egm")
        )
    assert not Shift.objects.filter(team=team).exists()


def test_a_stood_down_team_cannot_go_on_the_roster(operator):
    team = make_team("T-DOWN", active=False)
    with pytest.raises(ValidationError, match="stood down"):
        services.add_shift(team, dt.date(2030, 1, 7), ShiftSlot.EARLY, acting_user=operator)


def test_a_day_no_clock_can_hold_is_refused_with_a_reason(operator):
    team = make_team("T-FAR")
    with pytest.raises(ValidationError) as refused:
        services.add_shift(team, dt.date(9999, 12, 31), ShiftSlot.NIGHT, acting_user=operator)
    assert "day" in refused.value.message_dict


def test_removing_a_shift_is_audited_and_frees_the_slot(operator):
    team = make_team("T-RM")
    shift = services.add_shift(team, dt.date(2030, 1, 9), ShiftSlot.NIGHT, acting_user=operator)
    head = AuditHead.objects.get().seq
    services.remove_shift(shift, acting_user=operator)
    entry = AuditEntry.objects.get(seq=head + 1)
    assert (entry.action, entry.object_id) == (AuditAction.DELETE, str(shift.pk))
    assert entry.changes["before"]["slot"] == "night"
    services.add_shift(team, dt.date(2030, 1, 9), ShiftSlot.NIGHT, acting_user=operator)


def test_copying_last_week_fills_this_week_once(operator):
    team, other = make_team("T-CP1"), make_team("T-CP2")
    last = dt.date(2030, 1, 7)  # a Monday
    services.add_shift(team, last, ShiftSlot.EARLY, acting_user=operator)
    services.add_shift(other, last + dt.timedelta(days=3), ShiftSlot.NIGHT, acting_user=operator)
    site = Site.objects.get(code="COQ-TERM")
    this = last + dt.timedelta(days=7)
    added = services.copy_week(site, source_start=last, target_start=this, acting_user=operator)
    assert sorted((s.team.code, s.day, s.slot) for s in added) == [
        ("T-CP1", this, "early"),
        ("T-CP2", this + dt.timedelta(days=3), "night"),
    ]
    again = services.copy_week(site, source_start=last, target_start=this, acting_user=operator)
    assert again == []


# Coverage and its gaps ----------------------------------------------------------------------


@pytest.fixture
def dover(db) -> Site:
    """A site of its own, needing two freight search teams and one mobile unit per shift."""
    site = core_services.upsert_site(
        code="T-DOVER",
        acting_user=None,
        country=Country.objects.get(code="UK"),
        kind=SiteKind.PORT,
        latitude="51.120000",
        longitude="1.330000",
        name_en="Port of Dover",
        name_fr="Port de Douvres",
    )
    services.upsert_coverage_requirement(
        site=site, team_kind=TeamKind.FREIGHT_SEARCH, minimum=2, acting_user=None
    )
    services.upsert_coverage_requirement(
        site=site, team_kind=TeamKind.MOBILE_UNIT, minimum=1, acting_user=None
    )
    return site


def test_coverage_counts_the_teams_on_duty_per_kind_against_the_requirement(dover):
    day = dt.date(2030, 1, 7)
    searchers = [make_team(f"T-DV-{n}", site="T-DOVER") for n in (1, 2)]
    unit = make_team("T-DV-MU", site="T-DOVER", kind=TeamKind.MOBILE_UNIT, agency="KENTPOL")
    for team in [*searchers, unit]:
        services.add_shift(team, day, ShiftSlot.EARLY, acting_user=None)
    services.add_shift(searchers[0], day, ShiftSlot.LATE, acting_user=None)
    slots = {s.slot: s for s in services.coverage(dover, day, day)}
    early, late, night = slots["early"], slots["late"], slots["night"]
    assert not early.gap
    assert [(k.kind, k.on_duty, k.required) for k in early.kinds] == [
        ("freight_search", 2, 2),
        ("mobile_unit", 1, 1),
    ]
    assert [(k.kind, k.short) for k in late.gaps] == [("freight_search", 1), ("mobile_unit", 1)]
    assert [(k.kind, k.short) for k in night.gaps] == [("freight_search", 2), ("mobile_unit", 1)]


def test_gaps_in_the_coming_days_are_flagged_ahead_and_a_full_shift_is_not(dover):
    searchers = [make_team(f"T-DV-{n}", site="T-DOVER") for n in (1, 2)]
    unit = make_team("T-DV-MU", site="T-DOVER", kind=TeamKind.MOBILE_UNIT, agency="KENTPOL")
    start = timezone.now()
    # Every shift of the next eight days is full, except tomorrow's late: one searcher short.
    today = start.astimezone(zoneinfo.ZoneInfo(LONDON)).date()
    tomorrow = today + dt.timedelta(days=1)
    for offset in range(-1, 9):
        day = today + dt.timedelta(days=offset)
        for slot in ShiftSlot.values:
            for team in [*searchers, unit]:
                if (day, slot, team.code) != (tomorrow, "late", "T-DV-2"):
                    services.add_shift(team, day, slot, acting_user=None)
    gaps = [g for g in services.coverage_gaps() if g.site.code == "T-DOVER"]
    assert [(g.day, g.slot) for g in gaps] == [(tomorrow, "late")]
    assert [(k.kind, k.on_duty, k.required, [t.code for t in k.teams]) for k in gaps[0].gaps] == [
        ("freight_search", 1, 2, ["T-DV-1"])
    ]
    # A window that ends before tomorrow's late shift sees nothing at Dover.
    early_end = gaps[0].starts_at
    assert not [g for g in services.coverage_gaps(start, early_end) if g.site.code == "T-DOVER"]


def test_a_stood_down_team_no_longer_covers_its_shifts(dover, operator):
    team = make_team("T-DV-1", site="T-DOVER")
    day = dt.date(2030, 1, 7)
    services.add_shift(team, day, ShiftSlot.EARLY, acting_user=None)
    make_team("T-DV-1", site="T-DOVER", active=False)
    early = services.coverage(dover, day, day)[0]
    assert early.kinds[0].on_duty == 0 and early.gap


def test_the_demo_roster_leaves_one_gap_and_the_incident_list_flags_it(login):
    gaps = services.coverage_gaps()
    assert [(g.site.code, g.slot) for g in gaps] == [("CAL-PORT", "night")]
    response = login("leader.borderforce").get("/control-room/incidents/")
    page = response.content.decode()
    assert "Roster gaps in the next 48 hours" in page and "Port of Calais" in page
    assert "Freight search team, 1 of 2 on duty" in page


def test_the_demo_leader_leads_a_border_force_team_at_coquelles(leader):
    assert [t.code for t in services.teams_led_by(leader)] == ["BF-COQ-1"]


# Dispatch -----------------------------------------------------------------------------------


def test_dispatching_a_team_on_duty_acknowledges_then_dispatches_the_new_incident(
    team, incident, operator
):
    assert incident.state == IncidentState.NEW
    head = AuditHead.objects.get().seq
    dispatch = services.dispatch_team(incident, team, acting_user=operator)
    incident.refresh_from_db()
    assert incident.state == IncidentState.DISPATCHED
    assert incident.acknowledged_at is not None and incident.dispatched_at is not None
    assert (dispatch.state, dispatch.team, dispatch.dispatched_by) == ("dispatched", team, operator)
    entries = list(AuditEntry.objects.filter(seq__gt=head).order_by("seq"))
    assert [(e.action, e.object_type) for e in entries] == [
        (AuditAction.UPDATE, "control_room.incident"),
        (AuditAction.UPDATE, "control_room.incident"),
        (AuditAction.CREATE, "control_room.dispatch"),
    ]
    assert [e.changes["state"][1] for e in entries[:2]] == ["acknowledged", "dispatched"]


def test_a_team_off_duty_is_refused_with_its_next_shift(incident, operator):
    team = make_team("T-OFF")
    day, slot = services.slot_at(team.site.timezone, timezone.now() + dt.timedelta(days=1))
    services.add_shift(team, day, slot, acting_user=None)
    with pytest.raises(ValidationError) as refused:
        services.dispatch_team(incident, team, acting_user=operator)
    assert "T-OFF is not on duty now; its next shift starts" in refused.value.messages[0]
    incident.refresh_from_db()
    assert incident.state == IncidentState.NEW and not incident.dispatches.exists()


def test_a_team_off_the_roster_is_refused(incident, operator):
    with pytest.raises(ValidationError, match="no shift ahead"):
        services.dispatch_team(incident, make_team("T-NONE"), acting_user=operator)


def test_a_team_on_duty_at_another_site_is_refused(incident, operator):
    team = make_team("T-CAL", site="CAL-PORT")
    on_duty_now(team)
    with pytest.raises(ValidationError, match="on duty at Port of Calais, not at Coquelles"):
        services.dispatch_team(incident, team, acting_user=operator)


def test_a_team_already_engaged_is_refused_until_it_is_cleared(team, incident, operator):
    first = services.dispatch_team(incident, team, acting_user=operator)
    other = new_incident("COQ-PORTAL-CCTV-01", "t-2")
    with pytest.raises(ValidationError, match=f"already engaged on incident {incident.pk}"):
        services.dispatch_team(other, team, acting_user=operator)
    services.clear_dispatch(first, acting_user=operator)
    services.dispatch_team(other, team, acting_user=operator)
    other.refresh_from_db()
    assert other.state == IncidentState.DISPATCHED


def test_a_viewer_cannot_dispatch(team, incident, persona):
    with pytest.raises(PermissionDenied):
        services.dispatch_team(incident, team, acting_user=persona("gendarme.egm"))
    assert not incident.dispatches.exists()


def test_an_incident_the_user_may_not_see_cannot_receive_a_team(team, incident, leader):
    Incident.objects.filter(pk=incident.pk).update(releasability=frozenset({"FR"}))
    incident.refresh_from_db()
    with pytest.raises(Http404):
        services.dispatch_team(incident, team, acting_user=leader)
    assert not incident.dispatches.exists()


def test_a_team_whose_leader_may_not_see_the_incident_is_not_sent(team, incident, operator):
    Incident.objects.filter(pk=incident.pk).update(releasability=frozenset({"FR"}))
    incident.refresh_from_db()
    with pytest.raises(ValidationError, match="leader of team T-BF-1 may not see"):
        services.dispatch_team(incident, team, acting_user=operator)


def test_a_second_team_reinforces_without_moving_the_incident(team, incident, operator):
    services.dispatch_team(incident, team, acting_user=operator)
    second = make_team("T-BF-2")
    on_duty_now(second)
    services.dispatch_team(incident, second, acting_user=operator)
    incident.refresh_from_db()
    assert incident.state == IncidentState.DISPATCHED
    assert incident.dispatches.count() == 2


def test_the_leader_marks_the_team_on_scene_and_the_incident_follows(
    team, incident, operator, leader
):
    dispatch = services.dispatch_team(incident, team, acting_user=operator)
    head = AuditHead.objects.get().seq
    services.team_on_scene(dispatch, acting_user=leader)
    dispatch.refresh_from_db()
    incident.refresh_from_db()
    assert dispatch.state == DispatchState.ON_SCENE and dispatch.on_scene_at is not None
    assert incident.state == IncidentState.ON_SCENE and incident.on_scene_at is not None
    assert {(e.object_type, e.actor_username) for e in AuditEntry.objects.filter(seq__gt=head)} == {
        ("control_room.dispatch", "leader.borderforce"),
        ("control_room.incident", "leader.borderforce"),
    }
    with pytest.raises(ValidationError, match="already on scene"):
        services.team_on_scene(dispatch, acting_user=leader)


def test_clearing_frees_the_team_and_leaves_the_incident_open(team, incident, operator):
    dispatch = services.dispatch_team(incident, team, acting_user=operator)
    services.team_on_scene(dispatch, acting_user=operator)
    services.clear_dispatch(dispatch, acting_user=operator)
    dispatch.refresh_from_db()
    incident.refresh_from_db()
    assert dispatch.state == DispatchState.CLEARED and dispatch.cleared_at is not None
    assert incident.state == IncidentState.ON_SCENE
    assert team in services.available_teams(team.site)
    with pytest.raises(ValidationError, match="cleared"):
        services.team_on_scene(dispatch, acting_user=operator)


def test_a_viewer_cannot_mark_a_team_on_scene(team, incident, operator, persona):
    dispatch = services.dispatch_team(incident, team, acting_user=operator)
    with pytest.raises(PermissionDenied):
        services.team_on_scene(dispatch, acting_user=persona("gendarme.egm"))
    with pytest.raises(PermissionDenied):
        services.clear_dispatch(dispatch, acting_user=persona("gendarme.egm"))


def test_a_team_leader_must_be_a_control_room_editor_of_the_team_agency(persona):
    with pytest.raises(ValidationError, match="team's agency"):
        make_team("T-LEAD", agency="PAF", leader=persona("leader.borderforce"))
    with pytest.raises(ValidationError, match="editor role"):
        make_team("T-LEAD", agency="GEND", leader=persona("gendarme.egm"))


def test_only_an_administrator_changes_teams(operator):
    with pytest.raises(PermissionDenied):
        services.upsert_team(
            code="T-ADMIN",
            acting_user=operator,
            name_en="x",
            name_fr="x",
            kind=TeamKind.MOBILE_UNIT,
            agency=Agency.objects.get(code="CRS"),
            site=Site.objects.get(code="CAL-PORT"),
        )


# The API ------------------------------------------------------------------------------------


def post(client: Client, path: str, body: object = None):
    return client.post(
        path, data=json.dumps(body) if body is not None else None, content_type="application/json"
    )


def test_the_api_lists_teams_and_the_roster_of_a_site(bearer):
    client = bearer("gendarme.egm")
    teams = client.get("/api/v1/teams").json()
    lead = next(t for t in teams if t["code"] == "BF-COQ-1")
    assert (lead["agency"], lead["site"], lead["leader"]) == (
        "BF",
        "COQ-TERM",
        "leader.borderforce",
    )
    today = timezone.now().date()
    shifts = client.get(
        f"/api/v1/roster?site=FOL-TERM&from={today}&to={today + dt.timedelta(days=1)}"
    ).json()
    assert shifts and {s["site"] for s in shifts} == {"FOL-TERM"}
    assert {s["team"] for s in shifts} >= {"KENT-FOL"}
    bad = client.get(f"/api/v1/roster?from={today}&to={today - dt.timedelta(days=1)}")
    assert bad.status_code == 422 and bad["Content-Type"].startswith("application/problem+json")


def test_the_api_puts_a_team_on_the_roster_refuses_it_twice_and_takes_it_off(bearer):
    client = bearer("leader.borderforce")
    body = {"team": "BF-COQ-1", "day": "2030-03-30", "slot": "night"}
    created = post(client, "/api/v1/roster", body)
    assert created.status_code == 201, created.content
    shift = created.json()
    # 31 March 2030 is the last Sunday of March: a seven-hour night.
    assert (shift["starts_at"], shift["ends_at"]) == (
        "2030-03-30T21:00:00Z",
        "2030-03-31T04:00:00Z",
    )
    again = post(client, "/api/v1/roster", body)
    assert again.status_code == 422
    assert any("team" in e["location"] for e in again.json()["errors"])
    unknown = post(client, "/api/v1/roster", {**body, "team": "NOBODY"})
    assert unknown.status_code == 422
    assert client.delete(f"/api/v1/roster/{shift['id']}").status_code == 204
    assert not Shift.objects.filter(pk=shift["id"]).exists()


def test_a_viewer_is_refused_the_roster_changes_by_the_api(bearer):
    client = bearer("gendarme.egm")
    response = post(
        client, "/api/v1/roster", {"team": "BF-COQ-1", "day": "2030-01-07", "slot": "early"}
    )
    assert response.status_code == 403


def test_the_api_lists_coverage_gaps(bearer):
    gaps = bearer("operator.eurotunnel").get("/api/v1/coverage-gaps").json()
    assert [(g["site"], g["slot"]) for g in gaps] == [("CAL-PORT", "night")]
    kinds = gaps[0]["kinds"]
    assert {"kind": "freight_search", "required": 2, "on_duty": 1, "short": 1} in [
        {k: v for k, v in kind.items() if k != "teams"} for kind in kinds
    ]


def test_the_api_dispatches_marks_on_scene_and_clears(bearer, team, incident):
    operator = bearer("operator.eurotunnel")
    sent = post(operator, f"/api/v1/incidents/{incident.pk}/dispatches", {"team": "T-BF-1"})
    assert sent.status_code == 201, sent.content
    dispatch = sent.json()
    assert (dispatch["team"], dispatch["state"], dispatch["dispatched_by"]) == (
        "T-BF-1",
        "dispatched",
        "operator.eurotunnel",
    )
    busy = post(operator, f"/api/v1/incidents/{incident.pk}/dispatches", {"team": "T-BF-1"})
    assert busy.status_code == 422 and "already engaged" in busy.json()["errors"][0]["message"]
    leader = bearer("leader.borderforce")
    arrived = post(leader, f"/api/v1/dispatches/{dispatch['id']}/on-scene")
    assert arrived.status_code == 200 and arrived.json()["state"] == "on_scene"
    assert Incident.objects.get(pk=incident.pk).state == IncidentState.ON_SCENE
    cleared = post(leader, f"/api/v1/dispatches/{dispatch['id']}/clear")
    assert cleared.status_code == 200 and cleared.json()["cleared_at"]


def test_the_api_hides_dispatches_to_incidents_the_caller_may_not_see(bearer, team, incident):
    dispatch = services.dispatch_team(
        incident, team, acting_user=User.objects.get(username="operator.eurotunnel")
    )
    Incident.objects.filter(pk=incident.pk).update(releasability=frozenset({"FR"}))
    leader = bearer("leader.borderforce")
    assert post(leader, f"/api/v1/dispatches/{dispatch.pk}/on-scene").status_code == 404
    assert (
        post(leader, f"/api/v1/incidents/{incident.pk}/dispatches", {"team": "T-BF-1"}).status_code
        == 404
    )
    assert Dispatch.objects.get(pk=dispatch.pk).state == DispatchState.DISPATCHED


# Pages --------------------------------------------------------------------------------------


def test_the_roster_page_in_french_shows_the_week_and_the_gap_in_words(login):
    client = french(login, "leader.borderforce")
    zone = zoneinfo.ZoneInfo(PARIS)
    tomorrow = timezone.now().astimezone(zone).date() + dt.timedelta(days=1)
    response = client.get(f"/control-room/roster/?site=CAL-PORT&week={tomorrow}")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Planning" in page and "Manque" in page
    assert 'class="table-danger' in page
    assert english_left(main_part(page)) == []


def test_the_team_pages_in_french_show_no_english(login, team, incident):
    services.dispatch_team(
        incident, team, acting_user=User.objects.get(username="operator.eurotunnel")
    )
    client = french(login, "leader.borderforce")
    for url in [
        "/control-room/teams/",
        "/control-room/my-team/",
        "/control-room/incidents/",
        f"/control-room/incidents/{incident.pk}/",
        "/control-room/roster/?site=FOL-TERM",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert english_left(main_part(response.content.decode())) == [], url


def test_an_editor_puts_a_team_on_the_roster_from_the_page_and_sees_refusals_on_the_form(login):
    client = login("leader.borderforce")
    form = {"site": "COQ-TERM", "week": "2030-01-07", "team": "BF-COQ-2", "day": "2030-01-08"}
    response = client.post("/control-room/roster/add/", {**form, "slot": "late"})
    assert response.status_code == 302
    assert Shift.objects.filter(team__code="BF-COQ-2", day="2030-01-08", slot="late").exists()
    again = client.post("/control-room/roster/add/", {**form, "slot": "late"})
    assert again.status_code == 200
    assert "already on the roster for the Late (14:00-22:00) shift" in again.content.decode()


def test_a_viewer_sees_the_roster_without_its_forms(login):
    page = login("gendarme.egm").get("/control-room/roster/?site=COQ-TERM").content.decode()
    assert "BF-COQ-" in page and "roster/add/" not in page and "Remove" not in page


def test_the_incident_page_offers_the_teams_on_duty_at_its_site(login, team, incident):
    client = login("leader.borderforce")
    html = client.get(f"/control-room/incidents/{incident.pk}/").content.decode()
    assert "Dispatch a team" in html and 'value="T-BF-1"' in html
    assert 'value="BF-FOL-' not in html and 'value="BF-CAL-' not in html
    response = client.post(f"/control-room/incidents/{incident.pk}/dispatch/", {"team": "T-BF-1"})
    assert response.status_code == 302
    assert Incident.objects.get(pk=incident.pk).state == IncidentState.DISPATCHED


def test_the_leader_page_shows_the_dispatch_and_its_buttons(login, team, incident):
    services.dispatch_team(
        incident, team, acting_user=User.objects.get(username="operator.eurotunnel")
    )
    client = login("leader.borderforce")
    html = client.get("/control-room/my-team/").content.decode()
    assert "T-BF-1" in html and f"Incident {incident.pk}" in html
    assert "Freight boarding platforms" in html and "Coquelles terminal" in html
    dispatch = Dispatch.objects.get(incident=incident)
    response = client.post(
        f"/control-room/dispatches/{dispatch.pk}/on-scene/", {"next": "/control-room/my-team/"}
    )
    assert response.status_code == 302 and response["Location"] == "/control-room/my-team/"
    assert Incident.objects.get(pk=incident.pk).state == IncidentState.ON_SCENE
    partial = client.get("/control-room/my-team/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "Cleared" in partial


def test_a_person_who_leads_no_team_is_told_so(login):
    html = login("gold.kent").get("/control-room/my-team/").content.decode()
    assert "You do not lead a team" in html


def test_an_off_site_next_url_is_not_followed(login, team, incident):
    dispatch = services.dispatch_team(
        incident, team, acting_user=User.objects.get(username="operator.eurotunnel")
    )
    response = login("leader.borderforce").post(
        f"/control-room/dispatches/{dispatch.pk}/clear/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == f"/control-room/incidents/{incident.pk}/"


def test_the_roster_page_does_not_grow_queries_with_the_shifts_it_shows(login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login("leader.borderforce")
    url = "/control-room/roster/?site=COQ-TERM&week=2030-01-07"
    client.get(url)
    with CaptureQueriesContext(connection) as empty:
        client.get(url)
    for n in range(4):
        team = make_team(f"T-Q-{n}")
        for offset in range(7):
            for slot in ShiftSlot.values:
                services.add_shift(
                    team, dt.date(2030, 1, 7) + dt.timedelta(days=offset), slot, acting_user=None
                )
    with CaptureQueriesContext(connection) as full:
        response = client.get(url)
    assert response.content.decode().count("T-Q-3") >= 21
    assert len(full) == len(empty)
