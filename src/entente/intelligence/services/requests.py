"""Intelligence services: requests for information between the two countries.

An agency of one country asks a law-enforcement agency of the other a question, by a deadline
and with a priority. The request is marked releasable to both countries (TLP:AMBER unless the
asker chooses otherwise) and names the asked agency as a recipient, so that the asking agency
and the asked agency see it, and nobody else. An editor of the asked agency assigns one of its
own people; the assignee (or an editor of the asked agency) answers with a report of the asked
agency that has already been released to the asking agency through the four-eyes release
(entente.intelligence.services.dissemination): answering never releases anything by itself.
The asker may withdraw an unanswered request.

Every function takes the acting user, runs in one transaction, checks everything before it
writes, and audits what it writes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.core import access, audit
from entente.core.choices import TLP, AgencyKind, Classification, Language, Module, Role
from entente.core.figures import duration_label, median_and_p90
from entente.core.models import Agency, Country, Recipient, User
from entente.core.services import marking_errors, name_recipients
from entente.intelligence.choices import RequestPriority, RequestState
from entente.intelligence.models import Disclosure, InformationRequest, Report

# The agencies a request may be put to: police, gendarmerie, border and crime agencies. An
# infrastructure operator is not a law-enforcement partner for intelligence, nor is a
# prefecture, a ministry or a humanitarian organisation.
ASKABLE_KINDS = frozenset(
    {AgencyKind.POLICE, AgencyKind.GENDARMERIE, AgencyKind.BORDER, AgencyKind.CRIME_AGENCY}
)
PENDING_STATES = (RequestState.OPEN, RequestState.ASSIGNED)
# A question is a paragraph or two; the longest the forms and the API accept.
MAX_QUESTION = 10000


# Reading -----------------------------------------------------------------------------------


def visible_requests(user: Any) -> QuerySet[InformationRequest]:
    """The requests the user may see, with what the lists show, in one query."""
    return InformationRequest.objects.visible_to(user).select_related(
        "originator__country",
        "to_agency__country",
        "assignee",
        "answered_by",
        "created_by",
        "answer",
    )


def overdue_q(now: dt.datetime | None = None) -> Q:
    """Requests whose deadline has passed and that are not answered (nor withdrawn)."""
    return Q(deadline__lt=now or timezone.now(), state__in=PENDING_STATES)


def is_overdue(request: InformationRequest, now: dt.datetime | None = None) -> bool:
    return request.state in PENDING_STATES and request.deadline < (now or timezone.now())


@dataclass(frozen=True)
class RequestFilter:
    """The list filters: direction as seen by the viewer's agency, state, priority, overdue."""

    direction: str = ""  # "incoming" (asked of my agency), "outgoing" (asked by it), "" all
    state: str = ""
    priority: int | None = None
    overdue: bool = False


def filter_requests(
    qs: QuerySet[InformationRequest], user: Any, filters: RequestFilter
) -> QuerySet[InformationRequest]:
    if filters.direction == "incoming":
        qs = qs.filter(to_agency_id=user.agency_id)
    elif filters.direction == "outgoing":
        qs = qs.filter(originator_id=user.agency_id)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.priority is not None:
        qs = qs.filter(priority=filters.priority)
    if filters.overdue:
        qs = qs.filter(overdue_q())
    return qs


def answering_for(report: Report, user: Any) -> QuerySet[InformationRequest]:
    """The visible requests a report answers (for the report's page)."""
    return visible_requests(user).filter(answer=report)


def may_assign(user: Any, request: InformationRequest) -> bool:
    return (
        request.state in PENDING_STATES
        and access.has_role(user, Module.INTELLIGENCE, Role.EDITOR)
        and user.agency_id == request.to_agency_id
    )


def may_answer(user: Any, request: InformationRequest) -> bool:
    return (
        request.state in PENDING_STATES
        and access.has_role(user, Module.INTELLIGENCE)
        and user.agency_id == request.to_agency_id
        and (
            request.assignee_id == user.pk
            or access.has_role(user, Module.INTELLIGENCE, Role.EDITOR)
        )
    )


def may_withdraw(user: Any, request: InformationRequest) -> bool:
    return request.state in PENDING_STATES and access.can_change_visible(user, request)


def may_create(user: Any) -> bool:
    return access.has_role(user, Module.INTELLIGENCE, Role.EDITOR)


def askable_agencies(user: Any) -> QuerySet[Agency]:
    """The agencies the user may put a request to: law enforcement of the other country."""
    qs = Agency.objects.select_related("country").filter(kind__in=ASKABLE_KINDS)
    if user.agency_id is None:
        return qs.none()
    return qs.exclude(country_id=user.agency.country_id).order_by("country__code", "code")


