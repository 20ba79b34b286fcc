"""The safeguarding router, assembled from one module per concept.

No ``from __future__ import annotations`` here (django-ninja reads the annotations).
"""

from ninja import Router

from entente.safeguarding.api import care, people

router = Router(tags=["safeguarding"])
router.add_router("", people.router)
router.add_router("", care.router)

__all__ = ["router"]
