"""Demo data: intelligence search."""

from __future__ import annotations


def load() -> None:
    """Nothing yet: the search part of the demo is still to be written."""
