"""Safeguarding services: protected accommodation.

A protected place has a capacity per category (women and children, families, men); a category
whose capacity is 0 is one the place does not serve. An allocation holds a bed from the moment
it is made until the person checks out or the allocation is cancelled, so that two caseworkers
cannot promise the same bed: every write locks the place (``select_for_update``) before it
counts. The place's address is confidential: only the users named in ``address_known_to`` read
it (``address_for``); lists, exports, API answers and the audit trail never carry it (the audit
snapshot leaves encrypted fields out).

Every function takes the acting user, runs in one transaction, checks everything before it
writes, and audits what it writes. Refusals are ``ValidationError`` (bad input, translated) or
``PermissionDenied`` (not theirs to do); nothing is written when one is raised.

``people_sheltered`` is an aggregate for the programme: a count, no user, no personal data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.core import access, audit
from entente.core.choices import TLP, Classification, Module, Role
from entente.core.models import User
from entente.core.services import marking_errors
from entente.safeguarding.choices import AllocationState, PlaceCategory
from entente.safeguarding.models import Allocation, Person, Place, Referral

HOLDING = (AllocationState.ALLOCATED, AllocationState.CHECKED_IN)
CATEGORIES = tuple(PlaceCategory)
MAX_ADDRESS = 500


# Reading -----------------------------------------------------------------------------------


def visible_places(user: Any) -> QuerySet[Place]:
    """The places the user may see (the one access policy), without their addresses' use."""
    return Place.objects.visible_to(user).select_related("originator__country")


def may_read_address(user: Any, place: Place) -> bool:
    """Only the users named as needing the address read it (not even administrators)."""
    if user is None or not getattr(user, "is_authenticated", False) or place.pk is None:
        return False
    return place.address_known_to.filter(pk=user.pk).exists()


def address_for(user: Any, place: Place) -> str | None:
    """The confidential address for a user named as needing it, else None."""
    return place.address if may_read_address(user, place) else None


def may_allocate(user: Any) -> bool:
    return access.has_role(user, Module.SAFEGUARDING, Role.EDITOR)


def _today() -> dt.date:
    return timezone.localdate()


def _day_of(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()


def _holding_q(on: dt.date | None) -> Q:
    """Allocations holding a bed now (``on`` None) or on a past or future day.

    On a given day an allocation holds a bed from the day it was made until the day of its
    check-out (that night is free again); a cancelled allocation holds none (its cancellation
    is not dated, so it is left out of the history too).
    """
    if on is None:
        return Q(state__in=HOLDING)
    end = timezone.make_aware(dt.datetime.combine(on + dt.timedelta(days=1), dt.time.min))
    return (
        ~Q(state=AllocationState.CANCELLED)
        & Q(allocated_at__lt=end)
        & (Q(checked_out_at__isnull=True) | Q(checked_out_at__gte=end))
    )


def free_places(place: Place, category: str, on: dt.date | None = None) -> int:
    """Capacity in a category minus the allocations holding a bed (allocated or checked in);
    ``on`` a given day, from the allocations' dates. Never below 0."""
    held = place.allocations.filter(_holding_q(on), category=category).count()
    return max(place.capacity(category) - held, 0)


@dataclass(frozen=True)
class Availability:
    """One place and category at a glance: capacity, beds held, people in, free beds."""

    place: Place
    category: str
    capacity: int
    allocated: int
    checked_in: int

    @property
    def free(self) -> int:
        return max(self.capacity - self.allocated - self.checked_in, 0)

    @property
    def category_label(self) -> str:
        return str(PlaceCategory(self.category).label)

    @property
    def full(self) -> bool:
        return self.free == 0


def at_a_glance(user: Any) -> list[Availability]:
    """Today's free places: every open place the user sees, each category it serves, in
    two queries."""
    places = list(visible_places(user).filter(active=True))
    counts: dict[tuple[int, str, str], int] = {}
    rows = (
        Allocation.objects.filter(place__in=[p.pk for p in places], state__in=HOLDING)
        .values_list("place_id", "category", "state")
        .order_by()
    )
    for place_id, category, state in rows:
        key = (place_id, category, state)
        counts[key] = counts.get(key, 0) + 1
    out = []
    for place in places:
        for category in CATEGORIES:
            capacity = place.capacity(category)
            if capacity == 0:
                continue
            out.append(
                Availability(
                    place=place,
                    category=category,
                    capacity=capacity,
                    allocated=counts.get((place.pk, category, AllocationState.ALLOCATED), 0),
                    checked_in=counts.get((place.pk, category, AllocationState.CHECKED_IN), 0),
                )
            )
    return out


def allocations_of(place: Place) -> QuerySet[Allocation]:
    return place.allocations.select_related("person", "created_by").order_by("-allocated_at")


@dataclass(frozen=True)
class OccupancyDay:
    day: dt.date
    occupied: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.occupied.values())


