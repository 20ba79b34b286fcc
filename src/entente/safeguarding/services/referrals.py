"""Safeguarding services: referrals, consent-gated, and the control room's handovers.

A referral sends a person to an organisation for one purpose. It needs the person's standing
consent to that purpose with organisations of the receiving organisation's country; without
it, it is refused, except:

- for a child (an age band under 18 or an estimated age under 18): always referred, recorded
  as referred without consent because a child;
- by a user holding the override role (safeguarding approver), who gives a reason (encrypted);
- for the UK National Referral Mechanism, when an adult declines: the first responder's duty
  to notify is met by an anonymous notification, which names the receiving organisation on the
  referral only (the person stays unknown to it).

The receiving organisation is named on the person and on the referral, so its users see them
(and nobody else outside the referring organisation). States: in progress, then accepted or
rejected, then done; or revoked while open. Each change is timed and audited. Accepting a
referral to protected accommodation allocates a bed (``services.accommodation.allocate``);
revoking it cancels the allocation, so the place's free beds follow.

Police roles learn, at most, that people were referred and where (``handover_summary``),
never why.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from entente.control_room.choices import HandoverState
from entente.control_room.models import Handover
from entente.core import access, audit
from entente.core.choices import TLP, Classification, Module, Role
from entente.core.models import Agency
from entente.core.services import name_recipients
from entente.safeguarding.choices import (
    AllocationState,
    Gender,
    PlaceCategory,
    Purpose,
    ReferralState,
    Vulnerability,
)
from entente.safeguarding.models import Allocation, Person, Place, Referral
from entente.safeguarding.services import accommodation
from entente.safeguarding.services.consent import consent_for
from entente.safeguarding.services.people import (
    MAX_DETAILS,
    OPEN_STATES,
    PersonInput,
    create_person,
    is_child,
)

# How long the receiving organisation has to answer, by purpose (days): a bed or a child's
# protection the same or the next day; the NRM's reasonable-grounds decision within five
# working days; an asylum or a return file within a fortnight.
DUE_DAYS = {
    Purpose.ACCOMMODATION: 1,
    Purpose.CHILD_PROTECTION: 1,
    Purpose.MEDICAL: 2,
    Purpose.NRM: 5,
    Purpose.FR_PROTECTION: 5,
    Purpose.ASYLUM: 14,
    Purpose.VOLUNTARY_RETURN: 14,
}

# The moves a referral may make, and who makes them: the receiving organisation answers and
# closes; the referring organisation (or the receiving one) revokes.
MOVES = {
    ReferralState.ACCEPTED: (ReferralState.IN_PROGRESS,),
    ReferralState.REJECTED: (ReferralState.IN_PROGRESS,),
    ReferralState.DONE: (ReferralState.ACCEPTED,),
    ReferralState.REVOKED: (ReferralState.IN_PROGRESS, ReferralState.ACCEPTED),
}
CLOSING = (ReferralState.REJECTED, ReferralState.DONE, ReferralState.REVOKED)
WITHOUT_CONSENT_CHILD = "child"
WITHOUT_CONSENT_OVERRIDE = "override"
WITHOUT_CONSENT_ANONYMOUS = "anonymous"


# Reading ------------------------------------------------------------------------------------


def visible_referrals(user: Any) -> QuerySet[Referral]:
    access.require_role(user, Module.SAFEGUARDING)
    return Referral.objects.visible_to(user).select_related(
        "person", "to_agency__country", "place", "originator", "first_responder"
    )


def filter_referrals(
    qs: QuerySet[Referral], *, state: str = "", purpose: str = "", overdue: bool = False
) -> QuerySet[Referral]:
    if state:
        qs = qs.filter(state=state)
    if purpose:
        qs = qs.filter(purpose=purpose)
    if overdue:
        qs = qs.filter(state__in=OPEN_STATES, due_on__lt=timezone.localdate())
    return qs


def is_overdue(referral: Referral, today: dt.date | None = None) -> bool:
    return (
        referral.state in OPEN_STATES
        and referral.due_on is not None
        and referral.due_on < (today or timezone.localdate())
    )


def _of_agency(user: Any, *agency_ids: int | None) -> bool:
    return access.has_role(user, Module.SAFEGUARDING, Role.EDITOR) and (
        user.agency_id in agency_ids
    )


def allowed_moves(user: Any, referral: Referral) -> list[str]:
    """The states this user may move the referral to now."""
    moves = []
    for target, sources in MOVES.items():
        if referral.state not in sources:
            continue
        if target == ReferralState.REVOKED:
            ok = _of_agency(user, referral.originator_id, referral.to_agency_id)
        else:
            ok = _of_agency(user, referral.to_agency_id)
        if ok:
            moves.append(target.value)
    return moves


def may_override(user: Any) -> bool:
    return access.has_role(user, Module.SAFEGUARDING, Role.APPROVER)


def receiving_agencies() -> QuerySet[Agency]:
    """Organisations a person may be referred to: those outside law enforcement."""
    from entente.core.choices import LAW_ENFORCEMENT_KINDS

    return (
        Agency.objects.exclude(kind__in=LAW_ENFORCEMENT_KINDS)
        .select_related("country")
        .order_by("code")
    )


# Referring ----------------------------------------------------------------------------------


def _default_category(person: Person) -> str:
    if is_child(person) or person.gender == Gender.FEMALE:
        return PlaceCategory.WOMEN_CHILDREN
    return PlaceCategory.MEN


def _widen(user: Any, obj: Person, country: str) -> None:
    if country in obj.releasability:
        return
    before = audit.snapshot(obj)
    obj.releasability = {*obj.releasability, country}
    obj.save(update_fields=["releasability", "updated_at"])
    audit.record_update(user, obj, before, purpose="referral to another country")


@transaction.atomic
def refer(
    acting_user: Any,
    person: Person,
    *,
    purpose: str,
    to_agency: Agency | None = None,
    place: Place | None = None,
    due_on: dt.date | None = None,
    reason: str = "",
    override_reason: str = "",
    first_responder: Agency | None = None,
    anonymous: bool = False,
    handover: Handover | None = None,
) -> Referral:
    """Refer a person (see the module's docstring for the consent rule and its exceptions)."""
    access.require_role(acting_user, Module.SAFEGUARDING, Role.EDITOR)
    locked = Person.objects.select_for_update().get(pk=person.pk)
    if not access.can_view(acting_user, locked):
        raise PermissionDenied(_("You may not see this person."))
    errors: dict[str, str] = {}
    if locked.anonymised_at is not None:
        raise ValidationError(_("This record was anonymised; it cannot be referred."))
    if purpose not in Purpose.values:
        raise ValidationError({"purpose": _("Unknown purpose {purpose}.").format(purpose=purpose)})
    if purpose == Purpose.ACCOMMODATION:
        if place is None:
            errors["place"] = _("Choose the protected place.")
        elif not access.can_view(acting_user, place):
            errors["place"] = _("No such place.")
        elif not place.active:
            errors["place"] = _("{place} is closed.").format(place=place.name)
        else:
            to_agency = place.originator
    elif place is not None:
        errors["place"] = _("Only a referral to protected accommodation names a place.")
    if to_agency is None and "place" not in errors:
        errors["to_agency"] = _("Choose the receiving organisation.")
    elif to_agency is not None and not receiving_agencies().filter(pk=to_agency.pk).exists():
        errors["to_agency"] = _("People are referred to organisations outside law enforcement.")
    if purpose == Purpose.NRM and first_responder is None:
        errors["first_responder"] = _("A referral to the NRM names its first responder.")
    if anonymous and purpose != Purpose.NRM:
        errors["anonymous"] = _("Only an NRM notification can be anonymous.")
    elif anonymous and is_child(locked):
        errors["anonymous"] = _("A child is referred by name, never notified anonymously.")
    if len(reason or "") > MAX_DETAILS or len(override_reason or "") > MAX_DETAILS:
        errors["reason"] = _("At most {n} characters.").format(n=MAX_DETAILS)
    today = timezone.localdate()
    if due_on is not None and due_on < today:
        errors["due_on"] = _("A due date cannot be in the past.")
    if handover is not None and not access.can_view(acting_user, handover):
        errors["handover"] = _("No such handover.")
    if errors:
        raise ValidationError(errors)
    assert to_agency is not None
    consent = consent_for(locked, purpose, to_agency.country.code)
    without = ""
    overridden_by = None
    override_reason = (override_reason or "").strip()
    if consent is not None:
        override_reason = ""
    elif is_child(locked):
        without, override_reason = WITHOUT_CONSENT_CHILD, ""
    elif anonymous:
        without, override_reason = WITHOUT_CONSENT_ANONYMOUS, ""
    elif override_reason:
        if not may_override(acting_user):
            raise PermissionDenied(
                _("Only a safeguarding approver may refer without the person's consent.")
            )
        without, overridden_by = WITHOUT_CONSENT_OVERRIDE, acting_user
    else:
        message = _(
            "{code} has not consented to {purpose} with organisations in {country}: record "
            "the consent first."
        ).format(
            code=locked.case_code,
            purpose=str(Purpose(purpose).label).lower(),
            country=to_agency.country.code,
        )
        if purpose == Purpose.NRM:
            message += " " + _("An adult who declines is notified anonymously.")
        elif may_override(acting_user):
            message += " " + _("As an approver you may override it, giving your reason.")
        raise ValidationError({"consent": message})
    if anonymous and consent is not None:
        raise ValidationError(
            {"anonymous": _("The person consented: refer them to the NRM by name.")}
        )
    countries = {acting_user.agency.country.code, to_agency.country.code}
    referral = Referral(
        person=locked,
        purpose=purpose,
        to_agency=to_agency,
        place=place if purpose == Purpose.ACCOMMODATION else None,
        due_on=due_on or today + dt.timedelta(days=DUE_DAYS[Purpose(purpose)]),
        reason=(reason or "").strip() or None,
        consent=consent,
        without_consent=without,
        override_reason=override_reason or None,
        overridden_by=overridden_by,
        first_responder=first_responder if purpose == Purpose.NRM else None,
        anonymous=bool(anonymous),
        handover=handover,
        state_changed_at=timezone.now(),
        classification=Classification.OFFICIAL,
        releasability=countries,  # type: ignore[misc]
        tlp=TLP.AMBER,
        originator=acting_user.agency,
        created_by=acting_user,
    )
    referral.full_clean()
    referral.save()
    audit.record_create(acting_user, referral)
    named = [to_agency, *([first_responder] if first_responder else [])]
    name_recipients(referral, acting_user=acting_user, agencies=named, purpose="referral")
    if not anonymous:
        # The receiving organisation sees the person it is asked to help.
        _widen(acting_user, locked, to_agency.country.code)
        name_recipients(locked, acting_user=acting_user, agencies=[to_agency], purpose="referral")
    return referral


@transaction.atomic
def move(acting_user: Any, referral: Referral, state: str, *, category: str = "") -> Referral:
    """Move a referral to ``state`` (accepted, rejected, done or revoked), timed and audited.
    Accepting one to protected accommodation allocates a bed in ``category`` (by default the
    person's: women and children for a woman or a child, else men); revoking it cancels the
    allocation not yet taken up (a person already in is checked out)."""
    access.require_role(acting_user, Module.SAFEGUARDING, Role.EDITOR)
    locked: Referral = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("person", "place")
        .get(pk=referral.pk)
    )
    if not access.can_view(acting_user, locked):
        raise PermissionDenied(_("You may not see this referral."))
    if state not in MOVES:
        raise ValidationError({"state": _("Unknown state {state}.").format(state=state)})
    if locked.state not in MOVES[ReferralState(state)]:
        raise ValidationError(
            {
                "state": _("A referral {current} cannot be {target}.").format(
                    current=str(ReferralState(locked.state).label).lower(),
                    target=str(ReferralState(state).label).lower(),
                )
            }
        )
    if state not in allowed_moves(acting_user, locked):
        if state == ReferralState.REVOKED:
            raise PermissionDenied(_("Only the referring or the receiving organisation revokes."))
        raise PermissionDenied(_("Only the receiving organisation answers a referral."))
    before = audit.snapshot(locked)
    now = timezone.now()
    if state == ReferralState.ACCEPTED and locked.purpose == Purpose.ACCOMMODATION:
        assert locked.place is not None
        accommodation.allocate(
            acting_user,
            place=locked.place,
            person=locked.person,
            category=category or _default_category(locked.person),
            referral=locked,
        )
    if state == ReferralState.REVOKED:
        for allocation in Allocation.objects.filter(
            referral=locked, state__in=accommodation.HOLDING
        ):
            if allocation.state == AllocationState.CHECKED_IN:
                accommodation.check_out(acting_user, allocation)
            else:
                accommodation.cancel(acting_user, allocation)
    locked.state = state
    locked.state_changed_at = now
    if state in CLOSING:
        locked.closed_at = now
    locked.save(update_fields=["state", "state_changed_at", "closed_at", "updated_at"])
    audit.record_update(acting_user, locked, before)
    return locked


