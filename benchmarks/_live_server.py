"""The live listener as ``entente serve`` starts it, pointed at the benchmark's database.

granian imports this module in its worker: the benchmark's throw-away database (its name in
BENCH_DATABASE_NAME) replaces the configured one before Django opens any connection.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "entente.settings")

from django.conf import settings

settings.DATABASES["default"]["NAME"] = os.environ["BENCH_DATABASE_NAME"]

from entente.asgi import application  # noqa: E402

__all__ = ["application"]
