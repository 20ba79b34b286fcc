"""The programme menu (shown to users holding at least each entry's role)."""

from __future__ import annotations

from entente.core.navigation import NavItem


def nav() -> list[NavItem]:
    return [
        # dashboard and indicators (indicators)
        # fund and action plan (fund)
        # inspections and the joint report (inspections)
    ]
