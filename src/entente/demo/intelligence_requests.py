"""Demo data: intelligence requests."""

from __future__ import annotations


def load() -> None:
    """Nothing yet: the requests part of the demo is still to be written."""
