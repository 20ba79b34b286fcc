"""The intelligence router, assembled from one module per concept.

No ``from __future__ import annotations`` here (django-ninja reads the annotations).
"""

from ninja import Router

from entente.intelligence.api import dissemination, exchange, reports, requests, search

router = Router(tags=["intelligence"])
router.add_router("", reports.router)
router.add_router("", dissemination.router)
router.add_router("", requests.router)
router.add_router("", search.router)
router.add_router("", exchange.router)

__all__ = ["router"]
