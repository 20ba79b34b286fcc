"""Days and periods read from a query string (statistics pages, ledgers, their API twins).

A day outside ``EARLIEST``..``LATEST`` is a typing mistake (and would overflow the date
arithmetic): pages fall back to their default, the API refuses it (``Query(ge=, le=)``).
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone

EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)
DEFAULT_DAYS = 90


def day(value: str, default: dt.date | None = None) -> dt.date | None:
    """An ISO day within the bounds, or ``default``."""
    try:
        parsed = dt.date.fromisoformat(value)
    except ValueError:
        return default
    return parsed if EARLIEST <= parsed <= LATEST else default


def period(request: HttpRequest, days: int = DEFAULT_DAYS) -> tuple[dt.date, dt.date]:
    """``?start=&end=``: the last ``days`` days up to today by default (the viewer's today)."""
    today = timezone.localdate()
    start = day(request.GET.get("start", ""), today - dt.timedelta(days=days))
    end = day(request.GET.get("end", ""), today)
    assert start is not None and end is not None  # both have a default
    return start, end
