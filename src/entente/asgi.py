"""ASGI entry point of the live listener: the boards' stream (Server-Sent Events) and nothing else.

Pages and the API are served over WSGI (``entente.wsgi``), which is several times faster for sync
Django views (DESIGN, "where the time goes"); ``entente serve`` starts this listener beside them,
on its own port. Each worker process holds one hub (``control_room.hub``) for all its boards.
Requests outside ``/control-room/live/`` are answered 404 here: this listener serves the
stream only, and a reverse proxy routes that path to it.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "entente.settings")
django_application = get_asgi_application()

LIVE_PREFIX = "/control-room/live/"

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[Mapping[str, Any]], Awaitable[None]]


async def _lifespan(receive: Receive, send: Send) -> None:
    from entente.control_room.hub import stop_hub

    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await stop_hub()
            await send({"type": "lifespan.shutdown.complete"})
            return


async def application(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        await _lifespan(receive, send)
        return
    if scope["type"] == "http" and scope["path"].startswith(LIVE_PREFIX):
        await django_application(scope, receive, send)
        return
    if scope["type"] == "http":
        await send(
            {
                "type": "http.response.start",
                "status": 404,
                "headers": [(b"content-type", b"text/plain; charset=utf-8")],
            }
        )
        await send(
            {
                "type": "http.response.body",
                "body": b"Not found: the live listener serves /control-room/live/ only.\n",
            }
        )
