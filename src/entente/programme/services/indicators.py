"""Programme services: indicators, their targets and entered values, and their figures.

An indicator is computed from operations (entente.programme.computations, through the other
apps' services) or entered by hand with its source. A target says "at least" or "at most" a
value over a period; whether it is met is judged on the figure for the target's own period.

Reading needs the programme viewer role, writing the editor role. Every write runs in one
transaction, checks everything before it writes, and is audited.

Figures of entered indicators are levels (staff on site, police deployed): the figure for a
period is the latest value entered for a period that overlaps it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from entente.core import access, audit
from entente.core.choices import Module, Role
from entente.programme import computations
from entente.programme.choices import IndicatorSource, TargetDirection
from entente.programme.models import Indicator, IndicatorValue, Target

Number = float | int

# Periods -----------------------------------------------------------------------------------

EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)
_HALF = re.compile(r"^(\d{4})-H([12])$")
_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


@dataclass(frozen=True)
class Period:
    """Two days, both included; ``preset`` is "2015-H2", "2015", "2015-Q3" or "" (dates)."""

    start: dt.date
    end: dt.date
    preset: str = ""

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        if self.preset:
            return self.preset
        return "{} – {}".format(
            formats.date_format(self.start, "SHORT_DATE_FORMAT"),
            formats.date_format(self.end, "SHORT_DATE_FORMAT"),
        )

    def query(self) -> str:
        """The query string that selects this period again."""
        if self.preset:
            return f"period={self.preset}"
        return f"start={self.start.isoformat()}&end={self.end.isoformat()}"


def _last_of_month(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def preset_period(text: str) -> Period | None:
    """The period a preset names ("2015-H1", "2015-H2", "2015-Q3", "2015"), or None."""
    text = text.strip().upper()
    if m := _HALF.match(text):
        year, half = int(m[1]), int(m[2])
        start = dt.date(year, 1 if half == 1 else 7, 1)
        end = dt.date(year, 6, 30) if half == 1 else dt.date(year, 12, 31)
    elif m := _QUARTER.match(text):
        year, quarter = int(m[1]), int(m[2])
        start = dt.date(year, 3 * quarter - 2, 1)
        end = _last_of_month(year, 3 * quarter)
    elif m := _YEAR.match(text):
        start, end = dt.date(int(m[1]), 1, 1), dt.date(int(m[1]), 12, 31)
    else:
        return None
    if not (start >= EARLIEST and end <= LATEST):
        return None
    return Period(start, end, text)


def parse_period(preset: str = "", start: str = "", end: str = "") -> Period:
    """A period from a preset or from two ISO days; ValidationError (translated, naming the
    field) when it cannot be read, runs backwards or lies outside 2000-2100."""
    if preset:
        found = preset_period(preset)
        if found is None:
            raise ValidationError(
                {"period": _("Give a period as 2015-H1, 2015-H2, 2015-Q3 or 2015.")}
            )
        return found
    days: dict[str, dt.date] = {}
    errors: dict[str, str] = {}
    for name, text in (("start", start), ("end", end)):
        try:
            days[name] = dt.date.fromisoformat(text.strip())
        except ValueError:
            errors[name] = _("Give the day as YYYY-MM-DD.")
            continue
        if not EARLIEST <= days[name] <= LATEST:
            errors[name] = _("Give a day between 2000 and 2100.")
    if not errors and days["start"] > days["end"]:
        errors["end"] = _("The period ends before it starts.")
    if errors:
        raise ValidationError(errors)
    return Period(days["start"], days["end"])


def default_period() -> Period:
    """The half-year of the latest target that has begun (what the programme is accounting
    for), or the current half-year when there is none."""
    today = timezone.localdate()
    latest = (
        Target.objects.filter(starts_on__lte=today)
        .order_by("-ends_on")
        .values_list("ends_on", flat=True)
    ).first()
    day = min(latest, today) if latest else today
    found = preset_period(f"{day.year}-H{1 if day.month <= 6 else 2}")
    assert found is not None
    return found


def previous_period(period: Period) -> Period:
    """The period just before, of the same kind: the half-year, quarter or year before, or the
    same number of days before."""
    if m := _HALF.match(period.preset):
        year, half = int(m[1]), int(m[2])
        text = f"{year}-H1" if half == 2 else f"{year - 1}-H2"
    elif m := _QUARTER.match(period.preset):
        year, quarter = int(m[1]), int(m[2])
        text = f"{year}-Q{quarter - 1}" if quarter > 1 else f"{year - 1}-Q4"
    elif _YEAR.match(period.preset):
        text = str(int(period.preset) - 1)
    else:
        text = ""
    found = preset_period(text) if text else None
    if found is not None:
        return found
    start = max(EARLIEST, period.start - dt.timedelta(days=period.days))
    return Period(start, max(start, period.start - dt.timedelta(days=1)))


def months(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The calendar months of a period, each cut to the period."""
    out = []
    first = start.replace(day=1)
    while first <= end:
        last = _last_of_month(first.year, first.month)
        out.append((max(first, start), min(last, end)))
        first = last + dt.timedelta(days=1)
    return out


