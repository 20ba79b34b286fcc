"""Matrix expectations: intelligence reports (see tests/access/areas/__init__.py)."""

from __future__ import annotations

from typing import Any

from entente.core.choices import Module
from tests.access.expectations_base import Rule, needs, page

PAGES: dict[str, Rule] = {
    "intelligence:report_list": page(needs(Module.INTELLIGENCE)),
}
API: dict[str, Rule] = {}
PAGE_ARGS: dict[str, dict[str, str]] = {}
API_ARGS: dict[str, Any] = {}
API_OP_ARGS: dict[str, dict[str, str]] = {}
API_BODIES: dict[str, Any] = {}


def samples() -> dict[str, str]:
    return {}


def state() -> tuple[Any, ...]:
    return ()
