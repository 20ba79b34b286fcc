"""The intelligence menu (shown to users holding at least each entry's role)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from entente.core.choices import Module, Role
from entente.core.navigation import NavItem

I = Module.INTELLIGENCE  # noqa: E741


def nav() -> list[NavItem]:
    return [
        # reports (grading, entities, attachments)
        NavItem(I, _("Reports"), "intelligence:report_list"),
        NavItem(I, _("Write a report"), "intelligence:report_create", Role.EDITOR),
        NavItem(I, _("Entities"), "intelligence:entity_list"),
        NavItem(I, _("Grading crosswalk"), "intelligence:grading_crosswalk"),
        # dissemination
        NavItem(I, _("Releases awaiting approval"), "intelligence:release_pending", Role.APPROVER),
        NavItem(I, _("Disclosure ledger"), "intelligence:disclosure_ledger", Role.APPROVER),
        NavItem(Module.AUDIT, _("Disclosure ledger"), "intelligence:disclosure_ledger"),
        # requests for information
        NavItem(I, _("Requests for information"), "intelligence:request_list"),
        NavItem(I, _("Turnaround of requests"), "intelligence:request_statistics"),
        # search and watchlists
        NavItem(I, _("Search reports"), "intelligence:search"),
        NavItem(I, _("My watchlists"), "intelligence:watchlists"),
        # exchange (STIX, CSV)
        NavItem(I, _("Import reports"), "intelligence:import_list", Role.EDITOR),
    ]
