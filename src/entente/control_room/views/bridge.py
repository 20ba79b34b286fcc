"""The parked MQTT messages: what the bridge could not use, for control-room editors to read
and mark dealt with (``services.bridge``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from entente.control_room.services import bridge


@login_required
def parked_list(request: HttpRequest) -> HttpResponse:
    """Messages waiting to be dealt with, newest first; ``?all=1`` shows the dealt-with too."""
    show_all = request.GET.get("all") == "1"
    parked = bridge.parked_messages(request.user, include_resolved=show_all)
    page = Paginator(parked, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "control_room/parked_list.html",
        {"page": page, "show_all": show_all, "query": "all=1" if show_all else ""},
    )


@require_POST
@login_required
def parked_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    """The "dealt with" button."""
    message = get_object_or_404(bridge.parked_messages(request.user, include_resolved=True), pk=pk)
    try:
        bridge.resolve_parked(message, acting_user=request.user)
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("Parked message marked as dealt with."))
    return redirect("control_room:parked_list")
