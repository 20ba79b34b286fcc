"""The safeguarding menu (shown to users holding at least each entry's role)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from entente.core.choices import Module, Role
from entente.core.navigation import NavItem

S = Module.SAFEGUARDING


def nav() -> list[NavItem]:
    return [
        # people, screening, consent, referrals, retention (people)
        NavItem(S, _("People"), "safeguarding:person_list"),
        NavItem(S, _("Record a person"), "safeguarding:person_create", Role.EDITOR),
        NavItem(S, _("Referrals"), "safeguarding:referral_list"),
        # accommodation, day centres, pathways, campaigns (care)
        NavItem(S, _("Protected places"), "safeguarding:place_list"),
        NavItem(S, _("Open a place"), "safeguarding:place_create", Role.EDITOR),
        NavItem(S, _("Day-centre services"), "safeguarding:daycentre_list"),
        NavItem(S, _("Pathways"), "safeguarding:pathway_list"),
        NavItem(S, _("Information campaigns"), "safeguarding:campaign_list"),
        NavItem(Module.PROGRAMME, _("Information campaigns"), "safeguarding:campaign_list"),
    ]
