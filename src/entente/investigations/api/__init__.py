"""The investigations router, assembled from one module per concept.

No ``from __future__ import annotations`` here (django-ninja reads the annotations).
"""

from ninja import Router

from entente.investigations.api import analysis, cases, chart, entities, linkage

router = Router(tags=["investigations"])
router.add_router("", cases.router)
router.add_router("", entities.router)
router.add_router("", chart.router)
router.add_router("", analysis.router)
router.add_router("", linkage.router)

__all__ = ["router"]
