"""Programme indicators: computed from the other apps' records, entered with their source,
against targets over periods; refusals leave nothing written; the pages and the API."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import translation

from entente.control_room import statistics
from entente.control_room.services.intake import AlertItem, ingest_alerts
from entente.core.models import AuditEntry, User
from entente.demo import intelligence_reports, investigations_cases, programme_indicators
from entente.demo.load import load_history
from entente.programme import computations
from entente.programme.models import Indicator, IndicatorValue, Target
from entente.programme.services import indicators as service

pytestmark = pytest.mark.django_db

Persona = Callable[[str], User]
Login = Callable[[str], Client]
JAN, JUL = dt.date(2015, 1, 1), dt.date(2015, 7, 31)
UTC = dt.UTC


@pytest.fixture
def demo(db: object) -> None:
    intelligence_reports.load()
    investigations_cases.load()
    load_history()
    programme_indicators.load()


def rows_by_code(start: dt.date, end: dt.date) -> dict[str, service.IndicatorRow]:
    return {r.code: r for r in service.indicator_rows(start, end)}


# Computed from the records --------------------------------------------------------------------


def test_the_demo_counts_19_networks_and_514_arrests_on_the_programme_side(demo: None):
    rows = rows_by_code(JAN, JUL)
    networks, arrests = rows["networks_dismantled"], rows["people_arrested"]
    assert networks.value == 19
    assert arrests.value == 514
    # Each against its target from the agreement, met; the months add up to the period.
    assert (networks.met, arrests.met) == (True, True)
    assert networks.target is not None and "19 networks" in networks.target.basis
    assert [m.month.month for m in networks.series] == [1, 2, 3, 4, 5, 6, 7]
    assert networks.series[-1].cumulative == 19
    assert sum(m.value or 0 for m in arrests.series) == 514


def test_intrusion_attempts_fall_tenfold_and_meet_the_target_of_late_august(demo: None):
    rows = rows_by_code(dt.date(2015, 7, 1), dt.date(2015, 9, 30))
    attempts = rows["intrusion_attempts"]
    july, _august, september = (m.value for m in attempts.series)
    assert 1500 < july < 1900  # about 1,700 a day in July
    assert september < july / 8
    target = attempts.target
    assert target is not None and target.direction == "at_most" and target.value == 170
    assert attempts.target_value is not None and attempts.target_value <= 170
    assert attempts.met is True


def test_attempts_count_incidents_on_days_without_an_imported_count(persona: Persona):
    sensors = persona("sensors.demo")
    # 22:30 UTC on 10 October is half past midnight on the 11th in Coquelles (Paris time).
    times = [
        dt.datetime(2015, 10, 10, 12, 0, tzinfo=UTC),
        dt.datetime(2015, 10, 10, 22, 30, tzinfo=UTC),
        dt.datetime(2015, 10, 11, 9, 0, tzinfo=UTC),
    ]
    items = [
        AlertItem("COQ-FENCE-DET-01", f"t-{i}", at, "fence_breach", 0.9)
        for i, at in enumerate(times)
    ]
    outcomes = ingest_alerts(items, acting_user=sensors)
    assert {o.status for o in outcomes} == {"accepted"}
    days = statistics.attempts_by_day(dt.date(2015, 10, 1), dt.date(2015, 10, 31))
    assert days == {dt.date(2015, 10, 10): 1, dt.date(2015, 10, 11): 2}
    assert statistics.attempts_total(dt.date(2015, 10, 11), dt.date(2015, 10, 11)) == 2
    assert statistics.attempts_per_day(dt.date(2015, 10, 1), dt.date(2015, 10, 31)) == 1.5
    assert statistics.attempts_per_day(dt.date(2015, 11, 1), dt.date(2015, 11, 30)) is None
    # An imported count for a day replaces what the incidents show for it.
    statistics.import_counts_as_system("day,site,intrusion_attempts\n2015-10-11,COQ-TERM,40\n")
    assert statistics.attempts_by_day(dt.date(2015, 10, 1), dt.date(2015, 10, 31)) == {
        dt.date(2015, 10, 10): 1,
        dt.date(2015, 10, 11): 40,
    }


def test_attempts_fall_on_the_local_day_when_the_clocks_change(persona: Persona):
    # Summer time ends in Paris on 25 October 2015 at 01:00 UTC.
    times = [
        dt.datetime(2015, 10, 24, 22, 30, tzinfo=UTC),  # 00:30 on the 25th (UTC+2)
        dt.datetime(2015, 10, 25, 0, 30, tzinfo=UTC),  # 02:30 on the 25th (UTC+2)
        dt.datetime(2015, 10, 25, 22, 30, tzinfo=UTC),  # 23:30 on the 25th (UTC+1)
        dt.datetime(2015, 10, 25, 23, 30, tzinfo=UTC),  # 00:30 on the 26th (UTC+1)
    ]
    items = [
        AlertItem("COQ-FENCE-DET-01", f"dst-{i}", at, "intrusion", 0.9)
        for i, at in enumerate(times)
    ]
    ingest_alerts(items, acting_user=persona("sensors.demo"))
    assert statistics.attempts_by_day(dt.date(2015, 10, 24), dt.date(2015, 10, 26)) == {
        dt.date(2015, 10, 25): 3,
        dt.date(2015, 10, 26): 1,
    }


def test_referrals_made_is_a_count_of_the_period():
    from entente.safeguarding.services.referrals import referrals_made

    assert referrals_made(dt.date(2015, 1, 1), dt.date(2015, 12, 31)) == 0


def test_a_computation_an_app_does_not_provide_is_not_available_not_an_error(
    persona: Persona, monkeypatch: pytest.MonkeyPatch
):
    editor = persona("programme.homeoffice")
    missing = computations.Computation(
        "missing", "Missing", computations.COUNT, "entente.nowhere.services", "count"
    )
    monkeypatch.setitem(computations.REGISTRY, "missing", missing)
    indicator = service.create_indicator(
        acting_user=editor,
        code="missing",
        name_en="Missing",
        name_fr="Manquant",
        definition_en="d",
        definition_fr="d",
        unit_en="u",
        unit_fr="u",
        source="computed",
        computation="missing",
    )
    (row,) = [r for r in service.indicator_rows(JAN, JUL) if r.code == indicator.code]
    assert row.available is False and row.value is None and row.met is None
    assert row.series == []
    assert "Not available yet" in service.svg_chart(row)


def test_every_computation_of_the_registry_runs_on_an_empty_period():
    for key, computation in computations.REGISTRY.items():
        if computation.available:
            value = computation(dt.date(2001, 1, 1), dt.date(2001, 1, 31))
            assert value in (0, None), key


# Targets and entered values --------------------------------------------------------------------


@pytest.fixture
def staff(persona: Persona) -> Indicator:
    return service.create_indicator(
        acting_user=persona("programme.homeoffice"),
        code="staff",
        name_en="Security staff",
        name_fr="Agents de sûreté",
        definition_en="Staff on site.",
        definition_fr="Agents sur site.",
        unit_en="staff",
        unit_fr="agents",
        source="entered",
    )


def test_a_target_is_met_or_not_on_the_figure_of_its_own_period(persona: Persona, staff):
    editor = persona("programme.homeoffice")
    target = service.add_target(
        staff,
        acting_user=editor,
        starts_on=dt.date(2015, 9, 1),
        ends_on=dt.date(2015, 12, 31),
        value=250,
        basis="from 150 to 250",
    )
    service.enter_value(
        staff,
        acting_user=editor,
        starts_on=dt.date(2015, 9, 1),
        ends_on=dt.date(2015, 9, 30),
        value=180,
        source_note="Eurotunnel letter",
    )
    row = service.build_row(staff, service.Period(dt.date(2015, 7, 1), dt.date(2015, 12, 31)))
    assert (row.value, row.target, row.target_value, row.met) == (180, target, 180, False)
    # A later value for the same period replaces it (audited), and the target is met.
    service.enter_value(
        staff,
        acting_user=editor,
        starts_on=dt.date(2015, 9, 1),
        ends_on=dt.date(2015, 9, 30),
        value=250,
        source_note="Eurotunnel letter of 30 September",
    )
    assert IndicatorValue.objects.filter(indicator=staff).count() == 1
    row = service.build_row(staff, service.Period(dt.date(2015, 7, 1), dt.date(2015, 12, 31)))
    assert (row.value, row.met) == (250, True)
    # At most: 250 is not at most 200.
    target.direction, target.value = "at_most", Decimal(200)
    target.save()
    staff.refresh_from_db()
    row = service.build_row(staff, service.Period(dt.date(2015, 7, 1), dt.date(2015, 12, 31)))
    assert row.met is False


def test_a_target_without_a_period_is_refused_with_nothing_written(persona: Persona, staff):
    editor = persona("programme.homeoffice")
    audits = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        service.add_target(staff, acting_user=editor, starts_on=None, ends_on=None, value=250)
    assert "needs a period" in " ".join(refused.value.messages)
    with pytest.raises(ValidationError) as backwards:
        service.add_target(
            staff,
            acting_user=editor,
            starts_on=dt.date(2015, 12, 31),
            ends_on=dt.date(2015, 1, 1),
            value=250,
        )
    assert backwards.value.message_dict["ends_on"] == ["The period ends before it starts."]
    assert Target.objects.count() == 0 and AuditEntry.objects.count() == audits


def test_entered_values_need_a_source_and_computed_ones_are_not_entered(persona: Persona, staff):
    editor = persona("programme.homeoffice")
    with pytest.raises(ValidationError) as refused:
        service.enter_value(
            staff,
            acting_user=editor,
            starts_on=dt.date(2015, 9, 1),
            ends_on=dt.date(2015, 9, 30),
            value=200,
            source_note="  ",
        )
    assert "source_note" in refused.value.message_dict
    computed = service.create_indicator(
        acting_user=editor,
        code="nets",
        name_en="Networks",
        name_fr="Filières",
        definition_en="d",
        definition_fr="d",
        unit_en="n",
        unit_fr="n",
        source="computed",
        computation="networks_dismantled",
    )
    with pytest.raises(ValidationError):
        service.enter_value(
            computed,
            acting_user=editor,
            starts_on=dt.date(2015, 9, 1),
            ends_on=dt.date(2015, 9, 30),
            value=3,
            source_note="x",
        )
    assert IndicatorValue.objects.count() == 0


def test_an_indicator_needs_both_languages_and_a_known_computation(persona: Persona):
    with pytest.raises(ValidationError) as refused:
        service.create_indicator(
            acting_user=persona("programme.homeoffice"),
            code="Bad code!",
            name_en="Name",
            name_fr="",
            definition_en="d",
            definition_fr="d",
            unit_en="u",
            unit_fr="u",
            source="computed",
            computation="nothing",
        )
    assert set(refused.value.message_dict) == {"code", "name_fr", "computation"}
    assert Indicator.objects.count() == 0


def test_viewers_read_but_do_not_write(persona: Persona, staff):
    gold = persona("gold.kent")
    assert service.visible_rows(gold, service.preset_period("2015-H2"))  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        service.add_target(
            staff,
            acting_user=gold,
            starts_on=dt.date(2015, 1, 1),
            ends_on=dt.date(2015, 12, 31),
            value=1,
        )
    with pytest.raises(PermissionDenied):
        service.visible_rows(persona("analyst.nca"), service.preset_period("2015"))  # type: ignore[arg-type]


def test_writes_are_audited(persona: Persona, staff):
    editor = persona("programme.homeoffice")
    target = service.add_target(
        staff,
        acting_user=editor,
        starts_on=dt.date(2015, 1, 1),
        ends_on=dt.date(2015, 12, 31),
        value=250,
    )
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry is not None
    assert (entry.action, entry.object_type, entry.object_id, entry.actor_username) == (
        "create",
        "programme.target",
        str(target.pk),
        "programme.homeoffice",
    )


# Periods ----------------------------------------------------------------------------------------


def test_periods_are_read_from_presets_or_days():
    assert service.parse_period("2015-H2") == service.Period(
        dt.date(2015, 7, 1), dt.date(2015, 12, 31), "2015-H2"
    )
    assert service.parse_period("2015").end == dt.date(2015, 12, 31)
    assert service.parse_period("2015-q3").start == dt.date(2015, 7, 1)
    assert service.previous_period(service.parse_period("2015-H1")).preset == "2014-H2"
    assert service.previous_period(service.parse_period("", "2015-08-20", "2015-08-31")) == (
        service.Period(dt.date(2015, 8, 8), dt.date(2015, 8, 19))
    )
    for bad in (
        ("2015-H3", "", ""),
        ("", "2015-02-30", "2015-03-01"),
        ("", "2015-09-01", "2015-08-01"),
    ):
        with pytest.raises(ValidationError):
            service.parse_period(*bad)


# Chart ------------------------------------------------------------------------------------------


def test_the_chart_is_accessible_svg_with_its_figures_in_a_table(demo: None):
    row = rows_by_code(JAN, JUL)["networks_dismantled"]
    html = service.svg_chart(row)
    assert "<svg" in html and "<title" in html and "<desc" in html and "<script" not in html
    assert 'role="img"' in html and "stroke-dasharray" in html  # the target line
    assert html.count("<rect") >= 7 and "<table" in html and "Jul 2015" in html
    # In French the figures take a decimal comma; the coordinates never do.
    with translation.override("fr"):
        french = service.svg_chart(rows_by_code(JAN, JUL)["people_arrested"])
    assert "au moins 514" in french
    assert not re.search(r'(?:x|y|x1|x2|width|height)="-?\d+,\d', french)


# Pages and API ----------------------------------------------------------------------------------


def test_the_list_and_detail_pages_in_both_languages(demo: None, login: Login):
    client = login("programme.homeoffice")
    page = client.get("/programme/indicators/?period=2015-H1")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Smuggling networks dismantled" in text and "New indicator" in text
    detail = client.get(
        "/programme/indicators/networks_dismantled/?start=2015-01-01&end=2015-07-31"
    )
    assert detail.status_code == 200 and "19 networks targeting" in detail.content.decode()
    assert "<svg" in detail.content.decode() and "Add a target" in detail.content.decode()
    french = login("programme.interieur")
    french.cookies["django_language"] = "fr"
    page = french.get("/programme/indicators/?period=2015-H1", HTTP_ACCEPT_LANGUAGE="fr")
    assert "Filières de passeurs démantelées" in page.content.decode()


def test_a_bad_period_on_a_page_is_said_and_the_default_shown(demo: None, login: Login):
    page = login("gold.kent").get("/programme/indicators/?period=2015-H9")
    assert page.status_code == 200
    assert "Give a period as 2015-H1" in page.content.decode()
    assert "New indicator" not in page.content.decode()  # a viewer has no editor's forms


def test_a_target_without_a_period_from_the_page_is_refused_with_its_message(
    demo: None, login: Login
):
    client = login("programme.homeoffice")
    before = Target.objects.count()
    response = client.post(
        "/programme/indicators/people_arrested/targets/",
        {"starts_on": "", "ends_on": "", "direction": "at_least", "value": "600"},
    )
    assert response.status_code == 200
    assert "A target needs a period" in response.content.decode()
    assert Target.objects.count() == before
    ok = client.post(
        "/programme/indicators/people_arrested/targets/",
        {
            "starts_on": "2015-08-01",
            "ends_on": "2015-12-31",
            "direction": "at_least",
            "value": "600",
            "basis": "test",
        },
    )
    assert ok.status_code == 302 and Target.objects.count() == before + 1


def test_the_api_gives_the_figures_and_problem_details_for_bad_periods(demo: None, login: Login):
    client = login("gold.pn")
    body = client.get("/api/v1/programme/indicators?start=2015-01-01&end=2015-07-31").json()
    by_code = {i["code"]: i for i in body["indicators"]}
    assert by_code["networks_dismantled"]["value"] == 19
    assert by_code["people_arrested"]["target"]["value"] == 514
    assert by_code["people_arrested"]["met"] is True
    one = client.get("/api/v1/programme/indicators/networks_dismantled?period=2015-H1").json()
    assert len(one["months"]) == 6 and one["targets"][0]["value"] == 19
    bad = client.get("/api/v1/programme/indicators?period=2015-H3")
    assert bad.status_code == 422 and bad["Content-Type"] == "application/problem+json"
    assert bad.json()["errors"][0]["location"][-1] == "period"
    backwards = client.get("/api/v1/programme/indicators?start=2015-09-01&end=2015-08-01")
    assert backwards.status_code == 422
    assert client.get("/api/v1/programme/indicators/nothing").status_code == 404
