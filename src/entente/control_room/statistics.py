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
from django.utils.translation import gettext as _

from entente.control_room.choices import AlertKind
from entente.control_room.models import DailyCount, Incident
from entente.core import access, audit
from entente.core.choices import AuditAction, Module, Role
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
