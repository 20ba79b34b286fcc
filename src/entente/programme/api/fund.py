"""Programme API: the fund's totals, commitments, disbursements (create), exchange rates
(create), and the action plan's measures (list, update status).

Amounts are strings (exact decimals, never floats). Refusals are problem details (422 naming
the field, with nothing written); programme viewers read, programme editors write.

No ``from __future__ import annotations`` here (django-ninja reads the annotations).
"""

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from entente.core import access, periods
from entente.core.api_support import QueryFilter, RecordId, StrictSchema
from entente.core.choices import Module, Role
from entente.programme.services import fund as services
from entente.programme.services import plan

router = Router()


class TotalsQuery(QueryFilter):
    currency: Literal["EUR", "GBP"] = "EUR"
    on: date | None = Field(None, ge=periods.EARLIEST, le=periods.LATEST)


class TotalOut(Schema):
    key: str
    code: str
    label: str
    committed: str
    disbursed: str
    remaining: str
    provisional: bool = Field(description="converted with a rate other than its first day's")


class TotalsOut(Schema):
    currency: str
    on: date
    contributors: list[TotalOut]
    measures: list[TotalOut]
    total: TotalOut
    missing_rates: list[date]


def _total(r: services.TotalRow) -> dict[str, Any]:
    return {
        "key": r.key,
        "code": r.code,
        "label": r.label,
        "committed": str(r.committed),
        "disbursed": str(r.disbursed),
        "remaining": str(r.remaining),
        "provisional": r.provisional,
    }


@router.get(
    "/programme/fund/totals",
    response=TotalsOut,
    summary="Committed, disbursed and remaining per contributor and per measure, in EUR or GBP",
)
def fund_totals(request: HttpRequest, query: Query[TotalsQuery]) -> dict[str, Any]:
    access.require_role(request.user, Module.PROGRAMME)
    result = services.totals(query.currency, query.on)
    assert result.total is not None
    return {
        "currency": result.currency,
        "on": result.on,
        "contributors": [_total(r) for r in result.contributors],
        "measures": [_total(r) for r in result.measures],
        "total": _total(result.total),
        "missing_rates": result.missing_rates,
    }


class LineOut(Schema):
    id: int
    measure: str
    amount: str


class CommitmentOut(Schema):
    id: int
    contributor: str
    agreement: str
    clause: str
    purpose_en: str
    purpose_fr: str
    amount: str
    currency: str
    starts_on: date
    ends_on: date
    lines: list[LineOut]


@router.get(
    "/programme/fund/commitments",
    response=list[CommitmentOut],
    summary="Commitments with their budget lines",
)
def list_commitments(request: HttpRequest) -> list[dict[str, Any]]:
    access.require_role(request.user, Module.PROGRAMME)
    return [
        {
            "id": c.pk,
            "contributor": c.contributor.code,
            "agreement": c.agreement.code,
            "clause": c.clause,
            "purpose_en": c.purpose_en,
            "purpose_fr": c.purpose_fr,
            "amount": str(c.amount),
            "currency": c.currency,
            "starts_on": c.starts_on,
            "ends_on": c.ends_on,
            "lines": [
                {"id": ln.pk, "measure": ln.measure.code, "amount": str(ln.amount)}
                for ln in c.lines.all()
            ],
        }
        for c in services.commitments().prefetch_related("lines__measure")
    ]


class DisbursementIn(StrictSchema):
    measure: str = Field(max_length=20, description="the measure's code")
    commitment: RecordId | None = Field(
        None, description="the commitment, when the measure has lines in several"
    )
    paid_on: date = Field(ge=periods.EARLIEST, le=periods.LATEST)
    amount: Decimal = Field(gt=0, lt=Decimal("1e12"), decimal_places=2)
    currency: Literal["EUR", "GBP"]
    reference: str = Field("", max_length=100)


class DisbursementOut(Schema):
    id: int
    measure: str
    commitment: int
    paid_on: date
    amount: str
    currency: str
    reference: str


