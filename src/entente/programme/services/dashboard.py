"""The programme dashboard: the few figures ministers' offices and gold commanders follow.

Each figure is an indicator computed from operations, for a period, with its trend (against
the period before) and the target that covers it; the fund's disbursed and committed totals
follow when the fund's services are there. A figure is a handful of counting queries (the
other apps count in SQL); nothing here loops over operational rows.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from entente.core import access
from entente.core.choices import Module
from entente.programme.choices import Currency, IndicatorSource
from entente.programme.models import Indicator
from entente.programme.services import indicators as service
from entente.programme.services.indicators import IndicatorRow, Meter, Period

# The computations shown, in order: the security half, then the humanitarian half.
FIGURES = (
    "intrusion_attempts_per_day",
    "networks_dismantled",
    "people_arrested",
    "people_sheltered",
    "asylum_applications",
    "meals_per_day",
)


@dataclass(frozen=True)
class FundFigure:
    currency: str
    committed: Any
    disbursed: Any

    @property
    def share(self) -> int | None:
        if not self.committed:
            return None
        return round(100 * float(self.disbursed) / float(self.committed))

    @property
    def committed_label(self) -> str:
        return service.figure(float(self.committed))

    @property
    def disbursed_label(self) -> str:
        return service.figure(float(self.disbursed))


@dataclass(frozen=True)
class Dashboard:
    period: Period
    previous: Period
    rows: list[IndicatorRow]
    fund: FundFigure | None


def _sum(obj: Any, name: str) -> Any:
    """A total read from what the fund's service returns: an attribute or a key."""
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


def fund_figure(currency: str = Currency.EUR, on: dt.date | None = None) -> FundFigure | None:
    """Disbursed against committed by ``on``, all contributors, from
    entente.programme.services.fund (None while that service is not there, or gives no grand
    totals)."""
    try:
        fund = importlib.import_module("entente.programme.services.fund")
    except ImportError:
        return None
    totals = getattr(fund, "totals", None)
    if not callable(totals):
        return None
    result = totals(currency, on=on)
    overall = _sum(result, "total") or _sum(result, "overall") or result
    committed, disbursed = _sum(overall, "committed"), _sum(overall, "disbursed")
    if committed is None or disbursed is None:
        return None
    return FundFigure(currency, committed, disbursed)


def dashboard(user: Any, period: Period) -> Dashboard:
    """The dashboard for a programme viewer: each figure's value, trend and target."""
    access.require_role(user, Module.PROGRAMME)
    by_key: dict[str, Indicator] = {}
    for indicator in service._indicators().filter(
        source=IndicatorSource.COMPUTED, computation__in=FIGURES
    ):
        by_key.setdefault(indicator.computation, indicator)
    meter = Meter()
    rows = [
        service.build_row(by_key[key], period, meter=meter, series=False, trend=True)
        for key in FIGURES
        if key in by_key
    ]
    on = min(period.end, timezone.localdate())
    return Dashboard(
        period, service.previous_period(period), rows, fund_figure(Currency.EUR, on=on)
    )


def as_data(board: Dashboard) -> dict[str, Any]:
    """The dashboard as plain data (the API's body)."""
    return {
        "start": board.period.start,
        "end": board.period.end,
        "previous_start": board.previous.start,
        "previous_end": board.previous.end,
        "figures": [
            {
                "code": row.code,
                "name": row.name,
                "unit": row.unit,
                "available": row.available,
                "value": row.value,
                "previous": row.previous,
                "trend": row.trend,
                "target": None
                if row.target is None
                else {
                    "starts_on": row.target.starts_on,
                    "ends_on": row.target.ends_on,
                    "value": float(row.target.value),
                    "direction": row.target.direction,
                },
                "target_value": row.target_value,
                "met": row.met,
            }
            for row in board.rows
        ],
        "fund": None
        if board.fund is None
        else {
            "currency": board.fund.currency,
            "committed": float(board.fund.committed),
            "disbursed": float(board.fund.disbursed),
        },
    }


def no_figures_message() -> str:
    return _("No indicator is defined yet: a programme editor adds them.")
