"""Programme services: the joint fund (commitments, budget lines, disbursements, exchange
rates) and its totals in euros or pounds.

Money is Decimal throughout, rounded to the cent (ROUND_HALF_EVEN) only once a figure is
converted. Reading needs the programme viewer role, writing the editor role; each write runs
in one transaction, checks everything before it writes, and is audited.

Conventions (shown on the fund page):

- A rate is "GBP for one EUR" of a day. A day without a published rate (weekends, bank
  holidays: the ECB publishes none) takes the latest rate before it, at most
  ``RATE_TOLERANCE_DAYS`` days before (4: covers a weekend and the Easter or Christmas
  holidays). Without such a rate a disbursement is refused: every disbursement is shown in
  both currencies, so every one needs the rate of its own day.
- A disbursement is converted with the rate of the day it was paid.
- A commitment (and its budget lines) is converted with the rate of its first day; when that
  day has no rate yet (a commitment starting after the last rate entered) the latest rate
  before it is used and the figure is marked provisional.
- A disbursement may not take its line beyond the line's amount, nor lines their commitment's,
  both compared in the commitment's currency (a disbursement in the other currency converted
  with its day's rate).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from entente.core import access, audit
from entente.core.choices import AuditAction, Module, Role
from entente.programme.choices import Currency
from entente.programme.models import (
    Agreement,
    BudgetLine,
    Commitment,
    Contributor,
    Disbursement,
    ExchangeRate,
    Measure,
)

CENT = Decimal("0.01")
RATE_TOLERANCE_DAYS = 4
ZERO = Decimal("0.00")
MAX_RATE_ROWS = 5000


def may_edit(user: Any) -> bool:
    return access.has_role(user, Module.PROGRAMME, Role.EDITOR)


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_EVEN)


def money(amount: Decimal | None, currency: str) -> str:
    """An amount in the reader's locale, with its currency ("EUR 35,000,000.00" in English,
    "35 000 000,00 EUR" in French)."""
    if amount is None:
        return "—"
    number = formats.number_format(_cents(amount), 2, use_l10n=True, force_grouping=True)
    return _("{currency} {amount}").format(currency=currency, amount=number)


# Rates ---------------------------------------------------------------------------------------


def rate_on(day: dt.date) -> ExchangeRate | None:
    """The rate of ``day``, or the latest within RATE_TOLERANCE_DAYS before it; None if none."""
    earliest = day - dt.timedelta(days=RATE_TOLERANCE_DAYS)
    return ExchangeRate.objects.filter(day__lte=day, day__gte=earliest).order_by("-day").first()


def no_rate_message(day: dt.date) -> str:
    return _(
        "There is no EUR/GBP rate for {day} nor in the {days} days before it: enter that "
        "day's rate first."
    ).format(day=formats.date_format(day, "SHORT_DATE_FORMAT"), days=RATE_TOLERANCE_DAYS)


def convert(amount: Decimal, source: str, target: str, gbp_per_eur: Decimal) -> Decimal:
    """``amount`` in ``source`` as ``target`` at ``gbp_per_eur``, rounded to the cent."""
    if source == target:
        return _cents(amount)
    if source == Currency.EUR and target == Currency.GBP:
        return _cents(amount * gbp_per_eur)
    if source == Currency.GBP and target == Currency.EUR:
        return _cents(amount / gbp_per_eur)
    raise ValueError(f"unknown currencies {source} -> {target}")


class RateTable:
    """Every rate, loaded once, for converting many amounts without a query each."""

    def __init__(self) -> None:
        self.days: list[dt.date] = []
        self.rates: list[Decimal] = []
        for day, rate in ExchangeRate.objects.order_by("day").values_list("day", "gbp_per_eur"):
            self.days.append(day)
            self.rates.append(rate)

    def _index(self, day: dt.date) -> int:
        """Index of the latest rate on or before ``day`` (-1 when none)."""
        import bisect

        return bisect.bisect_right(self.days, day) - 1

    def on(self, day: dt.date) -> Decimal | None:
        i = self._index(day)
        if i < 0 or (day - self.days[i]).days > RATE_TOLERANCE_DAYS:
            return None
        return self.rates[i]

    def for_commitment(self, day: dt.date) -> tuple[Decimal | None, bool]:
        """(rate, exact): the start day's rate, else the latest before it (provisional), else
        the earliest after it (provisional)."""
        exact = self.on(day)
        if exact is not None:
            return exact, True
        i = self._index(day)
        if i >= 0:
            return self.rates[i], False
        if self.rates:
            return self.rates[0], False
        return None, False


@transaction.atomic
def set_rate(
    *, acting_user: Any, day: dt.date | None, gbp_per_eur: Any, source: str = ""
) -> ExchangeRate:
    """Enter (or correct) the rate of a day."""
    access.require_role(acting_user, Module.PROGRAMME, Role.EDITOR)
    rate = _check_rate(day, gbp_per_eur)
    assert day is not None
    existing = ExchangeRate.objects.filter(day=day).first()
    if existing is not None:
        before = audit.snapshot(existing)
        existing.gbp_per_eur, existing.source = rate, source.strip()[:100]
        existing.save(update_fields=["gbp_per_eur", "source"])
        audit.record_update(acting_user, existing, before)
        return existing
    created = ExchangeRate.objects.create(day=day, gbp_per_eur=rate, source=source.strip()[:100])
    audit.record_create(acting_user, created)
    return created


def _check_rate(day: dt.date | None, value: Any, field_name: str = "gbp_per_eur") -> Decimal:
    errors: dict[str, str] = {}
    if day is None:
        errors["day"] = _("Give the day of the rate.")
    try:
        rate = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        rate = Decimal(0)
        errors[field_name] = _("The rate must be a number, such as 0.7253.")
    if not errors.get(field_name) and not (Decimal("0.1") <= rate <= Decimal("10")):
        errors[field_name] = _(
            "A rate is the pounds one euro buys: between 0.1 and 10 (0.73 in 2015)."
        )
    if not errors.get(field_name) and rate != rate.quantize(Decimal("0.000001")):
        errors[field_name] = _("A rate has at most six decimals.")
    if errors:
        raise ValidationError(errors)
    return rate


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int


@transaction.atomic
def import_rates(*, acting_user: Any, text: str, source: str = "") -> ImportResult:
    """Import rates from CSV text: a header ``day,gbp_per_eur`` then one row a day (ISO dates;
    a decimal point or comma). All rows or none: the first bad rows are named."""
    access.require_role(acting_user, Module.PROGRAMME, Role.EDITOR)
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    rows = list(reader)
    header = [h.strip().lower() for h in rows[0]] if rows else []
    if header[:2] != ["day", "gbp_per_eur"]:
        raise ValidationError({"file": _("The first line must be the header: day,gbp_per_eur")})
    body = [r for r in rows[1:] if any(c.strip() for c in r)]
    if not body:
        raise ValidationError({"file": _("The file holds no rate.")})
    if len(body) > MAX_RATE_ROWS:
        raise ValidationError(
            {"file": _("At most {count} rates at a time.").format(count=MAX_RATE_ROWS)}
        )
    problems: list[str] = []
    parsed: dict[dt.date, Decimal] = {}
    for number, row in enumerate(body, start=2):
        try:
            day = dt.date.fromisoformat(row[0].strip())
        except (ValueError, IndexError):
            problems.append(
                _("Line {line}: the day must be a date such as 2015-08-20.").format(line=number)
            )
            continue
        try:
            parsed[day] = _check_rate(day, row[1] if len(row) > 1 else "")
        except ValidationError as exc:
            problems.append(
                _("Line {line}: {problem}").format(line=number, problem=" ".join(exc.messages))
            )
    if problems:
        shown = problems[:10]
        if len(problems) > 10:
            shown.append(_("… and {count} more.").format(count=len(problems) - 10))
        raise ValidationError({"file": shown})
    existing = {r.day: r for r in ExchangeRate.objects.filter(day__in=list(parsed))}
    source = source.strip()[:100] or _("CSV import")
    new = [
        ExchangeRate(day=d, gbp_per_eur=v, source=source)
        for d, v in parsed.items()
        if d not in existing
    ]
    ExchangeRate.objects.bulk_create(new)
    changed = [r for d, r in existing.items() if r.gbp_per_eur != parsed[d]]
    for r in changed:
        r.gbp_per_eur = parsed[r.day]
        r.source = source
    ExchangeRate.objects.bulk_update(changed, ["gbp_per_eur", "source"])
    audit.record(
        acting_user,
        AuditAction.CREATE,
        object_type="programme.exchangerate",
        object_id="import",
        changes={
            "created": len(new),
            "updated": len(changed),
            "from": min(parsed).isoformat(),
            "to": max(parsed).isoformat(),
            "source": source,
        },
    )
    return ImportResult(len(new), len(changed))


# Commitments and lines ----------------------------------------------------------------------


def _positive(value: Any, name: str, errors: dict[str, str]) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        errors[name] = _("The amount must be a number.")
        return ZERO
    if not amount.is_finite() or amount <= 0:
        errors[name] = _("The amount must be more than zero.")
    elif amount != amount.quantize(CENT):
        errors[name] = _("An amount has at most two decimals.")
    elif amount >= Decimal("1e12"):
        errors[name] = _("The amount is too large.")
    return amount


@transaction.atomic
def create_commitment(
    *,
    acting_user: Any,
    contributor: Contributor,
    agreement: Agreement,
    clause: str,
    purpose_en: str,
    purpose_fr: str,
    amount: Any,
    currency: str,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
) -> Commitment:
    """A commitment of a contributor under an agreement's clause, over a period."""
    access.require_role(acting_user, Module.PROGRAMME, Role.EDITOR)
    errors: dict[str, str] = {}
    value = _positive(amount, "amount", errors)
    if currency not in Currency.values:
        errors["currency"] = _("The currency must be EUR or GBP.")
    if starts_on is None:
        errors["starts_on"] = _("Give the first day of the commitment.")
    if ends_on is None:
        errors["ends_on"] = _("Give the last day of the commitment.")
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = _("The commitment ends before it starts.")
    for name, text in (("clause", clause), ("purpose_en", purpose_en), ("purpose_fr", purpose_fr)):
        if not (text or "").strip():
            errors[name] = _("This field is required.")
    if errors:
        raise ValidationError(errors)
    assert starts_on is not None and ends_on is not None
    commitment = Commitment.objects.create(
        contributor=contributor,
        agreement=agreement,
        clause=clause.strip(),
        purpose_en=purpose_en.strip(),
        purpose_fr=purpose_fr.strip(),
        amount=value,
        currency=currency,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    audit.record_create(acting_user, commitment)
    return commitment


def allocated(commitment: Commitment, *, excluding: BudgetLine | None = None) -> Decimal:
    lines = commitment.lines.all()
    if excluding is not None:
        lines = lines.exclude(pk=excluding.pk)
    return lines.aggregate(total=Sum("amount"))["total"] or ZERO


@transaction.atomic
def add_line(
    commitment: Commitment, *, acting_user: Any, measure: Measure | None, amount: Any
) -> BudgetLine:
    """Earmark part of a commitment for a measure (in the commitment's currency); the lines
    of a commitment may not add up to more than it."""
    access.require_role(acting_user, Module.PROGRAMME, Role.EDITOR)
    commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
    errors: dict[str, str] = {}
    value = _positive(amount, "amount", errors)
    if measure is None:
        errors["measure"] = _("Choose the measure.")
    elif commitment.lines.filter(measure=measure).exists():
        errors["measure"] = _("This commitment already has a line for this measure.")
    if not errors:
        free = commitment.amount - allocated(commitment)
        if value > free:
            errors["amount"] = _(
                "Beyond the commitment: {free} of {total} is not yet allocated to a measure."
            ).format(
                free=money(free, commitment.currency),
                total=money(commitment.amount, commitment.currency),
            )
    if errors:
        raise ValidationError(errors)
    assert measure is not None
    line = BudgetLine.objects.create(commitment=commitment, measure=measure, amount=value)
    audit.record_create(acting_user, line)
    return line


# Disbursements -------------------------------------------------------------------------------


def paid_on_line(line: BudgetLine, *, excluding: Disbursement | None = None) -> Decimal:
    """What has been paid under a line, in the commitment's currency (each payment converted
    with its day's rate)."""
    target = line.commitment.currency
    table = RateTable()
    total = ZERO
    for d in line.disbursements.all():
        if excluding is not None and d.pk == excluding.pk:
            continue
        total += _disbursed_in(d, target, table) or ZERO
    return total


def _disbursed_in(d: Disbursement, target: str, table: RateTable) -> Decimal | None:
    if d.currency == target:
        return _cents(d.amount)
    rate = table.on(d.paid_on)
    return None if rate is None else convert(d.amount, d.currency, target, rate)


@transaction.atomic
def record_disbursement(
    line: BudgetLine,
    *,
    acting_user: Any,
    paid_on: dt.date | None,
    amount: Any,
    currency: str,
    reference: str = "",
) -> Disbursement:
    """A payment under a budget line. Refused, with nothing written: without a rate for its
    day (or one within RATE_TOLERANCE_DAYS before it), or beyond what is left on the line."""
    access.require_role(acting_user, Module.PROGRAMME, Role.EDITOR)
    line = BudgetLine.objects.select_for_update().select_related("commitment").get(pk=line.pk)
    errors: dict[str, str] = {}
    value = _positive(amount, "amount", errors)
    if currency not in Currency.values:
        errors["currency"] = _("The currency must be EUR or GBP.")
    if paid_on is None:
        errors["paid_on"] = _("Give the day of the payment.")
    elif paid_on > timezone.localdate():
        errors["paid_on"] = _("A payment cannot be recorded before the day it is made.")
    rate = None
    if paid_on is not None and "paid_on" not in errors:
        found = rate_on(paid_on)
        if found is None:
            errors["paid_on"] = no_rate_message(paid_on)
        else:
            rate = found.gbp_per_eur
    if not errors and rate is not None:
        target = line.commitment.currency
        this = convert(value, currency, target, rate)
        already = paid_on_line(line)
        if already + this > line.amount:
            errors["amount"] = _(
                "Beyond the budget line: {left} is left of {total} ({this} asked)."
            ).format(
                left=money(line.amount - already, target),
                total=money(line.amount, target),
                this=money(this, target),
            )
    if errors:
        raise ValidationError(errors)
    assert paid_on is not None
    disbursement = Disbursement.objects.create(
        line=line,
        paid_on=paid_on,
        amount=value,
        currency=currency,
        reference=(reference or "").strip()[:100],
        created_by=acting_user,
    )
    audit.record_create(acting_user, disbursement)
    return disbursement


def line_for(measure: Measure, commitment_id: int | None = None) -> BudgetLine:
    """The budget line of a measure (the one of ``commitment_id`` when it has several)."""
    lines = list(measure.budget_lines.select_related("commitment"))
    if commitment_id is not None:
        lines = [ln for ln in lines if ln.commitment_id == commitment_id]
    if not lines:
        raise ValidationError({"measure": _("This measure has no budget line to pay from.")})
    if len(lines) > 1:
        raise ValidationError(
            {"commitment": _("This measure has lines in several commitments: name the one.")}
        )
    return lines[0]


# Totals --------------------------------------------------------------------------------------


@dataclass
class TotalRow:
    """Committed, disbursed and remaining for a contributor, a measure or the whole fund."""

    key: str
    label: str
    currency: str
    committed: Decimal = ZERO
    disbursed: Decimal = ZERO
    provisional: bool = False
    code: str = ""

    @property
    def remaining(self) -> Decimal:
        return self.committed - self.disbursed

    @property
    def share(self) -> int | None:
        if not self.committed:
            return None
        return int((100 * self.disbursed / self.committed).to_integral_value(ROUND_HALF_EVEN))

    @property
    def committed_label(self) -> str:
        return money(self.committed, self.currency)

    @property
    def disbursed_label(self) -> str:
        return money(self.disbursed, self.currency)

    @property
    def remaining_label(self) -> str:
        return money(self.remaining, self.currency)


@dataclass
class FundTotals:
    currency: str
    on: dt.date
    contributors: list[TotalRow] = field(default_factory=list)
    measures: list[TotalRow] = field(default_factory=list)
    total: TotalRow | None = None
    missing_rates: list[dt.date] = field(default_factory=list)

    @property
    def provisional(self) -> bool:
        return any(r.provisional for r in self.contributors)

    @property
    def other_currency(self) -> str:
        return Currency.GBP if self.currency == Currency.EUR else Currency.EUR


def totals(currency: str = Currency.EUR, on: dt.date | None = None) -> FundTotals:
    """Committed, disbursed and remaining per contributor and per measure, in ``currency``,
    as of ``on`` (today when None): the commitments of agreements signed by then, the
    disbursements paid by then. System-level (no user; callers check the role)."""
    if currency not in Currency.values:
        raise ValueError(f"unknown currency {currency!r}")
    on = on or timezone.localdate()
    table = RateTable()
    result = FundTotals(currency=currency, on=on)
    total = TotalRow("total", _("All contributors"), currency)
    by_contributor: dict[int, TotalRow] = {}
    by_measure: dict[int, TotalRow] = {}
    commitments = list(
        Commitment.objects.filter(agreement__signed_on__lte=on)
        .select_related("contributor")
        .order_by("contributor__code", "starts_on", "pk")
    )
    rates: dict[int, tuple[Decimal | None, bool]] = {}
    for c in commitments:
        rate, exact = table.for_commitment(c.starts_on) if c.currency != currency else (None, True)
        rates[c.pk] = (rate, exact)
        row = by_contributor.setdefault(
            c.contributor_id,
            TotalRow(
                f"contributor-{c.contributor.code}",
                c.contributor.name,
                currency,
                code=c.contributor.code,
            ),
        )
        amount = _at(c.amount, c.currency, currency, rate)
        if amount is None:
            result.missing_rates.append(c.starts_on)
            continue
        row.committed += amount
        total.committed += amount
        row.provisional = row.provisional or not exact
        total.provisional = total.provisional or not exact
    lines = BudgetLine.objects.filter(commitment__in=commitments).select_related(
        "measure", "commitment"
    )
    for line in lines.order_by("measure__code"):
        m = line.measure
        row = by_measure.setdefault(
            m.pk, TotalRow(f"measure-{m.code}", _title(m), currency, code=m.code)
        )
        rate, exact = rates[line.commitment_id]
        amount = _at(line.amount, line.commitment.currency, currency, rate)
        if amount is not None:
            row.committed += amount
            row.provisional = row.provisional or not exact
    for d in Disbursement.objects.filter(
        line__commitment__in=commitments, paid_on__lte=on
    ).select_related("line__commitment", "line__measure"):
        amount = _disbursed_in(d, currency, table)
        if amount is None:
            result.missing_rates.append(d.paid_on)
            continue
        by_contributor[d.line.commitment.contributor_id].disbursed += amount
        m = d.line.measure
        by_measure[m.pk].disbursed += amount
        total.disbursed += amount
    result.contributors = list(by_contributor.values())
    result.measures = sorted(by_measure.values(), key=lambda r: r.code)
    result.total = total
    result.missing_rates = sorted(set(result.missing_rates))
    return result


def _at(amount: Decimal, source: str, target: str, rate: Decimal | None) -> Decimal | None:
    if source == target:
        return _cents(amount)
    return None if rate is None else convert(amount, source, target, rate)


def _title(measure: Measure) -> str:
    from django.utils.translation import get_language

    return measure.title_fr if (get_language() or "en").startswith("fr") else measure.title_en


# The chart ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartBar:
    code: str
    label: str
    y: int
    committed_width: int
    disbursed_width: int
    committed_label: str
    disbursed_label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    bar_height: int
    bars: list[ChartBar]
    scale_label: str


def chart(result: FundTotals) -> Chart:
    """Committed against disbursed by measure: horizontal bars, drawn as SVG by
    programme/_fund_chart.html (no script; the PDF draws it too)."""
    left, span, row_h, bar_h = 90, 430, 34, 12
    top = max((r.committed for r in result.measures), default=ZERO) or Decimal(1)
    bars = []
    for i, r in enumerate(result.measures):
        bars.append(
            ChartBar(
                code=r.code,
                label=r.label,
                y=10 + i * row_h,
                committed_width=max(1, int(span * r.committed / top)) if r.committed else 0,
                disbursed_width=max(1, int(span * r.disbursed / top)) if r.disbursed else 0,
                committed_label=r.committed_label,
                disbursed_label=r.disbursed_label,
            )
        )
    return Chart(
        width=left + span + 10,
        height=20 + len(bars) * row_h,
        left=left,
        bar_height=bar_h,
        bars=bars,
        scale_label=money(top, result.currency),
    )


# Reading -----------------------------------------------------------------------------------


def commitments() -> Any:
    return (
        Commitment.objects.select_related("contributor", "agreement")
        .annotate(allocated=Sum("lines__amount"))
        .order_by("starts_on", "pk")
    )


def disbursements() -> Any:
    return Disbursement.objects.select_related(
        "line__measure", "line__commitment__contributor", "created_by"
    ).order_by("-paid_on", "-pk")


def rates() -> Any:
    return ExchangeRate.objects.order_by("-day")


def commitment_purpose(c: Commitment) -> str:
    from django.utils.translation import get_language

    return c.purpose_fr if (get_language() or "en").startswith("fr") else c.purpose_en


def measure_budget(measure: Measure) -> list[dict[str, Any]]:
    """A measure's lines, each with what has been paid under it (in its currency)."""
    table = RateTable()
    out = []
    for line in measure.budget_lines.select_related("commitment__contributor").order_by("pk"):
        cur = line.commitment.currency
        paid = sum(((_disbursed_in(d, cur, table) or ZERO) for d in line.disbursements.all()), ZERO)
        out.append(
            {
                "line": line,
                "amount": money(line.amount, cur),
                "paid": money(paid, cur),
                "left": money(line.amount - paid, cur),
            }
        )
    return out


def by_day_totals() -> dict[str, Any]:
    """Rates known: how many, first and last day (for the rates page)."""
    days = ExchangeRate.objects.order_by("day").values_list("day", flat=True)
    count = days.count()
    return {
        "count": count,
        "first": days.first() if count else None,
        "last": days.last() if count else None,
    }
