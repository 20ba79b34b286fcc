"""Pathways: milestones in order and in date order, the partner named, durations, and the
aggregate counts that alone leave the module."""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from entente.core.models import Agency, AuditEntry, User
from entente.safeguarding.choices import Milestone, PathwayKind
from entente.safeguarding.models import Campaign, Pathway, PathwayStep
from entente.safeguarding.services import pathways
from tests.safeguarding import care_factories as make

pytestmark = pytest.mark.django_db

Persona = Callable[[str], User]
D = dt.date
SEPT = D(2015, 9, 1)


def _asylum(lva: User, start: D = SEPT) -> Pathway:
    return pathways.open_pathway(
        lva, person=make.person(lva), kind=PathwayKind.ASYLUM, started_on=start
    )


def test_an_asylum_pathway_in_order_with_durations(persona: Persona) -> None:
    lva = persona("caseworker.lva")
    p = _asylum(lva)
    pathways.record_milestone(lva, p, milestone=Milestone.LODGED, reached_on=D(2015, 9, 3))
    pathways.record_milestone(lva, p, milestone=Milestone.TRANSFERRED, reached_on=D(2015, 9, 10))
    pathways.record_milestone(lva, p, milestone=Milestone.DECISION, reached_on=D(2016, 1, 8))
    p.refresh_from_db()
    assert p.closed_on == D(2016, 1, 8)
    assert [leg.days for leg in pathways.durations(p)] == [7, 120]
    figures = {
        (f.start, f.end): f for f in pathways.duration_figures(Pathway.objects.filter(pk=p.pk))
    }
    assert figures[(Milestone.LODGED, Milestone.TRANSFERRED)].median == 7.0
    assert AuditEntry.objects.filter(object_type="safeguarding.pathwaystep").count() == 3


def test_a_milestone_before_the_previous_one_is_refused(persona: Persona) -> None:
    lva = persona("caseworker.lva")
    p = _asylum(lva)
    pathways.record_milestone(lva, p, milestone=Milestone.LODGED, reached_on=D(2015, 9, 10))
    with pytest.raises(ValidationError, match="before the previous one"):
        pathways.record_milestone(lva, p, milestone=Milestone.TRANSFERRED, reached_on=D(2015, 9, 9))
    assert PathwayStep.objects.filter(pathway=p).count() == 1


def test_milestones_out_of_order_or_of_the_other_kind_are_refused(persona: Persona) -> None:
    lva = persona("caseworker.lva")
    p = _asylum(lva)
    with pytest.raises(ValidationError, match="next milestone"):
        pathways.record_milestone(lva, p, milestone=Milestone.DECISION, reached_on=D(2015, 9, 5))
    with pytest.raises(ValidationError, match="not a step"):
        pathways.record_milestone(lva, p, milestone=Milestone.DEPARTED, reached_on=D(2015, 9, 5))
    with pytest.raises(ValidationError, match="before the previous one"):
        pathways.record_milestone(lva, p, milestone=Milestone.LODGED, reached_on=D(2015, 8, 1))
    assert not PathwayStep.objects.exists()


def test_voluntary_return_names_the_partner_who_then_sees_it(persona: Persona) -> None:
    lva, iom = persona("caseworker.lva"), persona("officer.iom")
    p = pathways.open_pathway(
        lva,
        person=make.person(lva),
        kind=PathwayKind.VOLUNTARY_RETURN,
        started_on=D(2015, 10, 1),
    )
    assert not pathways.visible_pathways(iom).filter(pk=p.pk).exists()
    pathways.record_milestone(lva, p, milestone=Milestone.RETURN_APPLIED, reached_on=D(2015, 10, 2))
    with pytest.raises(ValidationError, match="partner organisation"):
        pathways.record_milestone(lva, p, milestone=Milestone.PARTNER, reached_on=D(2015, 10, 5))
    pathways.record_milestone(
        lva,
        p,
        milestone=Milestone.PARTNER,
        reached_on=D(2015, 10, 5),
        partner=Agency.objects.get(code="IOM"),
    )
    assert pathways.visible_pathways(iom).filter(pk=p.pk).exists()
    # IOM's officer is a viewer: sees, does not record.
    with pytest.raises(PermissionDenied):
        pathways.record_milestone(iom, p, milestone=Milestone.DEPARTED, reached_on=D(2015, 11, 1))
    # The Préfecture sees neither the pathway nor the person.
    assert not pathways.visible_pathways(persona("safeguarding.pref")).filter(pk=p.pk).exists()


