"""Investigations pages: analysis."""

from __future__ import annotations