def assignable_people(request: InformationRequest) -> QuerySet[User]:
    """The people of the asked agency who may be given the request: its intelligence editors
    cleared to the request's marking (each one checked again by ``assign``)."""
    return (
        User.objects.filter(
            agency_id=request.to_agency_id,
            is_active=True,
            clearance__gte=request.classification,
            module_roles__module=Module.INTELLIGENCE,
            module_roles__role__gte=Role.EDITOR,
        )
        .order_by("last_name", "first_name", "username")
        .distinct()
    )


def answerable_reports(request: InformationRequest, user: Any) -> QuerySet[Report]:
    """The reports the user could answer with: the asked agency's, released to the asker."""
    return (
        Report.objects.visible_to(user)
        .filter(originator_id=request.to_agency_id)
        .filter(_released_to(request.originator_id))
        .order_by("-created_at", "-pk")
    )


# Writing -----------------------------------------------------------------------------------


def _joint() -> frozenset[str]:
    """A request is releasable to both countries: the asker's and the asked agency's."""
    return frozenset(Country.objects.values_list("code", flat=True))


@transaction.atomic
def create_request(
    *,
    acting_user: Any,
    to_agency: Agency,
    question: str,
    language: str,
    deadline: dt.datetime,
    priority: int = RequestPriority.ROUTINE,
    classification: int = Classification.OFFICIAL,
    tlp: str = TLP.AMBER,
) -> InformationRequest:
    """Put a question to a law-enforcement agency of the other country (intelligence editors).

    The request is releasable to both countries and names the asked agency as its recipient,
    so that under TLP:AMBER the asking and the asked agencies see it, and no other.
    """
    access.require_role(acting_user, Module.INTELLIGENCE, Role.EDITOR)
    asker: Agency = acting_user.agency
    errors: dict[str, str] = {}
    if to_agency.kind not in ASKABLE_KINDS:
        errors["to_agency"] = _("Requests are put to a law-enforcement agency.")
    elif to_agency.country_id == asker.country_id:
        errors["to_agency"] = _("Requests are put to an agency of the other country.")
    question = (question or "").strip()
    if not question:
        errors["question"] = _("Write the question.")
    elif len(question) > MAX_QUESTION:
        errors["question"] = _("The question is too long (at most 10,000 characters).")
    if language not in Language.values:
        errors["language"] = _("Choose English or French.")
    if timezone.is_naive(deadline):
        errors["deadline"] = _("Give the deadline with its time zone.")
    elif deadline <= timezone.now():
        errors["deadline"] = _("The deadline must be in the future.")
    if priority not in RequestPriority.values:
        errors["priority"] = _("Choose a priority.")
    errors.update(
        marking_errors(
            originator=asker,
            releasability=_joint(),
            tlp=tlp,
            classification=classification,
            author=acting_user,
        )[1]
    )
    if tlp == TLP.RED:
        errors["tlp"] = _(
            "A request is seen by the asked agency as a whole; TLP:RED is for named people only."
        )
    if errors:
        raise ValidationError(errors)
    request = InformationRequest(
        # A placeholder until the row has its id (the reference is built from it, below).
        reference=f"new-{timezone.now().timestamp()}-{acting_user.pk}",
        question=question,
        language=language,
        priority=priority,
        deadline=deadline,
        to_agency=to_agency,
        classification=classification,
        releasability=_joint(),  # type: ignore[misc]  # a set of country codes
        tlp=tlp,
        originator=asker,
        created_by=acting_user,
    )
    request.full_clean()
    request.save()
    # RFI-UK-2025-00042: the asking country, the year asked, and the row's own number, which
    # no concurrent request can take.
    request.reference = f"RFI-{asker.country.code}-{request.created_at.year}-{request.pk:05d}"
    request.save(update_fields=["reference"])
    audit.record_create(acting_user, request)
    name_recipients(
        request,
        acting_user=acting_user,
        agencies=[to_agency],
        purpose=_("Request for information"),
    )
    return request


def _lock(request: InformationRequest, user: Any) -> InformationRequest:
    """The request, locked for the change and seen again by the acting user."""
    locked: InformationRequest = (
        InformationRequest.objects.select_for_update()
        .select_related("originator__country", "to_agency__country")
        .get(pk=request.pk)
    )
    if not access.can_view(user, locked):
        raise PermissionDenied(_("You may not see this request."))
    return locked


def _pending(request: InformationRequest) -> None:
    if request.state == RequestState.ANSWERED:
        raise ValidationError(_("This request has already been answered."))
    if request.state == RequestState.WITHDRAWN:
        raise ValidationError(_("This request has been withdrawn."))


