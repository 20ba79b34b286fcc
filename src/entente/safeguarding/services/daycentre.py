"""Safeguarding services: day-centre services (the Centre Jules Ferry).

The operator's staff enter one short line per day: meals served, showers, phone charges and
medical consultations. Entering a day again corrects it; the correction is audited with the
figures before and after. The counts hold no personal data: any safeguarding role reads them.
Monthly totals and a chart per measure are computed here; ``meals_served`` is the programme's
aggregate (a count, no user).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from entente.core import access, audit
from entente.core.choices import Module, Role
from entente.safeguarding.models import DayCentre, ServiceDay

MEASURES = ("meals", "showers", "charging", "consultations")
MEASURE_LABELS = {
    "meals": gettext_lazy("Meals"),
    "showers": gettext_lazy("Showers"),
    "charging": gettext_lazy("Phone charges"),
    "consultations": gettext_lazy("Medical consultations"),
}
# A day's count above this is a typing error (the centre serves about 2,000 meals a day).
MAX_COUNT = 20000


def may_read(user: Any) -> bool:
    return access.has_role(user, Module.SAFEGUARDING)


def may_enter(user: Any, centre: DayCentre) -> bool:
    """The operator's staff holding a safeguarding editor role enter its days."""
    return (
        access.has_role(user, Module.SAFEGUARDING, Role.EDITOR)
        and user.agency_id == centre.operator_id
    )


def centres() -> QuerySet[DayCentre]:
    return DayCentre.objects.select_related("operator")


def day_of(centre: DayCentre, day: dt.date) -> ServiceDay | None:
    return centre.days.filter(day=day).first()


def previous_days(centre: DayCentre, before: dt.date, count: int = 7) -> list[ServiceDay]:
    """The days entered before ``before`` (the latest first), shown beside the form."""
    return list(centre.days.filter(day__lt=before).order_by("-day")[:count])


def _check_counts(counts: dict[str, Any]) -> dict[str, int]:
    errors: dict[str, str] = {}
    clean: dict[str, int] = {}
    for name in MEASURES:
        value = counts.get(name, 0)
        try:
            number = int(value if value not in (None, "") else 0)
        except (TypeError, ValueError):
            errors[name] = _("Enter a whole number.")
            continue
        if number < 0:
            errors[name] = _("A count cannot be negative.")
        elif number > MAX_COUNT:
            errors[name] = _("{count} is more than a day can hold; check the figure.").format(
                count=number
            )
        clean[name] = number
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def record_day(acting_user: Any, centre: DayCentre, day: dt.date, **counts: Any) -> ServiceDay:
    """Enter (or correct) one day's counts. Refused: not the operator's staff, a day to come,
    a negative or implausible count. A correction is audited with what changed."""
    if not may_enter(acting_user, centre):
        raise PermissionDenied(_("Only the centre's staff enter its counts."))
    if day > timezone.localdate():
        raise ValidationError({"day": _("A day to come has no counts yet.")})
    clean = _check_counts(counts)
    existing = ServiceDay.objects.select_for_update().filter(centre=centre, day=day).first()
    if existing is None:
        row = ServiceDay.objects.create(centre=centre, day=day, entered_by=acting_user, **clean)
        audit.record_create(acting_user, row)
        return row
    before = audit.snapshot(existing)
    if all(getattr(existing, k) == v for k, v in clean.items()):
        return existing
    for name, value in clean.items():
        setattr(existing, name, value)
    existing.entered_by = acting_user
    existing.entered_at = timezone.now()
    existing.save()
    audit.record_update(acting_user, existing, before, purpose=_("Correction"))
    return existing


@dataclass(frozen=True)
class MonthTotals:
    year: int
    month: int
    days: int
    meals: int
    showers: int
    charging: int
    consultations: int

    @property
    def first(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def meals_per_day(self) -> int:
        return round(self.meals / self.days) if self.days else 0


def monthly_totals(centre: DayCentre, start: dt.date, end: dt.date) -> list[MonthTotals]:
    """Totals per month of the days entered between ``start`` and ``end`` (one query)."""
    table: dict[tuple[int, int], dict[str, int]] = {}
    rows = centre.days.filter(day__gte=start, day__lte=end).values_list("day", *MEASURES)
    for day, *values in rows:
        slot = table.setdefault((day.year, day.month), dict.fromkeys(("days", *MEASURES), 0))
        slot["days"] += 1
        for name, value in zip(MEASURES, values, strict=True):
            slot[name] += value
    return [MonthTotals(year=y, month=m, **table[(y, m)]) for (y, m) in sorted(table)]


def month_days(centre: DayCentre, year: int, month: int) -> list[ServiceDay | dt.date]:
    """Every day of a month: its entered row, or the bare date when nothing was entered."""
    last = calendar.monthrange(year, month)[1]
    entered = {
        d.day: d
        for d in centre.days.filter(
            day__gte=dt.date(year, month, 1), day__lte=dt.date(year, month, last)
        )
    }
    out: list[ServiceDay | dt.date] = []
    for n in range(1, last + 1):
        day = dt.date(year, month, n)
        out.append(entered.get(day, day))
    return out


def bar_chart(
    values: list[tuple[str, int]], *, width: int = 720, height: int = 160, pad: int = 28
) -> dict[str, Any]:
    """Vertical bars for the template (server-rendered SVG, no script): one per value."""
    top = max([v for _label, v in values] or [0]) or 1
    n = max(len(values), 1)
    slot = (width - 2 * pad) / n
    inner = height - 2 * pad
    bars = []
    for i, (label, value) in enumerate(values):
        h = round(inner * value / top, 1)
        bars.append(
            {
                "x": round(pad + i * slot + slot * 0.1, 1),
                "y": round(pad + inner - h, 1),
                "width": round(max(slot * 0.8, 1), 1),
                "height": h,
                "label": label,
                "value": value,
            }
        )
    return {
        "width": width,
        "height": height,
        "pad": pad,
        "bottom": height - pad,
        "right": width - pad,
        "top": top,
        "bars": bars,
    }


def month_charts(centre: DayCentre, year: int, month: int) -> list[dict[str, Any]]:
    """One bar chart per measure, a bar per day of the month (0 where nothing was entered)."""
    days = month_days(centre, year, month)
    charts = []
    for name in MEASURES:
        values = [
            (
                str(d.day.day) if isinstance(d, ServiceDay) else str(d.day),
                getattr(d, name) if isinstance(d, ServiceDay) else 0,
            )
            for d in days
        ]
        chart = bar_chart(values)
        chart["measure"] = name
        chart["label"] = MEASURE_LABELS[name]
        chart["total"] = sum(v for _l, v in values)
        charts.append(chart)
    return charts


def meals_served(start: dt.date, end: dt.date) -> int:
    """For the programme: the meals served in all day centres from ``start`` to ``end``
    (both included). A count only."""
    total = ServiceDay.objects.filter(day__gte=start, day__lte=end).aggregate(n=Sum("meals"))
    return int(total["n"] or 0)
