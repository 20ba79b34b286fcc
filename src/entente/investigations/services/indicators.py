"""The investigations figures the programme shows to ministers.

System figures, not one person's view: they take no user, count every record whatever its
marking, and return counts only (never a name, a place or a case). Dates are inclusive.
The programme reads them through these functions (DESIGN.md: apps read each other through
their services).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypedDict

from django.db.models import Aggregate, Count, QuerySet, Sum
from django.db.models.functions import TruncMonth

from entente.investigations.choices import ActionKind, NetworkStatus
from entente.investigations.models import Action, Network


class MonthCounts(TypedDict):
    month: dt.date  # the first day of the month
    networks_dismantled: int
    people_arrested: int


def _check(start: dt.date, end: dt.date) -> None:
    if start > end:
        raise ValueError("the period starts after it ends")


def networks_dismantled(start: dt.date, end: dt.date) -> int:
    """Networks declared dismantled between ``start`` and ``end``, both days included."""
    _check(start, end)
    return Network.objects.filter(
        status=NetworkStatus.DISMANTLED, dismantled_on__gte=start, dismantled_on__lte=end
    ).count()


def people_arrested(start: dt.date, end: dt.date) -> int:
    """People arrested in joint investigations between ``start`` and ``end`` (inclusive), in
    both jurisdictions."""
    _check(start, end)
    total = Action.objects.filter(
        kind=ActionKind.ARREST, occurred_on__gte=start, occurred_on__lte=end
    ).aggregate(n=Sum("people"))["n"]
    return int(total or 0)


def _month(value: dt.date | dt.datetime) -> dt.date:
    day = value.date() if isinstance(value, dt.datetime) else value
    return day.replace(day=1)


def _by_month(qs: QuerySet[Any], day: str, value: Aggregate) -> dict[dt.date, int]:
    rows = qs.annotate(m=TruncMonth(day)).values("m").annotate(n=value).values_list("m", "n")
    return {_month(m): int(n or 0) for m, n in rows}


def monthly_counts(start: dt.date, end: dt.date) -> list[MonthCounts]:
    """Both figures per calendar month from ``start``'s month to ``end``'s (months without
    any included, as zeros), counted within the period only."""
    _check(start, end)
    networks = _by_month(
        Network.objects.filter(
            status=NetworkStatus.DISMANTLED, dismantled_on__gte=start, dismantled_on__lte=end
        ),
        "dismantled_on",
        Count("pk"),
    )
    arrests = _by_month(
        Action.objects.filter(kind=ActionKind.ARREST, occurred_on__gte=start, occurred_on__lte=end),
        "occurred_on",
        Sum("people"),
    )
    out: list[MonthCounts] = []
    month = start.replace(day=1)
    while month <= end:
        out.append(
            {
                "month": month,
                "networks_dismantled": networks.get(month, 0),
                "people_arrested": arrests.get(month, 0),
            }
        )
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return out


__all__ = ["MonthCounts", "monthly_counts", "networks_dismantled", "people_arrested"]
