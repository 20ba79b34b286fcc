"""The demo's intelligence: reports, releases, requests and watchlists, from the agreements.

Each area loads its own part (entente.demo.intelligence_*); this module runs them in order.
"""

from __future__ import annotations


def load_intelligence() -> None:
    from entente.demo import (
        intelligence_dissemination,
        intelligence_reports,
        intelligence_requests,
        intelligence_search,
    )

    intelligence_reports.load()
    intelligence_dissemination.load()
    intelligence_requests.load()
    intelligence_search.load()
