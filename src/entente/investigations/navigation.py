"""The investigations menu (shown to users holding at least each entry's role)."""

from __future__ import annotations

from entente.core.navigation import NavItem


def nav() -> list[NavItem]:
    return [
        # investigations, networks, tasks and actions (cases)
        # entities, links and their import (entities)
        # link chart (chart)
        # network analysis (analysis)
        # record linkage (linkage)
    ]
