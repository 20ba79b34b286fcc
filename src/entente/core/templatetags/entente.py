"""Template helpers: times in both sites' zones, markings, TLP badges."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import template
from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from entente.core.markings import classification_label

register = template.Library()

TLP_BADGES = {
    "CLEAR": "text-bg-light border",
    "GREEN": "text-bg-success",
    "AMBER": "text-bg-warning",
    "AMBER+STRICT": "text-bg-warning",
    "RED": "text-bg-danger",
}


@register.filter
def local_time(value: dt.datetime | None, zone: str) -> str:
    """The wall-clock time ("07:12") of a moment in a named zone, whatever the viewer's zone.

    Formatted here: a datetime handed back to the template would be converted again into
    the viewer's own zone by Django's template localisation.
    """
    if value is None:
        return ""
    return formats.time_format(value.astimezone(zoneinfo.ZoneInfo(zone)), "H:i")


@register.simple_tag
def both_times(value: dt.datetime, countries: Any) -> SafeString:
    """The same moment as local time in each country's zone: "14:05 FR · 13:05 UK"."""
    parts = []
    for country in countries:
        local = value.astimezone(zoneinfo.ZoneInfo(country.timezone))
        parts.append((local.isoformat(), formats.time_format(local, "H:i"), country.code))
    return format_html(
        '<span class="both-times">{}</span>',
        format_html_join(" · ", '<time datetime="{}">{}</time>&nbsp;{}', parts),
    )


@register.simple_tag(takes_context=True)
def classification(context: dict[str, Any], level: int) -> str:
    return classification_label(level, context.get("user"))


@register.filter
def tlp_badge(tlp: str) -> SafeString:
    css = TLP_BADGES.get(tlp, "text-bg-secondary")
    return format_html('<span class="badge {}">TLP:{}</span>', css, tlp)


@register.filter
def object_type_label(value: str) -> str:
    """An object type ("core.bulletin") as its model's translated name, for auditors."""
    from django.apps import apps

    try:
        return str(apps.get_model(value)._meta.verbose_name)
    except (LookupError, ValueError):
        return value


@register.filter
def releasability(codes: Any) -> str:
    return " · ".join(sorted(codes))
