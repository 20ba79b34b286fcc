from __future__ import annotations

from collections.abc import Sequence

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvestigationsConfig(AppConfig):
    name = "entente.investigations"
    label = "investigations"
    verbose_name = _("Investigations")

    def ready(self) -> None:
        # record linkage (linkage): the save-time check of person and vehicle records
        from django.db.models.signals import post_save

        from entente.intelligence.models import Entity
        from entente.investigations.services.linkage import on_entity_saved

        post_save.connect(on_entity_saved, sender=Entity, dispatch_uid="investigations-linkage")

        # network analysis (analysis): the graph's version, bumped by every write of its records
        from entente.investigations.graph import connect_signals

        connect_signals()

    @property
    def nav(self) -> Sequence[object]:
        from entente.investigations.navigation import nav

        return nav()
