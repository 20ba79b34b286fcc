from __future__ import annotations

from collections.abc import Sequence

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SafeguardingConfig(AppConfig):
    name = "entente.safeguarding"
    label = "safeguarding"
    verbose_name = _("Safeguarding")

    @property
    def nav(self) -> Sequence[object]:
        from entente.safeguarding.navigation import nav

        return nav()
