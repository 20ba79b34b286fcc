"""Figures every statistics page shows: quantiles of durations, and durations for people."""

from __future__ import annotations

from django.utils.translation import gettext as _


def percentile(ordered: list[float], q: float) -> float:
    """The q-quantile (0 to 1) of sorted values, interpolated linearly between the closest
    ranks (as numpy's default and PostgreSQL's percentile_cont): the 0.5-quantile is the
    median, the mean of the two middle values when their number is even."""
    if not ordered:
        raise ValueError("no values")
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median_and_p90(values: list[float]) -> tuple[float | None, float | None]:
    """The median and the 90th percentile to a tenth (None, None for no value)."""
    if not values:
        return None, None
    ordered = sorted(values)
    return round(percentile(ordered, 0.5), 1), round(percentile(ordered, 0.9), 1)


def duration_label(seconds: float | None) -> str:
    """A duration for people, in the units that fit it: "4 min 05 s", "1 h 07 min",
    "3 d 04 h"; "—" when there is none."""
    if seconds is None:
        return "—"
    total = round(seconds)
    if total < 3600:
        return _("{minutes} min {seconds} s").format(
            minutes=total // 60, seconds=f"{total % 60:02d}"
        )
    if total < 24 * 3600:
        return _("{hours} h {minutes} min").format(
            hours=total // 3600, minutes=f"{total // 60 % 60:02d}"
        )
    hours = round(seconds / 3600)
    return _("{days} d {hours} h").format(days=hours // 24, hours=f"{hours % 24:02d}")
