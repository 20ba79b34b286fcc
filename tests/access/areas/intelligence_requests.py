"""Matrix expectations: intelligence requests for information (see tests/access/areas/__init__.py).

The sample (``samples``) is a request from the NCA (analyst.nca) to the DCPAF, TLP:AMBER,
releasable to both countries, not yet assigned: the NCA's and the DCPAF's intelligence people
see it and nobody else; the DCPAF's editors assign and answer it, the NCA's editors withdraw it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from entente.core.choices import Module, Role
from entente.demo.personas import BY_USERNAME
from tests.access.expectations_base import Rule, api, needs, page, role

ASKER, ASKED = "NCA", "DCPAF"
# The personas' agencies in the United Kingdom (the others are French).
UK_AGENCIES = {"NCA", "KENTPOL", "BF", "JBIU", "HO"}


def _agency(persona: str) -> str | None:
    p = BY_USERNAME.get(persona)
    return p.agency if p else None


def sees_request(persona: str) -> bool:
    return bool(role(persona, Module.INTELLIGENCE)) and _agency(persona) in {ASKER, ASKED}


def _of(agency: str, ok: int) -> Rule:
    """Intelligence editors of ``agency`` act (ok); others who see the request get 403;
    those who do not see it, 404."""

    def rule(p: str) -> int:
        if not sees_request(p):
            return 404
        if _agency(p) == agency and role(p, Module.INTELLIGENCE) >= Role.EDITOR:
            return ok
        return 403

    return rule


def sees(ok: int = 200) -> Rule:
    return lambda p: ok if sees_request(p) else 404


def asks() -> Rule:
    """Intelligence editors ask; the sample body asks the DCPAF, so French editors get the 422
    of a request to their own country."""

    def rule(p: str) -> int:
        if role(p, Module.INTELLIGENCE) < Role.EDITOR:
            return 403
        return 201 if _agency(p) in UK_AGENCIES else 422

    return rule


PAGES: dict[str, Rule] = {
    "intelligence:request_list": page(needs(Module.INTELLIGENCE)),
    "intelligence:request_create": page(needs(Module.INTELLIGENCE, Role.EDITOR)),
    "intelligence:request_detail": page(sees()),
    "intelligence:request_assign": lambda p: 405,  # POST only
    "intelligence:request_answer": lambda p: 405,  # POST only
    "intelligence:request_withdraw": lambda p: 405,  # POST only
    "intelligence:request_statistics": page(needs(Module.INTELLIGENCE)),
    "intelligence:request_statistics_csv": page(needs(Module.INTELLIGENCE)),
}
API: dict[str, Rule] = {
    "GET /api/v1/intelligence/information-requests": api(needs(Module.INTELLIGENCE)),
    "POST /api/v1/intelligence/information-requests": api(asks()),
    "GET /api/v1/intelligence/information-requests/{rfi_id}": api(sees()),
    "POST /api/v1/intelligence/information-requests/{rfi_id}/assign": api(_of(ASKED, 200)),
    # The body names a report that does not exist: those who may answer get its 422 (answers
    # themselves are tested in tests/intelligence/test_requests.py).
    "POST /api/v1/intelligence/information-requests/{rfi_id}/answer": api(_of(ASKED, 422)),
    "POST /api/v1/intelligence/information-requests/{rfi_id}/withdraw": api(_of(ASKER, 200)),
    "GET /api/v1/intelligence/statistics/information-requests": api(needs(Module.INTELLIGENCE)),
}
PAGE_ARGS: dict[str, dict[str, str]] = {
    "intelligence:request_detail": {"pk": "{rfi}"},
    "intelligence:request_assign": {"pk": "{rfi}"},
    "intelligence:request_answer": {"pk": "{rfi}"},
    "intelligence:request_withdraw": {"pk": "{rfi}"},
}
API_ARGS: dict[str, Any] = {"rfi_id": "{rfi}"}
API_OP_ARGS: dict[str, dict[str, str]] = {}
API_BODIES: dict[str, Any] = {
    "POST /api/v1/intelligence/information-requests": {
        "to_agency": ASKED,
        "question": "Asked by the matrix test.",
        "language": "en",
        "deadline": (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).isoformat(),
    },
    "POST /api/v1/intelligence/information-requests/{rfi_id}/assign": {"assignee": "officer.dcpaf"},
    "POST /api/v1/intelligence/information-requests/{rfi_id}/answer": {"report": 9_000_000_000_000},
}


def samples() -> dict[str, str]:
    from django.utils import timezone

    from entente.core.models import Agency, User
    from entente.intelligence.services import requests as rfi

    request = rfi.create_request(
        acting_user=User.objects.get(username="analyst.nca"),
        to_agency=Agency.objects.get(code=ASKED),
        question="Matrix sample request.",
        language="en",
        deadline=timezone.now() + dt.timedelta(days=7),
    )
    return {"{rfi}": str(request.pk)}


def state() -> tuple[Any, ...]:
    from entente.intelligence.models import InformationRequest

    return (
        InformationRequest.objects.count(),
        tuple(
            InformationRequest.objects.order_by("pk").values_list(
                "state", "assignee_id", "answer_id"
            )
        ),
    )
