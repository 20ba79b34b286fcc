"""The demo's safeguarding: people."""

from __future__ import annotations


def load() -> None:
    """Loaded after the control room's handovers and the personas."""