@transaction.atomic
def assign(request: InformationRequest, *, assignee: User, acting_user: Any) -> InformationRequest:
    """An editor of the asked agency gives the request to one of its own people (again, if
    it had been given to someone else)."""
    access.require_role(acting_user, Module.INTELLIGENCE, Role.EDITOR)
    locked = _lock(request, acting_user)
    if acting_user.agency_id != locked.to_agency_id:
        raise PermissionDenied(_("Only editors of the asked agency assign a request."))
    _pending(locked)
    if assignee.agency_id != locked.to_agency_id:
        raise ValidationError({"assignee": _("Assign the request to someone of your agency.")})
    if not access.has_role(assignee, Module.INTELLIGENCE, Role.EDITOR):
        raise ValidationError(
            {"assignee": _("The assignee must be an intelligence editor (they write the answer).")}
        )
    if not access.can_view(assignee, locked):
        raise ValidationError(
            {"assignee": _("The assignee's clearance does not reach the request's marking.")}
        )
    if locked.assignee_id == assignee.pk:
        return locked
    before = audit.snapshot(locked)
    locked.assignee = assignee
    locked.state = RequestState.ASSIGNED
    locked.save(update_fields=["assignee", "state", "updated_at"])
    audit.record_update(acting_user, locked, before)
    return locked


def _released_to(agency_id: int) -> Q:
    """Reports disclosed to an agency through a four-eyes release: the ledger's lines name
    the report released (the original, or the sanitised version released instead of it)."""
    return Q(pk__in=Disclosure.objects.filter(agency_id=agency_id).values("report_id"))


def agency_sees(report: Report, agency: Agency) -> bool:
    """Whether people of an agency (cleared to the report's marking) may see the report as an
    agency: releasable to its country, and open or named to it under TLP:AMBER. TLP:RED is
    for named people, never for an agency as a whole."""
    if agency.country.code not in report.releasability:
        return False
    if report.tlp in access.OPEN_TLP or report.originator_id == agency.pk:
        return True
    if report.tlp in access.AMBER_TLP:
        return Recipient.objects.filter(
            content_type=ContentType.objects.get_for_model(Report),
            object_id=report.pk,
            agency_id=agency.pk,
        ).exists()
    return False


@transaction.atomic
def answer(request: InformationRequest, *, report: Report, acting_user: Any) -> InformationRequest:
    """The assignee, or an editor of the asked agency, answers with a report of that agency
    which has already been released to the asking agency (four-eyes). Refused otherwise:
    answering never releases a report by itself."""
    access.require_role(acting_user, Module.INTELLIGENCE)
    locked = _lock(request, acting_user)
    if acting_user.agency_id != locked.to_agency_id or not (
        locked.assignee_id == acting_user.pk
        or access.has_role(acting_user, Module.INTELLIGENCE, Role.EDITOR)
    ):
        raise PermissionDenied(
            _("Only the assignee or an editor of the asked agency answers a request.")
        )
    _pending(locked)
    # Read again: the caller's copy may predate the release that made it an answer.
    report = Report.objects.select_related("originator").get(pk=report.pk)
    if not access.can_view(acting_user, report):
        raise ValidationError({"report": _("No such report.")})
    if report.originator_id != locked.to_agency_id:
        raise ValidationError({"report": _("Answer with a report of your own agency.")})
    released = (
        Report.objects.filter(pk=report.pk).filter(_released_to(locked.originator_id)).exists()
    )
    if not released or not agency_sees(report, locked.originator):
        raise ValidationError(
            {
                "report": _(
                    "This report has not been released to {agency}. Release it first "
                    "(Request a release to the other country, on the report's page; a second "
                    "person of your agency approves it), then answer with it."
                ).format(agency=locked.originator.code)
            }
        )
    before = audit.snapshot(locked)
    locked.answer = report
    locked.answered_at = timezone.now()
    locked.answered_by = acting_user
    locked.state = RequestState.ANSWERED
    locked.save(update_fields=["answer", "answered_at", "answered_by", "state", "updated_at"])
    audit.record_update(acting_user, locked, before)
    return locked


@transaction.atomic
def withdraw(request: InformationRequest, *, acting_user: Any) -> InformationRequest:
    """The asking agency's editors withdraw a request not yet answered."""
    locked = _lock(request, acting_user)
    if not access.can_change(acting_user, locked):
        raise PermissionDenied(_("Only editors of the asking agency withdraw a request."))
    _pending(locked)
    before = audit.snapshot(locked)
    locked.state = RequestState.WITHDRAWN
    locked.save(update_fields=["state", "updated_at"])
    audit.record_update(acting_user, locked, before)
    return locked


# Turnaround statistics ---------------------------------------------------------------------


