"""Response times: from an incident's first alert to acknowledgement, dispatch and on scene,
per site and for all the sites, through the access policy; page, CSV and API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from entente.control_room.models import Incident
from entente.control_room.services import AlertItem, ingest_alerts
from entente.control_room.statistics import response_times
from entente.core.choices import TLP
from entente.core.figures import percentile
from entente.core.models import User

START, END = dt.date(2015, 8, 20), dt.date(2015, 8, 21)
MORNING = dt.datetime(2015, 8, 20, 6, 0, tzinfo=dt.UTC)


def opened(persona, sensor: str, at: dt.datetime, ack=None, dispatch=None, scene=None) -> int:
    """An incident opened by one alert at ``at``, reaching each step so many seconds later.

    The lifecycle services stamp the moment they are called; these incidents are in the past,
    so their steps' times are written as they were.
    """
    outcome = ingest_alerts(
        [AlertItem(sensor, f"rt-{sensor}-{at.isoformat()}", at, "intrusion", 0.8)],
        acting_user=persona("operator.eurotunnel"),
    )[0]
    steps = {"acknowledged_at": ack, "dispatched_at": dispatch, "on_scene_at": scene}
    Incident.objects.filter(pk=outcome.incident).update(
        **{field: at + dt.timedelta(seconds=s) for field, s in steps.items() if s is not None}
    )
    return outcome.incident


@pytest.fixture
def incidents(persona):
    """Four incidents at Coquelles and one at Folkestone in the period, one Coquelles incident
    the next local day, and one that Border Force may not see (TLP:AMBER, Eurotunnel's)."""
    hour = dt.timedelta(hours=1)
    coq = "COQ-PLAT-CCTV-01"
    opened(persona, coq, MORNING, ack=60, dispatch=300, scene=900)
    opened(persona, coq, MORNING + hour, ack=120, dispatch=600, scene=1500)
    opened(persona, coq, MORNING + 2 * hour, ack=180, dispatch=900)
    opened(persona, coq, MORNING + 3 * hour, ack=600)
    opened(persona, "FOL-PLAT-CO2-01", MORNING + 4 * hour, ack=30)
    # 22:30 UTC on the 21st is already the 22nd at Coquelles (UTC+2 in summer).
    opened(persona, coq, dt.datetime(2015, 8, 21, 22, 30, tzinfo=dt.UTC), ack=5000)
    hidden = opened(persona, coq, MORNING + 5 * hour, ack=9000)
    Incident.objects.filter(pk=hidden).update(tlp=TLP.AMBER)


def test_the_median_and_90th_percentile_interpolate_between_ranks():
    assert percentile([60.0, 120.0, 180.0, 600.0], 0.5) == 150
    assert percentile([60.0, 120.0, 180.0, 600.0], 0.9) == pytest.approx(474)
    assert percentile([30.0], 0.9) == 30


def test_response_times_per_site_and_for_all_sites(persona, incidents):
    rows = response_times(persona("leader.borderforce"), start=START, end=END)
    by_site = {row.site: row for row in rows}
    assert [row.site for row in rows] == ["COQ-TERM", "FOL-TERM", ""]

    coq = by_site["COQ-TERM"]
    assert coq.incidents == 4
    assert (coq.acknowledged.count, coq.acknowledged.median) == (4, 150)
    assert coq.acknowledged.p90 == pytest.approx(474)
    assert (coq.dispatched.count, coq.dispatched.median) == (3, 600)
    assert coq.dispatched.p90 == pytest.approx(840)
    assert (coq.on_scene.count, coq.on_scene.median) == (2, 1200)
    assert coq.on_scene.p90 == pytest.approx(1440)

    fol = by_site["FOL-TERM"]
    assert fol.incidents == 1 and fol.acknowledged.median == 30 and fol.acknowledged.p90 == 30
    assert fol.dispatched.count == 0 and fol.dispatched.median is None

    together = by_site[""]
    assert together.incidents == 5
    assert together.acknowledged.median == 120
    assert together.acknowledged.p90 == pytest.approx(432)
    assert together.dispatched.median == 600


def test_response_times_count_only_the_incidents_the_user_may_see(persona, incidents):
    eurotunnel = response_times(persona("operator.eurotunnel"), start=START, end=END)
    coq = next(row for row in eurotunnel if row.site == "COQ-TERM")
    assert coq.incidents == 5 and coq.acknowledged.median == 180
    with pytest.raises(PermissionDenied):
        response_times(persona("analyst.nca"), start=START, end=END)


def test_one_site_alone_has_no_total_row(persona, incidents):
    rows = response_times(persona("leader.borderforce"), start=START, end=END, site="FOL-TERM")
    assert [row.site for row in rows] == ["FOL-TERM"]


def test_the_next_local_day_falls_in_a_longer_period(persona, incidents):
    rows = response_times(
        persona("leader.borderforce"), start=START, end=END + dt.timedelta(days=1)
    )
    coq = next(row for row in rows if row.site == "COQ-TERM")
    assert coq.incidents == 5 and coq.acknowledged.count == 5


def test_the_statistics_page_shows_the_table_and_the_chart(login, incidents):
    User.objects.filter(username="leader.borderforce").update(language="en")
    html = (
        login("leader.borderforce")
        .get("/control-room/statistics/", {"start": "2015-08-20", "end": "2015-08-21"})
        .content.decode()
    )
    assert "Response times" in html and "All sites" in html
    assert "2 min 30 s" in html and "7 min 54 s" in html  # Coquelles: 150 s and 474 s
    assert "20 min 00 s" in html  # on scene, median
    assert 'class="measure-acknowledged"' in html and "/statistics/response-times.csv?" in html


def test_the_csv_carries_the_same_figures(login, incidents):
    response = login("gendarme.egm").get(
        "/control-room/statistics/response-times.csv", {"start": "2015-08-20", "end": "2015-08-21"}
    )
    lines = response.content.decode().splitlines()
    assert lines[0] == "site,measure,incidents,count,median_seconds,p90_seconds"
    assert "COQ-TERM,acknowledged,4,4,150,474" in lines
    assert "COQ-TERM,on_scene,4,2,1200,1440" in lines
    assert "FOL-TERM,dispatched,1,0,," in lines
    assert "all,acknowledged,5,5,120,432" in lines
    assert response["Content-Disposition"].startswith("attachment")


def test_the_api_gives_the_figures_in_seconds(login, incidents):
    response = login("gold.pn").get(
        "/api/v1/statistics/response-times", {"start": "2015-08-20", "end": "2015-08-21"}
    )
    body = response.json()
    assert response.status_code == 200 and body["start"] == "2015-08-20"
    coq = next(row for row in body["rows"] if row["site"] == "COQ-TERM")
    assert coq["acknowledged"] == {"count": 4, "median_seconds": 150, "p90_seconds": 474}
    assert coq["dispatched"]["median_seconds"] == 600
    bad = login("gold.pn").get(
        "/api/v1/statistics/response-times", {"start": "2015-08-22", "end": "2015-08-21"}
    )
    assert bad.status_code == 422