# Figures -----------------------------------------------------------------------------------


def localized(obj: Any, name: str) -> str:
    """``obj.name_fr`` in French, ``obj.name_en`` otherwise (falling back to English)."""
    language = (translation.get_language() or "en")[:2]
    value = getattr(obj, f"{name}_{language}", "") if language == "fr" else ""
    return str(value or getattr(obj, f"{name}_en"))


class Meter:
    """Figures of indicators for periods, each computed once per meter (a page or a report
    asks for the same period of the same indicator several times)."""

    def __init__(self) -> None:
        self._cache: dict[tuple[int, dt.date, dt.date], Number | None] = {}
        self.unavailable: set[int] = set()

    def value(self, indicator: Indicator, start: dt.date, end: dt.date) -> Number | None:
        key = (indicator.pk, start, end)
        if key not in self._cache:
            self._cache[key] = self._compute(indicator, start, end)
        return self._cache[key]

    def plan(self, indicator: Indicator, spans: list[tuple[dt.date, dt.date]]) -> None:
        """Compute the figures of several periods at once when the app gives the figure day by
        day and the periods lie close together (one pass over the records, not one each)."""
        computation = computations.REGISTRY.get(indicator.computation)
        spans = [s for s in set(spans) if (indicator.pk, *s) not in self._cache]
        if indicator.source != IndicatorSource.COMPUTED or computation is None or len(spans) < 2:
            return
        start, end = min(s for s, _e in spans), max(e for _s, e in spans)
        if (end - start).days + 1 > 1.5 * sum((e - s).days + 1 for s, e in spans):
            return  # far apart: one pass over the whole would read more than one each
        try:
            days = computation.days(start, end)
        except computations.NotAvailable:
            self.unavailable.add(indicator.pk)
            return
        if days is not None:
            for s, e in spans:
                self._cache[(indicator.pk, s, e)] = computation.from_days(days, s, e)

    def _compute(self, indicator: Indicator, start: dt.date, end: dt.date) -> Number | None:
        if indicator.source == IndicatorSource.ENTERED:
            return entered_value(indicator, start, end)
        if indicator.pk in self.unavailable:
            return None
        try:
            return computations.compute(indicator.computation, start, end)
        except computations.NotAvailable:
            self.unavailable.add(indicator.pk)
            return None


def entered_value(indicator: Indicator, start: dt.date, end: dt.date) -> float | None:
    """The latest value entered for a period overlapping ``start``..``end`` (None if none).
    Uses the prefetched ``values`` when the indicator carries them."""
    values = getattr(indicator, "entered_values", None)
    if values is None:
        values = list(indicator.values.all())
    overlapping = [v for v in values if v.starts_on <= end and v.ends_on >= start]
    if not overlapping:
        return None
    latest = max(overlapping, key=lambda v: (v.ends_on, v.starts_on))
    return float(latest.value)


def covering_target(targets: list[Target], start: dt.date, end: dt.date) -> Target | None:
    """The target that covers a period: of those overlapping it, the one ending last; else the
    latest one that ended before it (the target still to account for)."""
    overlapping = [t for t in targets if t.starts_on <= end and t.ends_on >= start]
    if overlapping:
        return max(overlapping, key=lambda t: (t.ends_on, t.starts_on))
    before = [t for t in targets if t.ends_on < start]
    return max(before, key=lambda t: (t.ends_on, t.starts_on)) if before else None


