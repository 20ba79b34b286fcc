"""Intrusion attempts per day and site: imported history, then what the incidents show.

Days are the site's local calendar days. A day with an imported count keeps it (the record of
the time); other days count the incidents of intrusion kinds opened that day.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, Count, Func, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from entente.control_room.choices import AlertKind
from entente.control_room.models import DailyCount, Incident, Zone
from entente.core import access, audit
from entente.core.choices import AuditAction, Module, Role
from entente.core.figures import duration_label, median_and_p90
from entente.core.models import Site

INTRUSION_KINDS = (
    AlertKind.INTRUSION,
    AlertKind.FENCE_BREACH,
    AlertKind.PERSON_DETECTED,
    AlertKind.HEARTBEAT,
    AlertKind.CO2,
)


@dataclass(frozen=True)
class DayCount:
    day: dt.date
    site: str
    attempts: int
    imported: bool


def daily_attempts(
    user: Any, *, start: dt.date, end: dt.date, site: str | None = None
) -> list[DayCount]:
    """The series between two days (inclusive), per site, for people of the control room."""
    access.require_role(user, Module.CONTROL_ROOM)
    sites = {s.pk: s for s in Site.objects.select_related("country")}
    if site:
        sites = {pk: s for pk, s in sites.items() if s.code == site}
    counts: dict[tuple[dt.date, str], int] = defaultdict(int)
    margin = dt.timedelta(days=1)
    incidents = (
        Incident.objects.visible_to(user)
        .filter(
            # An incident merged into another is counted once, as the one it joined.
            merged_into__isnull=True,
            kind__in=INTRUSION_KINDS,
            zone__site_id__in=sites,
            opened_at__gte=dt.datetime.combine(start - margin, dt.time.min, tzinfo=dt.UTC),
            opened_at__lt=dt.datetime.combine(end + margin * 2, dt.time.min, tzinfo=dt.UTC),
        )
        .values_list("zone__site_id", "opened_at")
    )
    for site_id, opened in incidents:
        local = opened.astimezone(zoneinfo.ZoneInfo(sites[site_id].country.timezone)).date()
        if start <= local <= end:
            counts[(local, sites[site_id].code)] += 1
    imported = {
        (d.day, sites[d.site_id].code): d.attempts
        for d in DailyCount.objects.filter(site_id__in=sites, day__gte=start, day__lte=end)
    }
    keys = sorted(set(counts) | set(imported))
    return [
        DayCount(
            day,
            code,
            imported.get((day, code), counts.get((day, code), 0)),
            (day, code) in imported,
        )
        for day, code in keys
    ]


def to_csv(series: Iterable[DayCount]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["day", "site", "intrusion_attempts", "source"])
    for row in series:
        writer.writerow(
            [
                row.day.isoformat(),
                row.site,
                row.attempts,
                "imported" if row.imported else "incidents",
            ]
        )
    return out.getvalue()


# The largest count the column holds (a positive integer field: 32 bits on PostgreSQL);
# a larger one is a typo, refused on its line rather than failing the whole write.
MAX_ATTEMPTS = 2_147_483_647


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


def parse_counts(text: str) -> tuple[list[tuple[str, dt.date, int, str]], list[RowError]]:
    """Rows of a daily-counts CSV (header: day, site, intrusion_attempts[, source])."""
    reader = csv.DictReader(io.StringIO(text))
    needed = {"day", "site", "intrusion_attempts"}
    if reader.fieldnames is None or not needed <= set(reader.fieldnames):
        return [], [
            RowError(1, _("The header must name the columns day, site and intrusion_attempts."))
        ]
    known = set(Site.objects.values_list("code", flat=True))
    rows, errors = [], []
    seen: set[tuple[str, dt.date]] = set()
    for line, raw in enumerate(reader, start=2):
        try:
            day = dt.date.fromisoformat((raw.get("day") or "").strip())
        except ValueError:
            errors.append(RowError(line, _("The day must be written YYYY-MM-DD.")))
            continue
        code = (raw.get("site") or "").strip()
        if code not in known:
            errors.append(RowError(line, _("Unknown site {code}.").format(code=code)))
            continue
        try:
            attempts = int((raw.get("intrusion_attempts") or "").strip())
            if attempts < 0:
                raise ValueError
        except ValueError:
            errors.append(
                RowError(line, _("The number of attempts must be a whole number, 0 or more."))
            )
            continue
        if attempts > MAX_ATTEMPTS:
            errors.append(
                RowError(
                    line,
                    _("The number of attempts is too large (at most {limit}).").format(
                        limit=MAX_ATTEMPTS
                    ),
                )
            )
            continue
        if (code, day) in seen:
            errors.append(RowError(line, _("This site and day appear twice in the file.")))
            continue
        seen.add((code, day))
        rows.append((code, day, attempts, (raw.get("source") or "").strip()[:200]))
    return rows, errors


def import_counts(text: str, *, acting_user: Any) -> int:
    """Import a daily-counts CSV, all or nothing; a row for an existing day replaces it.

    Raises ValidationError listing every faulty line (nothing is written then).
    """
    access.require_role(acting_user, Module.CONTROL_ROOM, Role.APPROVER)
    return import_counts_as_system(text, actor=acting_user)


def import_counts_as_system(text: str, *, actor: Any = None) -> int:
    """The import itself, for the command line and the demo loader (recorded as "system")."""
    rows, errors = parse_counts(text)
    if errors:
        raise ValidationError(
            [_("Line {line}: {message}").format(line=e.line, message=e.message) for e in errors]
        )
    sites = dict(Site.objects.values_list("code", "pk"))
    with transaction.atomic():
        for code, day, attempts, source in rows:
            DailyCount.objects.update_or_create(
                site_id=sites[code], day=day, defaults={"attempts": attempts, "source": source}
            )
        audit.record(
            actor,
            AuditAction.CREATE,
            object_type="control_room.dailycount",
            object_id=f"import:{len(rows)}",
            changes={"rows": len(rows)},
        )
    return len(rows)


def chart(series: list[DayCount], *, width: int = 800, height: int = 240) -> dict[str, Any]:
    """An SVG line of attempts per day (summed over the sites shown), ready for the template."""
    per_day: dict[dt.date, int] = defaultdict(int)
    for row in series:
        per_day[row.day] += row.attempts
    if not per_day:
        return {
            "points": "",
            "width": width,
            "height": height,
            "max": 0,
            "first": None,
            "last": None,
        }
    days = sorted(per_day)
    top = max(per_day.values()) or 1
    span = max((days[-1] - days[0]).days, 1)
    pad = 40
    points = " ".join(
        f"{pad + (d - days[0]).days * (width - 2 * pad) / span:.1f},"
        f"{height - pad - per_day[d] * (height - 2 * pad) / top:.1f}"
        for d in days
    )
    return {
        "points": points,
        "width": width,
        "height": height,
        "max": top,
        "first": days[0],
        "last": days[-1],
        "pad": pad,
    }


# Response times ---------------------------------------------------------------------------

# Each measure runs from the first alert of an incident (its opening) to a lifecycle stamp.
RESPONSE_MEASURES: tuple[tuple[str, str], ...] = (
    ("acknowledged", "acknowledged_at"),
    ("dispatched", "dispatched_at"),
    ("on_scene", "on_scene_at"),
)
RESPONSE_LABELS = {
    "acknowledged": gettext_lazy("Alert to acknowledgement"),
    "dispatched": gettext_lazy("Alert to dispatch"),
    "on_scene": gettext_lazy("Alert to arrival on scene"),
}
ALL_SITES = ""


@dataclass(frozen=True)
class Measure:
    """One response time over a set of incidents: how many reached the step, the median and
    the 90th percentile in seconds (None when none reached it)."""

    count: int
    median: float | None
    p90: float | None

    @classmethod
    def of(cls, values: list[float]) -> Measure:
        # A tenth of a second is finer than any stamp an operator makes.
        return cls(len(values), *median_and_p90(values))

    @property
    def median_label(self) -> str:
        return duration_label(self.median)

    @property
    def p90_label(self) -> str:
        return duration_label(self.p90)


@dataclass(frozen=True)
class ResponseTimes:
    """Response times of the incidents of one site opened in a period (site "" for all)."""

    site: str
    incidents: int
    acknowledged: Measure
    dispatched: Measure
    on_scene: Measure

    def measures(self) -> list[tuple[str, Measure]]:
        return [(name, getattr(self, name)) for name, _field in RESPONSE_MEASURES]

    def labelled(self) -> list[dict[str, Any]]:
        """The measures with their labels, for the page's table."""
        return [
            {"name": name, "label": RESPONSE_LABELS[name], "measure": m}
            for name, m in self.measures()
        ]


