"""Models of the programme app, one module per concept."""

from entente.programme.models.fund import (
    Agreement,
    BudgetLine,
    Commitment,
    Contributor,
    Disbursement,
    ExchangeRate,
)
from entente.programme.models.indicators import Indicator, IndicatorValue, Target
from entente.programme.models.inspections import (
    ChecklistItem,
    Finding,
    Inspection,
    InspectionAction,
)
from entente.programme.models.plan import Evidence, Measure

__all__ = [
    "Agreement",
    "BudgetLine",
    "ChecklistItem",
    "Commitment",
    "Contributor",
    "Disbursement",
    "Evidence",
    "ExchangeRate",
    "Finding",
    "Indicator",
    "IndicatorValue",
    "Inspection",
    "InspectionAction",
    "Measure",
    "Target",
]
