"""Intrusion attempts per day: imported history, counts from incidents, chart and CSV."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from entente.control_room.models import DailyCount
from entente.control_room.services import AlertItem, ingest_alerts
from entente.control_room.statistics import daily_attempts, import_counts
from entente.demo.load import load_history

GOOD = (
    "day,site,intrusion_attempts,source\n"
    "2015-07-20,COQ-TERM,1700,record\n"
    "2015-08-20,COQ-TERM,170,record\n"
)


def test_an_approver_imports_a_clean_file(persona):
    assert import_counts(GOOD, acting_user=persona("gold.kent")) == 2
    assert DailyCount.objects.get(day=dt.date(2015, 7, 20)).attempts == 1700


def test_a_faulty_file_imports_nothing_and_names_every_bad_line(persona):
    bad = GOOD + "2015-13-01,COQ-TERM,5,x\n2015-08-21,NOWHERE,5,x\n2015-08-22,COQ-TERM,-3,x\n"
    with pytest.raises(ValidationError) as exc, translation.override("en"):
        import_counts(bad, acting_user=persona("gold.kent"))
    messages = exc.value.messages
    assert [m.split(":")[0] for m in messages] == ["Line 4", "Line 5", "Line 6"]
    assert not DailyCount.objects.exists()


def test_editors_below_approver_may_not_import(persona):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        import_counts(GOOD, acting_user=persona("operator.eurotunnel"))


def test_the_series_joins_history_and_incidents(persona):
    load_history()
    operator = persona("operator.eurotunnel")
    ingest_alerts(
        [
            AlertItem(
                "COQ-PLAT-CCTV-01",
                "s1",
                dt.datetime(2016, 1, 10, 22, 0, tzinfo=dt.UTC),
                "intrusion",
                0.8,
            ),
            AlertItem(
                "COQ-PLAT-CCTV-01",
                "s2",
                dt.datetime(2016, 1, 10, 23, 30, tzinfo=dt.UTC),
                "intrusion",
                0.8,
            ),
            # 23:30 UTC on the 10th is already the 11th in Coquelles (UTC+1 in winter).
        ],
        acting_user=operator,
    )
    series = daily_attempts(
        operator, start=dt.date(2015, 7, 1), end=dt.date(2016, 1, 31), site="COQ-TERM"
    )
    by_day = {row.day: row for row in series}
    assert by_day[dt.date(2015, 7, 27)].imported and by_day[dt.date(2015, 7, 27)].attempts > 1500
    assert by_day[dt.date(2015, 8, 25)].attempts < 200  # cut tenfold
    assert by_day[dt.date(2016, 1, 10)].attempts == 1 and not by_day[dt.date(2016, 1, 10)].imported
    assert by_day[dt.date(2016, 1, 11)].attempts == 1


def test_the_page_draws_the_curve_and_the_csv_carries_the_same_figures(login):
    load_history()
    client = login("gendarme.egm")
    page = client.get("/control-room/statistics/", {"start": "2015-07-01", "end": "2015-08-31"})
    html = page.content.decode()
    assert page.status_code == 200 and "<polyline" in html and 'role="img"' in html
    csv = client.get("/control-room/statistics.csv", {"start": "2015-07-01", "end": "2015-08-31"})
    lines = csv.content.decode().splitlines()
    assert lines[0] == "day,site,intrusion_attempts,source"
    assert len(lines) == 1 + 62
    assert csv["Content-Disposition"].startswith("attachment")


def test_the_command_checks_then_imports(db, tmp_path, capsys):
    path = tmp_path / "counts.csv"
    path.write_text(GOOD + "bad-day,COQ-TERM,1,x\n")
    with pytest.raises(CommandError):
        call_command("import_daily_counts", str(path), "--dry-run")
    with pytest.raises(CommandError):
        call_command("import_daily_counts", str(path))
    assert not DailyCount.objects.exists()
    path.write_text(GOOD)
    call_command("import_daily_counts", str(path))
    assert "2 daily counts imported" in capsys.readouterr().out
