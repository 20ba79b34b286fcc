"""Closing an incident with what was found, and what follows from it: the people found handed
over to safeguarding, the vehicle and its haulier sent to intelligence.

No identity of the people found is kept in the control room: counts and immediate needs only.
Safeguarding records the people themselves, from the handover it takes up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.control_room import live
from entente.control_room.choices import (
    AlertKind,
    Concealment,
    HandoverState,
    ImmediateNeed,
    IncidentState,
    OutcomeResult,
    ReportState,
    VehicleType,
)
from entente.control_room.models import Handover, Incident, IncidentOutcome, VehicleReport
from entente.control_room.services import checklists, teams
from entente.control_room.services.incidents import move_incident
from entente.core import access, audit
from entente.core.choices import (
    RESTRICTED_AGENCY_KINDS,
    TLP,
    AgencyKind,
    Classification,
    Module,
    Role,
)
from entente.core.models import Agency, Country, ModuleRole, Site
from entente.core.services import name_recipients

MAX_PEOPLE = 500  # more than any vehicle carries; a typing slip, not a finding
MAX_HAULIER = 200
MAX_NOTES = 4000
MAX_NOTE = 2000
MAX_PLATE = 20

# The agencies a handover is named to: the humanitarian organisations and the prefecture of the
# site's country, those of them whose people take handovers up (safeguarding editors).
HANDOVER_AGENCY_KINDS = frozenset({*RESTRICTED_AGENCY_KINDS, AgencyKind.PREFECTURE})


@dataclass(frozen=True)
class OutcomeInput:
    """What the closing operator reports, as typed; ``close_incident`` checks and normalises
    it. Counts only: there is no field for who the people found are, on purpose."""

    result: str
    adults: int = 0
    minors: int = 0
    injured: int = 0
    needs: Sequence[str] = ()
    vehicle_plate: str = ""
    vehicle_country: str = ""
    vehicle_type: str = ""
    haulier: str = ""
    concealment: str = ""
    notes: str = ""


def _plate(value: str) -> str:
    """A plate as read, upper-cased with single spaces ("ab 123  cd" -> "AB 123 CD")."""
    return " ".join(value.upper().split())


def _plate_ok(plate: str) -> bool:
    return (
        len(plate) <= MAX_PLATE
        and plate[0].isalnum()
        and plate[-1].isalnum()
        and all(c.isalnum() or c in " -" for c in plate)
    )


def _checked(outcome: OutcomeInput, incident: Incident) -> dict[str, Any]:
    """The outcome's values, normalised; every refusal at once, each on its field."""
    errors: dict[str, str] = {}
    result = outcome.result
    if result not in OutcomeResult.values:
        errors["result"] = _("Choose what was found.")
    counts = {"adults": outcome.adults, "minors": outcome.minors, "injured": outcome.injured}
    for name, value in counts.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            errors[name] = _("Enter a whole number, zero or more.")
        elif value > MAX_PEOPLE:
            errors[name] = _("At most {count} people in one incident.").format(count=MAX_PEOPLE)
    needs = list(dict.fromkeys(outcome.needs))
    unknown = [n for n in needs if n not in ImmediateNeed.values]
    if unknown:
        errors["needs"] = _("Unknown immediate need: {needs}.").format(needs=", ".join(unknown))
    if not errors:
        people = outcome.adults + outcome.minors
        if result == OutcomeResult.PEOPLE_FOUND and people == 0:
            errors["adults"] = _("People were found: count at least one adult or minor.")
        elif result != OutcomeResult.PEOPLE_FOUND and (people or outcome.injured or needs):
            errors["result"] = _(
                "“{result}” means no people were found: choose “People found”, or leave the "
                "counts at zero and the needs unticked."
            ).format(result=OutcomeResult(result).label)
        elif outcome.injured > people:
            errors["injured"] = _("The people hurt are counted among the people found.")
    if (
        incident.kind == AlertKind.SENSOR_SILENT
        and result in OutcomeResult.values
        and result != OutcomeResult.FALSE_ALARM
    ):
        errors["result"] = _(
            "A silent-sensor alarm closes as a false alarm: what was found in the zone "
            "belongs to the incident its alerts opened."
        )
    plate = _plate(outcome.vehicle_plate)
    country = outcome.vehicle_country.strip().upper()
    if plate and not _plate_ok(plate):
        errors["vehicle_plate"] = _(
            "A registration plate has letters, digits, spaces and hyphens only, at most {count}."
        ).format(count=MAX_PLATE)
    if country and not (len(country) == 2 and country.isascii() and country.isalpha()):
        errors["vehicle_country"] = _(
            "The country of registration is a two-letter code (FR, GB, PL…)."
        )
    elif plate and not country:
        errors["vehicle_country"] = _("Give the country of registration of the plate.")
    if outcome.vehicle_type and outcome.vehicle_type not in VehicleType.values:
        errors["vehicle_type"] = _("Choose a vehicle type from the list.")
    if outcome.concealment and outcome.concealment not in Concealment.values:
        errors["concealment"] = _("Choose a concealment method from the list.")
    haulier, notes = outcome.haulier.strip(), outcome.notes.strip()
    if len(haulier) > MAX_HAULIER:
        errors["haulier"] = _("At most {count} characters.").format(count=MAX_HAULIER)
    if len(notes) > MAX_NOTES:
        errors["notes"] = _("At most {count} characters.").format(count=MAX_NOTES)
    if errors:
        raise ValidationError(errors)
    return {
        "result": result,
        "adults": outcome.adults,
        "minors": outcome.minors,
        "injured": outcome.injured,
        "needs": needs,
        "vehicle_plate": plate,
        "vehicle_country": country,
        "vehicle_type": outcome.vehicle_type,
        "haulier": haulier,
        "concealment": outcome.concealment,
        "notes": notes,
    }


