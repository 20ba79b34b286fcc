"""The programme dashboard: the figures that matter for a period, each with its trend against
the period before and its target, for ministers' offices and gold commanders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from entente.control_room import statistics
from entente.control_room.services.intake import AlertItem, ingest_alerts
from entente.core.models import User
from entente.demo import intelligence_reports, investigations_cases, programme_indicators
from entente.demo.load import load_history
from entente.programme.services import dashboard as dashboards
from entente.programme.services.indicators import parse_period

pytestmark = pytest.mark.django_db

Persona = Callable[[str], User]
Login = Callable[[str], Client]


@pytest.fixture
def demo(db: object) -> None:
    intelligence_reports.load()
    investigations_cases.load()
    load_history()
    programme_indicators.load()


def test_the_dashboard_shows_each_figure_with_its_trend_and_target(demo: None, persona: Persona):
    board = dashboards.dashboard(persona("gold.kent"), parse_period("2015-H2"))
    assert board.previous == parse_period("2015-H1")
    rows = {r.code: r for r in board.rows}
    assert list(rows)[:3] == ["intrusion_attempts", "networks_dismantled", "people_arrested"]
    attempts = rows["intrusion_attempts"]
    # July to mid-September against the second half of June: the mean fell.
    assert attempts.previous is not None and attempts.value is not None
    assert attempts.value < attempts.previous and attempts.trend_arrow == "▼"
    assert attempts.trend_good is True  # an "at most" target: falling is good
    assert attempts.met is True
    # Computed together from one day-by-day pass, each as the control room computes it alone.
    assert attempts.value == statistics.attempts_per_day(dt.date(2015, 7, 1), dt.date(2015, 12, 31))
    assert attempts.previous == statistics.attempts_per_day(
        dt.date(2015, 1, 1), dt.date(2015, 6, 30)
    )
    assert attempts.target_value == statistics.attempts_per_day(
        dt.date(2015, 8, 20), dt.date(2015, 8, 31)
    )
    # Networks: the January-July target is the one to account for, and it is met (19).
    networks = rows["networks_dismantled"]
    assert networks.target is not None and networks.target_value == 19 and networks.met is True
    assert networks.previous == 16  # January to June (three more in July)


def test_the_first_half_of_2015_compares_with_the_end_of_2014(demo: None, persona: Persona):
    board = dashboards.dashboard(persona("programme.interieur"), parse_period("2015-H1"))
    arrests = {r.code: r for r in board.rows}["people_arrested"]
    assert arrests.previous == 0 and arrests.value is not None and arrests.value > 0
    assert arrests.trend_percent is None  # no percentage of nothing
    assert arrests.trend_label.startswith("+")


def test_counting_does_not_grow_with_the_records(demo: None, persona: Persona):
    """The figures are counted by the database: more incidents, the same queries."""
    sensors = persona("sensors.demo")
    gold = persona("gold.kent")
    period = parse_period("2016-H1")

    def alerts(first: int, n: int) -> None:
        items = [
            AlertItem(
                "COQ-FENCE-DET-01",
                f"d-{first + i}",
                dt.datetime(2016, 2, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=10 * (first + i)),
                "fence_breach",
                0.9,
            )
            for i in range(n)
        ]
        ingest_alerts(items, acting_user=sensors)

    alerts(0, 3)
    dashboards.dashboard(gold, period)  # what is read once per process (content types)
    with CaptureQueriesContext(connection) as few:
        small = dashboards.dashboard(gold, period)
    alerts(3, 60)
    with CaptureQueriesContext(connection) as many:
        large = dashboards.dashboard(gold, period)
    assert len(many) == len(few)
    before = {r.code: r for r in small.rows}["intrusion_attempts"]
    after = {r.code: r for r in large.rows}["intrusion_attempts"]
    assert before.value == 3.0  # one day with three attempts
    assert after.value is not None and after.value > before.value


def test_the_page_for_a_gold_commander_in_both_languages(demo: None, login: Login):
    client = login("gold.kent")
    page = client.get("/programme/?period=2015-H2")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Intrusion attempts per day at the tunnel site" in text
    assert "Smuggling networks dismantled" in text and "2015-H1" in text
    french = login("gold.pn")
    page = french.get("/programme/?period=2015-H2", HTTP_ACCEPT_LANGUAGE="fr")
    assert "Tentatives d’intrusion par jour sur le site du tunnel" in page.content.decode()


def test_without_indicators_the_page_says_so(login: Login):
    page = login("programme.homeoffice").get("/programme/")
    assert page.status_code == 200
    assert "No indicator is defined yet" in page.content.decode()


def test_the_api_gives_the_figures_and_refuses_a_bad_period(demo: None, login: Login):
    client = login("gold.pn")
    body = client.get("/api/v1/programme/dashboard?period=2015-H2").json()
    assert (body["start"], body["previous_start"]) == ("2015-07-01", "2015-01-01")
    figures = {f["code"]: f for f in body["figures"]}
    assert figures["networks_dismantled"]["target_value"] == 19
    assert figures["intrusion_attempts"]["target"]["direction"] == "at_most"
    assert figures["intrusion_attempts"]["met"] is True
    bad = client.get("/api/v1/programme/dashboard?start=2015-09-31&end=2015-10-01")
    assert bad.status_code == 422 and bad["Content-Type"] == "application/problem+json"


def test_the_fund_disbursed_against_committed_by_the_end_of_the_period(
    demo: None, persona: Persona
):
    from entente.demo import programme_fund

    programme_fund.load()
    board = dashboards.dashboard(persona("gold.kent"), parse_period("2015"))
    assert board.fund is not None and board.fund.currency == "EUR"
    assert board.fund.committed >= 35_000_000  # the UK's EUR 35 million, and any other
    assert 0 <= board.fund.disbursed <= board.fund.committed
    early = dashboards.dashboard(persona("gold.kent"), parse_period("2014-H1")).fund
    assert early is not None and early.disbursed <= board.fund.disbursed
