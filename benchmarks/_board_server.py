"""The site as ``entente serve`` serves it (granian, WSGI), on the benchmark's database, with
one more URL: the bare Django view the board benchmark compares the incident API with.

granian imports this module in its worker: the benchmark's throw-away database (its name in
BENCH_DATABASE_NAME) replaces the configured one, and this module becomes the URL conf, before
Django handles a request.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "entente.settings")

from django.conf import settings

settings.DATABASES["default"]["NAME"] = os.environ["BENCH_DATABASE_NAME"]
settings.ROOT_URLCONF = "_board_server"

from django.http import HttpRequest, JsonResponse  # noqa: E402
from django.urls import include, path  # noqa: E402

from entente.wsgi import application  # noqa: E402


def bare_incidents(request: HttpRequest) -> JsonResponse:
    """The anchor: the latest 20 incidents, the same columns, no API layer, no policy."""
    from entente.control_room.models import Incident

    rows = list(
        Incident.objects.order_by("-opened_at").values(
            "id",
            "zone__code",
            "zone__site__code",
            "kind",
            "severity",
            "state",
            "opened_at",
            "last_alert_at",
            "alert_count",
            "acknowledged_at",
            "dispatched_at",
            "on_scene_at",
            "closed_at",
        )[:20]
    )
    return JsonResponse({"items": rows}, safe=False)


urlpatterns = [
    path("bench/bare-incidents", bare_incidents, name="bench_bare_incidents"),
    path("", include("entente.urls")),
]

__all__ = ["application", "urlpatterns"]