def is_met(target: Target, value: Number | None) -> bool | None:
    """Whether a figure meets a target (None when there is no figure)."""
    if value is None:
        return None
    if target.direction == TargetDirection.AT_MOST:
        return Decimal(str(value)) <= target.value
    return Decimal(str(value)) >= target.value


def kind_of(indicator: Indicator) -> str:
    """count, distinct, per_day, or level (entered indicators)."""
    if indicator.source == IndicatorSource.ENTERED:
        return "level"
    found = computations.REGISTRY.get(indicator.computation)
    return found.kind if found else computations.COUNT


def figure(value: Number | None, kind: str = "") -> str:
    """A figure for people, in the active language: whole numbers for counts, one decimal for
    means below 100; "—" when there is none."""
    if value is None:
        return "—"
    places = 1 if kind == computations.PER_DAY and abs(value) < 100 else 0
    if places == 0:
        value = round(value)
    return formats.number_format(value, places, use_l10n=True, force_grouping=True)


@dataclass
class MonthFigure:
    month: dt.date  # the first day of the month
    value: Number | None
    cumulative: Number | None = None

    @property
    def label(self) -> str:
        return formats.date_format(self.month, "M Y")


@dataclass
class IndicatorRow:
    """An indicator's figures for a period: its value, the target that covers the period, the
    figure for the target's own period and whether it meets it, and the months."""

    indicator: Indicator
    period: Period
    value: Number | None
    available: bool
    kind: str
    target: Target | None = None
    target_value: Number | None = None
    met: bool | None = None
    series: list[MonthFigure] = field(default_factory=list)
    previous: Number | None = None
    previous_period: Period | None = None

    @property
    def code(self) -> str:
        return self.indicator.code

    @property
    def name(self) -> str:
        return localized(self.indicator, "name")

    @property
    def definition(self) -> str:
        return localized(self.indicator, "definition")

    @property
    def unit(self) -> str:
        return localized(self.indicator, "unit")

    @property
    def value_label(self) -> str:
        return figure(self.value, self.kind)

    @property
    def previous_label(self) -> str:
        return figure(self.previous, self.kind)

    @property
    def target_value_label(self) -> str:
        return figure(self.target_value, self.kind)

    @property
    def target_label(self) -> str:
        if self.target is None:
            return ""
        amount = figure(float(self.target.value), self.kind)
        if self.target.direction == TargetDirection.AT_MOST:
            return _("at most {value}").format(value=amount)
        return _("at least {value}").format(value=amount)

    @property
    def target_period(self) -> str:
        if self.target is None:
            return ""
        return Period(self.target.starts_on, self.target.ends_on).label

    @property
    def trend(self) -> Number | None:
        """The change from the previous period (None when either has no figure)."""
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def trend_percent(self) -> int | None:
        if self.trend is None or not self.previous:
            return None
        return round(100 * self.trend / self.previous)

    @property
    def trend_label(self) -> str:
        if self.trend is None:
            return "—"
        sign = "+" if self.trend > 0 else ("−" if self.trend < 0 else "±")
        text = sign + figure(abs(self.trend), self.kind)
        if self.trend_percent is not None:
            text += f" ({sign}{abs(self.trend_percent)} %)"
        return text

    @property
    def trend_good(self) -> bool | None:
        """Whether the change goes the way the target asks (None without either)."""
        if not self.trend or self.target is None:
            return None
        up = self.trend > 0
        return up if self.target.direction == TargetDirection.AT_LEAST else not up

    @property
    def trend_arrow(self) -> str:
        if self.trend is None:
            return ""
        return "▲" if self.trend > 0 else ("▼" if self.trend < 0 else "▶")

    @cached_property
    def chart(self) -> dict[str, Any]:
        return chart(self)


def _indicators() -> Any:
    return Indicator.objects.prefetch_related(
        Prefetch("targets", queryset=Target.objects.order_by("starts_on"), to_attr="all_targets"),
        Prefetch(
            "values",
            queryset=IndicatorValue.objects.order_by("starts_on").select_related("entered_by"),
            to_attr="entered_values",
        ),
    )