def test_aggregates_are_counts_without_a_user(persona: Persona) -> None:
    lva = persona("caseworker.lva")
    for day in (D(2015, 3, 1), D(2015, 9, 1), D(2015, 9, 2), D(2016, 1, 1)):
        p = _asylum(lva, start=day)
        pathways.record_milestone(lva, p, milestone=Milestone.LODGED, reached_on=day)
    p = _asylum(lva, start=D(2015, 9, 1))
    pathways.record_milestone(lva, p, milestone=Milestone.LODGED, reached_on=D(2015, 9, 1))
    pathways.record_milestone(lva, p, milestone=Milestone.TRANSFERRED, reached_on=D(2015, 9, 4))
    year = (D(2015, 1, 1), D(2015, 12, 31))
    assert pathways.asylum_applications(*year) == 4
    assert pathways.transfers(*year) == 1
    assert pathways.voluntary_returns(*year) == 0
    for fn in (pathways.asylum_applications, pathways.transfers, pathways.voluntary_returns):
        assert list(inspect.signature(fn).parameters) == ["start", "end"]
        assert isinstance(fn(*year), int)


def test_the_api_records_milestones_and_gives_statistics(
    persona: Persona, login: Callable[[str], Any]
) -> None:
    lva = persona("caseworker.lva")
    person = make.person(lva, code="PW-0001")
    client = login("caseworker.lva")
    made = client.post(
        "/api/v1/safeguarding/pathways",
        {"case_code": person.case_code, "kind": "asylum", "started_on": "2015-09-01"},
        content_type="application/json",
    )
    assert made.status_code == 201
    pid = made.json()["id"]
    ok = client.post(
        f"/api/v1/safeguarding/pathways/{pid}/milestones",
        {"milestone": "lodged", "reached_on": "2015-09-02"},
        content_type="application/json",
    )
    assert ok.status_code == 201 and ok.json()["steps"][0]["milestone"] == "lodged"
    early = client.post(
        f"/api/v1/safeguarding/pathways/{pid}/milestones",
        {"milestone": "transferred", "reached_on": "2015-08-30"},
        content_type="application/json",
    )
    assert early.status_code == 422
    assert early["Content-Type"].startswith("application/problem+json")
    stats = client.get(
        "/api/v1/safeguarding/pathways/statistics", {"start": "2015-01-01", "end": "2015-12-31"}
    ).json()
    assert stats["asylum_applications"] == 1 and stats["transfers"] == 0
    assert "PW-0001" not in str(stats)


def test_the_demo_reproduces_the_agreements_figures(
    login: Callable[[str], Any],
) -> None:
    """More than 900 asylum applications with accommodation away from Calais by 20 August
    2015; about 2,000 meals a day at the Centre Jules Ferry; about 100 places for women and
    children. A second load changes nothing. The pages show them in both languages."""
    from django.urls import reverse

    from entente.core.models import AuditEntry
    from entente.demo import safeguarding_care
    from entente.safeguarding.models import DayCentre, Place
    from entente.safeguarding.services import accommodation, daycentre

    safeguarding_care.load()
    count = AuditEntry.objects.count()
    safeguarding_care.load()
    assert AuditEntry.objects.count() == count
    by_20_august = (D(2015, 1, 1), D(2015, 8, 20))
    assert pathways.asylum_applications(*by_20_august) > 900
    assert pathways.transfers(*by_20_august) > 900
    assert pathways.voluntary_returns(D(2015, 1, 1), D(2015, 12, 31)) > 0
    september = daycentre.meals_served(D(2015, 9, 1), D(2015, 9, 30))
    assert 1900 <= september / 30 <= 2100
    unit = Place.objects.get(name="Jules Ferry – femmes et enfants")
    assert unit.capacity_women_children == 100
    assert 0 < accommodation.free_places(unit, "women_children") < 100
    # No demo person has a name, a date of birth or vulnerability details.
    from entente.safeguarding.models import Person

    for person in Person.objects.filter(case_code__startswith="CARE-")[:50]:
        assert not person.name and not person.birth_date and not person.details
    centre = DayCentre.objects.get(name="Centre Jules Ferry")
    for username in ("caseworker.lva", "programme.homeoffice"):
        client = login(username)
        for url in (
            reverse("safeguarding:campaign_list"),
            reverse("safeguarding:campaign_detail", args=[Campaign.objects.order_by("pk")[0].pk]),
        ):
            assert client.get(url).status_code == 200
    client = login("caseworker.lva")
    for url in (
        reverse("safeguarding:place_list"),
        reverse("safeguarding:place_detail", args=[unit.pk]) + "?start=2015-09-01&end=2015-11-30",
        reverse("safeguarding:daycentre_detail", args=[centre.pk]) + "?month=2015-09",
        reverse("safeguarding:pathway_list") + "?year=2015",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    assert "912" in client.get(reverse("safeguarding:pathway_list") + "?year=2015").content.decode()
