"""Matrix expectations: investigations, linkage (see tests/access/areas/__init__.py).

The samples: a candidate pair of two person records, the NCA's and OCRIEST's, both OFFICIAL,
TLP:GREEN, releasable to France and the United Kingdom, so that every persona holding both an
investigations role and an intelligence role sees the pair; one with an investigations role
but no intelligence role gets the 404 of an absent record; the others 403. A finished linkage
run. Deciding (API) is for editors ("unsure"); starting a run for approvers (201: the run is
created, its thread starts only after the test's transaction commits, which it never does).
"""

from __future__ import annotations

from typing import Any

from entente.core.choices import TLP, Classification, Module, Role
from entente.core.models import Agency, User
from entente.intelligence.models import Entity
from entente.investigations.choices import RunState
from entente.investigations.models import MatchCandidate, MatchDecision, ResolutionRun
from tests.access.expectations_base import Rule, api, page, role


def viewers(ok: int = 200) -> Rule:
    return lambda p: ok if role(p, Module.INVESTIGATIONS) >= Role.VIEWER else 403


def sees_pair(ok: int = 200, minimum: int = Role.VIEWER) -> Rule:
    def rule(p: str) -> int:
        if role(p, Module.INVESTIGATIONS) < Role.VIEWER:
            return 403
        if role(p, Module.INTELLIGENCE) < Role.VIEWER:
            return 404
        return ok if role(p, Module.INVESTIGATIONS) >= minimum else 403

    return rule


def approvers(ok: int = 201) -> Rule:
    return lambda p: ok if role(p, Module.INVESTIGATIONS) >= Role.APPROVER else 403


def deciders(ok: int = 201) -> Rule:
    def rule(p: str) -> int:
        if role(p, Module.INVESTIGATIONS) < Role.EDITOR:
            return 403
        return ok if role(p, Module.INTELLIGENCE) >= Role.VIEWER else 404

    return rule


PAGES: dict[str, Rule] = {
    "investigations:match_queue": page(viewers()),
    "investigations:match_detail": page(sees_pair()),
    "investigations:match_export": page(viewers()),
    "investigations:run_list": page(viewers()),
    "investigations:run_detail": page(viewers()),
    "investigations:run_progress": page(viewers()),
}
API: dict[str, Rule] = {
    "GET /api/v1/investigations/matches": api(viewers()),
    "GET /api/v1/investigations/matches/{match_id}": api(sees_pair()),
    "POST /api/v1/investigations/matches/{match_id}/decisions": api(deciders()),
    "GET /api/v1/investigations/linkage/runs": api(viewers()),
    "POST /api/v1/investigations/linkage/runs": api(approvers()),
    "GET /api/v1/investigations/linkage/runs/{run_id}": api(viewers()),
}
PAGE_ARGS: dict[str, dict[str, str]] = {
    "investigations:match_detail": {"pk": "{linkage_pair}"},
    "investigations:run_detail": {"pk": "{linkage_run}"},
    "investigations:run_progress": {"pk": "{linkage_run}"},
}
API_ARGS: dict[str, Any] = {"match_id": "{linkage_pair}", "run_id": "{linkage_run}"}
API_OP_ARGS: dict[str, dict[str, str]] = {}
API_BODIES: dict[str, Any] = {
    "POST /api/v1/investigations/matches/{match_id}/decisions": {
        "state": "unsure",
        "reason": "Matrix test.",
    },
    "POST /api/v1/investigations/linkage/runs": {"kind": "person", "threshold": 0.9},
}


def _person(agency: str, author: str, given: str, family: str) -> Entity:
    return Entity.objects.create(
        kind="person",
        name=f"{given} {family}",
        attributes={"given_name": given, "family_name": family, "birth_date": "1987-03-14"},
        classification=Classification.OFFICIAL,
        releasability=frozenset({"FR", "UK"}),  # type: ignore[misc]
        tlp=TLP.GREEN,
        originator=Agency.objects.get(code=agency),
        created_by=User.objects.get(username=author),
    )


def samples() -> dict[str, str]:
    a = _person("NCA", "analyst.nca", "Matrix", "Al Sample")
    b = _person("OCRIEST", "investigator.ocriest", "Matrix", "El Sample")
    left, right = sorted((a.pk, b.pk))
    pair, _ = MatchCandidate.objects.get_or_create(
        left_id=left, right_id=right, defaults={"probability": 0.95}
    )
    run = ResolutionRun.objects.create(kind="person", state=RunState.DONE, stage="done")
    return {"{linkage_pair}": str(pair.pk), "{linkage_run}": str(run.pk)}


def state() -> tuple[Any, ...]:
    return (
        MatchDecision.objects.count(),
        ResolutionRun.objects.count(),
        MatchCandidate.objects.filter(state="pending").count(),
    )
