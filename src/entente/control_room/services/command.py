"""The unified command's records: watch handovers at the control rooms, and the decisions of
the two gold commanders, each signed by both.

A control room is a command and control centre (Coquelles, Folkestone). It watches the zones
of the sites of its own country: Coquelles the tunnel terminal and the port, Folkestone the
Folkestone terminal. A watch ends with a handover: the outgoing operator's summary and a
snapshot of the open incidents, which another operator accepts.

A decision is joint (OFFICIAL-SENSITIVE, releasable to both countries, TLP:GREEN). It binds
both sides once the gold commander of each country (an approver of the joint command) has
signed it; from the first signature on it can no longer be changed, so that each commander
signs the text the other signed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.control_room.choices import DecisionState, IncidentState
from entente.control_room.models import Decision, DecisionSignature, Incident, WatchHandover
from entente.core import access, audit
from entente.core.choices import TLP, Classification, Language, Module, Role, SiteKind
from entente.core.models import Country, Site

# A watch is eight hours in the roster; a handover covering more than a day is a mistake.
LONGEST_WATCH = dt.timedelta(hours=24)
DECISION_CLASSIFICATION = Classification.OFFICIAL_SENSITIVE
DECISION_FIELDS = ("title", "situation", "decision", "rationale", "options", "risks", "language")


# Watch handovers ----------------------------------------------------------------------------


def control_rooms() -> QuerySet[Site]:
    """The sites where watches are handed over: the command and control centres."""
    return Site.objects.filter(kind=SiteKind.COMMAND_CENTRE).select_related("country")


def open_incidents(site: Site, user: Any) -> QuerySet[Incident]:
    """The open incidents a control room watches (its country's zones) that the user may see,
    the most severe first."""
    return (
        Incident.objects.visible_to(user)
        .filter(zone__site__country_id=site.country_id)
        .exclude(state=IncidentState.CLOSED)
        .select_related("zone__site")
        .order_by("-severity", "opened_at")
    )


def _snapshot(incidents: QuerySet[Incident]) -> list[dict[str, Any]]:
    return [
        {
            "id": i.pk,
            "kind": i.kind,
            "state": i.state,
            "severity": i.severity,
            "zone": i.zone.code,
            "site": i.zone.site.code,
        }
        for i in incidents
    ]


def _joint() -> frozenset[str]:
    """Joint records are releasable to every country of the programme (France and the UK)."""
    return frozenset(Country.objects.values_list("code", flat=True))


def _text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _language(value: str) -> str:
    if value not in Language.values:
        raise ValidationError({"language": _("Choose English or French.")})
    return value


@transaction.atomic
def hand_over_watch(
    site: Site,
    *,
    watch_started_at: dt.datetime,
    summary: str,
    language: str,
    acting_user: Any,
) -> WatchHandover:
    """End the acting operator's watch at a control room with a summary; the open incidents
    the operator can see in the zones it watches are kept with it as they stand. Audited."""
    access.require_role(acting_user, Module.CONTROL_ROOM, Role.EDITOR)
    if site.kind != SiteKind.COMMAND_CENTRE:
        raise ValidationError(
            {"site": _("Watches are handed over at a command and control centre.")}
        )
    now = timezone.now()
    if timezone.is_naive(watch_started_at):
        raise ValidationError({"watch_started_at": _("Give the time with its time zone.")})
    if watch_started_at >= now:
        raise ValidationError({"watch_started_at": _("A watch starts before it is handed over.")})
    if now - watch_started_at > LONGEST_WATCH:
        raise ValidationError(
            {"watch_started_at": _("A watch lasts at most 24 hours; check the start time.")}
        )
    handover = WatchHandover(
        site=site,
        watch_started_at=watch_started_at,
        watch_ended_at=now,
        summary=_text(summary, "summary", _("Write a summary of the watch.")),
        language=_language(language),
        open_incidents=_snapshot(open_incidents(site, acting_user)),
        classification=Classification.OFFICIAL,
        releasability=_joint(),  # type: ignore[misc]  # a set of country codes
        tlp=TLP.GREEN,
        originator=acting_user.agency,
        created_by=acting_user,
    )
    handover.full_clean()
    handover.save()
    audit.record_create(acting_user, handover)
    return handover


@transaction.atomic
def accept_handover(handover: WatchHandover, *, acting_user: Any) -> WatchHandover:
    """The incoming operator takes the watch over: once, and not the outgoing operator."""
    access.require_role(acting_user, Module.CONTROL_ROOM, Role.EDITOR)
    locked: WatchHandover = WatchHandover.objects.select_for_update().get(pk=handover.pk)
    if not access.can_view(acting_user, locked):
        raise PermissionDenied(_("You may not see this handover."))
    if locked.accepted_at is not None:
        raise ValidationError(_("This watch has already been taken over."))
    if locked.created_by_id == acting_user.pk:
        raise ValidationError(_("The outgoing operator cannot accept their own handover."))
    before = audit.snapshot(locked)
    locked.incoming = acting_user
    locked.accepted_at = timezone.now()
    locked.save(update_fields=["incoming", "accepted_at", "updated_at"])
    audit.record_update(acting_user, locked, before)
    return locked


# Decisions --------------------------------------------------------------------------------


def may_record_decision(user: Any) -> bool:
    """Editors of the joint command cleared to the decisions' marking record them."""
    return (
        access.has_role(user, Module.COMMAND, Role.EDITOR)
        and user.clearance >= DECISION_CLASSIFICATION
    )


def is_gold_commander(user: Any) -> bool:
    """A gold commander holds the approver role (or above) in the joint command."""
    return access.has_role(user, Module.COMMAND, Role.APPROVER)


def awaiting(decision: Decision) -> list[str]:
    """The countries whose gold commander has not signed yet, by code."""
    signed = {s.country.code for s in decision.signatures.all()}
    return sorted(set(decision.releasability) - signed)


def may_sign(user: Any, decision: Decision) -> bool:
    """Whether the user is a gold commander whose country still has to sign this decision."""
    return (
        decision.state == DecisionState.DRAFT
        and is_gold_commander(user)
        and user.country_code in awaiting(decision)
    )


def _decision_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(DECISION_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed: {fields}.").format(fields=", ".join(sorted(unknown)))
        )
    clean = {k: (v or "").strip() for k, v in fields.items()}
    required = {
        "title": _("Give the decision a title."),
        "decision": _("Say what was decided."),
        "rationale": _("Say why it was decided."),
    }
    for name, message in required.items():
        if name in clean and not clean[name]:
            raise ValidationError({name: message})
    if "language" in clean:
        _language(clean["language"])
    return clean


@transaction.atomic
def record_decision(
    *,
    title: str,
    decision: str,
    rationale: str,
    language: str,
    acting_user: Any,
    situation: str = "",
    options: str = "",
    risks: str = "",
    decided_at: dt.datetime | None = None,
) -> Decision:
    """Record a decision of the unified command, awaiting both gold commanders' signatures.

    It is joint: OFFICIAL-SENSITIVE, releasable to every country of the programme, TLP:GREEN,
    owned by the author's agency. Audited.
    """
    access.require_role(acting_user, Module.COMMAND, Role.EDITOR)
    if not may_record_decision(acting_user):
        raise PermissionDenied(
            _("Decisions are marked OFFICIAL-SENSITIVE; your clearance does not reach it.")
        )
    fields = _decision_fields(
        {
            "title": title,
            "situation": situation,
            "decision": decision,
            "rationale": rationale,
            "options": options,
            "risks": risks,
            "language": language,
        }
    )
    record = Decision(
        **fields,
        state=DecisionState.DRAFT,
        decided_at=decided_at or timezone.now(),
        classification=DECISION_CLASSIFICATION,
        releasability=_joint(),  # type: ignore[misc]  # a set of country codes
        tlp=TLP.GREEN,
        originator=acting_user.agency,
        created_by=acting_user,
    )
    record.full_clean()
    record.save()
    audit.record_create(acting_user, record)
    return record


@transaction.atomic
def update_decision(record: Decision, /, *, acting_user: Any, **fields: Any) -> Decision:
    """Correct a decision before anyone has signed it (editors of the author's agency).
    ``fields`` may name any of DECISION_FIELDS (one of them is called ``decision``)."""
    locked: Decision = Decision.objects.select_for_update().get(pk=record.pk)
    if not access.can_change(acting_user, locked):
        raise PermissionDenied(_("Only editors of the originating agency may change this record."))
    if locked.state == DecisionState.SIGNED or locked.signatures.exists():
        raise ValidationError(
            _("A signed decision cannot be changed; record a new decision instead.")
        )
    before = audit.snapshot(locked)
    for name, value in _decision_fields(fields).items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    audit.record_update(acting_user, locked, before)
    return locked


@transaction.atomic
def sign_decision(decision: Decision, *, acting_user: Any) -> Decision:
    """The acting gold commander signs for their agency's country, once; when every country
    has signed, the decision is signed and can no longer be changed. Audited."""
    if not is_gold_commander(acting_user):
        raise PermissionDenied(
            _("Only a gold commander (an approver of the joint command) signs decisions.")
        )
    locked: Decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if not access.can_view(acting_user, locked):
        raise PermissionDenied(_("You may not see this decision."))
    country = acting_user.agency.country
    if locked.state == DecisionState.SIGNED:
        raise ValidationError(_("This decision is already signed by both gold commanders."))
    if country.code not in locked.releasability:
        raise PermissionDenied(_("Your country is not a party to this decision."))
    if locked.signatures.filter(country=country).exists():
        raise ValidationError(
            _("The gold commander for {country} has already signed this decision.").format(
                country=country.name
            )
        )
    signature = DecisionSignature(decision=locked, signer=acting_user, country=country)
    try:
        # A concurrent signature for the same country is caught by the unique constraint.
        with transaction.atomic():
            signature.save()
    except IntegrityError:
        raise ValidationError(
            _("The gold commander for {country} has already signed this decision.").format(
                country=country.name
            )
        ) from None
    audit.record_create(acting_user, signature)
    if not awaiting(locked):
        before = audit.snapshot(locked)
        locked.state = DecisionState.SIGNED
        locked.save(update_fields=["state", "updated_at"])
        audit.record_update(acting_user, locked, before)
    return locked
