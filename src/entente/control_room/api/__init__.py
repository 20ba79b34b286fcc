"""The control room's router, assembled from one module per concept.

No ``from __future__ import annotations`` here (django-ninja reads the annotations).
"""

from ninja import Router

from entente.control_room.api import checklists, command, incidents, intake, outcomes, teams
from entente.control_room.api.intake import AlertIn

router = Router(tags=["control room"])
router.add_router("", intake.router)
router.add_router("", incidents.router)
router.add_router("", command.router)
router.add_router("", outcomes.router)
router.add_router("", checklists.router)
router.add_router("", teams.router)

__all__ = ["AlertIn", "router"]
