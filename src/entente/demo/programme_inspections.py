"""The demo's programme: inspections (filled in by the inspections area)."""

from __future__ import annotations


def load() -> None:
    """Nothing yet."""
