"""Shared set-up for benchmarks: a throw-away database (SQLite, or PostgreSQL via DATABASE_URL)
migrated like the real one, and the closing JSON line every benchmark prints."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def parse(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="a short run (under a minute)")
    return parser.parse_args()


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
