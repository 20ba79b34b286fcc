"""Safeguarding pages: care."""

from __future__ import annotations
