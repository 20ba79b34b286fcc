"""Demo data: intelligence reports."""

from __future__ import annotations


def load() -> None:
    """Nothing yet: the reports part of the demo is still to be written."""
