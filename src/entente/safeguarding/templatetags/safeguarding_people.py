"""Template filters of the people area, for other apps' pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def referred_summary(handover: Any) -> list[str]:
    """What a handover's page may say of its referrals: how many people were referred, for
    what kind of help and where, never why (see ``services.referrals.handover_summary``)."""
    from entente.safeguarding.services.referrals import handover_summary

    return handover_summary(handover)
