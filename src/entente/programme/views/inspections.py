"""Programme pages: inspections."""

from __future__ import annotations
