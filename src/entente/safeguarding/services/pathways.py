"""Safeguarding services: pathways (asylum, assisted voluntary return) and their milestones.

A pathway belongs to one person and follows its kind's milestones in order (asylum: lodged,
transferred to accommodation away from Calais, decision; voluntary return: application, taken
up by the partner organisation, departure). Each milestone is dated; one dated before the
previous milestone, one out of order, one of the other kind or one to come is refused with
nothing written. The partner organisation (e.g. IOM) is named on the pathway, so its users see
it and nothing else.

Only aggregate counts leave the module: ``asylum_applications``, ``transfers`` and
``voluntary_returns`` take a period and no user, and return a number.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.core import access, audit
from entente.core.choices import TLP, Classification, Module, Role
from entente.core.figures import median_and_p90
from entente.core.models import Agency
from entente.core.services import name_recipients
from entente.safeguarding.choices import PATHWAY_MILESTONES, Milestone, PathwayKind
from entente.safeguarding.models import Pathway, PathwayStep, Person

MAX_NOTE = 300


# Reading -----------------------------------------------------------------------------------


def visible_pathways(user: Any) -> QuerySet[Pathway]:
    return (
        Pathway.objects.visible_to(user)
        .select_related("person", "partner", "originator")
        .prefetch_related("steps")
    )


def milestones_of(kind: str) -> tuple[Milestone, ...]:
    return PATHWAY_MILESTONES[PathwayKind(kind)]


def next_milestone(pathway: Pathway) -> Milestone | None:
    """The milestone to record next, or None when the pathway has reached its last one."""
    done = {s.milestone for s in pathway.steps.all()}
    for milestone in milestones_of(pathway.kind):
        if milestone not in done:
            return milestone
    return None


@dataclass(frozen=True)
class Leg:
    """The time between two consecutive milestones of one pathway."""

    start: str
    end: str
    days: int

    @property
    def label(self) -> str:
        return f"{Milestone(self.start).label} → {Milestone(self.end).label}"


def durations(pathway: Pathway) -> list[Leg]:
    steps = sorted(
        pathway.steps.all(), key=lambda s: milestones_of(pathway.kind).index(s.milestone)
    )
    return [
        Leg(start=a.milestone, end=b.milestone, days=(b.reached_on - a.reached_on).days)
        for a, b in itertools.pairwise(steps)
    ]


@dataclass(frozen=True)
class LegFigures:
    kind: str
    start: str
    end: str
    count: int
    median: float | None
    p90: float | None

    @property
    def label(self) -> str:
        return f"{Milestone(self.start).label} → {Milestone(self.end).label}"

    @property
    def kind_label(self) -> str:
        return str(PathwayKind(self.kind).label)


def duration_figures(pathways: QuerySet[Pathway]) -> list[LegFigures]:
    """For the pathways given (already filtered by the policy): per kind and per pair of
    consecutive milestones, how many pathways reached both, and the median and 90th percentile
    of the days between them."""
    legs: dict[tuple[str, str, str], list[float]] = {}
    a: str
    b: str
    for kind in PathwayKind.values:
        ms = milestones_of(kind)
        for a, b in itertools.pairwise(ms):
            legs[(kind, a, b)] = []
    for pathway in pathways:
        for leg in durations(pathway):
            legs[(pathway.kind, leg.start, leg.end)].append(float(leg.days))
    out = []
    for (kind, a, b), values in legs.items():
        median, p90 = median_and_p90(values)
        out.append(LegFigures(kind=kind, start=a, end=b, count=len(values), median=median, p90=p90))
    return out


def _milestone_count(milestone: str, start: dt.date, end: dt.date) -> int:
    return PathwayStep.objects.filter(
        milestone=milestone, reached_on__gte=start, reached_on__lte=end
    ).count()


def asylum_applications(start: dt.date, end: dt.date) -> int:
    """For the programme: asylum applications lodged from ``start`` to ``end`` (a count)."""
    return _milestone_count(Milestone.LODGED, start, end)


def transfers(start: dt.date, end: dt.date) -> int:
    """For the programme: transfers to accommodation away from Calais in the period."""
    return _milestone_count(Milestone.TRANSFERRED, start, end)


def voluntary_returns(start: dt.date, end: dt.date) -> int:
    """For the programme: assisted voluntary returns (departures) in the period."""
    return _milestone_count(Milestone.DEPARTED, start, end)


def monthly_counts(start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Per month of the period: applications lodged, transfers, decisions, return
    applications and departures (aggregates only)."""
    table: dict[tuple[int, int], dict[str, int]] = {}
    rows = PathwayStep.objects.filter(reached_on__gte=start, reached_on__lte=end).values_list(
        "milestone", "reached_on"
    )
    for milestone, day in rows:
        slot = table.setdefault((day.year, day.month), dict.fromkeys(Milestone.values, 0))
        slot[milestone] += 1
    return [{"month": dt.date(y, m, 1), **table[(y, m)]} for (y, m) in sorted(table)]


