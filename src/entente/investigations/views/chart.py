"""Investigations pages: chart."""

from __future__ import annotations
