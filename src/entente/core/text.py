"""Text folding shared by the apps that match what people type against what was written."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.db.models import Func, TextField


def strip_accents(text: str) -> str:
    """ "Chérif" -> "Cherif", "Zoë" -> "Zoe" (and "ß" -> "ss", "æ" -> "ae")."""
    text = text.replace("ß", "ss").replace("æ", "ae").replace("œ", "oe")
    text = text.replace("Æ", "AE").replace("Œ", "OE")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """What people type, as the database folds what was written (``Folded``): accents off,
    lower case."""
    return strip_accents(text).lower()


class Folded(Func):
    """A text column folded in the database for matching what people type: accents off
    (PostgreSQL's unaccent, which migration intelligence 0004 installs; on SQLite our own
    ``fold``, registered on each connection by ``register_sqlite_functions``), lower case.

    Match both sides through it (``Folded(Value(text))``), so that each database folds the
    two the same way (unaccent knows a few more letters than ``strip_accents``)."""

    function = "entente_fold"
    output_field = TextField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="lower(unaccent(%(expressions)s))")


def register_sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``entente_fold`` on each new SQLite connection (connection_created)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("entente_fold", 1, _fold_or_none, deterministic=True)


def _fold_or_none(value: str | None) -> str | None:
    return None if value is None else fold(value)
