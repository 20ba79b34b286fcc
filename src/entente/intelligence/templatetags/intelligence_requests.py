"""Template helpers of the requests for information (the report page's include)."""

from __future__ import annotations

from typing import Any

from django import template

from entente.intelligence.services import requests as services

register = template.Library()


@register.simple_tag(takes_context=True)
def requests_answered_by(context: dict[str, Any], report: Any) -> list[Any]:
    """The requests for information a report answers that the viewer may see."""
    user = context.get("user")
    if report is None or user is None or not getattr(report, "pk", None):
        return []
    return list(services.answering_for(report, user))
