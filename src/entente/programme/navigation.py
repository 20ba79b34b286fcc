"""The programme menu (shown to users holding at least each entry's role)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from entente.core.choices import Module
from entente.core.navigation import NavItem


def nav() -> list[NavItem]:
    return [
        # dashboard and indicators (indicators)
        NavItem(Module.PROGRAMME, _("Programme dashboard"), "programme:dashboard"),
        NavItem(Module.PROGRAMME, _("Indicators and targets"), "programme:indicator_list"),
        # fund and action plan (fund)
        NavItem(Module.PROGRAMME, _("Joint fund"), "programme:fund"),
        NavItem(Module.PROGRAMME, _("Action plan"), "programme:plan"),
        # inspections and the joint report (inspections)
        NavItem(Module.PROGRAMME, _("Joint inspections"), "programme:inspections"),
        NavItem(Module.PROGRAMME, _("Joint report"), "programme:report"),
    ]
