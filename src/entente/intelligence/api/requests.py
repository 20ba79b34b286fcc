"""Intelligence API: requests for information between the two countries, and their turnaround.

No ``from __future__ import annotations`` here (django-ninja reads the annotations).
"""

import datetime as dt
from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from entente.core import access, periods
from entente.core.api_support import Pagination, QueryFilter, RecordId, StrictSchema
from entente.core.choices import Classification, Module
from entente.core.models import Agency, User
from entente.intelligence.choices import RequestPriority
from entente.intelligence.models import InformationRequest, Report
from entente.intelligence.services import requests as services

router = Router()

PRIORITIES = {p.name.lower(): p.value for p in RequestPriority}
PriorityName = Literal["routine", "priority", "immediate"]


class RequestOut(Schema):
    id: int
    reference: str
    question: str
    language: str
    priority: str = Field(description="routine, priority or immediate")
    deadline: datetime
    overdue: bool = Field(description="deadline passed and not answered")
    state: str
    asked_by: str = Field(description="the asking agency's code")
    asked_of: str = Field(description="the asked agency's code")
    direction: str = Field(description='"FR->UK" or "UK->FR"')
    author: str | None
    assignee: str | None
    answer: int | None = Field(description="the id of the report that answers it")
    answered_at: datetime | None
    answered_by: str | None
    classification: int
    releasability: list[str]
    tlp: str
    created_at: datetime

    @staticmethod
    def resolve_priority(obj: InformationRequest) -> str:
        return RequestPriority(obj.priority).name.lower()

    @staticmethod
    def resolve_overdue(obj: InformationRequest) -> bool:
        return services.is_overdue(obj)

    @staticmethod
    def resolve_asked_by(obj: InformationRequest) -> str:
        return obj.originator.code

    @staticmethod
    def resolve_asked_of(obj: InformationRequest) -> str:
        return obj.to_agency.code

    @staticmethod
    def resolve_direction(obj: InformationRequest) -> str:
        return f"{obj.originator.country.code}->{obj.to_agency.country.code}"

    @staticmethod
    def resolve_author(obj: InformationRequest) -> str | None:
        return obj.created_by.username if obj.created_by else None

    @staticmethod
    def resolve_assignee(obj: InformationRequest) -> str | None:
        return obj.assignee.username if obj.assignee else None

    @staticmethod
    def resolve_answer(obj: InformationRequest) -> int | None:
        return obj.answer_id

    @staticmethod
    def resolve_answered_by(obj: InformationRequest) -> str | None:
        return obj.answered_by.username if obj.answered_by else None

    @staticmethod
    def resolve_releasability(obj: InformationRequest) -> list[str]:
        return sorted(obj.releasability)


class RequestIn(StrictSchema):
    to_agency: str = Field(
        min_length=1, max_length=32, description="the asked agency's code (the other country)"
    )
    question: str = Field(min_length=1, max_length=services.MAX_QUESTION)
    language: Literal["en", "fr"]
    deadline: datetime = Field(description="in the future, with its UTC offset")
    priority: PriorityName = "routine"
    classification: int = Field(
        Classification.OFFICIAL, description="10 OFFICIAL, 20 OFFICIAL-SENSITIVE, 30 SECRET"
    )
    tlp: Literal["CLEAR", "GREEN", "AMBER", "AMBER+STRICT"] = "AMBER"


class AssignIn(StrictSchema):
    assignee: str = Field(min_length=1, max_length=150, description="a username of your agency")


class AnswerIn(StrictSchema):
    report: RecordId = Field(description="a report of your agency, released to the asker")


class RequestFilter(QueryFilter):
    direction: Literal["incoming", "outgoing"] | None = Field(
        None, description="incoming: asked of my agency; outgoing: asked by it"
    )
    state: Literal["open", "assigned", "answered", "withdrawn"] | None = None
    priority: PriorityName | None = None
    overdue: bool = Field(False, description="only those past their deadline and not answered")


@router.get(
    "/intelligence/information-requests",
    response=list[RequestOut],
    summary="Requests for information the caller may see, the nearest deadline first",
)
@paginate(Pagination)
def list_requests(
    request: HttpRequest, filters: Query[RequestFilter]
) -> QuerySet[InformationRequest]:
    access.require_role(request.user, Module.INTELLIGENCE)
    return services.filter_requests(
        services.visible_requests(request.user),
        request.user,
        services.RequestFilter(
            direction=filters.direction or "",
            state=filters.state or "",
            priority=PRIORITIES[filters.priority] if filters.priority else None,
            overdue=filters.overdue,
        ),
    )


@router.post(
    "/intelligence/information-requests",
    response={201: RequestOut},
    summary="Ask a law-enforcement agency of the other country a question (intelligence editors)",
)
def create_request(request: HttpRequest, payload: RequestIn) -> Status[InformationRequest]:
    access.require_role(request.user, Module.INTELLIGENCE)
    agency = Agency.objects.select_related("country").filter(code=payload.to_agency).first()
    if agency is None:
        raise ValidationError({"to_agency": _("No agency has this code.")})
    created = services.create_request(
        acting_user=request.user,
        to_agency=agency,
        question=payload.question,
        language=payload.language,
        deadline=payload.deadline,
        priority=PRIORITIES[payload.priority],
        classification=payload.classification,
        tlp=payload.tlp,
    )
    return Status(201, services.visible_requests(request.user).get(pk=created.pk))


