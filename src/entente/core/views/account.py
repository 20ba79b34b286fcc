"""Log-in, the second factor (TOTP), log-out, profile and language."""

from __future__ import annotations

import base64
from typing import Any, cast

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, LogoutView
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from entente.core import audit, services
from entente.core.choices import AuditAction, Language
from entente.core.forms import LoginForm, ProfileForm, TokenForm
from entente.core.models import User


class EntenteLoginView(LoginView):
    form_class = LoginForm
    template_name = "core/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["expired"] = self.request.GET.get("expired") == "1"
        return context


logout_view = LogoutView.as_view(http_method_names=["post", "options"])


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _record_second_factor(request: HttpRequest, result: str) -> None:
    user = cast(User, request.user)
    audit.record(user, AuditAction.SECOND_FACTOR, user, changes={"result": result})


def _confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Ask for the TOTP code of an account that has one; send others to enrolment."""
    if not settings.ENTENTE_REQUIRE_2FA or request.user.is_verified():  # type: ignore[union-attr]
        return redirect(_safe_next(request, reverse("core:dashboard")))
    device = _confirmed_device(request.user)
    if device is None:
        return redirect(f"{reverse('core:two_factor_setup')}?next={_safe_next(request, '/')}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            otp_login(request, device)
            _record_second_factor(request, "verified")
            return redirect(_safe_next(request, reverse("core:dashboard")))
        with transaction.atomic():
            _record_second_factor(request, "refused")
        form.add_error("token", _("That code is not right, or has expired. Try the next one."))
    return render(request, "core/two_factor.html", {"form": form, "next": _safe_next(request, "")})


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: show the secret as a QR code, confirm with one code.

    Only an account with no confirmed device enrols here: a password alone must not be
    enough to replace someone's second factor.
    """
    if not settings.ENTENTE_REQUIRE_2FA:
        return redirect("core:dashboard")
    if _confirmed_device(request.user) is not None:
        return redirect("core:two_factor")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="authenticator", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                _record_second_factor(request, "enrolled")
            otp_login(request, device)
            messages.success(request, _("Your authenticator app is set up."))
            return redirect(_safe_next(request, reverse("core:dashboard")))
        form.add_error("token", _("That code is not right, or has expired. Try the next one."))
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    svg = image.to_string(encoding="unicode")
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "core/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": mark_safe(svg),  # noqa: S308 - SVG made here by qrcode from our own URI
            "secret": secret,
            "next": _safe_next(request, ""),
        },
    )


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = ProfileForm(
        request.POST or None,
        initial={"language": user.language or request.LANGUAGE_CODE, "timezone": user.zone},
    )
    if request.method == "POST" and form.is_valid():
        services.set_preferences(
            user,
            acting_user=user,
            language=form.cleaned_data["language"],
            timezone_name=form.cleaned_data["timezone"],
        )
        response = redirect("core:profile")
        _set_language_cookie(response, form.cleaned_data["language"])
        messages.success(request, _("Your preferences are saved."))
        return response
    return render(
        request,
        "core/profile.html",
        {
            "form": form,
            "roles": user.module_roles.order_by("module"),
            "has_device": _confirmed_device(user) is not None,
        },
    )


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; kept in the profile of a signed-in user."""
    language = request.POST.get("language", "")
    response = HttpResponseRedirect(_safe_next(request, reverse("core:dashboard")))
    if language not in Language.values:
        messages.error(request, _("Unknown language."))
        return response
    if request.user.is_authenticated:
        services.set_preferences(request.user, acting_user=request.user, language=language)
    _set_language_cookie(response, language)
    return response
