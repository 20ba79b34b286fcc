"""Template context every page needs: the mode, the menu, the countries' clocks."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from entente.core.models import Country
from entente.core.navigation import menu_for


def entente(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return {
        "demo_mode": settings.DEMO_MODE,
        "menu": menu_for(user) if signed_in else [],
        "countries": list(Country.objects.all()) if signed_in else [],
        "now": timezone.now(),
    }
