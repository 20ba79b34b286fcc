"""Helpers for markings: the classification in both countries' names, the order of TLP."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from entente.core.choices import CLASSIFICATION_NAMES, TLP

# From the least restrictive to the most: a marking may be raised freely, lowered only by its
# originator, and a product made of several records takes the most restrictive of theirs.
TLP_ORDER: tuple[str, ...] = (TLP.CLEAR, TLP.GREEN, TLP.AMBER, TLP.AMBER_STRICT, TLP.RED)


def tlp_rank(tlp: str) -> int:
    """The TLP's place in ``TLP_ORDER`` (0 for CLEAR, 4 for RED)."""
    return TLP_ORDER.index(tlp)


def classification_label(level: int, user: Any = None) -> str:
    """ "OFFICIAL-SENSITIVE / Diffusion Restreinte", the viewer's own country's name first."""
    names = CLASSIFICATION_NAMES.get(level)
    if names is None:
        return str(level)
    country = getattr(user, "country_code", None) if user is not None else None
    if country == "FR":
        return f"{names['FR']} / {names['UK']}"
    return f"{names['UK']} / {names['FR']}"


@dataclass(frozen=True)
class Marking:
    classification: int
    releasability: frozenset[str]
    tlp: str


def combined_marking(records: Sequence[Any]) -> Marking | None:
    """The marking of whatever is made of these marked records (a derived product, an
    export): the highest classification, releasable only where all of them are, the
    narrowest TLP. None for no record."""
    if not records:
        return None
    return Marking(
        classification=max(r.classification for r in records),
        releasability=frozenset.intersection(*(frozenset(r.releasability) for r in records)),
        tlp=max((r.tlp for r in records), key=tlp_rank),
    )
