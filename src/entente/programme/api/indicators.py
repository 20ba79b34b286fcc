"""Programme API: indicators with their figures for a period, their targets and entered
values, and the dashboard's figures.

No ``from __future__ import annotations`` here (django-ninja reads the annotations).
"""

from datetime import date
from typing import Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import ValidationError

from entente.core import access, periods
from entente.core.api_support import QueryFilter, StrictSchema
from entente.core.choices import Module, Role
from entente.programme.services import dashboard as dashboards
from entente.programme.services import indicators as services

router = Router()


class PeriodQuery(QueryFilter):
    period: str | None = Field(
        None, max_length=10, description="2015-H1, 2015-H2, 2015-Q3 or 2015; or start and end"
    )
    start: date | None = Field(None, ge=periods.EARLIEST, le=periods.LATEST)
    end: date | None = Field(None, ge=periods.EARLIEST, le=periods.LATEST)


def _period(query: PeriodQuery) -> services.Period:
    """The period asked; the default half-year when none; a 422 naming the parameter when it
    cannot be read or runs backwards."""
    if not (query.period or query.start or query.end):
        return services.default_period()
    try:
        return services.parse_period(
            query.period or "",
            query.start.isoformat() if query.start else "",
            query.end.isoformat() if query.end else "",
        )
    except DjangoValidationError as exc:
        raise ValidationError(
            [
                {"loc": ("query", field), "msg": message, "type": "value_error"}
                for field, messages in exc.message_dict.items()
                for message in messages
            ]
        ) from None


class TargetOut(Schema):
    id: int
    starts_on: date
    ends_on: date
    direction: str = Field(description="at_least or at_most")
    value: float
    basis: str


class ValueOut(Schema):
    id: int
    starts_on: date
    ends_on: date
    value: float
    source: str
    entered_by: str


class MonthOut(Schema):
    month: date
    value: float | None
    cumulative: float | None


class IndicatorOut(Schema):
    code: str
    name: str
    definition: str
    unit: str
    source: str = Field(description="computed or entered")
    computation: str
    available: bool = Field(description="false while the app that records it lacks the figure")
    value: float | None = Field(description="for the period asked; null without data")
    target: TargetOut | None = Field(description="the target covering the period")
    target_value: float | None = Field(description="the figure for the target's own period")
    met: bool | None


class IndicatorDetailOut(IndicatorOut):
    months: list[MonthOut]
    targets: list[TargetOut]
    values: list[ValueOut]


class IndicatorList(Schema):
    start: date
    end: date
    indicators: list[IndicatorOut]


def _target(t: Any) -> dict[str, Any]:
    return {
        "id": t.pk,
        "starts_on": t.starts_on,
        "ends_on": t.ends_on,
        "direction": t.direction,
        "value": float(t.value),
        "basis": t.basis,
    }


def _row(row: services.IndicatorRow) -> dict[str, Any]:
    i = row.indicator
    return {
        "code": i.code,
        "name": row.name,
        "definition": row.definition,
        "unit": row.unit,
        "source": i.source,
        "computation": i.computation,
        "available": row.available,
        "value": row.value,
        "target": _target(row.target) if row.target else None,
        "target_value": row.target_value,
        "met": row.met,
    }


@router.get(
    "/programme/indicators",
    response=IndicatorList,
    summary="Indicators with their figures for a period, and the targets covering it",
)
def list_indicators(request: HttpRequest, query: Query[PeriodQuery]) -> dict[str, Any]:
    period = _period(query)
    rows = services.visible_rows(request.user, period)
    return {"start": period.start, "end": period.end, "indicators": [_row(r) for r in rows]}


@router.get(
    "/programme/indicators/{indicator_code}",
    response=IndicatorDetailOut,
    summary="One indicator: its figure for a period, month by month, its targets and values",
)
def get_indicator(
    request: HttpRequest, indicator_code: str, query: Query[PeriodQuery]
) -> dict[str, Any]:
    period = _period(query)
    indicator = services.indicator_for(request.user, indicator_code)
    row = services.build_row(indicator, period)
    return {
        **_row(row),
        "months": [
            {"month": m.month, "value": m.value, "cumulative": m.cumulative} for m in row.series
        ],
        "targets": [_target(t) for t in indicator.all_targets],  # type: ignore[attr-defined]
        "values": [
            {
                "id": v.pk,
                "starts_on": v.starts_on,
                "ends_on": v.ends_on,
                "value": float(v.value),
                "source": v.source_note,
                "entered_by": v.entered_by.username,
            }
            for v in indicator.entered_values  # type: ignore[attr-defined]
        ],
    }


class TargetIn(StrictSchema):
    starts_on: date | None = Field(None, ge=periods.EARLIEST, le=periods.LATEST)
    ends_on: date | None = Field(None, ge=periods.EARLIEST, le=periods.LATEST)
    value: float = Field(ge=0, lt=1e12)
    direction: Literal["at_least", "at_most"] = "at_least"
    basis: str = Field("", max_length=300)


class ValueIn(StrictSchema):
    starts_on: date | None = Field(None, ge=periods.EARLIEST, le=periods.LATEST)
    ends_on: date | None = Field(None, ge=periods.EARLIEST, le=periods.LATEST)
    value: float = Field(ge=0, lt=1e12)
    source: str = Field(max_length=300)


@router.post(
    "/programme/indicators/{indicator_code}/targets",
    response={201: TargetOut},
    summary="Add a target over a period (programme editors; refused without a period)",
)
def add_target(request: HttpRequest, indicator_code: str, body: TargetIn) -> Status[dict[str, Any]]:
    access.require_role(request.user, Module.PROGRAMME, Role.EDITOR)
    indicator = services.indicator_for(request.user, indicator_code)
    target = services.add_target(
        indicator,
        acting_user=request.user,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        value=body.value,
        direction=body.direction,
        basis=body.basis,
    )
    return Status(201, _target(target))


@router.post(
    "/programme/indicators/{indicator_code}/values",
    response={201: ValueOut},
    summary="Enter a value of an entered indicator for a period, with its source",
)
def enter_value(request: HttpRequest, indicator_code: str, body: ValueIn) -> Status[dict[str, Any]]:
    access.require_role(request.user, Module.PROGRAMME, Role.EDITOR)
    indicator = services.indicator_for(request.user, indicator_code)
    entered = services.enter_value(
        indicator,
        acting_user=request.user,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        value=body.value,
        source_note=body.source,
    )
    return Status(
        201,
        {
            "id": entered.pk,
            "starts_on": entered.starts_on,
            "ends_on": entered.ends_on,
            "value": float(entered.value),
            "source": entered.source_note,
            "entered_by": entered.entered_by.username,
        },
    )


class TargetBrief(Schema):
    starts_on: date
    ends_on: date
    value: float
    direction: str


class FigureOut(Schema):
    code: str
    name: str
    unit: str
    available: bool
    value: float | None
    previous: float | None = Field(description="for the period before")
    trend: float | None = Field(description="value minus previous")
    target: TargetBrief | None
    target_value: float | None
    met: bool | None


class FundOut(Schema):
    currency: str
    committed: float
    disbursed: float


class DashboardOut(Schema):
    start: date
    end: date
    previous_start: date
    previous_end: date
    figures: list[FigureOut]
    fund: FundOut | None


@router.get(
    "/programme/dashboard",
    response=DashboardOut,
    summary="The dashboard's figures for a period, with their trends and targets",
)
def dashboard(request: HttpRequest, query: Query[PeriodQuery]) -> dict[str, Any]:
    return dashboards.as_data(dashboards.dashboard(request.user, _period(query)))
