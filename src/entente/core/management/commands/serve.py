"""``entente serve``: serve the site with granian (WSGI workers; DESIGN, "where the time goes")."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve Entente with granian: pages and API over WSGI, one process per worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "1")))
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("WEB_THREADS", "4")),
            help="blocking threads per worker (sync Django views)",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        from granian import Granian
        from granian.constants import Interfaces

        self.stdout.write(
            f"Serving on http://{opts['host']}:{opts['port']}/ "
            f"({opts['workers']} worker(s)); Ctrl-C stops."
        )
        Granian(
            "entente.wsgi:application",
            address=opts["host"],
            port=opts["port"],
            interface=Interfaces.WSGI,
            workers=opts["workers"],
            blocking_threads=opts["threads"],
        ).serve()