# Handovers from the control room ------------------------------------------------------------


@dataclass(frozen=True)
class FoundPerson:
    """One of the people found, as the caseworker taking the handover up records them, and
    where they are referred (``purpose`` empty: not referred now)."""

    age_band: str
    gender: str
    minor: bool = False
    languages: Sequence[str] = ()
    purpose: str = ""
    to_agency: Agency | None = None
    place: Place | None = None


@transaction.atomic
def take_up_handover(
    acting_user: Any, handover: Handover, people: Sequence[FoundPerson]
) -> list[Referral]:
    """Open one person per person found (the minors flagged as such), refer them, and mark the
    handover taken up; all of it or nothing. The children are referred whatever their consent
    (they are children); adults need theirs, recorded first, or are left unreferred."""
    from entente.control_room.services import outcomes

    access.require_role(acting_user, Module.SAFEGUARDING, Role.EDITOR)
    if not access.can_view(acting_user, handover):
        raise PermissionDenied(_("This handover is not addressed to your organisation."))
    if handover.state != HandoverState.PENDING:
        raise ValidationError(_("This handover has already been taken up."))
    if len(people) != handover.people:
        raise ValidationError(
            {
                "people": _("The handover counts {count} people: record each of them.").format(
                    count=handover.people
                )
            }
        )
    minors = sum(1 for p in people if p.minor)
    if minors != handover.minors:
        raise ValidationError(
            {
                "people": _("The handover counts {count} minors among them.").format(
                    count=handover.minors
                )
            }
        )
    referrals = []
    for index, found in enumerate(people, start=1):
        try:
            person = create_person(
                acting_user,
                PersonInput(
                    age_band=found.age_band,
                    gender=found.gender,
                    languages=list(found.languages),
                    indicators=[Vulnerability.MINOR] if found.minor else [],
                ),
            )
            if found.minor and not is_child(person):
                raise ValidationError({"age_band": _("A minor has an age band under 18.")})
            if found.purpose:
                referrals.append(
                    refer(
                        acting_user,
                        person,
                        purpose=found.purpose,
                        to_agency=found.to_agency,
                        place=found.place,
                        handover=handover,
                    )
                )
        except ValidationError as exc:
            raise ValidationError(
                _("Person {n}: {problem}").format(n=index, problem=" ".join(exc.messages))
            ) from None
    outcomes.take_up_handover(handover, acting_user=acting_user)
    return referrals


