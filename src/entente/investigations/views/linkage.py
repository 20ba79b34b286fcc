"""Investigations pages: linkage."""

from __future__ import annotations
