"""Display helpers for markings: the classification in both countries' names."""

from __future__ import annotations

from typing import Any

from entente.core.choices import CLASSIFICATION_NAMES


def classification_label(level: int, user: Any = None) -> str:
    """ "OFFICIAL-SENSITIVE / Diffusion Restreinte", the viewer's own country's name first."""
    names = CLASSIFICATION_NAMES.get(level)
    if names is None:
        return str(level)
    country = getattr(user, "country_code", None) if user is not None else None
    if country == "FR":
        return f"{names['FR']} / {names['UK']}"
    return f"{names['UK']} / {names['FR']}"
