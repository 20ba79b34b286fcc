"""Investigations API: networks and joint investigations, their members, tasks, actions,
linked reports and entities. Thin: the services decide and audit.

No ``from __future__ import annotations`` here (django-ninja reads the annotations).
"""

from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet, Sum
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from entente.core import access, periods
from entente.core.api_support import Pagination, QueryFilter, RecordId, StrictSchema
from entente.core.choices import Classification, Module
from entente.core.models import Agency, User
from entente.investigations.choices import ActionKind, MemberAccess
from entente.investigations.models import Action, Investigation, Network, Task
from entente.investigations.services import actions as action_services
from entente.investigations.services import cases as services
from entente.investigations.services import networks as network_services

router = Router()

ACCESS = {
    "read": MemberAccess.READ,
    "contribute": MemberAccess.CONTRIBUTE,
    "lead": MemberAccess.LEAD,
}
ACCESS_NAMES: dict[int, str] = {int(v): k for k, v in ACCESS.items()}
AccessName = Literal["read", "contribute", "lead"]
KindName = Literal["search", "seizure", "arrest", "charge", "prosecution"]
OutcomeName = Literal["", "pending", "convicted", "acquitted", "discontinued"]


def _me(request: HttpRequest) -> User:
    """The authenticated caller (the API's authentication has let only users through)."""
    user: Any = request.user
    return user  # type: ignore[no-any-return]


def _day(description: str) -> Any:
    return Field(None, ge=periods.EARLIEST, le=periods.LATEST, description=description)


# Networks -------------------------------------------------------------------------------------


class NetworkOut(Schema):
    id: int
    name: str
    description: str
    language: str
    status: str = Field(description="active, disrupted or dismantled")
    disrupted_on: date | None
    dismantled_on: date | None
    originator: str
    classification: int
    releasability: list[str]
    tlp: str
    people_arrested: int = Field(
        description="people arrested in the investigations against it that the caller sees"
    )

    @staticmethod
    def resolve_originator(obj: Network) -> str:
        return obj.originator.code

    @staticmethod
    def resolve_releasability(obj: Network) -> list[str]:
        return sorted(obj.releasability)

    @staticmethod
    def resolve_people_arrested(obj: Network) -> int:
        return int(getattr(obj, "arrested", 0) or 0)


class NetworkIn(StrictSchema):
    name: str = Field(min_length=1, max_length=network_services.MAX_NAME)
    description: str = Field("", max_length=network_services.MAX_DESCRIPTION)
    language: Literal["en", "fr"] = "en"
    classification: int = Field(
        Classification.OFFICIAL_SENSITIVE,
        description="10 OFFICIAL, 20 OFFICIAL-SENSITIVE, 30 SECRET",
    )
    releasability: list[Literal["FR", "UK"]] = Field(["FR", "UK"], min_length=1, max_length=2)
    tlp: Literal["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"] = "GREEN"


class StatusIn(StrictSchema):
    status: Literal["disrupted", "dismantled"] = Field(
        description="forward only; dismantled: investigations approvers"
    )
    on: date | None = _day("the day it happened; today by default")


class NetworkFilter(QueryFilter):
    status: Literal["active", "disrupted", "dismantled"] | None = None


def _networks(user: Any) -> QuerySet[Network]:
    seen = services.visible_investigations(user).values("pk")
    return network_services.visible_networks(user).annotate(
        arrested=Sum(
            "investigations__actions__people",
            filter=Q(investigations__actions__kind=ActionKind.ARREST) & Q(investigations__in=seen),
        )
    )


@router.get(
    "/investigations/networks",
    response=list[NetworkOut],
    summary="Smuggling networks the caller may see",
)
@paginate(Pagination)
def list_networks(request: HttpRequest, filters: Query[NetworkFilter]) -> QuerySet[Network]:
    access.require_role(request.user, Module.INVESTIGATIONS)
    qs = _networks(request.user)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs.order_by("name", "pk")


