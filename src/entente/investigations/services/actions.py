"""Investigations services: the actions of a joint investigation (searches, seizures,
arrests, charges and prosecutions), each in one jurisdiction (France, or England and Wales),
with the court's outcome for charges and prosecutions.

Members with contribute access record them (services.cases.require_member). An arrest, a
charge or a prosecution concerns at least one person; only charges and prosecutions carry a
court outcome, decided on or after the action; a sentence follows a conviction only. Arrests
feed the programme's count of people arrested (services.indicators).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.core import audit
from entente.core.models import User
from entente.intelligence.models import Entity
from entente.investigations.choices import ActionKind, CourtOutcome, Jurisdiction
from entente.investigations.models import Action, Investigation
from entente.investigations.services.cases import require_member

MAX_PLACE = 200
MAX_SENTENCE = 300
MAX_DESCRIPTION = 10_000
MAX_PEOPLE = 10_000
WITH_PEOPLE = frozenset({ActionKind.ARREST, ActionKind.CHARGE, ActionKind.PROSECUTION})
IN_COURT = frozenset({ActionKind.CHARGE, ActionKind.PROSECUTION})
DECIDED = frozenset({CourtOutcome.CONVICTED, CourtOutcome.ACQUITTED, CourtOutcome.DISCONTINUED})


@dataclass(frozen=True)
class ActionInput:
    """One action as the pages, the API and the demo give it."""

    kind: str
    jurisdiction: str
    occurred_on: dt.date
    place: str = ""
    description: str = ""
    people: int = 0
    entity: int | None = None
    court_outcome: str = CourtOutcome.NONE
    outcome_on: dt.date | None = None
    sentence: str = ""


def _outcome_errors(
    kind: str, occurred_on: dt.date | None, outcome: str, outcome_on: dt.date | None, sentence: str
) -> dict[str, str]:
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if outcome not in CourtOutcome.values:
        errors["court_outcome"] = _("Unknown court outcome.")
        return errors
    if outcome and kind not in IN_COURT:
        errors["court_outcome"] = _("Only charges and prosecutions have a court outcome.")
    if outcome_on is not None:
        if outcome not in DECIDED:
            errors["outcome_on"] = _("An outcome date goes with a decided outcome.")
        elif occurred_on is not None and outcome_on < occurred_on:
            errors["outcome_on"] = _("The outcome cannot be before the action.")
        elif outcome_on > today:
            errors["outcome_on"] = _("The date cannot be in the future.")
    elif outcome in DECIDED:
        errors["outcome_on"] = _("Give the date of the court's decision.")
    if sentence.strip() and outcome != CourtOutcome.CONVICTED:
        errors["sentence"] = _("A sentence follows a conviction only.")
    elif len(sentence.strip()) > MAX_SENTENCE:
        errors["sentence"] = _("A sentence has at most {count} characters.").format(
            count=MAX_SENTENCE
        )
    return errors


def _errors(data: ActionInput, acting_user: User) -> tuple[dict[str, str], Entity | None]:
    errors: dict[str, str] = {}
    if data.kind not in ActionKind.values:
        errors["kind"] = _("Unknown action.")
    if data.jurisdiction not in Jurisdiction.values:
        errors["jurisdiction"] = _("Say where: France, or England and Wales.")
    if data.occurred_on > timezone.localdate():
        errors["occurred_on"] = _("The date cannot be in the future.")
    if data.people < 0 or data.people > MAX_PEOPLE:
        errors["people"] = _("Give a number of people between 0 and {count}.").format(
            count=MAX_PEOPLE
        )
    elif data.kind in WITH_PEOPLE and data.people < 1:
        errors["people"] = _("An arrest, a charge or a prosecution concerns at least one person.")
    if len(data.place.strip()) > MAX_PLACE:
        errors["place"] = _("A place has at most {count} characters.").format(count=MAX_PLACE)
    if len(data.description) > MAX_DESCRIPTION:
        errors["description"] = _("A description has at most {count} characters.").format(
            count=MAX_DESCRIPTION
        )
    entity = None
    if data.entity is not None:
        entity = Entity.objects.visible_to(acting_user).filter(pk=data.entity).first()
        if entity is None:
            errors["entity"] = _("You may name only entities you can see.")
    errors.update(
        _outcome_errors(
            data.kind, data.occurred_on, data.court_outcome, data.outcome_on, data.sentence
        )
    )
    return errors, entity


@transaction.atomic
def record_action(investigation: Investigation, *, acting_user: User, data: ActionInput) -> Action:
    """Record a search, seizure, arrest, charge or prosecution (contribute access)."""
    require_member(acting_user, investigation)
    errors, entity = _errors(data, acting_user)
    if errors:
        raise ValidationError(errors)
    action = Action.objects.create(
        investigation=investigation,
        kind=data.kind,
        jurisdiction=data.jurisdiction,
        occurred_on=data.occurred_on,
        place=data.place.strip(),
        description=data.description.strip(),
        people=data.people,
        entity=entity,
        court_outcome=data.court_outcome,
        outcome_on=data.outcome_on,
        sentence=data.sentence.strip(),
        created_by=acting_user,
    )
    audit.record_create(acting_user, action)
    return action


@transaction.atomic
def set_outcome(
    action: Action,
    *,
    acting_user: User,
    court_outcome: str,
    outcome_on: dt.date | None = None,
    sentence: str = "",
) -> Action:
    """Record the court's outcome of a charge or a prosecution (contribute access)."""
    require_member(acting_user, action.investigation)
    errors = _outcome_errors(action.kind, action.occurred_on, court_outcome, outcome_on, sentence)
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(action)
    action.court_outcome, action.outcome_on = court_outcome, outcome_on
    action.sentence = sentence.strip()
    action.save()
    audit.record_update(acting_user, action, before)
    return action


def arrests_by_month(investigation: Investigation) -> list[dict[str, Any]]:
    """People arrested per month and jurisdiction, for the investigation's chart."""
    months: dict[dt.date, dict[str, int]] = {}
    for on, where, people in investigation.actions.filter(kind=ActionKind.ARREST).values_list(
        "occurred_on", "jurisdiction", "people"
    ):
        row = months.setdefault(on.replace(day=1), {"FR": 0, "EW": 0})
        row[where] += people
    return [
        {"month": m, "FR": r["FR"], "EW": r["EW"], "total": r["FR"] + r["EW"]}
        for m, r in sorted(months.items())
    ]


__all__ = ["ActionInput", "arrests_by_month", "record_action", "set_outcome"]
