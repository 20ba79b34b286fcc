"""Intelligence pages: dissemination."""

from __future__ import annotations
