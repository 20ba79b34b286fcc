"""Investigations pages: entities."""

from __future__ import annotations