def occupancy(place: Place, start: dt.date, end: dt.date) -> list[OccupancyDay]:
    """People present each night from ``start`` to ``end`` (both included), per category,
    from the allocations' check-in and check-out dates (one query)."""
    if end < start:
        raise ValidationError(_("The end of the period comes before its start."))
    start_at = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    end_at = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    rows = place.allocations.filter(
        Q(checked_in_at__lt=end_at),
        Q(checked_out_at__isnull=True) | Q(checked_out_at__gte=start_at),
    ).values_list("category", "checked_in_at", "checked_out_at")
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    table = {d: dict.fromkeys(CATEGORIES, 0) for d in days}
    for category, checked_in, checked_out in rows:
        assert checked_in is not None  # filtered on it
        first = max(_day_of(checked_in), start)
        # The night of check-out is free again.
        last = min(_day_of(checked_out) - dt.timedelta(days=1), end) if checked_out else end
        d = first
        while d <= last:
            table[d][PlaceCategory(category)] += 1
            d += dt.timedelta(days=1)
    return [OccupancyDay(day=d, occupied={str(k): v for k, v in table[d].items()}) for d in days]


def occupancy_chart(
    place: Place, rows: list[OccupancyDay], *, width: int = 720, height: int = 200
) -> dict[str, Any]:
    """An SVG line of people present per night against capacity (server-rendered: no
    script). Returns the geometry the template draws."""
    capacity = sum(place.capacity(c) for c in CATEGORIES)
    top = max([capacity, *(r.total for r in rows), 1])
    n = max(len(rows) - 1, 1)
    pad = 30
    inner_w, inner_h = width - 2 * pad, height - 2 * pad

    def y(value: int) -> float:
        return round(pad + inner_h - inner_h * value / top, 1)

    points = " ".join(f"{round(pad + inner_w * i / n, 1)},{y(r.total)}" for i, r in enumerate(rows))
    return {
        "width": width,
        "height": height,
        "points": points,
        "capacity_y": y(capacity),
        "capacity": capacity,
        "top": top,
        "pad": pad,
        "bottom": height - pad,
        "right": width - pad,
        "first": rows[0].day if rows else None,
        "last": rows[-1].day if rows else None,
    }


def people_sheltered(start: dt.date, end: dt.date) -> int:
    """For the programme: how many different people were checked in to a protected place
    at some time between ``start`` and ``end`` (both included). A count only."""
    start_at = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    end_at = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    return (
        Allocation.objects.filter(
            Q(checked_in_at__lt=end_at),
            Q(checked_out_at__isnull=True) | Q(checked_out_at__gte=start_at),
        )
        .values("person_id")
        .distinct()
        .count()
    )


# Places ------------------------------------------------------------------------------------


