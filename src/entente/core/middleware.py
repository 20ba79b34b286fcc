"""Request middleware: request ids, session timeouts, user preferences, the second factor."""

from __future__ import annotations

import re
import time
import uuid
import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone, translation

from entente.core.audit import request_id_var

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
SESSION_STARTED = "entente_session_started"

Handler = Callable[[HttpRequest], HttpResponse]


class RequestIdMiddleware:
    """Give each request an id (or keep a well-formed X-Request-ID) for logs and the audit."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        rid = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        request.request_id = rid  # type: ignore[attr-defined]
        token = request_id_var.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = rid
        return response


class SessionTimeoutMiddleware:
    """The absolute session timeout; the idle one is SESSION_COOKIE_AGE renewed per request."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and hasattr(request, "session"):
            started = request.session.get(SESSION_STARTED)
            now = time.time()
            if started is None:
                request.session[SESSION_STARTED] = now
            elif now - float(started) > settings.ENTENTE_SESSION_MAX_AGE:
                logout(request)
                return redirect(f"{reverse(settings.LOGIN_URL)}?expired=1")
        return self.get_response(request)


class UserPreferencesMiddleware:
    """Activate the signed-in user's language and time zone."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            if user.language:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)


# Paths an account may reach before its second factor is verified.
_OTP_EXEMPT_NAMES = {
    "core:login",
    "core:logout",
    "core:two_factor",
    "core:two_factor_setup",
    "core:set_language",
    "core:healthz",
}


class SecondFactorMiddleware:
    """Outside demo mode, a signed-in person must pass TOTP before anything else."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            settings.ENTENTE_REQUIRE_2FA
            and user.is_authenticated
            and not user.is_verified()  # type: ignore[attr-defined]
            and not request.path.startswith(settings.STATIC_URL)
        ):
            try:
                match = resolve(request.path_info)
            except Resolver404:
                match = None
            name = f"{match.namespace}:{match.url_name}" if match and match.namespace else ""
            if name not in _OTP_EXEMPT_NAMES:
                if request.path.startswith("/api/"):
                    from entente.core.api_support import problem_response

                    return problem_response(
                        request,
                        401,
                        "second-factor-required",
                        translation.gettext("Second factor required"),
                        translation.gettext(
                            "Complete the second factor in the browser, or use an API token."
                        ),
                    )
                return redirect(f"{reverse('core:two_factor')}?next={request.get_full_path()}")
        return self.get_response(request)
