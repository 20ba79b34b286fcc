"""The demo's investigations: linkage."""

from __future__ import annotations


def load() -> None:
    """Loaded after the intelligence demo and the earlier investigations areas."""
