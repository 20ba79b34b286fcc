"""Matrix expectations: investigations, analysis (see tests/access/areas/__init__.py).

The sample is a joint investigation opened by investigator.ocriest, led by the OCRIEST and
KENTPOL (TLP:AMBER, OFFICIAL-SENSITIVE): investigations people of those two agencies cleared
to that level see it (and its suggested members); other investigations people get 404; people
without an investigations role get 403 on every analysis route.
"""

from __future__ import annotations

from typing import Any

from entente.core.choices import Classification, Module
from entente.demo.personas import BY_USERNAME
from tests.access.areas import investigations_cases
from tests.access.expectations_base import Rule, api, needs, page, role

LEADS = {"OCRIEST", "KENTPOL"}


def sees_investigation(persona: str) -> bool:
    p = BY_USERNAME.get(persona)
    return bool(
        p
        and role(persona, Module.INVESTIGATIONS)
        and p.agency in LEADS
        and p.clearance >= Classification.OFFICIAL_SENSITIVE
    )


def suggestions(p: str) -> int:
    if not role(p, Module.INVESTIGATIONS):
        return 403
    return 200 if sees_investigation(p) else 404


SUGGESTIONS_API = "GET /api/v1/investigations/investigations/{investigation_id}/suggestions"

PAGES: dict[str, Rule] = {
    "investigations:analysis": page(needs(Module.INVESTIGATIONS)),
    "investigations:investigation_suggestions": page(suggestions),
}
API: dict[str, Rule] = {
    "GET /api/v1/investigations/graph/analysis": api(needs(Module.INVESTIGATIONS)),
    SUGGESTIONS_API: api(suggestions),
}
PAGE_ARGS: dict[str, dict[str, str]] = {
    "investigations:investigation_suggestions": {"pk": "{analysis_investigation}"},
}
# The cases area names the investigation_id parameter for its own routes; this area's route
# uses its own sample (API_OP_ARGS), and names the parameter only while cases does not.
API_ARGS: dict[str, Any] = (
    {}
    if "investigation_id" in investigations_cases.API_ARGS
    else {"investigation_id": "{analysis_investigation}"}
)
API_OP_ARGS: dict[str, dict[str, str]] = {
    SUGGESTIONS_API: {"investigation_id": "{analysis_investigation}"},
}
API_BODIES: dict[str, Any] = {}


def samples() -> dict[str, str]:
    import datetime as dt

    from entente.core.models import Agency, User
    from entente.investigations.services import cases

    investigation = cases.open_investigation(
        acting_user=User.objects.get(username="investigator.ocriest"),
        title="Matrix sample (analysis)",
        lead_fr=Agency.objects.get(code="OCRIEST"),
        lead_uk=Agency.objects.get(code="KENTPOL"),
        opened_on=dt.date(2015, 3, 2),
    )
    return {"{analysis_investigation}": str(investigation.pk)}


def state() -> tuple[Any, ...]:
    return ()
