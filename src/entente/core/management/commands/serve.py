"""``entente serve``: serve the site with granian (DESIGN, "where the time goes").

Pages and the API: granian over WSGI, one process per worker (sync Django views are several
times faster there than behind ASGI). The live board's stream: a second granian listener over
ASGI (``entente.asgi``) on LIVE_PORT, whose workers each hold one hub for thousands of open
boards. ``--mqtt-bridge`` also runs the MQTT bridge beside them (``make demo`` does), so that a
sensor's message reaches the open boards with nothing else to start.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

# The demo's sensor account (entente.demo.load.load_sensor_account), used by the bridge in
# demo mode when ENTENTE_MQTT_USER names none.
DEMO_SENSOR_ACCOUNT = "sensors.demo"  # entente.demo.load.SENSOR_ACCOUNT


class Command(BaseCommand):
    help = (
        "Serve Entente with granian: pages and API over WSGI, the live board's stream over ASGI "
        "on a second port; optionally the MQTT bridge beside them."
    )

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
        parser.add_argument(
            "--live-port",
            type=int,
            default=None,
            help="port of the live listener (LIVE_PORT; default: --port + 1)",
        )
        parser.add_argument(
            "--live-workers",
            type=int,
            default=int(os.environ.get("LIVE_WORKERS", "1")),
            help="live listener processes; on PostgreSQL each hears every change (LISTEN/NOTIFY)",
        )
        parser.add_argument(
            "--live-boards",
            type=int,
            default=int(os.environ.get("LIVE_BOARDS", "10000")),
            help="open boards each live worker holds at most (LIVE_BOARDS)",
        )
        parser.add_argument(
            "--no-live", action="store_true", help="do not start the live listener (a proxy's job)"
        )
        parser.add_argument(
            "--mqtt-bridge",
            action="store_true",
            help="also run the MQTT bridge (ENTENTE_MQTT_USER; the demo's sensor account in demo)",
        )

    def _children(self, opts: dict[str, Any]) -> list[subprocess.Popen[bytes]]:
        children: list[subprocess.Popen[bytes]] = []
        env = {**os.environ, "PORT": str(opts["port"])}
        if not opts["no_live"]:
            live_port = opts["live_port"] or int(os.environ.get("LIVE_PORT", str(opts["port"] + 1)))
            env["LIVE_PORT"] = str(live_port)
            children.append(
                subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
                    [
                        sys.executable,
                        "-m",
                        "granian",
                        "--interface",
                        "asgi",
                        "--no-ws",
                        "--host",
                        opts["host"],
                        "--port",
                        str(live_port),
                        "--workers",
                        str(opts["live_workers"]),
                        # Each open board is a request in progress: granian's default limit
                        # (backlog / workers) would leave boards past it waiting.
                        "--backpressure",
                        str(opts["live_boards"]),
                        "--log-level",
                        "warning",
                        # A worker that dies (killed, out of memory) is started again.
                        "--respawn-failed-workers",
                        "entente.asgi:application",
                    ],
                    env=env,
                    start_new_session=True,
                )
            )
            self.stdout.write(
                f"Live board stream on http://{opts['host']}:{live_port}/control-room/live/stream"
                f" ({opts['live_workers']} worker(s))"
            )
            # The page server tells browsers where the stream is (its workers are forked or
            # spawned from here: set both the environment and the loaded settings).
            os.environ["LIVE_PORT"] = str(live_port)
            settings.ENTENTE_LIVE_PORT = live_port
        if opts["mqtt_bridge"]:
            user = settings.ENTENTE_MQTT_USER or (DEMO_SENSOR_ACCOUNT if settings.DEMO_MODE else "")
            if not user:
                raise CommandError("--mqtt-bridge needs ENTENTE_MQTT_USER (the sensor account)")
            children.append(
                subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
                    [sys.executable, "-m", "entente", "mqtt_bridge", "--user", user],
                    env=env,
                    start_new_session=True,
                )
            )
            self.stdout.write(
                f"MQTT bridge: {settings.ENTENTE_MQTT_URL} topic {settings.ENTENTE_MQTT_TOPIC}"
            )
        return children

    def handle(self, *args: Any, **opts: Any) -> None:
        from granian import Granian
        from granian.constants import Interfaces

        children = self._children(opts)
        self.stdout.write(
            f"Serving on http://{opts['host']}:{opts['port']}/ "
            f"({opts['workers']} worker(s)); Ctrl-C stops."
        )
        try:
            Granian(
                "entente.wsgi:application",
                address=opts["host"],
                port=opts["port"],
                interface=Interfaces.WSGI,
                workers=opts["workers"],
                blocking_threads=opts["threads"],
                # A worker that dies (killed, out of memory) is started again; without this
                # granian stops the whole server when one worker dies.
                respawn_failed_workers=True,
            ).serve()
        finally:
            # Each child leads a process group of its own (granian's workers are in it): stop
            # the whole group, and kill what is still there after ten seconds.
            for child in children:
                os.killpg(child.pid, signal.SIGTERM)
            for child in children:
                try:
                    child.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(child.pid, signal.SIGKILL)
                    child.wait(10)
