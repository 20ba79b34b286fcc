"""The 24/7 roster: teams on duty by shift at each site, and the coverage it gives.

Decisions:

- **The roster is joint.** Any editor of the control room (operators and team leaders of every
  agency) puts a team on the roster or takes it off; every change is audited. The system
  (``acting_user=None``: the demo loader) may too.
- **A shift is at the team's base**, and its bounds are the slot's wall-clock hours in the
  site's time zone (``choices.SHIFT_HOURS``), turned into UTC day by day: the night of the
  spring clock change lasts seven hours, the autumn one nine, and the slots still follow each
  other without gap or overlap. One shift per team per slot.
- **Coverage** counts the active teams on duty per kind against the site's requirement; a slot
  short of a kind is a gap, flagged ahead of time (``coverage_gaps``: the next seven days by
  default, the incident list shows the next 48 hours). Teams and the roster are the joint
  command's reference data: readers need only a control-room role, checked by the callers.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from entente.control_room.choices import SHIFT_HOURS, ShiftSlot, TeamKind
from entente.control_room.models import CoverageRequirement, Shift, Team
from entente.core import access, audit
from entente.core.choices import Module, Role
from entente.core.models import Site

# The days a roster may name: wide enough for history and planning, narrow enough that a
# slot's bounds are always a real moment (the API refuses a year 9999 with a reason).
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2099, 12, 31)
SLOTS = list(ShiftSlot.values)
DEFAULT_GAP_DAYS = 7

# The roster ---------------------------------------------------------------------------------


def slot_bounds(zone_name: str, day: dt.date, slot: str) -> tuple[dt.datetime, dt.datetime]:
    """The UTC start and end of a slot of a day, from its wall-clock hours in a time zone.

    The end is the wall-clock end (06:00 the next morning for the night), not the start plus
    eight hours: across a clock change the night is one hour shorter or longer, and the next
    slot starts exactly when this one ends. The slots start at 06:00, 14:00 and 22:00, never
    inside a change (01:00-03:00), so no wall-clock time here is skipped or repeated.
    """
    start_hour, hours = SHIFT_HOURS[slot]
    tz = zoneinfo.ZoneInfo(zone_name)
    local_start = dt.datetime.combine(day, dt.time(start_hour))
    local_end = local_start + dt.timedelta(hours=hours)
    return (
        local_start.replace(tzinfo=tz).astimezone(dt.UTC),
        local_end.replace(tzinfo=tz).astimezone(dt.UTC),
    )


def slot_at(zone_name: str, moment: dt.datetime) -> tuple[dt.date, str]:
    """The (local day, slot) in progress at a moment: 03:00 on a Tuesday is Monday's night."""
    local_day = moment.astimezone(zoneinfo.ZoneInfo(zone_name)).date()
    for day in (local_day, local_day - dt.timedelta(days=1)):
        for slot in SLOTS:
            starts_at, ends_at = slot_bounds(zone_name, day, slot)
            if starts_at <= moment < ends_at:
                return day, slot
    raise AssertionError("the slots cover every hour of the day")  # pragma: no cover


def _require_roster_change(acting_user: Any) -> None:
    """Any editor of the control room keeps the joint roster; None is the system (demo)."""
    if acting_user is not None:
        access.require_role(acting_user, Module.CONTROL_ROOM, Role.EDITOR)


def _actor(acting_user: Any) -> Any:
    return acting_user if getattr(acting_user, "is_authenticated", False) else None


def _slot_label(slot: str) -> str:
    return str(ShiftSlot(slot).label)


def _create_shift(team: Team, day: dt.date, slot: str, acting_user: Any) -> Shift:
    if slot not in SLOTS:
        raise ValidationError({"slot": _("Choose the early, late or night shift.")})
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationError({"day": _("Choose a day between 2000 and 2099.")})
    if not team.active:
        raise ValidationError(
            {
                "team": _("Team {code} is stood down; it cannot go on the roster.").format(
                    code=team.code
                )
            }
        )
    if Shift.objects.filter(team=team, day=day, slot=slot).exists():
        raise ValidationError(
            {
                "team": _(
                    "Team {code} is already on the roster for the {slot} shift of {day}."
                ).format(
                    code=team.code,
                    slot=_slot_label(slot),
                    day=formats.date_format(day, "SHORT_DATE_FORMAT"),
                )
            }
        )
    starts_at, ends_at = slot_bounds(team.site.timezone, day, slot)
    shift = Shift(
        team=team,
        site=team.site,
        day=day,
        slot=slot,
        starts_at=starts_at,
        ends_at=ends_at,
        created_by=_actor(acting_user),
    )
    # The model's constraints again, with their translated messages (the author may be the
    # system, hence no check of ``created_by``).
    shift.full_clean(exclude=["created_by"])
    shift.save()
    audit.record_create(acting_user, shift)
    return shift


