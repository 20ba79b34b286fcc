"""The live board: the page, its map's GeoJSON, and the stream of changes (Server-Sent Events).

The page and the GeoJSON are ordinary pages of the page server. The stream is an async view
served by the live listener (``entente.asgi``, started by ``entente serve``), where each worker
holds its boards in one hub (``control_room.hub``). It answers like a page to those who may not
watch (the log-in redirect, the second factor, 403), and every row it sends has passed the
access policy for the person watching.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.request import split_domain_port
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.http import require_GET

from entente.control_room import board
from entente.control_room.hub import get_hub, sse
from entente.control_room.models import Sensor, Zone
from entente.core import access
from entente.core.choices import Module
from entente.core.models import Site

# Without the live listener (the page server answered), the browser asks again this often.
POLL_RETRY_MS = 5000


def stream_url(request: HttpRequest) -> str:
    """Where the browser opens the stream: ENTENTE_LIVE_URL, else this host on LIVE_PORT."""
    if settings.ENTENTE_LIVE_URL:
        return str(settings.ENTENTE_LIVE_URL)
    domain, _port = split_domain_port(request.get_host())
    host = f"[{domain}]" if ":" in domain else domain
    path = reverse("control_room:live_stream")
    return f"{request.scheme}://{host}:{settings.ENTENTE_LIVE_PORT}{path}"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


@login_required
def board_page(request: HttpRequest) -> HttpResponse:
    """Incidents open now, the newest alerts and the map, kept up to date by the stream."""
    access.require_role(request.user, Module.CONTROL_ROOM)
    incidents = list(board.open_incidents(request.user)[: board.BOARD_LIMIT])
    alerts = board.newest_alerts(i.pk for i in incidents)
    url = stream_url(request)
    response = render(
        request,
        "control_room/board.html",
        {
            "rows": [{**board.incident_row(i), "opened_at": i.opened_at} for i in incidents],
            "alerts": [board.alert_row(a) for a in alerts],
            "stream_url": url,
            "limit": board.BOARD_LIMIT,
        },
    )
    origin = _origin(url)
    if origin:
        # The stream lives on another origin (the live listener's port): let the page reach it.
        response._csp_update = {"connect-src": [origin]}  # type: ignore[attr-defined]
    return response


@login_required
def map_geojson(request: HttpRequest) -> JsonResponse:
    """Sites, zones and sensors as GeoJSON, labelled in the user's language.

    Zones and sensors are the control room's reference data (every control-room role sees
    them, like the sensors page); sites are reference data for anyone holding a role. No
    incident is in here: the board's rows (filtered by the access policy) colour the zones.
    """
    access.require_role(request.user, Module.CONTROL_ROOM)
    now = timezone.now()
    features: list[dict[str, Any]] = []
    for site in Site.objects.select_related("country"):
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [float(site.longitude), float(site.latitude)],
                },
                "properties": {
                    "layer": "site",
                    "code": site.code,
                    "name": site.name,
                    "kind_label": str(site.get_kind_display()),
                    "country": site.country.code,
                },
            }
        )
    for zone in Zone.objects.select_related("site"):
        if not zone.polygon:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": zone.polygon,
                "properties": {
                    "layer": "zone",
                    "id": zone.pk,
                    "code": zone.code,
                    "name": zone.name,
                    "site": zone.site.name,
                    "kind_label": str(zone.get_kind_display()),
                },
            }
        )
    for sensor in Sensor.objects.select_related("zone"):
        seen = sensor.last_seen_at
        silent = seen is None or (now - seen).total_seconds() > sensor.heartbeat_seconds
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [float(sensor.longitude), float(sensor.latitude)],
                },
                "properties": {
                    "layer": "sensor",
                    "code": sensor.code,
                    "kind_label": str(sensor.get_kind_display()),
                    "zone": sensor.zone_id,
                    "zone_name": sensor.zone.name,
                    "silent": silent,
                    "last_seen": seen.isoformat() if seen else None,
                },
            }
        )
    return JsonResponse(
        {"type": "FeatureCollection", "features": features},
        content_type="application/geo+json",
        headers={"Cache-Control": "no-store"},
    )


def _watcher(user_id: int) -> Any:
    """The user, if they may watch the board (PermissionDenied otherwise)."""
    user = board.viewer(user_id)
    access.require_role(user, Module.CONTROL_ROOM)
    return user


def _cors(request: HttpRequest, response: HttpResponse | StreamingHttpResponse) -> None:
    """Let the board page reach the stream from the page server's origin (another port of the
    same host, or an origin in CSRF_TRUSTED_ORIGINS): the session cookie goes with it."""
    origin = request.headers.get("Origin", "")
    if not origin:
        return
    domain, _ = split_domain_port(request.get_host())
    theirs = urlsplit(origin).hostname or ""
    if theirs == domain.strip("[]") or origin in settings.CSRF_TRUSTED_ORIGINS:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Credentials"] = "true"
    response["Vary"] = "Origin"


async def _events(b: Any, first: bytes) -> AsyncIterator[bytes]:
    hub = get_hub()
    try:
        yield first
        while True:
            message = await b.queue.get()
            if message is None:
                return
            yield message
    finally:
        hub.discard(b)


@require_GET
async def live_stream(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The board's stream: a snapshot of what the user may see, then the changes.

    Served by the live listener. Reached on the page server instead (no live listener, or the
    authorization matrix's test client), it answers the snapshot alone and asks the browser
    to come back in a few seconds: a degraded poll rather than a thread held per board.
    """
    user = await request.auser()
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    watcher = await sync_to_async(_watcher)(user.pk)
    language = translation.get_language() or settings.LANGUAGE_CODE

    def first_message(mode: str) -> tuple[bytes, set[int]]:
        data = board.snapshot(watcher)
        data["mode"] = mode
        return sse(data), {int(row["id"]) for row in data["incidents"]}

    response: HttpResponse | StreamingHttpResponse
    if not isinstance(request, ASGIRequest):
        first, _ = await sync_to_async(first_message)("poll")
        body = f"retry: {POLL_RETRY_MS}\n\n".encode() + first
        response = HttpResponse(body, content_type="text/event-stream")
    else:
        hub = get_hub()
        # Joined before the snapshot is read: nothing that commits in between is missed.
        b = hub.add(user.pk, language)
        try:
            first, b.shown = await sync_to_async(first_message)("live")
        except BaseException:
            hub.discard(b)
            raise
        response = StreamingHttpResponse(
            _events(b, b"retry: 2000\n\n" + first), content_type="text/event-stream"
        )
        response["X-Accel-Buffering"] = "no"  # nginx: do not buffer the stream
    response["Cache-Control"] = "no-store"
    _cors(request, response)
    return response