@router.post(
    "/investigations/networks",
    response={201: NetworkOut},
    summary="Record a network (investigations editors)",
)
def create_network(request: HttpRequest, payload: NetworkIn) -> Status[Network]:
    created = network_services.create_network(acting_user=_me(request), **payload.dict())
    return Status(201, _networks(request.user).get(pk=created.pk))


@router.get("/investigations/networks/{network_id}", response=NetworkOut, summary="One network")
def get_network(request: HttpRequest, network_id: int) -> Network:
    found: Network = access.get_visible_or_404(_networks(request.user), request.user, pk=network_id)
    return found


@router.post(
    "/investigations/networks/{network_id}/status",
    response=NetworkOut,
    summary="Move a network forward: disrupted, then dismantled (approvers), with the day",
)
def move_network(request: HttpRequest, network_id: int, payload: StatusIn) -> Network:
    found = access.get_visible_or_404(Network, request.user, pk=network_id)
    network_services.move_network(
        found, acting_user=_me(request), status=payload.status, on=payload.on
    )
    return _networks(request.user).get(pk=network_id)


# Investigations -------------------------------------------------------------------------------


class InvestigationFields(Schema):
    """An investigation's own fields, as the detail builds them (no resolvers)."""

    id: int
    reference: str
    title: str
    summary: str
    language: str
    state: str = Field(description="open or closed")
    lead_fr: str = Field(description="the French lead agency's code")
    lead_uk: str = Field(description="the British lead agency's code")
    network: int | None
    opened_on: date
    closed_on: date | None
    originator: str
    classification: int
    releasability: list[str]
    tlp: str


class InvestigationOut(InvestigationFields):
    """An investigation read from the database."""

    @staticmethod
    def resolve_lead_fr(obj: Investigation) -> str:
        return obj.lead_fr.code

    @staticmethod
    def resolve_lead_uk(obj: Investigation) -> str:
        return obj.lead_uk.code

    @staticmethod
    def resolve_network(obj: Investigation) -> int | None:
        return obj.network_id

    @staticmethod
    def resolve_originator(obj: Investigation) -> str:
        return obj.originator.code

    @staticmethod
    def resolve_releasability(obj: Investigation) -> list[str]:
        return sorted(obj.releasability)


class MemberOut(Schema):
    username: str
    name: str
    agency: str | None
    access: str = Field(description="read, contribute or lead")


class TaskOut(Schema):
    id: int
    title: str
    assignee: str | None
    due_on: date | None
    done_at: datetime | None
    overdue: bool


class CaseActionOut(Schema):
    id: int
    kind: str
    jurisdiction: str = Field(description="FR (France) or EW (England and Wales)")
    occurred_on: date
    place: str
    description: str
    people: int
    entity: int | None = Field(description="null when none, or one the caller may not see")
    court_outcome: str
    outcome_on: date | None
    sentence: str


class LinkedReportOut(Schema):
    id: int
    reference: str
    title: str
    language: str


class LinkedEntityOut(Schema):
    id: int
    kind: str
    name: str
    role: str


class InvestigationDetailOut(InvestigationFields):
    my_access: str | None = Field(description="the caller's membership: read, contribute, lead")
    members: list[MemberOut]
    tasks: list[TaskOut]
    actions: list[CaseActionOut]
    reports: list[LinkedReportOut]
    hidden_reports: int = Field(description="linked reports the caller may not see")
    entities: list[LinkedEntityOut]
    hidden_entities: int = Field(description="linked entities the caller may not see")