def build_row(
    indicator: Indicator,
    period: Period,
    *,
    meter: Meter | None = None,
    series: bool = True,
    trend: bool = False,
) -> IndicatorRow:
    """One indicator's row for a period (``series``: the months; ``trend``: the figure of the
    period before)."""
    meter = meter or Meter()
    targets = getattr(indicator, "all_targets", None)
    if targets is None:
        targets = list(indicator.targets.order_by("starts_on"))
    target = covering_target(targets, period.start, period.end)
    before = previous_period(period) if trend else None
    meter.plan(
        indicator,
        [
            (period.start, period.end),
            *([(target.starts_on, target.ends_on)] if target else []),
            *([(before.start, before.end)] if before else []),
            *(months(period.start, period.end) if series else []),
        ],
    )
    value = meter.value(indicator, period.start, period.end)
    kind = kind_of(indicator)
    row = IndicatorRow(
        indicator=indicator,
        period=period,
        value=value,
        available=indicator.pk not in meter.unavailable,
        kind=kind,
    )
    if target is not None:
        row.target = target
        row.target_value = meter.value(indicator, target.starts_on, target.ends_on)
        row.met = is_met(target, row.target_value)
    if series and row.available:
        total: Number = 0
        for first, last in months(period.start, period.end):
            month_value = meter.value(indicator, first, last)
            item = MonthFigure(first.replace(day=1), month_value)
            if kind == computations.COUNT:
                total += month_value or 0
                item.cumulative = total
            row.series.append(item)
    if before is not None and row.available:
        row.previous_period = before
        row.previous = meter.value(indicator, before.start, before.end)
    return row


def indicator_rows(
    start: dt.date, end: dt.date, *, series: bool = True, preset: str = ""
) -> list[IndicatorRow]:
    """Every indicator's row for a period (a system figure: callers check the role)."""
    if start > end:
        raise ValueError("the period starts after it ends")
    period = Period(start, end, preset)
    meter = Meter()
    return [build_row(i, period, meter=meter, series=series) for i in _indicators()]


def visible_rows(user: Any, period: Period, *, series: bool = False) -> list[IndicatorRow]:
    """The indicator list for a programme viewer."""
    access.require_role(user, Module.PROGRAMME)
    return indicator_rows(period.start, period.end, series=series, preset=period.preset)


def indicator_for(user: Any, code: str) -> Indicator:
    """One indicator with its targets and values, for a programme viewer (Http404 if none)."""
    from django.http import Http404

    access.require_role(user, Module.PROGRAMME)
    found = _indicators().filter(code=code).first()
    if found is None:
        raise Http404(_("No such indicator."))
    return found  # type: ignore[no-any-return]


def may_edit(user: Any) -> bool:
    return access.has_role(user, Module.PROGRAMME, Role.EDITOR)


# Chart -------------------------------------------------------------------------------------

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 14, 30


