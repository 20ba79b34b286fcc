"""``entente serve``: serve the site with granian (DESIGN, "where the time goes").

Pages and the API: granian over WSGI, one process per worker (sync Django views are several
times faster there than behind ASGI). The live board's stream: a second granian listener over
ASGI (``entente.asgi``) on LIVE_PORT, whose workers each hold one hub for thousands of open
boards. ``--mqtt-bridge`` also runs the MQTT bridge beside them (``make demo`` does), so that a
sensor's message reaches the open boards with nothing else to start.

Both run as children of this process, each in a process group of its own, and are started
again whenever one exits while the server runs (``Supervised``: after 1 s, then twice as long
each time up to 30 s, back to 1 s once one has run a minute). granian already starts its own
dead workers again; this covers the listener's main process and the bridge, which nothing
else watches when this command runs them (a deployment runs the bridge as a systemd unit of
its own, restarted by systemd).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

# The demo's sensor account (entente.demo.load.load_sensor_account), used by the bridge in
# demo mode when ENTENTE_MQTT_USER names none.
DEMO_SENSOR_ACCOUNT = "sensors.demo"  # entente.demo.load.SENSOR_ACCOUNT

FIRST_DELAY, LONGEST_DELAY, SETTLED = 1.0, 30.0, 60.0

# Held while the supervising threads start a child or write to the server's output, and by
# granian while it forks a worker (``hold_forks``). A worker forked in the middle would keep
# the pipe through which Popen learns that the child started (Popen would wait for ever), or
# inherit the output's lock taken (the worker would hang at its first line of log).
_SPAWNING = threading.Lock()


def hold_forks() -> None:
    """Make this process's forks wait for a child being started (once per process)."""
    os.register_at_fork(
        before=_SPAWNING.acquire,
        after_in_parent=_SPAWNING.release,
        after_in_child=_SPAWNING.release,
    )


class Supervised:
    """A child process, started again whenever it exits until ``stop``: after FIRST_DELAY
    seconds, doubled each time up to LONGEST_DELAY, and back to FIRST_DELAY once it has run
    SETTLED seconds. Each start and exit is written to ``say`` (the server's output)."""

    def __init__(
        self, name: str, argv: list[str], env: dict[str, str], say: Callable[[str], None]
    ) -> None:
        self.name, self.argv, self.env, self.say = name, argv, env, say
        self.process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name=f"supervise {name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        delay = FIRST_DELAY
        while True:
            with self._lock, _SPAWNING:
                if self._stopping.is_set():
                    return
                started = time.monotonic()
                self.process = subprocess.Popen(  # noqa: S603 - our interpreter, fixed arguments
                    self.argv, env=self.env, start_new_session=True
                )
                self.say(f"{self.name} started (pid {self.process.pid})")
            code = self.process.wait()
            if self._stopping.is_set():
                return
            if time.monotonic() - started >= SETTLED:
                delay = FIRST_DELAY
            with _SPAWNING:
                self.say(f"{self.name} exited (code {code}); starting it again in {delay:g} s")
            if self._stopping.wait(delay):
                return
            delay = min(delay * 2, LONGEST_DELAY)

    def stop(self) -> None:
        """Stop it for good: SIGTERM to its whole process group (granian's workers are in the
        listener's), SIGKILL to what is still there after ten seconds."""
        with self._lock:
            self._stopping.set()
            process = self.process
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
        except ProcessLookupError:
            pass


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

    def _children(self, opts: dict[str, Any]) -> list[Supervised]:
        children: list[Supervised] = []
        env = {**os.environ, "PORT": str(opts["port"])}
        if not opts["no_live"]:
            live_port = opts["live_port"] or int(os.environ.get("LIVE_PORT", str(opts["port"] + 1)))
            env["LIVE_PORT"] = str(live_port)
            children.append(
                Supervised(
                    "Live listener",
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
                    env,
                    self._say,
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
                Supervised(
                    "MQTT bridge",
                    [sys.executable, "-m", "entente", "mqtt_bridge", "--user", user],
                    env,
                    self._say,
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
        if children:
            hold_forks()
        for child in children:
            child.start()
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
            for child in children:
                child.stop()

    def _say(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()
