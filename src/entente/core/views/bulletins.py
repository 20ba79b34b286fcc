"""Bulletins: list, read, post and edit, all through the access policy and the services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from entente.core import access, services
from entente.core.choices import Module, Role
from entente.core.forms import BulletinEditForm, BulletinForm, apply_validation_error
from entente.core.markings import classification_label
from entente.core.models import Bulletin


@login_required
def bulletin_list(request: HttpRequest) -> HttpResponse:
    access.require_role(request.user, Module.COMMAND)
    qs = Bulletin.objects.visible_to(request.user).select_related("originator", "created_by")
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "core/bulletin_list.html",
        {
            "page": page,
            "can_post": access.has_role(request.user, Module.COMMAND, Role.EDITOR),
        },
    )


@login_required
def bulletin_detail(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = access.get_visible_or_404(
        Bulletin.objects.select_related("originator", "created_by"), request.user, pk=pk
    )
    return render(
        request,
        "core/bulletin_detail.html",
        {
            "bulletin": bulletin,
            "classification": classification_label(bulletin.classification, request.user),
            "can_change": access.can_change_visible(request.user, bulletin),
        },
    )


@login_required
def bulletin_create(request: HttpRequest) -> HttpResponse:
    access.require_role(request.user, Module.COMMAND, Role.EDITOR)
    user: Any = request.user
    form = BulletinForm(
        request.POST or None,
        initial={"releasability": [user.agency.country.code], "language": user.language or "en"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            bulletin = services.create_bulletin(acting_user=user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Bulletin posted."))
            return redirect("core:bulletin_detail", pk=bulletin.pk)
    return render(request, "core/bulletin_form.html", {"form": form, "creating": True})


@login_required
def bulletin_edit(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = access.get_changeable_or_404(Bulletin, request.user, pk=pk)
    form = BulletinEditForm(
        request.POST or None,
        initial={
            "title": bulletin.title,
            "body": bulletin.body,
            "translation": bulletin.translation,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_bulletin(bulletin, acting_user=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Bulletin saved."))
            return redirect("core:bulletin_detail", pk=bulletin.pk)
    return render(request, "core/bulletin_form.html", {"form": form, "bulletin": bulletin})
