"""Queries compiled once and run again: for the hottest reads, where building and compiling a
queryset (the access policy's subqueries, a row joined over four tables) costs more than the
database takes to answer it.

``rows(key, build, params)`` runs the ``values_list`` queryset ``build()`` returns, compiled on
first use for that ``key`` and kept per thread (a compiler belongs to its thread's connection).
The key must name everything the SQL depends on; ``params``, when given, replace the compiled
query's parameters, which must then be exactly the placeholders ``build()`` put there (checked
on compilation), so only values change between runs, never the SQL. ``fill`` replaces only some
of them: each parameter equal to one of its keys (placeholder strings ``build()`` put there,
each checked on compilation) by its value, the others kept as compiled. The rows are converted
as the ORM converts them (dates on SQLite, for one).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet

KEPT = 1024  # compiled queries per thread; past it the cache starts again

_local = threading.local()


def rows(
    key: tuple[Any, ...],
    build: Callable[[], QuerySet[Any]],
    params: Sequence[Any] | None = None,
    placeholders: Sequence[Any] | None = None,
    *,
    fill: Mapping[str, Any] | None = None,
) -> list[Any]:
    """The rows of ``build()`` (a values_list queryset) with ``params`` in place of
    ``placeholders`` (or ``fill``'s values in place of its keys); the SQL compiled once per
    thread, database and ``key``."""
    cache: dict[tuple[Any, ...], Any] | None = getattr(_local, "compiled", None)
    if cache is None:
        cache = _local.compiled = {}
    full_key = (connection.alias, connection.settings_dict["NAME"], *key)
    entry = cache.get(full_key)
    if entry is None:
        compiler = build().query.get_compiler(connection.alias)
        try:
            sql, compiled_params = compiler.as_sql()
        except EmptyResultSet:
            sql, compiled_params = "", ()
        if params is not None and list(compiled_params) != list(placeholders or ()):
            raise ValueError(f"{key}: the query's parameters are not the placeholders given")
        if fill is not None and not set(fill) <= {p for p in compiled_params if isinstance(p, str)}:
            raise ValueError(f"{key}: a placeholder to fill is not among the query's parameters")
        if len(cache) >= KEPT:
            cache.clear()
        converters = (
            compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]])
            if sql
            else {}
        )
        entry = cache[full_key] = (compiler, sql, tuple(compiled_params), converters)
    compiler, sql, compiled_params, converters = entry
    if not sql:
        return []
    if fill is not None:
        params = [fill.get(p, p) if isinstance(p, str) else p for p in compiled_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, compiled_params if params is None else tuple(params))
        found = cursor.fetchall()
    # As the compiler's results_iter converts them, with the converters found once.
    return list(compiler.apply_converters(found, converters)) if converters else found
