"""The investigations menu (shown to users holding at least each entry's role)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from entente.core.choices import Module, Role
from entente.core.navigation import NavItem


def nav() -> list[NavItem]:
    return [
        # investigations, networks, tasks and actions (cases)
        NavItem(
            Module.INVESTIGATIONS, _("Joint investigations"), "investigations:investigation_list"
        ),
        NavItem(Module.INVESTIGATIONS, _("Networks"), "investigations:network_list"),
        # entities, links and their import (entities)
        NavItem(Module.INVESTIGATIONS, _("Entities and links"), "investigations:entity_list"),
        NavItem(
            Module.INVESTIGATIONS,
            _("Import entities"),
            "investigations:entity_import_list",
            Role.EDITOR,
        ),
        # link chart (chart)
        NavItem(Module.INVESTIGATIONS, _("Link chart"), "investigations:chart"),
        # network analysis (analysis)
        NavItem(Module.INVESTIGATIONS, _("Network analysis"), "investigations:analysis"),
        # record linkage (linkage)
        NavItem(Module.INVESTIGATIONS, _("Possible matches"), "investigations:match_queue"),
        NavItem(Module.INVESTIGATIONS, _("Linkage runs"), "investigations:run_list"),
    ]
