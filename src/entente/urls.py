"""The site's URLs: each app's pages under its prefix, and the API under /api/v1/."""

from __future__ import annotations

from django.urls import include, path

from entente.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("control-room/", include("entente.control_room.urls")),
    path("intelligence/", include("entente.intelligence.urls")),
    path("investigations/", include("entente.investigations.urls")),
    path("safeguarding/", include("entente.safeguarding.urls")),
    path("programme/", include("entente.programme.urls")),
    path("", include("entente.core.urls")),
]

handler403 = "entente.core.views.errors.forbidden"
handler404 = "entente.core.views.errors.not_found"
handler500 = "entente.core.views.errors.server_error"
