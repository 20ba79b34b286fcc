"""Matrix expectations: intelligence search and watchlists (see tests/access/areas/__init__.py).

The sample (``samples``) is a watchlist saved by analyst.nca. Searching is open to anyone
holding an intelligence role (what they find is their own business: tests/intelligence/
test_search.py); a saved search is its owner's alone: other intelligence people get 404, people
without an intelligence role 403.
"""

from __future__ import annotations

from typing import Any

from entente.core.choices import Module
from tests.access.expectations_base import Rule, api, needs, page, role

OWNER = "analyst.nca"


def owns(ok: int = 200) -> Rule:
    def rule(p: str) -> int:
        if not role(p, Module.INTELLIGENCE):
            return 403
        return ok if p == OWNER else 404

    return rule


PAGES: dict[str, Rule] = {
    "intelligence:search": page(needs(Module.INTELLIGENCE)),
    "intelligence:watchlists": page(needs(Module.INTELLIGENCE)),
    "intelligence:search_save": page(lambda p: 405),  # POST only
    "intelligence:watchlists_seen": page(lambda p: 405),  # POST only
    "intelligence:watchlist_seen": page(lambda p: 405),  # POST only
    "intelligence:saved_search_watch": page(lambda p: 405),  # POST only
    "intelligence:saved_search_delete": page(lambda p: 405),  # POST only
}
API: dict[str, Rule] = {
    "GET /api/v1/intelligence/search": api(needs(Module.INTELLIGENCE)),
    "GET /api/v1/intelligence/saved-searches": api(needs(Module.INTELLIGENCE)),
    "POST /api/v1/intelligence/saved-searches": api(needs(Module.INTELLIGENCE, ok=201)),
    "GET /api/v1/intelligence/saved-searches/{search_id}": api(owns()),
    "PATCH /api/v1/intelligence/saved-searches/{search_id}": api(owns()),
    "DELETE /api/v1/intelligence/saved-searches/{search_id}": api(owns(204)),
    "GET /api/v1/intelligence/watch-hits": api(needs(Module.INTELLIGENCE)),
    "POST /api/v1/intelligence/watch-hits/seen": api(needs(Module.INTELLIGENCE)),
}
PAGE_ARGS: dict[str, dict[str, str]] = {
    "intelligence:watchlist_seen": {"pk": "{saved_search}"},
    "intelligence:saved_search_watch": {"pk": "{saved_search}"},
    "intelligence:saved_search_delete": {"pk": "{saved_search}"},
}
API_ARGS: dict[str, Any] = {"search_id": "{saved_search}"}
API_OP_ARGS: dict[str, dict[str, str]] = {}
API_BODIES: dict[str, Any] = {
    "POST /api/v1/intelligence/saved-searches": {"name": "Matrix", "query": "passeur"},
    "PATCH /api/v1/intelligence/saved-searches/{search_id}": {"watch": False},
    "POST /api/v1/intelligence/watch-hits/seen": {},
}


def samples() -> dict[str, str]:
    from entente.core.models import User
    from entente.intelligence.services import search

    saved = search.save_search(
        acting_user=User.objects.get(username=OWNER),
        name="Matrix watchlist",
        query="passeurs camions",
        watch=True,
    )
    return {"{saved_search}": str(saved.pk)}


def state() -> tuple[Any, ...]:
    from entente.intelligence.models import SavedSearch, WatchHit

    return (
        tuple(SavedSearch.objects.order_by("pk").values_list("pk", "name", "query", "watch")),
        tuple(WatchHit.objects.order_by("pk").values_list("pk", "seen_at")),
    )