@router.post(
    "/programme/fund/disbursements",
    response={201: DisbursementOut},
    summary="Record a disbursement (programme editors; refused without a rate for its day, "
    "or beyond its budget line)",
)
def create_disbursement(request: HttpRequest, body: DisbursementIn) -> Status[dict[str, Any]]:
    access.require_role(request.user, Module.PROGRAMME, Role.EDITOR)
    measure = plan.measure_for(request.user, body.measure)
    line = services.line_for(measure, body.commitment)
    d = services.record_disbursement(
        line,
        acting_user=request.user,
        paid_on=body.paid_on,
        amount=body.amount,
        currency=body.currency,
        reference=body.reference,
    )
    return Status(
        201,
        {
            "id": d.pk,
            "measure": measure.code,
            "commitment": line.commitment_id,
            "paid_on": d.paid_on,
            "amount": str(d.amount),
            "currency": d.currency,
            "reference": d.reference,
        },
    )


class RateIn(StrictSchema):
    day: date = Field(ge=periods.EARLIEST, le=periods.LATEST)
    gbp_per_eur: Decimal = Field(description="pounds for one euro, such as 0.7253")
    source: str = Field("", max_length=100)


class RateOut(Schema):
    day: date
    gbp_per_eur: str
    source: str


@router.post(
    "/programme/fund/rates",
    response={201: RateOut},
    summary="Enter (or correct) the EUR/GBP rate of a day (programme editors)",
)
def create_rate(request: HttpRequest, body: RateIn) -> Status[dict[str, Any]]:
    access.require_role(request.user, Module.PROGRAMME, Role.EDITOR)
    rate = services.set_rate(
        acting_user=request.user, day=body.day, gbp_per_eur=body.gbp_per_eur, source=body.source
    )
    return Status(
        201, {"day": rate.day, "gbp_per_eur": str(rate.gbp_per_eur), "source": rate.source}
    )


class MeasureQuery(QueryFilter):
    agreement: str = Field("", max_length=40)
    owner: str = Field("", max_length=40)
    status: Literal["", "planned", "in_progress", "done", "dropped", "overdue"] = ""
    on: date | None = Field(None, ge=periods.EARLIEST, le=periods.LATEST)


class MeasureOut(Schema):
    code: str
    title_en: str
    title_fr: str
    agreement: str
    clause: str
    owner: str
    deadline: date | None
    status: str
    done_on: date | None
    overdue: bool
    indicators: list[str]
    evidence: int


def _measure(row: plan.MeasureRow) -> dict[str, Any]:
    m = row.measure
    return {
        "code": m.code,
        "title_en": m.title_en,
        "title_fr": m.title_fr,
        "agreement": m.agreement.code,
        "clause": m.clause,
        "owner": m.owner.code,
        "deadline": m.deadline,
        "status": m.status,
        "done_on": m.done_on,
        "overdue": row.overdue,
        "indicators": [i.code for i in m.indicators.all()],
        "evidence": row.evidence_count,
    }


@router.get(
    "/programme/measures",
    response=list[MeasureOut],
    summary="The action plan's measures, overdue first",
)
def list_measures(request: HttpRequest, query: Query[MeasureQuery]) -> list[dict[str, Any]]:
    access.require_role(request.user, Module.PROGRAMME)
    rows = plan.measure_rows(
        query.on, agreement=query.agreement, owner=query.owner, status=query.status
    )
    return [_measure(r) for r in rows]


class MeasureStatusIn(StrictSchema):
    status: Literal["planned", "in_progress", "done", "dropped"]
    done_on: date | None = Field(None, ge=periods.EARLIEST, le=periods.LATEST)


@router.patch(
    "/programme/measures/{measure_code}",
    response=MeasureOut,
    summary="Change a measure's status (done needs the day it was done)",
)
def update_measure_status(
    request: HttpRequest, measure_code: str, body: MeasureStatusIn
) -> dict[str, Any]:
    access.require_role(request.user, Module.PROGRAMME, Role.EDITOR)
    measure = plan.measure_for(request.user, measure_code)
    plan.update_measure(measure, acting_user=request.user, status=body.status, done_on=body.done_on)
    return _measure(
        plan.MeasureRow(plan.measure_for(request.user, measure_code), timezone.localdate())
    )