@dataclass(frozen=True)
class Turnaround:
    """The requests of one direction (FR->UK or UK->FR) and priority (None: all priorities)
    asked in a period: how many (withdrawn ones apart), how many answered, the median and
    90th percentile of the time from asking to answer (seconds), the share answered by the
    deadline among those due (answered, or past their deadline), and how many are overdue."""

    direction: str
    priority: int | None
    count: int
    answered: int
    withdrawn: int
    median: float | None
    p90: float | None
    due: int
    on_time: int
    overdue: int

    @property
    def on_time_share(self) -> float | None:
        return None if not self.due else self.on_time / self.due

    @property
    def priority_label(self) -> str:
        return str(RequestPriority(self.priority).label) if self.priority else _("All priorities")

    @property
    def median_label(self) -> str:
        return duration_label(self.median)

    @property
    def p90_label(self) -> str:
        return duration_label(self.p90)


def _direction(request: InformationRequest) -> str:
    return f"{request.originator.country.code}->{request.to_agency.country.code}"


def turnaround(
    user: Any,
    *,
    start: dt.date,
    end: dt.date,
    zone: dt.tzinfo | None = None,
    now: dt.datetime | None = None,
) -> list[Turnaround]:
    """Turnaround of the requests the user may see, asked between two days (inclusive, in
    ``zone``, the viewer's time zone by default): one row per direction and priority, then one
    per direction for all priorities."""
    access.require_role(user, Module.INTELLIGENCE)
    zone = zone or timezone.get_current_timezone()
    now = now or timezone.now()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    rows = (
        InformationRequest.objects.visible_to(user)
        .filter(created_at__gte=since, created_at__lt=until)
        .select_related("originator__country", "to_agency__country")
        .only(
            "state",
            "priority",
            "deadline",
            "created_at",
            "answered_at",
            "originator__country__code",
            "to_agency__country__code",
        )
    )
    groups: dict[tuple[str, int | None], list[InformationRequest]] = defaultdict(list)
    for r in rows:
        direction = _direction(r)
        groups[(direction, r.priority)].append(r)
        groups[(direction, None)].append(r)
    result = [_figures(*key, reqs, now) for key, reqs in groups.items()]
    return sorted(result, key=lambda t: (t.direction, t.priority is None, -(t.priority or 0)))


def _figures(
    direction: str, priority: int | None, requests: Iterable[InformationRequest], now: dt.datetime
) -> Turnaround:
    count = answered = withdrawn = due = on_time = overdue = 0
    times: list[float] = []
    for r in requests:
        if r.state == RequestState.WITHDRAWN:
            withdrawn += 1
            continue
        count += 1
        if r.state == RequestState.ANSWERED and r.answered_at is not None:
            answered += 1
            due += 1
            times.append(max(0.0, (r.answered_at - r.created_at).total_seconds()))
            if r.answered_at <= r.deadline:
                on_time += 1
        elif r.deadline < now:
            due += 1
            overdue += 1
    median, p90 = median_and_p90(times)
    return Turnaround(
        direction, priority, count, answered, withdrawn, median, p90, due, on_time, overdue
    )


def turnaround_csv(rows: Iterable[Turnaround]) -> str:
    """One line per direction and priority; durations in seconds, the share from 0 to 1."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "direction",
            "priority",
            "requests",
            "answered",
            "withdrawn",
            "median_seconds",
            "p90_seconds",
            "due",
            "answered_on_time",
            "on_time_share",
            "overdue_now",
        ]
    )
    for t in rows:
        writer.writerow(
            [
                t.direction,
                RequestPriority(t.priority).name.lower() if t.priority else "all",
                t.count,
                t.answered,
                t.withdrawn,
                "" if t.median is None else f"{t.median:.0f}",
                "" if t.p90 is None else f"{t.p90:.0f}",
                t.due,
                t.on_time,
                "" if t.on_time_share is None else f"{t.on_time_share:.3f}",
                t.overdue,
            ]
        )
    return out.getvalue()


def turnaround_chart(rows: list[Turnaround], *, width: int = 800) -> dict[str, Any]:
    """Horizontal bars for the template: per direction and priority, the median turnaround as
    a bar and its 90th percentile as a tick, on one scale."""
    bar, gap, label_width, pad = 16, 6, 200, 10
    shown = [t for t in rows if t.median is not None]
    top = max((t.p90 or 0.0 for t in shown), default=0.0)
    if top <= 0:
        return {"bars": [], "width": width, "height": 0}
    scale = (width - label_width - 2 * pad) / top
    bars, y = [], pad
    for t in shown:
        bars.append(
            {
                "label": f"{t.direction} · {t.priority_label}",
                "all": t.priority is None,
                "y": y,
                "text_y": y + bar - 4,
                "width": max(1.0, round((t.median or 0.0) * scale, 1)),
                "p90": round(label_width + (t.p90 or 0.0) * scale, 1),
                "median_label": t.median_label,
                "p90_label": t.p90_label,
            }
        )
        y += bar + gap
    return {
        "bars": bars,
        "width": width,
        "height": y + 24,
        "x0": label_width,
        "bar": bar,
        "max_label": duration_label(top),
        "axis_y": y,
        "axis_end": width - pad,
    }