def locked_team(team: Team) -> Team:
    """The team's row, locked: two people rostering or dispatching one team go one at a time."""
    locked: Team = (
        Team.objects.select_for_update(of=("self",))
        .select_related("site__country", "agency", "leader")
        .get(pk=team.pk)
    )
    return locked


@transaction.atomic
def add_shift(team: Team, day: dt.date, slot: str, *, acting_user: Any) -> Shift:
    """Put a team on the roster for one slot of one day, at its base; audited."""
    _require_roster_change(acting_user)
    return _create_shift(locked_team(team), day, slot, acting_user)


@transaction.atomic
def remove_shift(shift: Shift, *, acting_user: Any) -> None:
    """Take a team off the roster for one slot; audited (the entry keeps what was removed)."""
    _require_roster_change(acting_user)
    locked = Shift.objects.select_for_update().filter(pk=shift.pk).first()
    if locked is None:
        raise Http404(_("No such record."))
    audit.record_delete(acting_user, locked)
    locked.delete()


def week_start(day: dt.date) -> dt.date:
    """The Monday of the week a day falls in (rosters are drawn week by week)."""
    return day - dt.timedelta(days=day.weekday())


@transaction.atomic
def fill_week(
    first_day: dt.date, pattern: Iterable[tuple[int, str, Team]], *, acting_user: Any
) -> list[Shift]:
    """Put teams on the roster for the seven days from ``first_day`` following a pattern of
    (day offset 0-6, slot, team). Slots a team already holds are kept, stood-down teams
    left out: filling twice adds nothing. Returns the shifts added."""
    _require_roster_change(acting_user)
    entries = list(pattern)
    teams = {
        t.pk: t
        for t in Team.objects.select_related("site__country").filter(
            pk__in={team.pk for _, _, team in entries}
        )
    }
    held = set(
        Shift.objects.filter(
            team_id__in=teams, day__range=(first_day, first_day + dt.timedelta(days=6))
        ).values_list("team_id", "day", "slot")
    )
    added = []
    for offset, slot, team in entries:
        if not 0 <= offset <= 6:
            raise ValidationError({"day": _("A weekly pattern names days 0 to 6.")})
        day = first_day + dt.timedelta(days=offset)
        current = teams[team.pk]
        if (current.pk, day, slot) in held or not current.active:
            continue
        added.append(_create_shift(current, day, slot, acting_user))
        held.add((current.pk, day, slot))
    return added


@transaction.atomic
def copy_week(
    site: Site, *, source_start: dt.date, target_start: dt.date, acting_user: Any
) -> list[Shift]:
    """Fill the week from ``target_start`` with the shifts the site had in the week from
    ``source_start`` (e.g. last week); what is already on the roster stays. Returns the
    shifts added."""
    _require_roster_change(acting_user)
    if source_start == target_start:
        raise ValidationError({"week": _("Choose another week to copy from.")})
    source = Shift.objects.filter(
        site=site, day__range=(source_start, source_start + dt.timedelta(days=6))
    ).select_related("team")
    pattern = [((s.day - source_start).days, s.slot, s.team) for s in source]
    return fill_week(target_start, pattern, acting_user=acting_user)


def roster(site: Site | None, start: dt.date, end: dt.date) -> QuerySet[Shift]:
    """The shifts of a site (or of every site) from ``start`` to ``end``, both days included."""
    qs = Shift.objects.filter(day__range=(start, end)).select_related("team", "site")
    if site is not None:
        qs = qs.filter(site=site)
    return qs.order_by("starts_at", "site__code", "team__code")


# Coverage -----------------------------------------------------------------------------------


