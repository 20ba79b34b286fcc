"""The one HTMX helper: a request from HTMX gets the partial, any other the whole page."""

from __future__ import annotations

from django.http import HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def template_for(request: HttpRequest, page: str, partial: str) -> str:
    return partial if is_htmx(request) else page
