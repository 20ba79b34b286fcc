"""Error pages, translated and inside the layout."""

from __future__ import annotations

import sys

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language

from entente.core.api_support import (
    RETRY_AFTER_SECONDS,
    database_unavailable,
    unavailable_response,
)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", {"reason": str(exception or "")}, status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page, or a 503 when the database is out of reach (a restart, a full disk):
    the client may try again. Rendered without the request's context (the menu and the clocks
    read the database, which may be what failed)."""
    context = {"LANGUAGE_CODE": get_language()}
    if database_unavailable(sys.exc_info()[1]):
        if request.path.startswith("/api/"):
            return unavailable_response(request)
        response = HttpResponse(render_to_string("errors/503.html", context), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponse(render_to_string("errors/500.html", context), status=500)
