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

import django
from django.core.handlers.asgi import ASGIHandler

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[Mapping[str, Any]]]
Send = Callable[[Mapping[str, Any]], Awaitable[None]]

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "entente.settings")
django.setup(set_prefix=False)


class LiveHandler(ASGIHandler):
    """Django's ASGI handler, without its thread (and database connection) per request.

    Django runs each request's sync code (the middleware, the snapshot) in a thread of that
    request's own, kept until the response ends, and the thread's database connection with it:
    for streams that stay open for minutes, that is a thread and a connection per board. Here
    the sync code of every request runs in asgiref's one shared thread instead, briefly, while
    a board connects; the open streams themselves hold no thread and no connection.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Django serves HTTP here, not {scope['type']}")
        await self.handle(scope, receive, send)


django_application = LiveHandler()

LIVE_PREFIX = "/control-room/live/"


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
