"""Intelligence pages: exchange."""

from __future__ import annotations
