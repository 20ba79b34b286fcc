"""Intelligence pages: requests."""

from __future__ import annotations