class InvestigationIn(StrictSchema):
    title: str = Field(min_length=1, max_length=services.MAX_TITLE)
    summary: str = Field("", max_length=services.MAX_SUMMARY)
    language: Literal["en", "fr"] = "en"
    lead_fr: str = Field(min_length=1, max_length=32, description="a French agency's code")
    lead_uk: str = Field(min_length=1, max_length=32, description="a British agency's code")
    network: RecordId | None = None
    opened_on: date | None = _day("today by default")
    classification: int = Field(
        Classification.OFFICIAL_SENSITIVE,
        description="10 OFFICIAL, 20 OFFICIAL-SENSITIVE, 30 SECRET",
    )
    tlp: Literal["AMBER", "AMBER+STRICT", "RED"] = "AMBER"


class InvestigationFilter(QueryFilter):
    state: Literal["open", "closed"] | None = None
    agency: str | None = Field(None, max_length=32, description="a lead agency's code")
    network: int | None = Field(None, ge=1, le=2**63 - 1)


class MemberIn(StrictSchema):
    username: str = Field(min_length=1, max_length=150)
    access: AccessName = "contribute"


class TaskIn(StrictSchema):
    title: str = Field(min_length=1, max_length=services.MAX_TITLE)
    due_on: date | None = _day("the deadline")
    assignee: str | None = Field(None, max_length=150, description="a member's username")


class CaseActionIn(StrictSchema):
    kind: KindName
    jurisdiction: Literal["FR", "EW"] = Field(description="FR France, EW England and Wales")
    occurred_on: date = Field(ge=periods.EARLIEST, le=periods.LATEST)
    place: str = Field("", max_length=action_services.MAX_PLACE)
    description: str = Field("", max_length=action_services.MAX_DESCRIPTION)
    people: int = Field(0, ge=0, le=action_services.MAX_PEOPLE)
    entity: RecordId | None = None
    court_outcome: OutcomeName = ""
    outcome_on: date | None = _day("the day of the court's decision")
    sentence: str = Field("", max_length=action_services.MAX_SENTENCE)


class CaseOutcomeIn(StrictSchema):
    court_outcome: OutcomeName
    outcome_on: date | None = _day("the day of the court's decision")
    sentence: str = Field("", max_length=action_services.MAX_SENTENCE)


class ReportLinkIn(StrictSchema):
    report: RecordId


class EntityLinkIn(StrictSchema):
    entity: RecordId
    role: Literal["target", "member", "associate"] = "associate"


class CloseIn(StrictSchema):
    on: date | None = _day("today by default")


def _visible(request: HttpRequest, investigation_id: int) -> Investigation:
    found: Investigation = access.get_visible_or_404(
        services.visible_investigations(request.user), request.user, pk=investigation_id
    )
    return found


def _detail(request: HttpRequest, investigation: Investigation) -> dict[str, Any]:
    user = request.user
    services.record_read(investigation, acting_user=_me(request))
    parts = services.contents(investigation, user)
    data = InvestigationOut.model_validate(investigation).model_dump()
    held = services.access_of(user, investigation)
    data.update(
        my_access=ACCESS_NAMES.get(held),
        members=[
            {
                "username": m.user.username,
                "name": m.user.get_full_name() or m.user.username,
                "agency": m.user.agency.code if m.user.agency else None,
                "access": ACCESS_NAMES[m.access],
            }
            for m in parts.members
        ],
        tasks=[
            {
                "id": t.pk,
                "title": t.title,
                "assignee": t.assignee.username if t.assignee else None,
                "due_on": t.due_on,
                "done_at": t.done_at,
                "overdue": t.overdue,  # type: ignore[attr-defined]
            }
            for t in parts.tasks
        ],
        actions=[_action_row(a, a.entity_id in parts.visible_entity_ids) for a in parts.actions],
        reports=[
            {"id": r.pk, "reference": r.reference, "title": r.title, "language": r.language}
            for r in parts.reports
        ],
        hidden_reports=parts.hidden_reports,
        entities=[
            {"id": e.entity_id, "kind": e.entity.kind, "name": e.entity.name, "role": e.role}
            for e in parts.entities
        ],
        hidden_entities=parts.hidden_entities,
    )
    return data


