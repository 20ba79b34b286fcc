"""Investigations API: linkage. Candidate pairs (only those whose two records the caller may
see), decisions on them, and linkage runs with their progress.

No ``from __future__ import annotations`` here (django-ninja reads the annotations).
"""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from entente.core.api_support import StrictSchema
from entente.core.models import User
from entente.investigations.linkage import run as runs
from entente.investigations.models import MatchCandidate, MatchDecision, ResolutionRun
from entente.investigations.services import linkage as services

router = Router()


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


class RecordOut(Schema):
    id: int
    kind: str
    name: str
    agency: str
    attributes: dict[str, object]


class MatchDecisionOut(Schema):
    state: str
    reason: str
    decided_by: str
    decided_at: datetime

    @staticmethod
    def resolve_decided_by(obj: MatchDecision) -> str:
        return obj.decided_by.get_username()


class MatchOut(Schema):
    id: int
    state: str
    probability: float
    match_weight: float
    left: RecordOut
    right: RecordOut
    comparison: dict[str, object]
    decided_at: datetime | None

    @staticmethod
    def _record(entity: object) -> dict[str, object]:
        return {
            "id": entity.pk,  # type: ignore[attr-defined]
            "kind": entity.kind,  # type: ignore[attr-defined]
            "name": entity.name,  # type: ignore[attr-defined]
            "agency": entity.originator.code,  # type: ignore[attr-defined]
            "attributes": entity.attributes or {},  # type: ignore[attr-defined]
        }

    @staticmethod
    def resolve_left(obj: MatchCandidate) -> dict[str, object]:
        return MatchOut._record(obj.left)

    @staticmethod
    def resolve_right(obj: MatchCandidate) -> dict[str, object]:
        return MatchOut._record(obj.right)


class MatchDetailOut(MatchOut):
    decisions: list[MatchDecisionOut]

    @staticmethod
    def resolve_decisions(obj: MatchCandidate) -> list[MatchDecision]:
        return list(services.history(obj))


class MatchDecisionIn(StrictSchema):
    state: Literal["same", "not_same", "unsure", "pending"]
    reason: str = Field(..., min_length=1, max_length=services.REASON_MAX)


class RunIn(StrictSchema):
    kind: Literal["person", "vehicle"] = "person"
    threshold: float = Field(runs.DEFAULT_THRESHOLD, gt=0, lt=1)
    resume: int | None = Field(None, ge=1, le=2**63 - 1)


class RunOut(Schema):
    id: int
    kind: str
    backend: str
    state: str
    stage: str
    done: int
    total: int
    percent: int
    records: int
    candidates: int
    metrics: dict[str, object]
    error: str
    created_at: datetime
    finished_at: datetime | None

    @staticmethod
    def resolve_percent(obj: ResolutionRun) -> int:
        return runs.percent(obj)


@router.get(
    "/investigations/matches",
    response=list[MatchOut],
    summary="Candidate pairs in a decision state (to review by default), most likely first",
)
def match_list(
    request: HttpRequest,
    state: Literal["pending", "same", "not_same", "unsure"] = "pending",
    limit: int = 50,
) -> list[MatchCandidate]:
    limit = min(max(limit, 1), 500)
    return list(services.candidates(_user(request), state=state)[:limit])


@router.get(
    "/investigations/matches/{match_id}",
    response=MatchDetailOut,
    summary="One candidate pair, its comparison and its decisions (the reading is audited)",
)
def match_detail(request: HttpRequest, match_id: int) -> MatchCandidate:
    return services.read_candidate(_user(request), match_id)


@router.post(
    "/investigations/matches/{match_id}/decisions",
    response={201: MatchDetailOut},
    summary="Decide on a pair: same (approvers), not the same or unsure (editors)",
)
def match_decide(
    request: HttpRequest, match_id: int, payload: MatchDecisionIn
) -> Status[MatchCandidate]:
    candidate = services.decide(
        match_id, acting_user=_user(request), state=payload.state, reason=payload.reason
    )
    return Status(201, candidate)


@router.get(
    "/investigations/linkage/runs",
    response=list[RunOut],
    summary="The latest linkage runs, newest first",
)
def run_list(request: HttpRequest) -> list[ResolutionRun]:
    return services.latest_runs(_user(request))


@router.post(
    "/investigations/linkage/runs",
    response={201: RunOut},
    summary="Start a linkage run, or resume a stopped one (investigations approvers)",
)
def run_start(request: HttpRequest, payload: RunIn) -> Status[ResolutionRun]:
    run = services.start_run(
        acting_user=_user(request),
        kind=payload.kind,
        threshold=payload.threshold,
        resume=payload.resume,
    )
    return Status(201, run)


@router.get(
    "/investigations/linkage/runs/{run_id}",
    response=RunOut,
    summary="A linkage run's progress and precision estimates",
)
def run_detail(request: HttpRequest, run_id: int) -> ResolutionRun:
    return services.get_run(_user(request), run_id)
