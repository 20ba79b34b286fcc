"""Navigation per module. Each app lists its menu entries on its AppConfig (``nav``); the
layout shows an entry to users holding at least its role in its module (a supervisor's page
is not offered to those it would refuse)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.utils.functional import Promise

from entente.core import access


@dataclass(frozen=True)
class NavItem:
    module: str
    label: str | Promise
    url_name: str
    role: int = 10  # Role.VIEWER: anyone holding a role in the module


def menu_for(user: Any) -> list[dict[str, Any]]:
    """[{"module": ..., "items": [NavItem, ...]}] for the modules the user holds roles in."""
    held = set(access.modules_of(user))
    groups: dict[str, list[NavItem]] = {}
    for config in apps.get_app_configs():
        for item in getattr(config, "nav", ()):
            if item.module in held and access.has_role(user, item.module, item.role):
                groups.setdefault(item.module, []).append(item)
    from entente.core.choices import Module

    return [{"module": Module(m), "items": groups[m]} for m in Module.values if m in groups]