def _programme_countries() -> frozenset[str]:
    """Every country of the programme: the site's and the other (a joint command's records)."""
    return frozenset(Country.objects.values_list("code", flat=True))


@transaction.atomic
def close_incident(
    incident: Incident, *, outcome: OutcomeInput, acting_user: Any
) -> IncidentOutcome:
    """Close an incident with what was found: the one way an operator closes one.

    In one transaction: the outcome checked and recorded, the procedure steps not ticked
    recorded as skipped (flagged to the supervisor), the teams still engaged freed, the
    incident moved to closed (timed, audited, announced to the boards), and when people were
    found, the handover that safeguarding takes up. Refusals are ValidationErrors on the
    outcome's fields, and nothing is written.
    """
    access.require_role(acting_user, Module.CONTROL_ROOM, Role.EDITOR)
    locked: Incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if locked.state == IncidentState.CLOSED:
        raise ValidationError(_("This incident is already closed."))
    values = _checked(outcome, locked)
    needs = values.pop("needs")
    record = IncidentOutcome(incident=locked, recorded_by=acting_user, **values)
    record.full_clean()
    record.save()
    audit.record_create(acting_user, record)
    checklists.skip_unticked(locked, acting_user=acting_user)
    teams.clear_dispatches(locked, acting_user=acting_user)
    move_incident(locked, to_state=IncidentState.CLOSED, acting_user=acting_user)
    if record.result == OutcomeResult.PEOPLE_FOUND:
        _hand_over(locked, record, needs, acting_user)
    return record


def safeguarding_agencies(site: Site) -> QuerySet[Agency]:
    """The agencies a handover from this site is named to: the humanitarian organisations and
    the prefecture of the site's country whose people take handovers up (safeguarding editors).

    The handover is TLP:AMBER, so these agencies and the originator alone see it; a
    voluntary-return officer (a viewer) or another country's caseworkers are not told.
    """
    takers = ModuleRole.objects.filter(
        user__agency=OuterRef("pk"),
        user__is_active=True,
        module=Module.SAFEGUARDING,
        role__gte=Role.EDITOR,
    )
    return Agency.objects.filter(country_id=site.country_id, kind__in=HANDOVER_AGENCY_KINDS).filter(
        Exists(takers)
    )


def _hand_over(
    incident: Incident, outcome: IncidentOutcome, needs: list[str], acting_user: Any
) -> Handover:
    """The people found, handed over to safeguarding: counts and needs, no identity.

    OFFICIAL rather than OFFICIAL-SENSITIVE: it names nobody, and the NGO caseworkers who
    take it up hold OFFICIAL clearance. TLP:AMBER with named agencies keeps it to the
    closing agency and the safeguarding agencies of the site's country.
    """
    site = Site.objects.get(pk=incident.zone.site_id)
    handover = Handover(
        incident=incident,
        site=site,
        people=outcome.people,
        minors=outcome.minors,
        injured=outcome.injured,
        needs=needs,
        classification=Classification.OFFICIAL,
        releasability=_programme_countries(),  # type: ignore[misc]  # a set of country codes
        tlp=TLP.AMBER,
        originator=acting_user.agency,
        created_by=acting_user,
    )
    handover.full_clean()
    handover.save()
    audit.record_create(acting_user, handover)
    # Named by the rule of every handover, not by a person disseminating: the closing
    # operator holds no safeguarding role, so ``disseminate``'s originator check does not apply.
    name_recipients(
        handover,
        acting_user=acting_user,
        agencies=safeguarding_agencies(site),
        purpose="people found handed over to safeguarding",
    )
    return handover


