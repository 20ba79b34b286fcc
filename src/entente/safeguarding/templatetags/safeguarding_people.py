"""Template filters of the people area, for other apps' pages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

register = template.Library()


@register.filter
def with_referrals(handovers: Iterable[Any]) -> list[Any]:
    """The handovers, each with ``referred``: what its page may say of its referrals (how
    many people were referred, for what kind of help and where, never why), in one query
    for the whole page (see ``services.referrals.handover_summaries``)."""
    from entente.safeguarding.services.referrals import handover_summaries

    rows = list(handovers)
    summaries = handover_summaries(rows)
    for handover in rows:
        handover.referred = summaries.get(handover.pk, [])
    return rows
