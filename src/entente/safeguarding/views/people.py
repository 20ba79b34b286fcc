"""Safeguarding pages: people."""

from __future__ import annotations