def _nice_top(value: float) -> float:
    """A round top of scale at or above ``value`` (1, 2, 2.5 or 5 times a power of ten)."""
    if value <= 0:
        return 1.0
    power = 10.0 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def chart(row: IndicatorRow) -> dict[str, Any]:
    """Monthly bars of an indicator (and, for counts, the running total as a line) with its
    target as a dashed line over the target's months, ready for _indicator_chart.html."""
    if not row.series:
        return {"bars": [], "width": WIDTH, "height": HEIGHT}
    target = float(row.target.value) if row.target is not None else None
    values = [m.value or 0 for m in row.series]
    highest = max(
        [*values, *(m.cumulative or 0 for m in row.series), target or 0],
    )
    top = _nice_top(float(highest))
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = inner_w / len(row.series)
    bar_w = max(2.0, step * 0.6)

    def y(v: float) -> float:
        return round(TOP + inner_h - v / top * inner_h, 1)

    bars, points = [], []
    for index, month in enumerate(row.series):
        x = LEFT + index * step + (step - bar_w) / 2
        v = float(month.value or 0)
        bars.append(
            {
                "x": round(x, 1),
                "y": y(v),
                "width": round(bar_w, 1),
                "height": round(TOP + inner_h - y(v), 1),
                "label": month.label,
                "short": formats.date_format(month.month, "M"),
                "text_x": round(LEFT + index * step + step / 2, 1),
                "value": figure(month.value, row.kind),
                "cumulative": figure(month.cumulative, row.kind),
            }
        )
        if month.cumulative is not None:
            points.append(f"{LEFT + index * step + step / 2:.1f},{y(float(month.cumulative)):.1f}")
    target_line = None
    if row.target is not None and target is not None:
        covered = [
            i
            for i, m in enumerate(row.series)
            if m.month <= row.target.ends_on
            and _last_of_month(m.month.year, m.month.month) >= row.target.starts_on
        ]
        if covered:
            target_line = {
                "x1": round(LEFT + covered[0] * step, 1),
                "x2": round(LEFT + (covered[-1] + 1) * step, 1),
                "y": y(target),
                "label": row.target_label,
            }
    return {
        "bars": bars,
        "cumulative": " ".join(points),
        "target": target_line,
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "axis_y": TOP + inner_h,
        "top_y": TOP,
        "top_label": figure(top, row.kind),
        "label_y": HEIGHT - 10,
    }


def svg_chart(row: IndicatorRow) -> str:
    """The chart and its table as HTML (the include), for pages and the joint report."""
    return render_to_string("programme/_indicator_chart.html", {"row": row})


# Writing -----------------------------------------------------------------------------------

MAX_TEXT = 5000
_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
TEXT_FIELDS = ("name_en", "name_fr", "definition_en", "definition_fr", "unit_en", "unit_fr")