def _agency(code: str, field: str) -> Agency:
    found = Agency.objects.select_related("country").filter(code=code).first()
    if found is None:
        raise ValidationError({field: _("No agency has this code.")})
    return found


def _user(username: str, field: str) -> User:
    found = User.objects.select_related("agency__country").filter(username=username).first()
    if found is None:
        raise ValidationError({field: _("No user has this name.")})
    return found


@router.get(
    "/investigations/investigations",
    response=list[InvestigationOut],
    summary="Joint investigations the caller may see, the newest first",
)
@paginate(Pagination)
def list_investigations(
    request: HttpRequest, filters: Query[InvestigationFilter]
) -> QuerySet[Investigation]:
    access.require_role(request.user, Module.INVESTIGATIONS)
    qs = services.visible_investigations(request.user)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.agency:
        qs = qs.filter(Q(lead_fr__code=filters.agency) | Q(lead_uk__code=filters.agency))
    if filters.network:
        qs = qs.filter(network_id=filters.network)
    return qs


@router.post(
    "/investigations/investigations",
    response={201: InvestigationDetailOut},
    summary="Open a joint investigation (investigations editors of one of its two leads)",
)
def open_investigation(request: HttpRequest, payload: InvestigationIn) -> Status[dict[str, Any]]:
    access.require_role(request.user, Module.INVESTIGATIONS)
    network = None
    if payload.network is not None:
        network = Network.objects.visible_to(request.user).filter(pk=payload.network).first()
        if network is None:
            raise ValidationError({"network": _("No such network.")})
    created = services.open_investigation(
        acting_user=_me(request),
        title=payload.title,
        summary=payload.summary,
        language=payload.language,
        lead_fr=_agency(payload.lead_fr, "lead_fr"),
        lead_uk=_agency(payload.lead_uk, "lead_uk"),
        network=network,
        opened_on=payload.opened_on,
        classification=payload.classification,
        tlp=payload.tlp,
    )
    return Status(201, _detail(request, _visible(request, created.pk)))


@router.get(
    "/investigations/investigations/{investigation_id}",
    response=InvestigationDetailOut,
    summary="One joint investigation: members, tasks, actions, the reports and entities seen",
)
def get_investigation(request: HttpRequest, investigation_id: int) -> dict[str, Any]:
    return _detail(request, _visible(request, investigation_id))


@router.post(
    "/investigations/investigations/{investigation_id}/close",
    response=InvestigationDetailOut,
    summary="Close the file (lead members)",
)
def close_investigation(
    request: HttpRequest, investigation_id: int, payload: CloseIn
) -> dict[str, Any]:
    found = _visible(request, investigation_id)
    services.close_investigation(found, acting_user=_me(request), on=payload.on)
    return _detail(request, _visible(request, investigation_id))


@router.post(
    "/investigations/investigations/{investigation_id}/members",
    response=InvestigationDetailOut,
    summary="Add a member or change their access (lead members)",
)
def set_member(request: HttpRequest, investigation_id: int, payload: MemberIn) -> dict[str, Any]:
    found = _visible(request, investigation_id)
    services.require_member(request.user, found, MemberAccess.LEAD)
    services.set_member(
        found,
        acting_user=_me(request),
        user=_user(payload.username, "username"),
        access_level=ACCESS[payload.access],
    )
    return _detail(request, found)


@router.delete(
    "/investigations/investigations/{investigation_id}/members/{username}",
    response=InvestigationDetailOut,
    summary="Take someone off the investigation (lead members)",
)
def remove_member(request: HttpRequest, investigation_id: int, username: str) -> dict[str, Any]:
    found = _visible(request, investigation_id)
    services.require_member(request.user, found, MemberAccess.LEAD)
    services.remove_member(
        found,
        acting_user=_me(request),
        user=_user(username, "username"),
    )
    return _detail(request, found)


