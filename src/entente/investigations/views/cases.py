"""Investigations pages: cases."""

from __future__ import annotations
