"""Protected accommodation: allocation, check-in, check-out, cancellation and free places,
refusals with nothing written, the confidential address, occupancy, the pages and the API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from entente.core.models import AuditEntry, User
from entente.safeguarding.choices import AllocationState, PlaceCategory
from entente.safeguarding.models import Allocation
from entente.safeguarding.services import accommodation
from tests.safeguarding import care_factories as make

pytestmark = pytest.mark.django_db

Persona = Callable[[str], User]
WC = PlaceCategory.WOMEN_CHILDREN


def test_allocate_check_in_out_and_cancel_change_free_places(persona: Persona) -> None:
    lva = persona("caseworker.lva")
    place = make.place(lva, women_children=2)
    a, b = make.person(lva), make.person(lva)
    assert accommodation.free_places(place, WC) == 2
    first = accommodation.allocate(lva, place=place, person=a, category=WC)
    assert accommodation.free_places(place, WC) == 1
    accommodation.check_in(lva, first)
    assert accommodation.free_places(place, WC) == 1
    second = accommodation.allocate(lva, place=place, person=b, category=WC)
    assert accommodation.free_places(place, WC) == 0
    accommodation.cancel(lva, second)
    assert accommodation.free_places(place, WC) == 1
    accommodation.check_out(lva, first)
    assert accommodation.free_places(place, WC) == 2
    first.refresh_from_db()
    assert first.state == AllocationState.CHECKED_OUT
    assert first.checked_out_at is not None and first.checked_in_at is not None
    kinds = AuditEntry.objects.filter(object_type="safeguarding.allocation")
    assert kinds.filter(action="create").count() == 2
    assert kinds.filter(action="update").count() == 3


def test_a_full_place_refuses_another_allocation_with_nothing_written(persona: Persona) -> None:
    lva = persona("caseworker.lva")
    place = make.place(lva, women_children=1)
    accommodation.allocate(lva, place=place, person=make.person(lva), category=WC)
    before = (Allocation.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationError, match="no free place"):
        accommodation.allocate(lva, place=place, person=make.person(lva), category=WC)
    assert (Allocation.objects.count(), AuditEntry.objects.count()) == before


def test_a_category_the_place_does_not_serve_is_refused(persona: Persona) -> None:
    lva = persona("caseworker.lva")
    place = make.place(lva, women_children=3, men=0)
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError, match="does not take men"):
        accommodation.allocate(lva, place=place, person=make.person(lva), category="men")
    assert not Allocation.objects.exists()
    assert AuditEntry.objects.count() == before


def test_check_in_beyond_capacity_is_refused(persona: Persona) -> None:
    lva = persona("caseworker.lva")
    place = make.place(lva, women_children=2)
    one = accommodation.allocate(lva, place=place, person=make.person(lva), category=WC)
    two = accommodation.allocate(lva, place=place, person=make.person(lva), category=WC)
    accommodation.check_in(lva, one)
    # The capacity is lowered behind the allocations' back (the service refuses to do it).
    type(place).objects.filter(pk=place.pk).update(capacity_women_children=1)
    with pytest.raises(ValidationError, match="full"):
        accommodation.check_in(lva, two)
    two.refresh_from_db()
    assert two.state == AllocationState.ALLOCATED and two.checked_in_at is None


def test_check_out_before_check_in_is_refused(persona: Persona) -> None:
    lva = persona("caseworker.lva")
    place = make.place(lva)
    one = accommodation.allocate(lva, place=place, person=make.person(lva), category=WC)
    with pytest.raises(ValidationError, match="only after being checked in"):
        accommodation.check_out(lva, one)
    one.refresh_from_db()
    assert one.state == AllocationState.ALLOCATED


def test_a_person_holds_one_bed_at_a_time(persona: Persona) -> None:
    lva = persona("caseworker.lva")
    p = make.person(lva)
    accommodation.allocate(lva, place=make.place(lva, name="A"), person=p, category=WC)
    with pytest.raises(ValidationError, match="already holds a place"):
        accommodation.allocate(lva, place=make.place(lva, name="B"), person=p, category=WC)


def test_only_safeguarding_editors_allocate(persona: Persona) -> None:
    lva = persona("caseworker.lva")
    place = make.place(lva)
    p = make.person(lva)
    for username in ("officer.iom", "gold.kent"):
        with pytest.raises(PermissionDenied):
            accommodation.allocate(persona(username), place=place, person=p, category=WC)


def test_free_places_on_a_past_day(persona: Persona) -> None:
    lva = persona("caseworker.lva")
    place = make.place(lva, women_children=3)
    day = dt.date(2015, 9, 1)
    at = timezone.make_aware(dt.datetime(2015, 9, 1, 18))
    one = accommodation.allocate(lva, place=place, person=make.person(lva), category=WC)
    Allocation.objects.filter(pk=one.pk).update(allocated_at=at)
    one.refresh_from_db()
    accommodation.check_in(lva, one, at=at)
    accommodation.check_out(lva, one, at=at + dt.timedelta(days=2))
    assert accommodation.free_places(place, WC, on=day - dt.timedelta(days=1)) == 3
    assert accommodation.free_places(place, WC, on=day) == 2
    assert accommodation.free_places(place, WC, on=day + dt.timedelta(days=1)) == 2
    assert accommodation.free_places(place, WC, on=day + dt.timedelta(days=2)) == 3
    rows = accommodation.occupancy(place, day - dt.timedelta(days=1), day + dt.timedelta(days=3))
    assert [r.total for r in rows] == [0, 1, 1, 0, 0]
    assert accommodation.people_sheltered(day, day) == 1
    assert (
        accommodation.people_sheltered(day + dt.timedelta(days=5), day + dt.timedelta(days=9)) == 0
    )