@router.post(
    "/investigations/investigations/{investigation_id}/tasks",
    response={201: TaskOut},
    summary="Set a task with a deadline (members with contribute access)",
)
def add_task(request: HttpRequest, investigation_id: int, payload: TaskIn) -> Status[Task]:
    found = _visible(request, investigation_id)
    services.require_member(request.user, found)
    task = services.add_task(
        found,
        acting_user=_me(request),
        title=payload.title,
        due_on=payload.due_on,
        assignee=_user(payload.assignee, "assignee") if payload.assignee else None,
    )
    task.overdue = services.is_overdue(task)  # type: ignore[attr-defined]
    return Status(201, task)


@router.post(
    "/investigations/investigations/{investigation_id}/tasks/{task_id}/done",
    response=TaskOut,
    summary="Mark a task done (members with contribute access)",
)
def complete_task(request: HttpRequest, investigation_id: int, task_id: int) -> Task:
    found = _visible(request, investigation_id)
    task = get_object_or_404(Task, investigation=found, pk=task_id)
    services.complete_task(task, acting_user=_me(request))
    task.overdue = False  # type: ignore[attr-defined]
    return task


def _action_row(action: Action, entity_seen: bool) -> dict[str, Any]:
    """An action as CaseActionOut; its entity only when the caller may see it."""
    return {
        "id": action.pk,
        "kind": action.kind,
        "jurisdiction": action.jurisdiction,
        "occurred_on": action.occurred_on,
        "place": action.place,
        "description": action.description,
        "people": action.people,
        "entity": action.entity_id if entity_seen else None,
        "court_outcome": action.court_outcome,
        "outcome_on": action.outcome_on,
        "sentence": action.sentence,
    }


def _action_out(action: Action, user: Any) -> dict[str, Any]:
    entity = action.entity
    return _action_row(action, entity is not None and access.can_view(user, entity))


@router.post(
    "/investigations/investigations/{investigation_id}/actions",
    response={201: CaseActionOut},
    summary="Record a search, seizure, arrest, charge or prosecution (contribute access)",
)
def record_action(
    request: HttpRequest, investigation_id: int, payload: CaseActionIn
) -> Status[dict[str, Any]]:
    found = _visible(request, investigation_id)
    action = action_services.record_action(
        found,
        acting_user=_me(request),
        data=action_services.ActionInput(**payload.dict()),
    )
    return Status(201, _action_out(action, request.user))


@router.post(
    "/investigations/investigations/{investigation_id}/actions/{action_id}/outcome",
    response=CaseActionOut,
    summary="Record the court's outcome of a charge or prosecution (contribute access)",
)
def set_outcome(
    request: HttpRequest, investigation_id: int, action_id: int, payload: CaseOutcomeIn
) -> dict[str, Any]:
    found = _visible(request, investigation_id)
    action = get_object_or_404(Action, investigation=found, pk=action_id)
    action_services.set_outcome(action, acting_user=_me(request), **payload.dict())
    return _action_out(action, request.user)


@router.post(
    "/investigations/investigations/{investigation_id}/reports",
    response=InvestigationDetailOut,
    summary="Link an intelligence report the caller sees (contribute access)",
)
def link_report(
    request: HttpRequest, investigation_id: int, payload: ReportLinkIn
) -> dict[str, Any]:
    found = _visible(request, investigation_id)
    services.link_report(found, acting_user=_me(request), report=payload.report)
    return _detail(request, found)


@router.post(
    "/investigations/investigations/{investigation_id}/entities",
    response=InvestigationDetailOut,
    summary="Put an entity the caller sees in the investigation with a role (contribute access)",
)
def add_entity(
    request: HttpRequest, investigation_id: int, payload: EntityLinkIn
) -> dict[str, Any]:
    found = _visible(request, investigation_id)
    services.add_entity(
        found,
        acting_user=_me(request),
        entity=payload.entity,
        role=payload.role,
    )
    return _detail(request, found)
