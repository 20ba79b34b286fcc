"""Intelligence services: search and watchlists. Every function takes the acting user, runs
in one transaction and audits what it writes (and every read of personal data)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from entente.intelligence.models import Report


def report_saved(report: Report) -> None:
    """Called by every service that creates a report, changes its text or widens who may see
    it (a release), inside its transaction: keeps the search index and the watchlists up to
    date. The search area fills it in."""
