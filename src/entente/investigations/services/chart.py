"""The link chart's one write: the audit of who looked at whose links, and why.

A chart names people (personal data): every expand, path and investigation chart that shows
a person is recorded, once per request, with the people it showed (DESIGN.md, "one audit
trail"). The graph itself is read by ``entente.investigations.graph``.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from entente.core import audit
from entente.core.choices import AuditAction
from entente.intelligence.choices import EntityKind
from entente.investigations.graph import Subgraph

READ_PURPOSE = "link chart consulted"


@transaction.atomic
def record_read(
    subgraph: Subgraph,
    *,
    acting_user: Any,
    about: str,
    about_id: int | str,
    purpose: str = READ_PURPOSE,
) -> bool:
    """Audit a chart showing people; returns whether it did (no person, no entry).
    ``about`` names what the chart was drawn around: "intelligence.entity" (an expand),
    "investigations.investigation", "investigations.path" (two entity ids "a-b")."""
    people = sorted(n["id"] for n in subgraph.nodes if n["kind"] == EntityKind.PERSON)
    if not people:
        return False
    audit.record(
        acting_user,
        AuditAction.READ,
        object_type=about,
        object_id=str(about_id),
        purpose=purpose,
        changes={"people": people},
    )
    return True