# Writing -----------------------------------------------------------------------------------


def may_edit(user: Any) -> bool:
    return access.has_role(user, Module.SAFEGUARDING, Role.EDITOR)


@transaction.atomic
def open_pathway(
    acting_user: Any,
    *,
    person: Person,
    kind: str,
    started_on: dt.date,
    partner: Agency | None = None,
    tlp: str = TLP.AMBER,
) -> Pathway:
    """A safeguarding editor who sees the person opens a pathway for them. The partner
    organisation (voluntary return: e.g. IOM) is named on it."""
    access.require_role(acting_user, Module.SAFEGUARDING, Role.EDITOR)
    if not access.can_view(acting_user, person):
        raise PermissionDenied(_("You may not see this person."))
    errors: dict[str, str] = {}
    if kind not in PathwayKind.values:
        errors["kind"] = _("Unknown pathway.")
    if started_on > timezone.localdate():
        errors["started_on"] = _("A pathway cannot start in the future.")
    if kind in PathwayKind.values and (
        Pathway.objects.filter(person=person, kind=kind, closed_on__isnull=True).exists()
    ):
        errors["kind"] = _("{person} already has an open {kind} pathway.").format(
            person=person.case_code, kind=str(PathwayKind(kind).label).lower()
        )
    if errors:
        raise ValidationError(errors)
    agency = acting_user.agency
    countries = {agency.country.code}
    if partner is not None:
        countries.add(partner.country.code)
    pathway = Pathway.objects.create(
        person=person,
        kind=kind,
        partner=partner,
        started_on=started_on,
        releasability=frozenset(countries),  # type: ignore[misc]
        tlp=tlp,
        classification=Classification.OFFICIAL,
        originator=agency,
        created_by=acting_user,
    )
    audit.record_create(acting_user, pathway)
    if partner is not None and partner.pk != agency.pk:
        name_recipients(pathway, acting_user=acting_user, agencies=[partner], purpose=kind)
    return pathway


@transaction.atomic
def record_milestone(
    acting_user: Any,
    pathway: Pathway,
    *,
    milestone: str,
    reached_on: dt.date,
    note: str = "",
    partner: Agency | None = None,
) -> PathwayStep:
    """Record the next milestone of a pathway, dated on or after the previous one. The
    partner milestone needs the partner organisation (given here or when opening); the last
    milestone closes the pathway."""
    access.require_role(acting_user, Module.SAFEGUARDING, Role.EDITOR)
    locked: Pathway = Pathway.objects.select_for_update().get(pk=pathway.pk)
    if not access.can_view(acting_user, locked):
        raise PermissionDenied(_("You may not see this pathway."))
    order = milestones_of(locked.kind)
    steps = list(locked.steps.all())
    errors: dict[str, str] = {}
    if milestone not in order:
        errors["milestone"] = _("{milestone} is not a step of this pathway.").format(
            milestone=Milestone(milestone).label if milestone in Milestone.values else milestone
        )
    else:
        expected = order[len(steps)] if len(steps) < len(order) else None
        if expected is None:
            errors["milestone"] = _("This pathway has reached its last milestone.")
        elif milestone != expected:
            errors["milestone"] = _("The next milestone is “{expected}”.").format(
                expected=Milestone(expected).label
            )
    previous = max((s.reached_on for s in steps), default=locked.started_on)
    if reached_on < previous:
        errors["reached_on"] = _(
            "A milestone cannot come before the previous one ({date})."
        ).format(date=previous.isoformat())
    if reached_on > timezone.localdate():
        errors["reached_on"] = _("A milestone cannot be dated in the future.")
    if len(note) > MAX_NOTE:
        errors["note"] = _("The note is too long.")
    if milestone == Milestone.PARTNER and locked.partner is None and partner is None:
        errors["partner"] = _("Name the partner organisation.")
    if errors:
        raise ValidationError(errors)
    if milestone == Milestone.PARTNER and partner is not None and locked.partner_id != partner.pk:
        before = audit.snapshot(locked)
        locked.partner = partner
        if partner.country.code not in locked.releasability:
            locked.releasability = frozenset({*locked.releasability, partner.country.code})
        locked.save()
        audit.record_update(acting_user, locked, before)
        if partner.pk != locked.originator_id:
            name_recipients(
                locked, acting_user=acting_user, agencies=[partner], purpose=locked.kind
            )
    step = PathwayStep.objects.create(
        pathway=locked,
        milestone=milestone,
        reached_on=reached_on,
        note=note.strip(),
        recorded_by=acting_user,
    )
    audit.record_create(acting_user, step)
    if milestone == order[-1]:
        before = audit.snapshot(locked)
        locked.closed_on = reached_on
        locked.outcome = milestone
        locked.save()
        audit.record_update(acting_user, locked, before)
    return step
