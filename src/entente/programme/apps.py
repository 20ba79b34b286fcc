from __future__ import annotations

from collections.abc import Sequence

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeConfig(AppConfig):
    name = "entente.programme"
    label = "programme"
    verbose_name = _("Programme")

    @property
    def nav(self) -> Sequence[object]:
        from entente.programme.navigation import nav

        return nav()
