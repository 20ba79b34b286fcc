"""The indicators the programme computes from operations: key -> label, kind and function.

Each function takes a period (two days, both included) and returns a number. They read the
other apps only through those apps' system-level service functions (counts, no user, no
personal data), imported when first called: an app not installed, or a function not written
yet, makes the indicator "not available yet" instead of failing the page.

Kinds:
- ``count``: a number of events in the period; the months of a period add up to it (networks
  dismantled, arrests, referrals, asylum applications, voluntary returns);
- ``distinct``: a number of different people over the period (people sheltered); months do
  not add up, each month is counted on its own;
- ``per_day``: a mean per day (intrusion attempts, meals served).
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

COUNT, DISTINCT, PER_DAY = "count", "distinct", "per_day"

Number = float | int


class NotAvailable(Exception):
    """The app that records this figure does not provide it (yet)."""


@dataclass(frozen=True)
class Computation:
    key: str
    label: str | Promise
    kind: str
    module: str
    function: str
    # What the figure is per day of (per_day): total divided by the period's days, unless the
    # function already returns a mean.
    returns_mean: bool = False
    # A function(start, end) -> {day: count} of the same app giving the figure day by day
    # (days without a count absent): several periods are then computed from one call.
    by_day: str = ""

    def _callable(self) -> Callable[[dt.date, dt.date], Any]:
        try:
            module = importlib.import_module(self.module)
        except ImportError:
            raise NotAvailable(self.key) from None
        found = getattr(module, self.function, None)
        if not callable(found):
            raise NotAvailable(self.key)
        return found  # type: ignore[no-any-return]

    def days(self, start: dt.date, end: dt.date) -> dict[dt.date, int] | None:
        """The figure day by day over a period (None when the app gives no such function)."""
        if not self.by_day:
            return None
        self._callable()  # NotAvailable when the app lacks the figure itself
        function = getattr(importlib.import_module(self.module), self.by_day, None)
        return function(start, end) if callable(function) else None

    def from_days(self, days: dict[dt.date, int], start: dt.date, end: dt.date) -> Number | None:
        """The figure for a period from ``days`` (what ``days`` gave over a wider period): the
        mean over the days with a count for a mean, the sum otherwise."""
        inside = [n for day, n in days.items() if start <= day <= end]
        if self.kind == PER_DAY and self.returns_mean:
            return sum(inside) / len(inside) if inside else None
        if self.kind == PER_DAY:
            return sum(inside) / ((end - start).days + 1)
        return sum(inside)

    @property
    def available(self) -> bool:
        try:
            self._callable()
        except NotAvailable:
            return False
        return True

    def __call__(self, start: dt.date, end: dt.date) -> Number | None:
        """The figure for the period, None when there is no data (a per-day mean over no
        day); NotAvailable when the app does not provide it."""
        if start > end:
            raise ValueError("the period starts after it ends")
        value = self._callable()(start, end)
        if value is None:
            return None
        if self.kind == PER_DAY and not self.returns_mean:
            return float(value) / ((end - start).days + 1)
        return value  # type: ignore[no-any-return]


_CR = "entente.control_room.statistics"
_INV = "entente.investigations.services.indicators"
_SG = "entente.safeguarding.services"

REGISTRY: dict[str, Computation] = {
    c.key: c
    for c in (
        Computation(
            "intrusion_attempts_per_day",
            _("Intrusion attempts per day (control room)"),
            PER_DAY,
            _CR,
            "attempts_per_day",
            returns_mean=True,
            by_day="attempts_by_day",
        ),
        Computation(
            "networks_dismantled",
            _("Networks dismantled (investigations)"),
            COUNT,
            _INV,
            "networks_dismantled",
        ),
        Computation(
            "people_arrested", _("People arrested (investigations)"), COUNT, _INV, "people_arrested"
        ),
        Computation(
            "people_sheltered",
            _("People sheltered in protected places (safeguarding)"),
            DISTINCT,
            f"{_SG}.accommodation",
            "people_sheltered",
        ),
        Computation(
            "referrals_made",
            _("Referrals made (safeguarding)"),
            COUNT,
            f"{_SG}.referrals",
            "referrals_made",
        ),
        Computation(
            "asylum_applications",
            _("Asylum applications (safeguarding)"),
            COUNT,
            f"{_SG}.pathways",
            "asylum_applications",
        ),
        Computation(
            "voluntary_returns",
            _("Voluntary returns (safeguarding)"),
            COUNT,
            f"{_SG}.pathways",
            "voluntary_returns",
        ),
        Computation(
            "meals_per_day",
            _("Meals served per day at day centres (safeguarding)"),
            PER_DAY,
            f"{_SG}.daycentre",
            "meals_served",
        ),
    )
}


def choices() -> list[tuple[str, str]]:
    """(key, label) of every computation, for the indicator form."""
    return [(c.key, str(c.label)) for c in REGISTRY.values()]


def get(key: str) -> Computation:
    """The computation of a key; NotAvailable for a key no longer (or not yet) known."""
    try:
        return REGISTRY[key]
    except KeyError:
        raise NotAvailable(key) from None


def compute(key: str, start: dt.date, end: dt.date) -> Number | None:
    return get(key)(start, end)


__all__ = [
    "COUNT",
    "DISTINCT",
    "PER_DAY",
    "REGISTRY",
    "Computation",
    "NotAvailable",
    "choices",
    "compute",
    "get",
]