def handover_summaries(handovers: Sequence[Handover]) -> dict[int, list[str]]:
    """What the control room may know of its handovers' referrals, in one query: per
    handover, how many people were referred, for what kind of help and where, never why
    ("3 people referred: protected accommodation (La Vie Active, Calais)")."""
    rows: dict[int, Counter[tuple[str, str]]] = {h.pk: Counter() for h in handovers}
    for r in (
        Referral.objects.filter(handover__in=list(rows))
        .exclude(state=ReferralState.REVOKED)
        .select_related("to_agency", "place")
    ):
        where = r.to_agency.name + (f", {r.place.town}" if r.place else "")
        rows[r.handover_id][(str(Purpose(r.purpose).label).lower(), where)] += 1
    return {
        pk: [
            ngettext(
                "{count} person referred: {purpose} ({where})",
                "{count} people referred: {purpose} ({where})",
                n,
            ).format(count=n, purpose=p, where=w)
            for (p, w), n in sorted(counts.items())
        ]
        for pk, counts in rows.items()
    }


def handover_summary(handover: Handover) -> list[str]:
    """``handover_summaries`` of one handover."""
    return handover_summaries([handover])[handover.pk]


def referrals_of(person: Person, user: Any) -> QuerySet[Referral]:
    """The referrals of a person the user may see."""
    return visible_referrals(user).filter(person=person)


def open_referrals_q() -> Q:
    return Q(state__in=OPEN_STATES)


def referrals_made(start: dt.date, end: dt.date) -> int:
    """For the programme: referrals made from ``start`` to ``end`` (both included, days of
    the active time zone), whatever their marking or state. A count only."""
    start_at = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    end_at = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    return Referral.objects.filter(created_at__gte=start_at, created_at__lt=end_at).count()