@dataclass
class KindCoverage:
    """The teams of one kind on duty in one slot, against what the site needs."""

    kind: str
    required: int
    teams: list[Team] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(TeamKind(self.kind).label)

    @property
    def on_duty(self) -> int:
        return len(self.teams)

    @property
    def short(self) -> int:
        return max(0, self.required - self.on_duty)


@dataclass
class SlotCoverage:
    """One slot of one day at one site: who is on duty, per kind, and what is missing."""

    site: Site
    day: dt.date
    slot: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    kinds: list[KindCoverage]
    shifts: list[Shift] = field(default_factory=list)

    @property
    def slot_label(self) -> str:
        return _slot_label(self.slot)

    @property
    def gaps(self) -> list[KindCoverage]:
        return [k for k in self.kinds if k.short]

    @property
    def gap(self) -> bool:
        return bool(self.gaps)

    @property
    def now(self) -> bool:
        return self.starts_at <= timezone.now() < self.ends_at


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def _coverage(sites: list[Site], start: dt.date, end: dt.date) -> list[SlotCoverage]:
    """Coverage of several sites over local days ``start``..``end``: two queries in all."""
    required: dict[int, dict[str, int]] = {}
    for req in CoverageRequirement.objects.filter(site__in=sites):
        required.setdefault(req.site_id, {})[req.team_kind] = req.minimum
    by_slot: dict[tuple[int, dt.date, str], list[Shift]] = {}
    shifts = (
        Shift.objects.filter(site__in=sites, day__range=(start, end))
        .select_related("team__agency")
        .order_by("team__code")
    )
    for shift in shifts:
        by_slot.setdefault((shift.site_id, shift.day, shift.slot), []).append(shift)
    out = []
    for site in sites:
        needs = required.get(site.pk, {})
        for day in _days(start, end):
            for slot in SLOTS:
                held = by_slot.get((site.pk, day, slot), [])
                kinds = {kind: KindCoverage(kind, needs.get(kind, 0)) for kind in TeamKind.values}
                for shift in held:
                    if shift.team.active:
                        kinds[shift.team.kind].teams.append(shift.team)
                starts_at, ends_at = slot_bounds(site.timezone, day, slot)
                out.append(
                    SlotCoverage(
                        site=site,
                        day=day,
                        slot=slot,
                        starts_at=starts_at,
                        ends_at=ends_at,
                        kinds=[k for k in kinds.values() if k.required or k.teams],
                        shifts=held,
                    )
                )
    return out


def coverage(site: Site, start: dt.date, end: dt.date) -> list[SlotCoverage]:
    """Each slot of a site from local day ``start`` to ``end`` (both included), in order, with
    the teams on duty per kind against the site's requirement. Teams and the roster are the
    joint command's reference data: callers check the control-room role."""
    site = Site.objects.select_related("country").get(pk=site.pk)
    return _coverage([site], start, end)


def coverage_gaps(
    start: dt.datetime | None = None, end: dt.datetime | None = None
) -> list[SlotCoverage]:
    """Slots, at every site with a requirement, that overlap ``start``..``end`` (default: now
    and the next seven days) and where fewer teams are on duty than needed: flagged ahead of
    time, soonest first. The slot in progress counts (a gap now is a gap)."""
    start = start or timezone.now()
    end = end or start + dt.timedelta(days=DEFAULT_GAP_DAYS)
    site_ids = CoverageRequirement.objects.filter(minimum__gt=0).values("site_id")
    sites = list(Site.objects.filter(pk__in=site_ids).select_related("country"))
    if not sites or end <= start:
        return []
    # Local days are at most a day off UTC, and a night reaches into the next day: one day of
    # margin on each side, then the slots are cut to the window by their UTC bounds.
    first = start.date() - dt.timedelta(days=1)
    last = end.date() + dt.timedelta(days=1)
    slots = [
        s
        for s in _coverage(sites, first, last)
        if s.gap and s.ends_at > start and s.starts_at < end
    ]
    return sorted(slots, key=lambda s: (s.starts_at, s.site.code))


def on_duty_now(site: Site | None = None, *, at: dt.datetime | None = None) -> QuerySet[Shift]:
    """The shifts in progress (at a site, or everywhere), teams first by call sign."""
    at = at or timezone.now()
    qs = Shift.objects.filter(starts_at__lte=at, ends_at__gt=at, team__active=True)
    if site is not None:
        qs = qs.filter(site=site)
    return qs.select_related("team__agency", "site").order_by("team__code")
