"""The safeguarding menu (shown to users holding at least each entry's role)."""

from __future__ import annotations

from entente.core.navigation import NavItem


def nav() -> list[NavItem]:
    return [
        # people, screening, consent, referrals, retention (people)
        # accommodation, day centres, pathways, campaigns (care)
    ]
