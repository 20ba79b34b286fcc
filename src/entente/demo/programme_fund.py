"""The demo's programme: fund (filled in by the fund area)."""

from __future__ import annotations


def load() -> None:
    """Nothing yet."""