def response_times(
    user: Any, *, start: dt.date, end: dt.date, site: str | None = None
) -> list[ResponseTimes]:
    """For the incidents the user may see that opened between two days (inclusive, the
    site's local calendar): the time from the first alert to acknowledgement, to dispatch and
    to arrival on scene, per site, then for all the sites together when there are several.
    Incidents that never reached a step do not count in that step's figures."""
    access.require_role(user, Module.CONTROL_ROOM)
    sites = {s.pk: s for s in Site.objects.select_related("country")}
    if site:
        sites = {pk: s for pk, s in sites.items() if s.code == site}
    margin = dt.timedelta(days=1)
    rows = (
        Incident.objects.visible_to(user)
        .filter(
            merged_into__isnull=True,
            zone__site_id__in=sites,
            opened_at__gte=dt.datetime.combine(start - margin, dt.time.min, tzinfo=dt.UTC),
            opened_at__lt=dt.datetime.combine(end + margin * 2, dt.time.min, tzinfo=dt.UTC),
        )
        .values_list("zone__site_id", "opened_at", *(f for _n, f in RESPONSE_MEASURES))
    )
    counts: dict[str, int] = defaultdict(int)
    values: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for site_id, opened, *stamps in rows:
        here = sites[site_id]
        local = opened.astimezone(zoneinfo.ZoneInfo(here.country.timezone)).date()
        if not start <= local <= end:
            continue
        counts[here.code] += 1
        for (name, _field), stamp in zip(RESPONSE_MEASURES, stamps, strict=True):
            if stamp is not None:
                # A sensor's clock may run ahead of ours; a response never takes less than 0.
                values[here.code][name].append(max(0.0, (stamp - opened).total_seconds()))

    def row(code: str, incidents: int, by_measure: dict[str, list[float]]) -> ResponseTimes:
        return ResponseTimes(
            code,
            incidents,
            **{name: Measure.of(by_measure.get(name, [])) for name, _f in RESPONSE_MEASURES},
        )

    result = [row(code, counts[code], values[code]) for code in sorted(counts)]
    if len(result) > 1:
        together: dict[str, list[float]] = defaultdict(list)
        for by_measure in values.values():
            for name, seconds in by_measure.items():
                together[name] += seconds
        result.append(row(ALL_SITES, sum(counts.values()), together))
    return result


