from __future__ import annotations

from collections.abc import Sequence

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntelligenceConfig(AppConfig):
    name = "entente.intelligence"
    label = "intelligence"
    verbose_name = _("Intelligence")

    @property
    def nav(self) -> Sequence[object]:
        from entente.intelligence.navigation import nav

        return nav()
