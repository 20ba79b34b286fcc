"""Demo data: intelligence dissemination."""

from __future__ import annotations


def load() -> None:
    """Nothing yet: the dissemination part of the demo is still to be written."""
