"""Matrix expectations: investigations, link chart (see tests/access/areas/__init__.py).

The sample is a person released to France and the UK, linked to a phone. The chart and its
API need an investigations role (403 without one); what they show is the policy's business
(tests/investigations/test_graph.py).
"""

from __future__ import annotations

from typing import Any

from entente.core.choices import Module
from tests.access.areas import investigations_cases, investigations_entities
from tests.access.expectations_base import Rule, api, needs, page

EXPAND = "GET /api/v1/investigations/graph/expand/{entity_id}"
PATH = "GET /api/v1/investigations/graph/path/{source_id}/{target_id}"
PAGES: dict[str, Rule] = {
    "investigations:chart": page(needs(Module.INVESTIGATIONS)),
}
API: dict[str, Rule] = {
    EXPAND: api(needs(Module.INVESTIGATIONS)),
    PATH: api(needs(Module.INVESTIGATIONS)),
    "GET /api/v1/investigations/graph/timeline": api(needs(Module.INVESTIGATIONS)),
}
PAGE_ARGS: dict[str, dict[str, str]] = {}
_MINE = {"entity_id": "{chart_person}", "source_id": "{chart_person}", "target_id": "{chart_phone}"}
# Another area may name its own parameters so: each is declared once (the matrix requires
# it), and this area's operations take this area's samples (API_OP_ARGS).
API_ARGS: dict[str, Any] = {
    name: value
    for name, value in _MINE.items()
    if not any(name in area.API_ARGS for area in (investigations_cases, investigations_entities))
}
API_OP_ARGS: dict[str, dict[str, str]] = {
    EXPAND: {"entity_id": _MINE["entity_id"]},
    PATH: {"source_id": _MINE["source_id"], "target_id": _MINE["target_id"]},
}
API_BODIES: dict[str, Any] = {}


def samples() -> dict[str, str]:
    from entente.core.choices import TLP
    from entente.core.models import Agency
    from entente.intelligence.models import Entity
    from entente.investigations.models import Link

    dcpaf = Agency.objects.get(code="DCPAF")
    person, phone = (
        Entity.objects.create(
            kind=kind, name=name, releasability={"FR", "UK"}, tlp=TLP.GREEN, originator=dcpaf
        )
        for kind, name in (("person", "Matrix chart person"), ("phone", "+33 6 00 00 00 01"))
    )
    Link.objects.create(
        source=person,
        target=phone,
        kind="calls",
        releasability={"FR", "UK"},
        tlp=TLP.GREEN,
        originator=dcpaf,
    )
    return {"{chart_person}": str(person.pk), "{chart_phone}": str(phone.pk)}


def state() -> tuple[Any, ...]:
    return ()