@transaction.atomic
def send_vehicle_report(incident: Incident, *, note: str = "", acting_user: Any) -> VehicleReport:
    """Send the vehicle and haulier of a closed incident to intelligence, once.

    OFFICIAL-SENSITIVE, releasable to both countries, TLP:GREEN: analysts of both sides see
    it; humanitarian agencies never do (the policy refuses them the intelligence module).
    """
    access.require_role(acting_user, Module.CONTROL_ROOM, Role.EDITOR)
    locked: Incident = Incident.objects.select_for_update().get(pk=incident.pk)
    outcome = IncidentOutcome.objects.filter(incident=locked).first()
    if locked.state != IncidentState.CLOSED or outcome is None:
        raise ValidationError(
            _("Close the incident with its outcome first: the report is made from it.")
        )
    if not outcome.vehicle_plate:
        raise ValidationError(_("The outcome names no vehicle: there is no plate to send."))
    if locked.vehicle_reports.exists():
        raise ValidationError(_("This vehicle has already been sent to intelligence."))
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": _("At most {count} characters.").format(count=MAX_NOTE)})
    report = VehicleReport(
        incident=locked,
        plate=outcome.vehicle_plate,
        country=outcome.vehicle_country,
        vehicle_type=outcome.vehicle_type,
        haulier=outcome.haulier,
        concealment=outcome.concealment,
        note=note,
        classification=Classification.OFFICIAL_SENSITIVE,
        releasability=_programme_countries(),  # type: ignore[misc]  # a set of country codes
        tlp=TLP.GREEN,
        originator=acting_user.agency,
        created_by=acting_user,
    )
    report.full_clean()
    report.save()
    audit.record_create(acting_user, report, purpose="vehicle sent to intelligence")
    live.incident_changed(locked.pk)
    return report


T = TypeVar("T", Handover, VehicleReport)


def _take_up(
    record: T, *, module: str, waiting: str, unseen: str, done: str, acting_user: Any
) -> T:
    """Take up a handover or a vehicle report: an editor of the receiving module, who may see
    it, once (its state leaves ``waiting``); stamped and audited."""
    access.require_role(acting_user, module, Role.EDITOR)
    locked: T = type(record).objects.select_for_update().get(pk=record.pk)
    if not access.can_view(acting_user, locked):
        raise PermissionDenied(unseen)
    if locked.state != waiting:
        raise ValidationError(done)
    before = audit.snapshot(locked)
    locked.state = "taken_up"  # HandoverState.TAKEN_UP == ReportState.TAKEN_UP
    locked.taken_up_by, locked.taken_up_at = acting_user, timezone.now()
    locked.save(update_fields=["state", "taken_up_by", "taken_up_at", "updated_at"])
    audit.record_update(acting_user, locked, before)
    return locked


@transaction.atomic
def take_up_handover(handover: Handover, *, acting_user: Any) -> Handover:
    """A safeguarding editor takes a handover up (and makes the referrals from it)."""
    return _take_up(
        handover,
        module=Module.SAFEGUARDING,
        waiting=HandoverState.PENDING,
        unseen=_("This handover is not addressed to your organisation."),
        done=_("This handover has already been taken up."),
        acting_user=acting_user,
    )


@transaction.atomic
def take_up_vehicle_report(report: VehicleReport, *, acting_user: Any) -> VehicleReport:
    """An intelligence editor takes a vehicle report up (to grade and link it)."""
    return _take_up(
        report,
        module=Module.INTELLIGENCE,
        waiting=ReportState.SENT,
        unseen=_("You may not see this report."),
        done=_("This report has already been taken up."),
        acting_user=acting_user,
    )


# Reads ------------------------------------------------------------------------------------


def handovers_for(user: Any, *, state: str | None = None) -> QuerySet[Handover]:
    """The handovers a person of safeguarding may see, newest first (``state`` filters)."""
    access.require_role(user, Module.SAFEGUARDING)
    qs: QuerySet[Handover] = Handover.objects.visible_to(user).select_related(
        "site__country", "originator", "taken_up_by__agency"
    )
    return qs.filter(state=state) if state else qs


def pending_handovers(user: Any) -> QuerySet[Handover]:
    """The handovers still waiting for safeguarding (what the safeguarding app takes up)."""
    return handovers_for(user, state=HandoverState.PENDING)


def vehicle_reports_for(user: Any, *, state: str | None = None) -> QuerySet[VehicleReport]:
    """The vehicle reports an intelligence role may see, newest first."""
    access.require_role(user, Module.INTELLIGENCE)
    qs: QuerySet[VehicleReport] = VehicleReport.objects.visible_to(user).select_related(
        "incident__zone__site", "originator", "taken_up_by__agency"
    )
    return qs.filter(state=state) if state else qs
