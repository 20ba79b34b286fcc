"""Shared set-up for benchmarks: a throw-away database (SQLite, or PostgreSQL via DATABASE_URL)
migrated like the real one, and the closing JSON line every benchmark prints."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def parse(
    description: str, extra: Callable[[argparse.ArgumentParser], None] | None = None
) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a short run (under a minute)")
    if extra is not None:
        extra(parser)
    return parser.parse_args()


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) used so far by a process of this machine, or None when it
    cannot be read (not Linux, another machine's database server)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu(pid: int) -> float:
    """CPU seconds used so far by a process and all its descendants (granian's workers)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        total += cpu_seconds(p) or 0.0
        todo.extend(children.get(p, []))
    return total


def backends_cpu() -> dict[int, float]:
    """CPU seconds used so far by each PostgreSQL backend serving the benchmark's database
    (the server's pooled connections and the live listener's), when PostgreSQL runs here."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return {pid: cpu_seconds(pid) or 0.0 for (pid,) in cursor.fetchall()}


def test_database_url() -> str:
    """A URL for the benchmark's own database, for the servers and bridges it starts."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgresql://{auth}{db.get('HOST') or '127.0.0.1'}{port}/{db['NAME']}"


def entente_process(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """``entente ARGS`` in a process of its own, on the benchmark's database (as a deployment
    runs its bridge and server beside each other). Output goes to a log file, named in
    ``.log_path``, so a full pipe never blocks it."""
    environment = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "PYTHONPATH": str(ROOT / "src"),
        "ENTENTE_LOG_LEVEL": os.environ.get("ENTENTE_LOG_LEVEL", "WARNING"),
        **(env or {}),
    }
    log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed with the process
        "w+", prefix=f"entente-{args[0]}-", suffix=".log", delete=False
    )
    process = subprocess.Popen(  # noqa: S603 - our interpreter, our command
        [sys.executable, "-m", "entente", *args],
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    process.log_path = log.name  # type: ignore[attr-defined]
    return process


def stop(process: subprocess.Popen[str], sig: int = signal.SIGTERM, timeout: float = 20) -> str:
    """Stop a process started by ``entente_process`` and return what it printed."""
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)
    return Path(process.log_path).read_text()  # type: ignore[attr-defined]


def wait_until(condition: Callable[[], bool], timeout: float, every: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return condition()


@contextmanager
def database() -> Iterator[None]:
    """Django set up on a fresh test database, torn down afterwards."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "entente.settings")
    os.environ.setdefault("ENTENTE_DATA_DIR", tempfile.mkdtemp(prefix="entente-bench-"))
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import setup_databases, teardown_databases

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        # A file, as in the demo: an in-memory database would hide the cost of a commit.
        folder = Path(os.environ["ENTENTE_DATA_DIR"])
        db.setdefault("TEST", {})["NAME"] = str(folder / "bench.sqlite3")

    config = setup_databases(verbosity=0, interactive=False, keepdb=False)
    try:
        yield
    finally:
        teardown_databases(config, verbosity=0)


def rate(n: int, fn: Callable[[], Any]) -> float:
    """Operations per second of ``fn`` called ``n`` times."""
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return n / (time.perf_counter() - start)


def report(name: str, metrics: dict[str, Any], anchor: str, ratio: float) -> None:
    print(
        json.dumps(
            {"benchmark": name, "metrics": metrics, "anchor": anchor, "ratio": round(ratio, 3)}
        )
    )
