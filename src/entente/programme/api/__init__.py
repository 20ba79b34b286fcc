"""The programme router, assembled from one module per concept.

No ``from __future__ import annotations`` here (django-ninja reads the annotations).
"""

from ninja import Router

from entente.programme.api import fund, indicators, inspections

router = Router(tags=["programme"])
router.add_router("", indicators.router)
router.add_router("", fund.router)
router.add_router("", inspections.router)

__all__ = ["router"]
