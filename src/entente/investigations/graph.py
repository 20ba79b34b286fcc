"""The graph a user may see: links they may see whose two ends they may also see.

Everything that draws or analyses the graph (the link chart, network analysis) starts here, so
that no chart, table or count reveals a record the access policy hides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from entente.intelligence.models import Entity
from entente.investigations.models import Link


def visible_entities(user: Any) -> QuerySet[Entity]:
    return Entity.objects.visible_to(user)


def visible_links(
    user: Any,
    *,
    kinds: Iterable[str] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> QuerySet[Link]:
    """Links the user may see, with both ends visible, optionally of some kinds and
    overlapping the period [start, end] (a link without dates overlaps every period)."""
    entities = visible_entities(user).values("pk")
    qs = Link.objects.visible_to(user).filter(source__in=entities, target__in=entities)
    if kinds:
        qs = qs.filter(kind__in=list(kinds))
    if start is not None:
        qs = qs.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=start))
    if end is not None:
        qs = qs.filter(Q(starts_on__isnull=True) | Q(starts_on__lte=end))
    return qs