@router.get(
    "/intelligence/information-requests/{rfi_id}",
    response=RequestOut,
    summary="One request for information",
)
def get_request(request: HttpRequest, rfi_id: int) -> InformationRequest:
    found: InformationRequest = access.get_visible_or_404(
        services.visible_requests(request.user), request.user, pk=rfi_id
    )
    return found


@router.post(
    "/intelligence/information-requests/{rfi_id}/assign",
    response=RequestOut,
    summary="Give the request to someone of the asked agency (its intelligence editors)",
)
def assign_request(request: HttpRequest, rfi_id: int, payload: AssignIn) -> InformationRequest:
    found = access.get_visible_or_404(
        services.visible_requests(request.user), request.user, pk=rfi_id
    )
    assignee = (
        User.objects.select_related("agency__country").filter(username=payload.assignee).first()
    )
    if assignee is None:
        raise ValidationError({"assignee": _("No user has this name.")})
    services.assign(found, assignee=assignee, acting_user=request.user)
    return services.visible_requests(request.user).get(pk=rfi_id)


@router.post(
    "/intelligence/information-requests/{rfi_id}/answer",
    response=RequestOut,
    summary="Answer with a report of the asked agency already released to the asker",
)
def answer_request(request: HttpRequest, rfi_id: int, payload: AnswerIn) -> InformationRequest:
    found = access.get_visible_or_404(
        services.visible_requests(request.user), request.user, pk=rfi_id
    )
    if not services.may_answer(request.user, found) and found.state in services.PENDING_STATES:
        # Who may answer is said before which report: a 403, not a 422 about the report.
        raise PermissionDenied(
            _("Only the assignee or an editor of the asked agency answers a request.")
        )
    report = Report.objects.visible_to(request.user).filter(pk=payload.report).first()
    if report is None:
        raise ValidationError({"report": _("No such report.")})
    services.answer(found, report=report, acting_user=request.user)
    return services.visible_requests(request.user).get(pk=rfi_id)


@router.post(
    "/intelligence/information-requests/{rfi_id}/withdraw",
    response=RequestOut,
    summary="Withdraw an unanswered request (editors of the asking agency)",
)
def withdraw_request(request: HttpRequest, rfi_id: int) -> InformationRequest:
    found = access.get_visible_or_404(
        services.visible_requests(request.user), request.user, pk=rfi_id
    )
    services.withdraw(found, acting_user=request.user)
    return services.visible_requests(request.user).get(pk=rfi_id)


# Turnaround ---------------------------------------------------------------------------------


class TurnaroundOut(Schema):
    direction: str = Field(description='"FR->UK" or "UK->FR"')
    priority: str = Field(description='routine, priority, immediate, or "all"')
    requests: int = Field(description="asked in the period, withdrawn ones apart")
    answered: int
    withdrawn: int
    median_seconds: float | None = Field(description="from asking to answer")
    p90_seconds: float | None
    due: int = Field(description="answered, or past their deadline")
    answered_on_time: int
    on_time_share: float | None = Field(description="answered_on_time / due, 0 to 1")
    overdue_now: int


class TurnaroundReport(Schema):
    start: date
    end: date
    rows: list[TurnaroundOut]


class RequestPeriodFilter(QueryFilter):
    start: date | None = Field(
        None,
        ge=periods.EARLIEST,
        le=periods.LATEST,
        description="first day asked (caller's zone); 90 days ago",
    )
    end: date | None = Field(
        None,
        ge=periods.EARLIEST,
        le=periods.LATEST,
        description="last day asked, inclusive; today by default",
    )


def _row(t: services.Turnaround) -> dict[str, Any]:
    return {
        "direction": t.direction,
        "priority": RequestPriority(t.priority).name.lower() if t.priority else "all",
        "requests": t.count,
        "answered": t.answered,
        "withdrawn": t.withdrawn,
        "median_seconds": t.median,
        "p90_seconds": t.p90,
        "due": t.due,
        "answered_on_time": t.on_time,
        "on_time_share": t.on_time_share,
        "overdue_now": t.overdue,
    }


@router.get(
    "/intelligence/statistics/information-requests",
    response=TurnaroundReport,
    summary="Turnaround of requests for information per direction and priority",
)
def turnaround(request: HttpRequest, filters: Query[RequestPeriodFilter]) -> dict[str, Any]:
    today = timezone.localdate()
    end = filters.end or today
    start = filters.start or end - dt.timedelta(days=90)
    if start > end:
        raise ValidationError({"start": _("The period starts after it ends.")})
    rows = services.turnaround(request.user, start=start, end=end)
    return {"start": start, "end": end, "rows": [_row(t) for t in rows]}
