"""Demo data: requests for information between the NCA and the DCPAF, both ways.

Asked through the services (marking, named recipient, audit), then set back in time so that
the turnaround page has a history: some answered on time, one overdue, one still open. A
request is answered only with a report of the asked agency already released to the asker
(the reports and dissemination parts of the demo write those); without one it stays with its
assignee. Running the loader again changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from entente.core.models import Agency, User
from entente.intelligence.choices import RequestPriority, RequestState
from entente.intelligence.models import InformationRequest, Report
from entente.intelligence.services import requests as rfi

# Who asks for each agency, and who assigns (and to whom) when it is asked.
ASKS = {"NCA": "analyst.nca", "DCPAF": "officer.dcpaf"}
ASSIGNS = {"NCA": ("supervisor.nca", "analyst.nca"), "DCPAF": ("analyst.dcpaf", "officer.dcpaf")}


@dataclass(frozen=True)
class DemoRequest:
    asker: str
    asked: str
    language: str
    question: str
    priority: int
    days_ago: float  # when it was asked
    hours_allowed: float  # deadline after asking
    answered_after: float | None  # hours; None: not answered (assigned, or open)
    assigned: bool = True


REQUESTS = [
    DemoRequest(
        "NCA",
        "DCPAF",
        "en",
        "Who is the registered keeper of the Polish-plated lorry (tractor unit) stopped at "
        "Coquelles on the night of 3 August with eleven people in the trailer?",
        RequestPriority.PRIORITY,
        20,
        48,
        30,
    ),
    DemoRequest(
        "DCPAF",
        "NCA",
        "fr",
        "Le numéro britannique relevé dans le téléphone du passeur interpellé à Calais "
        "est-il connu de vos services, et à quel réseau est-il rattaché ?",
        RequestPriority.ROUTINE,
        15,
        24 * 7,
        24 * 5,
    ),
    DemoRequest(
        "NCA",
        "DCPAF",
        "en",
        "Has the haulage company operating out of Dunkirk named in our report been seen by "
        "your services in the last six months?",
        RequestPriority.IMMEDIATE,
        10,
        12,
        8,
    ),
    DemoRequest(
        "DCPAF",
        "NCA",
        "fr",
        "Pouvez-vous confirmer l'adresse au Royaume-Uni du destinataire des virements "
        "signalés par l'OCRIEST ?",
        RequestPriority.PRIORITY,
        4,
        48,
        None,
    ),
    DemoRequest(
        "NCA",
        "DCPAF",
        "en",
        "Any sighting of the white van seen at the Folkestone terminal on the Calais ring "
        "road cameras this week?",
        RequestPriority.ROUTINE,
        1,
        24 * 7,
        None,
        assigned=False,
    ),
]


def _answer_for(item: DemoRequest) -> Report | None:
    """A report of the asked agency already released to the asker, if the demo has one."""
    asked = Agency.objects.get(code=item.asked)
    asker = Agency.objects.get(code=item.asker)
    return (
        Report.objects.filter(originator=asked, disclosures__agency=asker)
        .order_by("created_at", "pk")
        .first()
    )


@transaction.atomic
def _load_one(item: DemoRequest, now: dt.datetime) -> None:
    asker = User.objects.get(username=ASKS[item.asker])
    asked_at = now - dt.timedelta(days=item.days_ago)
    deadline = asked_at + dt.timedelta(hours=item.hours_allowed)
    existing = InformationRequest.objects.filter(
        originator=asker.agency, question=item.question
    ).first()
    if existing is not None:
        # Loaded before, perhaps before the reports: answer it now if it can be.
        if existing.state == RequestState.ASSIGNED:
            _answer(existing, item)
        return
    request = rfi.create_request(
        acting_user=asker,
        to_agency=Agency.objects.get(code=item.asked),
        question=item.question,
        language=item.language,
        # Asked now, through the service; set back in time below.
        deadline=now + dt.timedelta(days=1),
        priority=item.priority,
    )
    if item.assigned:
        assigner, assignee = (User.objects.get(username=u) for u in ASSIGNS[item.asked])
        request = rfi.assign(request, assignee=assignee, acting_user=assigner)
    InformationRequest.objects.filter(pk=request.pk).update(created_at=asked_at, deadline=deadline)
    request.created_at = asked_at
    if item.assigned:
        _answer(request, item)


def _answer(request: InformationRequest, item: DemoRequest) -> None:
    """Answer with a released report, as long after asking as the item says (if it says)."""
    report = _answer_for(item) if item.answered_after is not None else None
    if report is None or item.answered_after is None:
        return
    rfi.answer(request, report=report, acting_user=request.assignee)
    InformationRequest.objects.filter(pk=request.pk).update(
        answered_at=request.created_at + dt.timedelta(hours=item.answered_after)
    )


def load() -> None:
    """A handful of requests both ways; idempotent, and tolerant of a demo without reports."""
    if User.objects.filter(username__in=ASKS.values()).count() != len(ASKS):
        return  # the personas are not loaded: nothing to ask with
    now = timezone.now()
    for item in REQUESTS:
        _load_one(item, now)
