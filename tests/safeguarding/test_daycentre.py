"""Day-centre services: one line per day by the centre's staff, corrections audited, refusals
with nothing written, monthly totals and charts, the programme's count of meals."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from entente.core.models import AuditEntry, User
from entente.safeguarding.models import DayCentre, ServiceDay
from entente.safeguarding.services import daycentre

pytestmark = pytest.mark.django_db

Persona = Callable[[str], User]
DAY = dt.date(2015, 9, 1)


@pytest.fixture
def centre(persona: Persona) -> DayCentre:
    lva = persona("caseworker.lva")
    return DayCentre.objects.create(name="Centre Jules Ferry", town="Calais", operator=lva.agency)


def test_a_day_entered_then_corrected_is_audited(persona: Persona, centre: DayCentre) -> None:
    lva = persona("caseworker.lva")
    daycentre.record_day(lva, centre, DAY, meals=2000, showers=300, charging=450, consultations=35)
    daycentre.record_day(lva, centre, DAY, meals=2100, showers=300, charging=450, consultations=35)
    row = ServiceDay.objects.get(centre=centre, day=DAY)
    assert row.meals == 2100
    correction = AuditEntry.objects.filter(
        object_type="safeguarding.serviceday", action="update"
    ).get()
    assert correction.changes["meals"] == [2000, 2100]
    # The same figures again change nothing and write nothing.
    count = AuditEntry.objects.count()
    daycentre.record_day(lva, centre, DAY, meals=2100, showers=300, charging=450, consultations=35)
    assert AuditEntry.objects.count() == count


@pytest.mark.parametrize(
    ("counts", "field"),
    [
        ({"meals": -1}, "meals"),
        ({"meals": 999999}, "meals"),
        ({"showers": "many"}, "showers"),
    ],
)
def test_bad_counts_are_refused_with_nothing_written(
    persona: Persona, centre: DayCentre, counts: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        daycentre.record_day(persona("caseworker.lva"), centre, DAY, **counts)
    assert field in caught.value.message_dict
    assert not ServiceDay.objects.exists()


def test_a_day_to_come_and_other_agencies_are_refused(persona: Persona, centre: DayCentre) -> None:
    from django.utils import timezone

    with pytest.raises(ValidationError, match="day to come"):
        daycentre.record_day(
            persona("caseworker.lva"), centre, timezone.localdate() + dt.timedelta(days=1), meals=1
        )
    for username in ("safeguarding.pref", "officer.iom", "gold.kent"):
        with pytest.raises(PermissionDenied):
            daycentre.record_day(persona(username), centre, DAY, meals=1)
    assert not ServiceDay.objects.exists()


def test_monthly_totals_charts_and_meals_served(persona: Persona, centre: DayCentre) -> None:
    lva = persona("caseworker.lva")
    for n in range(1, 11):
        daycentre.record_day(lva, centre, dt.date(2015, 9, n), meals=2000, showers=100)
    daycentre.record_day(lva, centre, dt.date(2015, 10, 1), meals=1800)
    totals = daycentre.monthly_totals(centre, dt.date(2015, 1, 1), dt.date(2015, 12, 31))
    assert [(t.month, t.days, t.meals, t.meals_per_day) for t in totals] == [
        (9, 10, 20000, 2000),
        (10, 1, 1800, 1800),
    ]
    charts = daycentre.month_charts(centre, 2015, 9)
    meals = next(c for c in charts if c["measure"] == "meals")
    assert len(meals["bars"]) == 30 and meals["total"] == 20000
    assert daycentre.meals_served(dt.date(2015, 9, 1), dt.date(2015, 9, 30)) == 20000
    assert daycentre.meals_served(dt.date(2015, 9, 5), dt.date(2015, 10, 1)) == 13800


def test_the_day_form_shows_previous_days_and_saves(
    persona: Persona, centre: DayCentre, login: Callable[[str], Any]
) -> None:
    lva = persona("caseworker.lva")
    daycentre.record_day(lva, centre, DAY, meals=1999)
    client = login("caseworker.lva")
    url = reverse("safeguarding:service_day_entry", args=[centre.pk])
    page = client.get(url, {"day": "2015-09-02"})
    body = page.content.decode()
    assert "1999" in body and "autofocus" in body
    response = client.post(
        url,
        {"day": "2015-09-02", "meals": 2001, "showers": 5, "charging": 6, "consultations": 7},
    )
    assert response.status_code == 302 and "day=2015-09-03" in response["Location"]
    assert ServiceDay.objects.get(day=dt.date(2015, 9, 2)).meals == 2001
    bad = client.post(
        url,
        {"day": "2015-09-03", "meals": 999999, "showers": 0, "charging": 0, "consultations": 0},
    )
    assert bad.status_code == 200 and "invalid-feedback" in bad.content.decode()
    month = login("safeguarding.pref").get(
        reverse("safeguarding:daycentre_detail", args=[centre.pk]), {"month": "2015-09"}
    )
    assert month.status_code == 200 and "<svg" in month.content.decode()
    # The caseworker reads French: the chart's coordinates stay numbers SVG understands
    # (12.5, never the French 12,5).
    french = client.get(
        reverse("safeguarding:daycentre_detail", args=[centre.pk]), {"month": "2015-09"}
    ).content.decode()
    assert re.search(r'<rect x="[0-9.]+" y="[0-9.]+" width="[0-9.]+" height="[0-9.]+"', french)
    assert not re.search(r'(x|y|width|height)="[0-9]+,[0-9]', french)


def test_the_api_enters_and_lists_days(
    persona: Persona, centre: DayCentre, login: Callable[[str], Any]
) -> None:
    client = login("caseworker.lva")
    url = f"/api/v1/safeguarding/day-centres/{centre.pk}/days"
    put = client.put(f"{url}/2015-09-01", {"meals": 2000}, content_type="application/json")
    assert put.status_code == 200 and put.json()["meals"] == 2000
    listed = client.get(url, {"start": "2015-09-01", "end": "2015-09-30"}).json()
    assert listed == [
        {"day": "2015-09-01", "meals": 2000, "showers": 0, "charging": 0, "consultations": 0}
    ]
    refused = client.put(f"{url}/2015-09-02", {"meals": -5}, content_type="application/json")
    assert refused.status_code == 422
    assert refused["Content-Type"].startswith("application/problem+json")
