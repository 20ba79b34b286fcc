from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "entente.core"
    label = "core"
    verbose_name = _("Joint command")

    @property
    def nav(self) -> list[object]:
        from entente.core.choices import Module
        from entente.core.navigation import NavItem

        return [
            NavItem(Module.COMMAND, _("Bulletins"), "core:bulletin_list"),
            NavItem(Module.COMMAND, _("Sites"), "core:site_list"),
            NavItem(Module.COMMAND, _("Agencies"), "core:agency_list"),
            NavItem(Module.AUDIT, _("Audit trail"), "core:audit_list"),
        ]

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from entente.core import signals  # noqa: F401  (connects the log-in audit receivers)
        from entente.core.text import register_sqlite_functions

        connection_created.connect(register_sqlite_functions, dispatch_uid="entente_fold")
