from __future__ import annotations

from collections.abc import Sequence

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvestigationsConfig(AppConfig):
    name = "entente.investigations"
    label = "investigations"
    verbose_name = _("Investigations")

    @property
    def nav(self) -> Sequence[object]:
        from entente.investigations.navigation import nav

        return nav()
