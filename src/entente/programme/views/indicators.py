"""Programme pages: indicators."""

from __future__ import annotations
