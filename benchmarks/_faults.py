"""Parts shared by the crash benchmark (benchmarks/crash.py) and the fault tests
(tests/resilience/), and the free port of every benchmark and test that starts a server: a free
port, alerts of a run, a Mosquitto of our own, and a sensor that
posts batches over HTTP and retries each until it is answered, as the sensor-integration guide
asks a sensor to do.

Nothing here imports Django: the servers and bridges under test run in processes of their own.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


SENSORS = ("COQ-PLAT-CCTV-01", "CAL-RING-CCTV-01", "COQ-FENCE-DET-01")


def alert(run: str, channel: str, i: int) -> dict[str, Any]:
    """Alert ``i`` of a run on a channel (its event id is ``RUN-CHANNEL-i``), on a demo sensor."""
    at = dt.datetime(2015, 8, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=i)
    return {
        "sensor": SENSORS[i % 3],
        "event_id": f"{run}-{channel}-{i:07d}",
        "occurred_at": at.isoformat().replace("+00:00", "Z"),
        "kind": "intrusion",
        "confidence": 0.6,
    }


class Broker:
    """A Mosquitto of our own on a free loopback port, no limit on the messages it queues.

    ``persistent``: it keeps sessions and queued messages on disk across a stop and a start
    (``persistence true``), as a deployment's broker must for what it acknowledged to survive
    its own restart. ``stop()`` and ``start()`` restart it on the same port.
    """

    def __init__(self, *, persistent: bool = False) -> None:
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="entente-broker-"))
        self.conf = self.folder / "mosquitto.conf"
        lines = [
            f"listener {self.port} 127.0.0.1",
            "allow_anonymous true",
            "max_queued_messages 0",
            "max_inflight_messages 0",
        ]
        if persistent:
            lines += ["persistence true", f"persistence_location {self.folder}/"]
            if os.geteuid() == 0:
                # Started as root, Mosquitto runs as its own account: the folder must be its.
                try:
                    account = pwd.getpwnam("mosquitto")
                except KeyError:
                    lines.append("user root")
                else:
                    os.chown(self.folder, account.pw_uid, account.pw_gid)
        else:
            lines.append("persistence false")
        self.conf.write_text("\n".join(lines) + "\n")
        self.log = self.folder / "mosquitto.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        mosquitto = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - the system's mosquitto, our config
                [mosquitto, "-c", str(self.conf)], stdout=log, stderr=subprocess.STDOUT
            )

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Stop it (SIGTERM: it writes what it holds to disk first) and wait for the end."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(30)

    def up(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            return True
        except OSError:
            return False

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        shutil.rmtree(self.folder, ignore_errors=True)


@dataclass
class Answer:
    """One attempt at sending a batch: when it ended and how (an HTTP status, or ``"conn"``
    when no answer came: refused, reset, timed out)."""

    at: float
    status: int | str
    content_type: str = ""
    body: bytes = b""


@dataclass
class HttpSensor:
    """A sensor posting batches of alerts to ``/api/v1/alerts`` in a thread of its own.

    Each batch is sent again until it is answered 200 (as a sensor must; the intake is
    idempotent), at most ``pace`` batches a second. An alert counts as acknowledged once a 200
    answer names it accepted or duplicate. ``answers`` keeps every attempt, for the figures:
    the statuses seen during a fault and the time service came back.
    """

    port: int
    token: str
    run: str
    batch: int = 50
    pace: float = 10.0
    timeout: float = 30.0
    channel: str = "h"
    acknowledged: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    batches_done: int = 0
    sent: int = 0
    # Set while a request is on its way or being answered (a fault then cuts it off).
    busy: threading.Event = field(default_factory=threading.Event)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    error: BaseException | None = None

    def start(self) -> HttpSensor:
        self._thread = threading.Thread(target=self._run, name=f"sensor-{self.run}", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 120) -> None:
        """Stop after the batch in hand is acknowledged (so nothing sent is left unanswered)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            assert not self._thread.is_alive(), "the sensor could not finish its last batch"
        if self.error is not None:
            raise self.error

    def _post(self, body: bytes) -> Answer:
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        self.busy.set()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                conn.request("POST", "/api/v1/alerts", body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
            finally:
                conn.close()
        except (OSError, http.client.HTTPException):
            return Answer(time.monotonic(), "conn")
        finally:
            self.busy.clear()
        return Answer(
            time.monotonic(), response.status, response.getheader("Content-Type") or "", data
        )

    def _run(self) -> None:
        try:
            i = 0
            while not self._stop.is_set():
                started = time.monotonic()
                items = [alert(self.run, self.channel, n) for n in range(i, i + self.batch)]
                body = json.dumps(items).encode()
                self.sent += len(items)
                while True:  # a sensor retries until it has an answer
                    answer = self._post(body)
                    self.answers.append(answer)
                    if answer.status == 200:
                        break
                    time.sleep(0.1)
                results = json.loads(answer.body)["results"]
                for item, result in zip(items, results, strict=True):
                    if result["status"] in ("accepted", "duplicate"):
                        self.acknowledged.append(item["event_id"])
                    else:
                        self.rejected.append(f"{item['event_id']}: {result['reason']}")
                self.batches_done += 1
                i += self.batch
                rest = 1 / self.pace - (time.monotonic() - started)
                if rest > 0:
                    self._stop.wait(rest)
        except BaseException as exc:  # reported by stop()
            self.error = exc

    # Figures -------------------------------------------------------------------------------

    def first_success_after(self, moment: float) -> float | None:
        """When the first batch sent after ``moment`` was acknowledged (None: none yet)."""
        for answer in list(self.answers):
            if answer.at > moment and answer.status == 200:
                return answer.at
        return None

    def statuses_between(self, start: float, end: float | None = None) -> Counter[int | str]:
        return Counter(
            a.status for a in list(self.answers) if a.at > start and (end is None or a.at <= end)
        )

    def failures_between(self, start: float, end: float | None = None) -> list[Answer]:
        return [
            a
            for a in list(self.answers)
            if a.at > start and (end is None or a.at <= end) and a.status != 200
        ]
