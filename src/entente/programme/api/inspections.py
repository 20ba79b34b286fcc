"""Programme API: inspections.

No ``from __future__ import annotations`` here (django-ninja reads the annotations).
"""

from ninja import Router

router = Router()