def _indicator_errors(data: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name in TEXT_FIELDS:
        text = str(data.get(name) or "").strip()
        data[name] = text
        limit = getattr(Indicator._meta.get_field(name), "max_length", None) or MAX_TEXT
        if not text:
            errors[name] = _("This is needed in both languages.")
        elif len(text) > limit:
            errors[name] = _("Too long (at most {count} characters).").format(count=limit)
    source = data.get("source")
    computation = str(data.get("computation") or "").strip()
    data["computation"] = computation
    if source not in IndicatorSource.values:
        errors["source"] = _("Choose computed or entered.")
    elif source == IndicatorSource.COMPUTED and computation not in computations.REGISTRY:
        errors["computation"] = _("Choose what the indicator is computed from.")
    elif source == IndicatorSource.ENTERED and computation:
        errors["computation"] = _("An entered indicator is not computed: leave this empty.")
    return errors


@transaction.atomic
def create_indicator(*, acting_user: Any, code: str, **data: Any) -> Indicator:
    """A new indicator (programme editors): its names, definitions and units in both
    languages, and its source (computed, with the computation, or entered)."""
    access.require_role(acting_user, Module.PROGRAMME, Role.EDITOR)
    code = (code or "").strip().lower()
    errors = _indicator_errors(data)
    if not _CODE.match(code):
        errors["code"] = _(
            "A code is lower-case letters, digits, - and _ (at most 40), e.g. meals_per_day."
        )
    elif Indicator.objects.filter(code=code).exists():
        errors["code"] = _("An indicator with this code already exists.")
    if errors:
        raise ValidationError(errors)
    indicator = Indicator(
        code=code, **{k: data[k] for k in (*TEXT_FIELDS, "source", "computation")}
    )
    indicator.full_clean()
    indicator.save()
    audit.record_create(acting_user, indicator)
    return indicator


@transaction.atomic
def update_indicator(indicator: Indicator, *, acting_user: Any, **data: Any) -> Indicator:
    """Change an indicator's texts or source (programme editors); its code stays."""
    access.require_role(acting_user, Module.PROGRAMME, Role.EDITOR)
    locked = Indicator.objects.select_for_update().get(pk=indicator.pk)
    merged = {
        name: data.get(name, getattr(locked, name))
        for name in (*TEXT_FIELDS, "source", "computation")
    }
    errors = _indicator_errors(merged)
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(locked)
    for name, value in merged.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    audit.record_update(acting_user, locked, before)
    return locked


def _decimal(value: Any, errors: dict[str, str], name: str = "value") -> Decimal | None:
    if value is None or value == "":
        errors[name] = _("Give a number.")
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors[name] = _("Give a number.")
        return None
    if not number.is_finite() or number < 0 or number >= Decimal("1e12"):
        errors[name] = _("Give a number between 0 and 999,999,999,999.")
        return None
    return number.quantize(Decimal("0.01"))


def _period_errors(starts_on: Any, ends_on: Any, errors: dict[str, str], what: str) -> None:
    if not starts_on or not ends_on:
        errors["starts_on" if not starts_on else "ends_on"] = what
    elif not isinstance(starts_on, dt.date) or not isinstance(ends_on, dt.date):
        errors["starts_on"] = _("Give the days as YYYY-MM-DD.")
    elif ends_on < starts_on:
        errors["ends_on"] = _("The period ends before it starts.")
    elif not (starts_on >= EARLIEST and ends_on <= LATEST):
        errors["starts_on"] = _("Give days between 2000 and 2100.")


@transaction.atomic
def add_target(
    indicator: Indicator,
    *,
    acting_user: Any,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    value: Any,
    direction: str = TargetDirection.AT_LEAST,
    basis: str = "",
) -> Target:
    """A target over a period (programme editors). A target without a period, or whose period
    ends before it starts, is refused and nothing is written."""
    access.require_role(acting_user, Module.PROGRAMME, Role.EDITOR)
    errors: dict[str, str] = {}
    _period_errors(
        starts_on, ends_on, errors, _("A target needs a period: give its first and last day.")
    )
    amount = _decimal(value, errors)
    if direction not in TargetDirection.values:
        errors["direction"] = _("Choose at least or at most.")
    basis = (basis or "").strip()
    if len(basis) > 300:
        errors["basis"] = _("Too long (at most {count} characters).").format(count=300)
    if errors:
        raise ValidationError(errors)
    assert starts_on is not None and ends_on is not None and amount is not None
    target = Target.objects.create(
        indicator=indicator,
        starts_on=starts_on,
        ends_on=ends_on,
        value=amount,
        direction=direction,
        basis=basis,
    )
    audit.record_create(acting_user, target)
    return target


@transaction.atomic
def delete_target(target: Target, *, acting_user: Any) -> None:
    access.require_role(acting_user, Module.PROGRAMME, Role.EDITOR)
    audit.record_delete(acting_user, target)
    target.delete()


@transaction.atomic
def enter_value(
    indicator: Indicator,
    *,
    acting_user: Any,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    value: Any,
    source_note: str,
) -> IndicatorValue:
    """A value of an entered indicator for a period, with where it comes from (programme
    editors). A value for the same period replaces the one entered before (audited)."""
    access.require_role(acting_user, Module.PROGRAMME, Role.EDITOR)
    errors: dict[str, str] = {}
    if indicator.source != IndicatorSource.ENTERED:
        raise ValidationError(
            _("This indicator is computed from operations; its values are not entered.")
        )
    _period_errors(starts_on, ends_on, errors, _("Give the period the value is for."))
    amount = _decimal(value, errors)
    source_note = (source_note or "").strip()
    if not source_note:
        errors["source_note"] = _("Say where the value comes from.")
    elif len(source_note) > 300:
        errors["source_note"] = _("Too long (at most {count} characters).").format(count=300)
    if errors:
        raise ValidationError(errors)
    assert starts_on is not None and ends_on is not None and amount is not None
    existing = (
        IndicatorValue.objects.select_for_update()
        .filter(indicator=indicator, starts_on=starts_on, ends_on=ends_on)
        .first()
    )
    if existing is not None:
        before = audit.snapshot(existing)
        existing.value, existing.source_note = amount, source_note
        existing.entered_by, existing.entered_at = acting_user, timezone.now()
        existing.save()
        audit.record_update(acting_user, existing, before)
        return existing
    entered = IndicatorValue.objects.create(
        indicator=indicator,
        starts_on=starts_on,
        ends_on=ends_on,
        value=amount,
        source_note=source_note,
        entered_by=acting_user,
    )
    audit.record_create(acting_user, entered)
    return entered
