"""Programme pages: fund."""

from __future__ import annotations
