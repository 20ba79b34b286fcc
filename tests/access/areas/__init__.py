"""Matrix expectations of newer areas, one module each (intelligence_reports, ...).

Each module defines ``PAGES`` and ``API`` (route -> rule, as in ``expectations``),
``PAGE_ARGS``, ``API_ARGS``, ``API_OP_ARGS`` and ``API_BODIES`` (the same shapes as there),
``samples() -> dict[str, str]`` (builds its sample records, inside the test's transaction,
and returns placeholders such as ``{"{intel_report}": "12"}``) and ``state() -> tuple`` (what
a refused request must leave unchanged). ``expectations`` and ``test_matrix`` merge them.
"""

from __future__ import annotations

from types import ModuleType

from tests.access.areas import (
    intelligence_dissemination,
    intelligence_exchange,
    intelligence_reports,
    intelligence_requests,
    intelligence_search,
    investigations_analysis,
    investigations_cases,
    investigations_chart,
    investigations_entities,
    investigations_linkage,
    programme_fund,
    programme_indicators,
    programme_inspections,
    safeguarding_care,
    safeguarding_people,
)

AREAS: list[ModuleType] = [
    intelligence_reports,
    intelligence_dissemination,
    intelligence_requests,
    intelligence_search,
    intelligence_exchange,
    investigations_cases,
    investigations_entities,
    investigations_chart,
    investigations_analysis,
    investigations_linkage,
    safeguarding_people,
    safeguarding_care,
    programme_indicators,
    programme_fund,
    programme_inspections,
]
