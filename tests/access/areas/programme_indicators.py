"""Matrix expectations: programme, indicators (see tests/access/areas/__init__.py)."""

from __future__ import annotations

from typing import Any

from tests.access.expectations_base import Rule

PAGES: dict[str, Rule] = {}
API: dict[str, Rule] = {}
PAGE_ARGS: dict[str, dict[str, str]] = {}
API_ARGS: dict[str, Any] = {}
API_OP_ARGS: dict[str, dict[str, str]] = {}
API_BODIES: dict[str, Any] = {}


def samples() -> dict[str, str]:
    return {}


def state() -> tuple[Any, ...]:
    return ()
