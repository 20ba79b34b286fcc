"""Intelligence pages: search."""

from __future__ import annotations