def _place_fields_errors(
    *, name: str, town: str, address: str, capacities: dict[str, int]
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("Give the place a name.")
    if not town.strip():
        errors["town"] = _("Say in which town the place is.")
    if len(address) > MAX_ADDRESS:
        errors["address"] = _("The address is too long.")
    for category, value in capacities.items():
        if value < 0:
            errors[f"capacity_{category}"] = _("A capacity cannot be negative.")
    if capacities and not any(v > 0 for v in capacities.values()):
        errors["capacity_women_children"] = _("A place serves at least one category.")
    return errors


@transaction.atomic
def create_place(
    acting_user: Any,
    *,
    name: str,
    town: str,
    address: str,
    capacity_women_children: int = 0,
    capacity_families: int = 0,
    capacity_men: int = 0,
    address_known_to: Iterable[User] = (),
    releasability: Iterable[str] | None = None,
    tlp: str = TLP.GREEN,
    classification: int = Classification.OFFICIAL,
) -> Place:
    """A safeguarding editor opens a place for their agency. The author always knows the
    address; the others who must know it are named."""
    access.require_role(acting_user, Module.SAFEGUARDING, Role.EDITOR)
    agency = acting_user.agency
    capacities: dict[str, int] = {
        PlaceCategory.WOMEN_CHILDREN: capacity_women_children,
        PlaceCategory.FAMILIES: capacity_families,
        PlaceCategory.MEN: capacity_men,
    }
    codes, errors = marking_errors(
        originator=agency,
        releasability=releasability if releasability is not None else [agency.country.code],
        tlp=tlp,
        classification=classification,
        author=acting_user,
    )
    errors.update(
        _place_fields_errors(name=name, town=town, address=address, capacities=capacities)
    )
    if errors:
        raise ValidationError(errors)
    place = Place.objects.create(
        name=name.strip(),
        town=town.strip(),
        address=address.strip(),
        capacity_women_children=capacity_women_children,
        capacity_families=capacity_families,
        capacity_men=capacity_men,
        releasability=codes,  # type: ignore[misc]
        tlp=tlp,
        classification=classification,
        originator=agency,
        created_by=acting_user,
    )
    place.address_known_to.set({acting_user.pk, *(u.pk for u in address_known_to)})
    audit.record_create(acting_user, place)
    return place


def _lock_place(place: Place, user: Any) -> Place:
    locked: Place = Place.objects.select_for_update().get(pk=place.pk)
    if not access.can_view(user, locked):
        raise PermissionDenied(_("You may not see this place."))
    return locked


@transaction.atomic
def update_place(
    acting_user: Any,
    place: Place,
    *,
    capacities: dict[str, int] | None = None,
    active: bool | None = None,
    address: str | None = None,
    address_known_to: Iterable[User] | None = None,
) -> Place:
    """Editors of the owning agency change a place's capacities, open or close it, and (if
    they know it) its address and who else must know it. A capacity cannot fall below the
    beds already held in its category."""
    locked = _lock_place(place, acting_user)
    if not access.can_change(acting_user, locked):
        raise PermissionDenied(_("Only editors of the place's agency change it."))
    if (address is not None or address_known_to is not None) and not may_read_address(
        acting_user, locked
    ):
        raise PermissionDenied(_("Only those who know the address change it or its readers."))
    errors: dict[str, str] = {}
    caps = {str(k): int(v) for k, v in (capacities or {}).items()}
    for category, value in caps.items():
        if category not in PlaceCategory.values:
            errors[f"capacity_{category}"] = _("Unknown category.")
            continue
        held = locked.allocations.filter(category=category, state__in=HOLDING).count()
        if value < held:
            errors[f"capacity_{category}"] = _(
                "{held} beds of this category are held: the capacity cannot be lower."
            ).format(held=held)
    if caps and not errors:
        merged = {c: caps.get(c, locked.capacity(c)) for c in PlaceCategory.values}
        errors.update(
            _place_fields_errors(
                name=locked.name, town=locked.town, address=address or "", capacities=merged
            )
        )
    elif address is not None and len(address) > MAX_ADDRESS:
        errors["address"] = _("The address is too long.")
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(locked)
    for category, value in caps.items():
        setattr(locked, f"capacity_{category}", value)
    if active is not None:
        locked.active = active
    if address is not None:
        locked.address = address.strip()
    locked.save()
    changes = audit.diff(before, audit.snapshot(locked))
    if address is not None:
        changes["address"] = ["…", "…"]  # that it changed, never what it says
    if address_known_to is not None:
        ids = {acting_user.pk, *(u.pk for u in address_known_to)}
        old = set(locked.address_known_to.values_list("pk", flat=True))
        locked.address_known_to.set(ids)
        if old != ids:
            changes["address_known_to"] = [sorted(old), sorted(ids)]
    audit.record(acting_user, "update", locked, changes=changes)
    return locked


# Allocations -------------------------------------------------------------------------------


def _check_category(place: Place, category: str) -> None:
    if category not in PlaceCategory.values:
        raise ValidationError(
            {"category": _("Unknown category {category}.").format(category=category)}
        )
    if place.capacity(category) == 0:
        raise ValidationError(
            {
                "category": _("{place} does not take {category}.").format(
                    place=place.name, category=str(PlaceCategory(category).label).lower()
                )
            }
        )


@transaction.atomic
def allocate(
    acting_user: Any,
    *,
    place: Place,
    person: Person,
    category: str,
    referral: Referral | None = None,
) -> Allocation:
    """A safeguarding editor who sees the place and the person allocates them a bed in one
    category. Refused, with nothing written: a closed place, a category the place does not
    serve (capacity 0), no free bed in it, a person who already holds a bed somewhere, a
    referral of someone else."""
    access.require_role(acting_user, Module.SAFEGUARDING, Role.EDITOR)
    locked = _lock_place(place, acting_user)
    if not access.can_view(acting_user, person):
        raise PermissionDenied(_("You may not see this person."))
    if not locked.active:
        raise ValidationError({"place": _("{place} is closed.").format(place=locked.name)})
    _check_category(locked, category)
    if referral is not None and referral.person_id != person.pk:
        raise ValidationError({"referral": _("This referral is for someone else.")})
    held = Allocation.objects.filter(person=person, state__in=HOLDING).select_related("place")
    current = held.first()
    if current is not None:
        raise ValidationError(
            {
                "person": _("{person} already holds a place at {place}.").format(
                    person=person.case_code, place=current.place.name
                )
            }
        )
    if free_places(locked, category) <= 0:
        raise ValidationError(
            {
                "category": _("{place} has no free place for {category}.").format(
                    place=locked.name, category=str(PlaceCategory(category).label).lower()
                )
            }
        )
    allocation = Allocation.objects.create(
        place=locked,
        person=person,
        referral=referral,
        category=category,
        created_by=acting_user,
    )
    audit.record_create(acting_user, allocation)
    return allocation


def _lock_allocation(allocation: Allocation, user: Any) -> tuple[Allocation, Place]:
    access.require_role(user, Module.SAFEGUARDING, Role.EDITOR)
    # The place first (the lock every allocation write takes), then the allocation.
    place = _lock_place(allocation.place, user)
    locked: Allocation = (
        Allocation.objects.select_for_update().select_related("person").get(pk=allocation.pk)
    )
    return locked, place


def _set_state(user: Any, allocation: Allocation, state: str, **fields: Any) -> Allocation:
    before = audit.snapshot(allocation)
    allocation.state = state
    for name, value in fields.items():
        setattr(allocation, name, value)
    allocation.save(update_fields=["state", *fields])
    audit.record_update(user, allocation, before)
    return allocation


@transaction.atomic
def check_in(
    acting_user: Any, allocation: Allocation, *, at: dt.datetime | None = None
) -> Allocation:
    """The person arrives. Refused if they were not (or no longer) allocated, or if the
    category's people already in fill its capacity (it may have been lowered)."""
    locked, place = _lock_allocation(allocation, acting_user)
    if locked.state != AllocationState.ALLOCATED:
        raise ValidationError(
            _("Only an allocated place can be checked in (this one is {state}).").format(
                state=str(AllocationState(locked.state).label).lower()
            )
        )
    inside = place.allocations.filter(
        category=locked.category, state=AllocationState.CHECKED_IN
    ).count()
    if inside + 1 > place.capacity(locked.category):
        raise ValidationError(
            _("{place} is full for {category}: {count} people are already checked in.").format(
                place=place.name,
                category=str(PlaceCategory(locked.category).label).lower(),
                count=inside,
            )
        )
    when = at or timezone.now()
    if when < locked.allocated_at:
        raise ValidationError(_("A check-in cannot come before the allocation."))
    return _set_state(acting_user, locked, AllocationState.CHECKED_IN, checked_in_at=when)


@transaction.atomic
def check_out(
    acting_user: Any, allocation: Allocation, *, at: dt.datetime | None = None
) -> Allocation:
    """The person leaves; the bed is free again. Refused before a check-in."""
    locked, _place = _lock_allocation(allocation, acting_user)
    if locked.state != AllocationState.CHECKED_IN or locked.checked_in_at is None:
        raise ValidationError(_("A person is checked out only after being checked in."))
    when = at or timezone.now()
    if when < locked.checked_in_at:
        raise ValidationError(_("A check-out cannot come before the check-in."))
    return _set_state(acting_user, locked, AllocationState.CHECKED_OUT, checked_out_at=when)


@transaction.atomic
def cancel(acting_user: Any, allocation: Allocation) -> Allocation:
    """An allocation not yet taken up is cancelled (the bed is free again); cancelling one
    already cancelled changes nothing. A person checked in is checked out instead."""
    locked, _place = _lock_allocation(allocation, acting_user)
    if locked.state == AllocationState.CANCELLED:
        return locked
    if locked.state != AllocationState.ALLOCATED:
        raise ValidationError(
            _("Only an allocation not yet taken up can be cancelled; check the person out.")
        )
    return _set_state(acting_user, locked, AllocationState.CANCELLED)
