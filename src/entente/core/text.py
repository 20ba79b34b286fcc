"""Text folding shared by the apps that match what people type against what was written."""

from __future__ import annotations

import unicodedata


def strip_accents(text: str) -> str:
    """ "Chérif" -> "Cherif", "Zoë" -> "Zoe" (and "ß" -> "ss", "æ" -> "ae")."""
    text = text.replace("ß", "ss").replace("æ", "ae").replace("œ", "oe")
    text = text.replace("Æ", "AE").replace("Œ", "OE")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))