def response_times_csv(rows: Iterable[ResponseTimes]) -> str:
    """One line per site and measure, durations in seconds (empty when no incident counted)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["site", "measure", "incidents", "count", "median_seconds", "p90_seconds"])
    for row in rows:
        for name, measure in row.measures():
            writer.writerow(
                [
                    row.site or "all",
                    name,
                    row.incidents,
                    measure.count,
                    "" if measure.median is None else f"{measure.median:.0f}",
                    "" if measure.p90 is None else f"{measure.p90:.0f}",
                ]
            )
    return out.getvalue()


def response_chart(rows: list[ResponseTimes], *, width: int = 800) -> dict[str, Any]:
    """Horizontal bars for the template: per site, the median of each measure as a bar and
    its 90th percentile as a tick, on one scale of minutes."""
    bar, gap, label_width, pad = 14, 10, 120, 10
    top = max(
        (m.p90 or 0.0 for r in rows for _n, m in r.measures()),
        default=0.0,
    )
    if top <= 0:
        return {"groups": [], "width": width, "height": 0}
    scale = (width - label_width - 2 * pad) / top
    groups, y = [], pad
    for r in rows:
        bars = []
        for index, (name, m) in enumerate(r.measures()):
            bars.append(
                {
                    "measure": name,
                    "label": RESPONSE_LABELS[name],
                    "y": y + index * bar,
                    "width": round((m.median or 0.0) * scale, 1),
                    "p90": None if m.p90 is None else round(label_width + m.p90 * scale, 1),
                    "median_label": m.median_label,
                    "p90_label": m.p90_label,
                }
            )
        groups.append({"site": r.site, "y": y, "label_y": y + bar * 2, "bars": bars})
        y += bar * len(RESPONSE_MEASURES) + gap
    return {
        "groups": groups,
        "width": width,
        "height": y + 20,
        "x0": label_width,
        "bar": bar - 2,
        "max_label": duration_label(top),
        "axis_y": y,
        "axis_end": width - pad,
    }


# System figures for the programme ------------------------------------------------------------


class _UtcBucket(Func):
    """The UTC day an instant falls in, or its UTC hour when that hour is one at which some
    site's local day may begin (from ``hi`` on, or before ``lo``): computed by the database
    itself, so that the incidents are counted per zone and bucket in SQL, a few groups per
    zone and day, each then placed on its site's local day (``_decode``).

    SQLite keeps instants as UTC text: the bucket is its first 10 or 13 characters
    ("YYYY-MM-DD" or "YYYY-MM-DD HH"). PostgreSQL computes a number from the seconds since
    1970 (integer arithmetic, several times cheaper per row than formatting text): the hour's
    number, or minus one minus the day's number."""

    # No converter reads it: ``_decode`` takes the text or the number as the database gives.
    output_field = CharField()

    def __init__(self, expression: Any, *, lo: int, hi: int) -> None:
        super().__init__(expression)
        self.lo, self.hi = lo, hi

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        hour = "substr(%(expressions)s, 12, 2)"
        return self.as_sql(
            compiler,
            connection,
            template=(
                f"CASE WHEN {hour} >= '{self.hi:02d}' OR {hour} < '{self.lo:02d}' "
                "THEN substr(%(expressions)s, 1, 13) ELSE substr(%(expressions)s, 1, 10) END"
            ),
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        epoch = "floor(date_part('epoch', %(expressions)s))::bigint"
        return self.as_sql(
            compiler,
            connection,
            template=(
                f"CASE WHEN mod({epoch}, 86400) >= {self.hi * 3600} "
                f"OR mod({epoch}, 86400) < {self.lo * 3600} "
                f"THEN {epoch} / 3600 ELSE -({epoch} / 86400) - 1 END"
            ),
        )


_EPOCH = dt.date(1970, 1, 1)


def _decode(bucket: str | int) -> tuple[str, int | None]:
    """A bucket of ``_UtcBucket`` as (the UTC day "YYYY-MM-DD", its hour or None)."""
    if isinstance(bucket, str):
        return bucket[:10], (int(bucket[11:13]) if len(bucket) > 10 else None)
    if bucket < 0:
        return (_EPOCH + dt.timedelta(days=-bucket - 1)).isoformat(), None
    return (_EPOCH + dt.timedelta(days=bucket // 24)).isoformat(), bucket % 24


def _boundary_hours(
    zones: Iterable[zoneinfo.ZoneInfo], start: dt.date, end: dt.date
) -> tuple[int, int]:
    """(lo, hi): the UTC hours from ``lo`` to before ``hi`` fall on the same local day as their
    UTC day in every zone, over the period (each zone's offsets checked on the first of each
    month and around the period)."""
    offsets: set[int] = set()
    day = start.replace(day=1) - dt.timedelta(days=31)
    while day <= end + dt.timedelta(days=31):
        at = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
        for zone in zones:
            offset = at.astimezone(zone).utcoffset() or dt.timedelta()
            offsets.add(int(offset.total_seconds() // 3600))
        day = (day + dt.timedelta(days=32)).replace(day=1)
    hi = min([24 - o for o in offsets if o > 0] or [24])
    lo = max([-o for o in offsets if o < 0] or [0])
    return lo, hi


def attempts_by_day(start: dt.date, end: dt.date) -> dict[dt.date, int]:
    """For the programme: intrusion attempts per local calendar day between two days
    (inclusive), summed over every site, whatever the incidents' markings (a system figure:
    counts only, no user). The same rule as ``daily_attempts``: a site's day with an imported
    count keeps it; other days count the intrusion incidents opened that day (merged ones
    once). Days without any count are absent.

    The database counts the incidents per zone and UTC hour; each of those few thousand
    groups is then placed on its site's local day with the zone's UTC offset of that hour,
    looked up once per UTC day (and per hour only on a day the offset changes)."""
    if start > end:
        raise ValueError("the period starts after it ends")
    site_zone = {
        s.pk: zoneinfo.ZoneInfo(s.country.timezone) for s in Site.objects.select_related("country")
    }
    zone_site = dict(Zone.objects.values_list("pk", "site_id"))
    imported = {
        (row["site_id"], row["day"]): row["attempts"]
        for row in DailyCount.objects.filter(day__gte=start, day__lte=end).values(
            "site_id", "day", "attempts"
        )
    }
    margin = dt.timedelta(days=1)
    lo, hi = _boundary_hours(set(site_zone.values()), start, end)
    groups = (
        Incident.objects.filter(
            kind__in=INTRUSION_KINDS,
            opened_at__gte=dt.datetime.combine(start - margin, dt.time.min, tzinfo=dt.UTC),
            opened_at__lt=dt.datetime.combine(end + margin * 2, dt.time.min, tzinfo=dt.UTC),
        )
        # "Not merged", written so that no index serves it: SQLite would otherwise walk the
        # merged_into index (nearly every row) rather than the opened_at range.
        .alias(merged_into_or_0=Coalesce("merged_into_id", Value(0)))
        .filter(merged_into_or_0=0)
        .annotate(bucket=_UtcBucket("opened_at", lo=lo, hi=hi))
        .values("zone_id", "bucket")
        .annotate(n=Count("pk"))
        .values_list("zone_id", "bucket", "n")
    )
    offsets: dict[tuple[int, str], tuple[dt.date, int, int]] = {}

    def offset_of(site_id: int, day_text: str) -> tuple[dt.date, int, int]:
        """The UTC day, and the site's offset (hours) at its first and its last hour."""
        key = (site_id, day_text)
        if key not in offsets:
            day = dt.date.fromisoformat(day_text)
            midnight = dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)
            first, last = (
                (midnight + dt.timedelta(hours=h)).astimezone(site_zone[site_id]).utcoffset()
                or dt.timedelta()
                for h in (0, 23)
            )
            offsets[key] = (
                day,
                int(first.total_seconds()) // 3600,
                int(last.total_seconds()) // 3600,
            )
        return offsets[key]

    counts: dict[tuple[int, dt.date], int] = defaultdict(int)
    for zone_id, bucket, n in groups:
        site_id = zone_site[zone_id]
        day_text, hour = _decode(bucket)
        day, first, last = offset_of(site_id, day_text)
        if hour is None:  # hours that stay on their UTC day's date everywhere
            local = day
        elif first == last:
            local = day + dt.timedelta(days=(hour + first) // 24)
        else:  # the clocks change this day: ask the zone for this hour
            at = dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)
            local = at.astimezone(site_zone[site_id]).date()
        if start <= local <= end and (site_id, local) not in imported:
            counts[(site_id, local)] += n
    per_day: dict[dt.date, int] = defaultdict(int)
    for (_site, day), n in (*counts.items(), *imported.items()):
        per_day[day] += n
    return dict(per_day)


def attempts_total(start: dt.date, end: dt.date) -> int:
    """For the programme: all the intrusion attempts between two days (inclusive)."""
    return sum(attempts_by_day(start, end).values())


def attempts_per_day(start: dt.date, end: dt.date) -> float | None:
    """For the programme: the mean number of intrusion attempts a day between two days
    (inclusive), over the days that carry a count (None when none does): a day before the
    records begin is unknown, not a day without attempts."""
    per_day = attempts_by_day(start, end)
    return sum(per_day.values()) / len(per_day) if per_day else None
