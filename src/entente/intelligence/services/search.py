"""Intelligence services: search. Every function takes the acting user, runs in one
transaction and audits what it writes (and every read of personal data)."""

from __future__ import annotations
