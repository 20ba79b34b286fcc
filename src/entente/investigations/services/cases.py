"""Investigations services: joint investigation files, their members, reports, entities and
tasks (actions: services.actions). Every function takes the acting user, runs in one
transaction and audits what it writes.

Rules kept here (docs: the investigator's guide):

* **Two leads.** A joint investigation is led by one French and one British law-enforcement
  agency; the person who opens it belongs to one of them and becomes its first lead member.
* **Who sees it.** It is releasable to both countries and marked TLP:AMBER (or stricter).
  The two lead agencies and every member are named as its recipients (core's Recipient), so
  the one access policy shows an AMBER file to both lead agencies and its members, and a RED
  file to its members only.
* **Who writes.** Investigations editors who are members with contribute access record
  reports, entities, tasks and actions; lead members change the membership and close the
  file. A closed file takes no more writes until a lead reopens it.
* **Nothing half-written.** Each write checks everything first and raises one
  ValidationError naming each wrong field; it then writes in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.core import access, audit
from entente.core import services as core_services
from entente.core.choices import (
    TLP,
    AgencyKind,
    AuditAction,
    Classification,
    Language,
    Module,
    Role,
)
from entente.core.models import Agency, ModuleRole, Recipient, User
from entente.intelligence.choices import EntityKind
from entente.intelligence.models import Entity, Report
from entente.investigations.choices import EntityRole, InvestigationState, MemberAccess
from entente.investigations.models import (
    Action,
    Investigation,
    InvestigationEntity,
    Member,
    Network,
    Task,
)

MAX_TITLE = 300
MAX_SUMMARY = 20_000
JOINT = frozenset({"FR", "UK"})
# Agencies that may lead a criminal investigation (not an infrastructure operator).
LEAD_KINDS = frozenset(
    {AgencyKind.POLICE, AgencyKind.GENDARMERIE, AgencyKind.BORDER, AgencyKind.CRIME_AGENCY}
)
SHARED_TLP = (TLP.AMBER, TLP.AMBER_STRICT, TLP.RED)
READ_PURPOSE = "joint investigation consulted"
MEMBERS_PURPOSE = "joint investigation: members"


# Reading --------------------------------------------------------------------------------------


def visible_investigations(user: Any) -> QuerySet[Investigation]:
    return Investigation.objects.visible_to(user).select_related(
        "lead_fr", "lead_uk", "network", "originator"
    )


def lead_agencies(country: str) -> QuerySet[Agency]:
    """Agencies of a country that may lead a joint investigation."""
    return (
        Agency.objects.select_related("country")
        .filter(country__code=country, kind__in=LEAD_KINDS)
        .order_by("code")
    )


def access_of(user: Any, investigation: Investigation) -> int:
    """The member access of a user in an investigation (0 when not a member)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    found = (
        Member.objects.filter(investigation=investigation, user_id=user.pk)
        .values_list("access", flat=True)
        .first()
    )
    return int(found or 0)


def may_write(
    user: Any, investigation: Investigation, level: int = MemberAccess.CONTRIBUTE
) -> bool:
    """Whether the user may write in an open investigation at this member level."""
    return (
        investigation.state == InvestigationState.OPEN
        and access.has_role(user, Module.INVESTIGATIONS, Role.EDITOR)
        and access_of(user, investigation) >= level
    )


def require_member(
    user: Any, investigation: Investigation, level: int = MemberAccess.CONTRIBUTE
) -> None:
    """PermissionDenied unless the user may write at ``level`` (the investigation is seen)."""
    if not access.can_view(user, investigation):
        raise PermissionDenied(_("You may not see this investigation."))
    access.require_role(user, Module.INVESTIGATIONS, Role.EDITOR)
    held = access_of(user, investigation)
    if held < level:
        if level >= MemberAccess.LEAD:
            raise PermissionDenied(_("Only lead members of the investigation may do this."))
        raise PermissionDenied(
            _("Only members of the investigation with contribute access may do this.")
        )
    if investigation.state != InvestigationState.OPEN:
        raise ValidationError(_("This investigation is closed: a lead reopens it first."))


@transaction.atomic
def record_read(investigation: Investigation, *, acting_user: User) -> bool:
    """Audit a consultation of the investigation when it shows the reader people (personal
    data): the people they may see among its entities."""
    people = sorted(
        Entity.objects.visible_to(acting_user)
        .filter(kind=EntityKind.PERSON, investigation_links__investigation=investigation)
        .values_list("pk", flat=True)
    )
    if not people:
        return False
    audit.record(
        acting_user,
        AuditAction.READ,
        investigation,
        purpose=READ_PURPOSE,
        changes={"people": people},
    )
    return True


@dataclass
class Contents:
    """What a reader sees inside an investigation: rows they may see, and counts of the
    linked reports and entities they may not (never which)."""

    members: list[Member]
    tasks: list[Task]
    actions: list[Action]
    reports: list[Report]
    entities: list[InvestigationEntity]
    hidden_reports: int
    hidden_entities: int
    visible_entity_ids: set[int] = field(default_factory=set)


def contents(investigation: Investigation, user: Any) -> Contents:
    """The members, tasks, actions and the visible reports and entities of a visible
    investigation (the caller has fetched it through the policy)."""
    linked = investigation.reports.all()
    reports = list(
        linked.visible_to(user).only("pk", "reference", "title", "language").order_by("reference")
    )
    rank = {EntityRole.TARGET: 0, EntityRole.MEMBER: 1, EntityRole.ASSOCIATE: 2}
    rows = sorted(
        investigation.entity_links.select_related("entity"),
        key=lambda r: (rank.get(r.role, 3), r.entity.name),  # type: ignore[call-overload]
    )
    seen = set(
        Entity.objects.visible_to(user)
        .filter(
            pk__in={r.entity_id for r in rows}
            | set(investigation.actions.exclude(entity=None).values_list("entity_id", flat=True))
        )
        .values_list("pk", flat=True)
    )
    today = timezone.localdate()
    tasks = list(investigation.tasks.select_related("assignee"))
    for task in tasks:
        task.overdue = is_overdue(task, today)  # type: ignore[attr-defined]
    return Contents(
        members=list(investigation.members.select_related("user__agency")),
        tasks=tasks,
        actions=list(investigation.actions.select_related("entity")),
        reports=reports,
        entities=[r for r in rows if r.entity_id in seen],
        hidden_reports=linked.count() - len(reports),
        hidden_entities=sum(1 for r in rows if r.entity_id not in seen),
        visible_entity_ids=seen,
    )


# The file -------------------------------------------------------------------------------------


def _next_reference(year: int) -> str:
    """ "JIT-2015-007": the year it was opened, its number that year."""
    prefix = f"JIT-{year}-"
    last = (
        Investigation.objects.filter(reference__startswith=prefix)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:03d}"


def _lead_errors(lead_fr: Agency | None, lead_uk: Agency | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name, agency, code in (("lead_fr", lead_fr, "FR"), ("lead_uk", lead_uk, "UK")):
        if agency is None:
            errors[name] = _("Choose the lead agency.")
        elif agency.country.code != code or agency.kind not in LEAD_KINDS:
            errors[name] = (
                _("The French lead is a French law-enforcement agency.")
                if code == "FR"
                else _("The British lead is a British law-enforcement agency.")
            )
    return errors


def _text_errors(title: str, summary: str, language: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("Give the investigation a title.")
    elif len(title.strip()) > MAX_TITLE:
        errors["title"] = _("A title has at most {count} characters.").format(count=MAX_TITLE)
    if len(summary) > MAX_SUMMARY:
        errors["summary"] = _("A summary has at most {count} characters.").format(count=MAX_SUMMARY)
    if language not in Language.values:
        errors["language"] = _("Say which language the text is written in.")
    return errors


def _member_error(investigation: Investigation | None, person: User, level: int) -> str | None:
    """Why this person may not be a member at this level (None when they may)."""
    name = person.get_username()
    if level not in MemberAccess.values:
        return _("Unknown access level.")
    if not person.is_active or not access.has_role(person, Module.INVESTIGATIONS):
        return _("{user} holds no investigations role.").format(user=name)
    if level >= MemberAccess.CONTRIBUTE and not access.has_role(
        person, Module.INVESTIGATIONS, Role.EDITOR
    ):
        return _("{user} holds the investigations viewer role only: read access at most.").format(
            user=name
        )
    if investigation is not None and person.clearance < investigation.classification:
        return _("{user}'s clearance is below this investigation's classification.").format(
            user=name
        )
    return None


@transaction.atomic
def open_investigation(
    *,
    acting_user: User,
    title: str,
    lead_fr: Agency | None,
    lead_uk: Agency | None,
    summary: str = "",
    language: str = Language.ENGLISH,
    network: Network | None = None,
    opened_on: dt.date | None = None,
    classification: int = Classification.OFFICIAL_SENSITIVE,
    tlp: str = TLP.AMBER,
) -> Investigation:
    """Open a joint investigation (investigations editors of one of the two lead agencies).

    It is releasable to both countries; its author becomes its first lead member and both
    lead agencies are named as its recipients.
    """
    access.require_role(acting_user, Module.INVESTIGATIONS, Role.EDITOR)
    agency = acting_user.agency
    assert agency is not None  # an editor always has an agency
    today = timezone.localdate()
    opened_on = opened_on or today
    codes, errors = core_services.marking_errors(
        originator=agency,
        releasability=JOINT,
        tlp=tlp,
        classification=classification,
        author=acting_user,
    )
    if "tlp" not in errors and tlp not in SHARED_TLP:
        errors["tlp"] = _(
            "A joint investigation is for its lead agencies and members: TLP:AMBER, "
            "AMBER+STRICT or RED."
        )
    errors.update(_lead_errors(lead_fr, lead_uk))
    if "lead_fr" not in errors and "lead_uk" not in errors and agency not in (lead_fr, lead_uk):
        errors["lead_fr"] = _(
            "You open an investigation for your own agency: it must be one of the two leads."
        )
    errors.update(_text_errors(title, summary, language))
    if opened_on > today:
        errors["opened_on"] = _("The date cannot be in the future.")
    if network is not None and not access.can_view(acting_user, network):
        errors["network"] = _("No such network.")
    if errors:
        raise ValidationError(errors)
    assert lead_fr is not None and lead_uk is not None
    investigation = Investigation(
        reference=_next_reference(opened_on.year),
        title=title.strip(),
        summary=summary.strip(),
        language=language,
        lead_fr=lead_fr,
        lead_uk=lead_uk,
        network=network,
        opened_on=opened_on,
        classification=classification,
        releasability=codes,  # type: ignore[misc]  # CountrySetField takes a set of codes
        tlp=tlp,
        originator=agency,
        created_by=acting_user,
    )
    investigation.full_clean()
    investigation.save()
    audit.record_create(acting_user, investigation)
    core_services.name_recipients(
        investigation,
        acting_user=acting_user,
        agencies=[lead_fr, lead_uk],
        purpose=MEMBERS_PURPOSE,
    )
    _put_member(investigation, acting_user, MemberAccess.LEAD, acting_user)
    return investigation


@transaction.atomic
def update_investigation(
    investigation: Investigation,
    *,
    acting_user: User,
    title: str,
    summary: str,
    language: str,
    network: Network | None,
) -> Investigation:
    """Change the title, summary and target network (members with contribute access)."""
    require_member(acting_user, investigation)
    errors = _text_errors(title, summary, language)
    if network is not None and not access.can_view(acting_user, network):
        errors["network"] = _("No such network.")
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(investigation)
    investigation.title, investigation.summary = title.strip(), summary.strip()
    investigation.language, investigation.network = language, network
    investigation.save()
    audit.record_update(acting_user, investigation, before)
    return investigation


@transaction.atomic
def close_investigation(
    investigation: Investigation, *, acting_user: User, on: dt.date | None = None
) -> Investigation:
    """Close the file (lead members); it then takes no more writes."""
    require_member(acting_user, investigation, MemberAccess.LEAD)
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"on": _("The date cannot be in the future.")})
    if on < investigation.opened_on:
        raise ValidationError({"on": _("An investigation closes on or after the day it opened.")})
    before = audit.snapshot(investigation)
    investigation.state, investigation.closed_on = InvestigationState.CLOSED, on
    investigation.save()
    audit.record_update(acting_user, investigation, before)
    return investigation


@transaction.atomic
def reopen_investigation(investigation: Investigation, *, acting_user: User) -> Investigation:
    """Reopen a closed file (lead members)."""
    if not access.can_view(acting_user, investigation):
        raise PermissionDenied(_("You may not see this investigation."))
    if not (
        access.has_role(acting_user, Module.INVESTIGATIONS, Role.EDITOR)
        and access_of(acting_user, investigation) >= MemberAccess.LEAD
    ):
        raise PermissionDenied(_("Only lead members of the investigation may do this."))
    if investigation.state == InvestigationState.OPEN:
        raise ValidationError(_("This investigation is already open."))
    before = audit.snapshot(investigation)
    investigation.state, investigation.closed_on = InvestigationState.OPEN, None
    investigation.save()
    audit.record_update(acting_user, investigation, before)
    return investigation


# Members --------------------------------------------------------------------------------------


def _put_member(investigation: Investigation, person: User, level: int, actor: User) -> Member:
    member = Member.objects.filter(investigation=investigation, user=person).first()
    if member is None:
        member = Member.objects.create(investigation=investigation, user=person, access=level)
        audit.record_create(actor, member)
        core_services.name_recipients(
            investigation, acting_user=actor, users=[person], purpose=MEMBERS_PURPOSE
        )
    elif member.access != level:
        before = audit.snapshot(member)
        member.access = level
        member.save()
        audit.record_update(actor, member, before)
    return member


def _leads_after(investigation: Investigation, person: User, level: int | None) -> int:
    leads = set(
        Member.objects.filter(
            investigation=investigation, access__gte=MemberAccess.LEAD
        ).values_list("user_id", flat=True)
    )
    leads.discard(person.pk)
    if level is not None and level >= MemberAccess.LEAD:
        leads.add(person.pk)
    return len(leads)


@transaction.atomic
def set_member(
    investigation: Investigation, *, acting_user: User, user: User, access_level: int
) -> Member:
    """Add a member or change their access (lead members). The person is named as a
    recipient of the investigation, so the access policy lets them see it."""
    require_member(acting_user, investigation, MemberAccess.LEAD)
    problem = _member_error(investigation, user, access_level)
    if problem is None and _leads_after(investigation, user, access_level) == 0:
        problem = _("An investigation keeps at least one lead member.")
    if problem:
        raise ValidationError({"user": problem})
    return _put_member(investigation, user, access_level, acting_user)


@transaction.atomic
def remove_member(investigation: Investigation, *, acting_user: User, user: User) -> None:
    """Take someone off the investigation (lead members); they are no longer its recipient."""
    require_member(acting_user, investigation, MemberAccess.LEAD)
    member = Member.objects.filter(investigation=investigation, user=user).first()
    if member is None:
        raise ValidationError({"user": _("{user} is not a member.").format(user=user)})
    if _leads_after(investigation, user, None) == 0:
        raise ValidationError({"user": _("An investigation keeps at least one lead member.")})
    audit.record_delete(acting_user, member)
    member.delete()
    ct = ContentType.objects.get_for_model(Investigation)
    Recipient.objects.filter(content_type=ct, object_id=investigation.pk, user=user).delete()
    audit.record(
        acting_user,
        AuditAction.UPDATE,
        investigation,
        purpose=MEMBERS_PURPOSE,
        changes={"recipients_removed": [user.get_username()]},
    )


def candidate_members(investigation: Investigation) -> QuerySet[User]:
    """People who could be added: investigations role holders of the two countries."""
    holders = ModuleRole.objects.filter(module=Module.INVESTIGATIONS, role__gte=Role.VIEWER)
    return (
        User.objects.filter(
            is_active=True,
            pk__in=holders.values("user_id"),
            agency__country__code__in=sorted(JOINT),
            agency__kind__in=LEAD_KINDS,
        )
        .select_related("agency")
        .order_by("agency__code", "username")
    )


# Reports and entities -------------------------------------------------------------------------


@transaction.atomic
def link_report(investigation: Investigation, *, acting_user: User, report: Report | int) -> None:
    """Link an intelligence report the user can see (members with contribute access)."""
    require_member(acting_user, investigation)
    pk = report.pk if isinstance(report, Report) else int(report)
    found = Report.objects.visible_to(acting_user).filter(pk=pk).first()
    if found is None:
        raise ValidationError({"report": _("You may link only reports you can see.")})
    if investigation.reports.filter(pk=found.pk).exists():
        return
    investigation.reports.add(found)
    audit.record(
        acting_user, AuditAction.UPDATE, investigation, changes={"reports_added": [found.reference]}
    )


@transaction.atomic
def unlink_report(investigation: Investigation, *, acting_user: User, report: Report) -> None:
    require_member(acting_user, investigation)
    if not investigation.reports.filter(pk=report.pk).exists():
        raise ValidationError({"report": _("This report is not linked to the investigation.")})
    investigation.reports.remove(report)
    audit.record(
        acting_user,
        AuditAction.UPDATE,
        investigation,
        changes={"reports_removed": [report.reference]},
    )


def find_entity(user: Any, text: str) -> Entity:
    """The one entity the user sees named by ``text``: its number, its identifier (as typed,
    or with spaces and dashes left out as plates and phones are keyed) or its exact name.
    ValidationError when none or several match."""
    text = text.strip()
    visible: QuerySet[Entity] = Entity.objects.visible_to(user)
    if text.isdigit() and len(text) < 19:
        found = visible.filter(pk=int(text)).first()
        if found is not None:
            return found
    key = text.replace(" ", "").replace("-", "").upper()
    matches: list[Entity] = (
        list(visible.filter(Q(identifier__iexact=text) | Q(identifier__iexact=key))[:2])
        if key
        else []
    )
    if not matches:
        matches = list(visible.filter(name__iexact=text)[:2]) if text else []
    if not matches:
        raise ValidationError({"entity": _("You may add only entities you can see.")})
    if len(matches) > 1:
        raise ValidationError(
            {
                "entity": _(
                    "Several entities you may see match “{text}”: give the identifier or the "
                    "number."
                ).format(text=text)
            }
        )
    return matches[0]


@transaction.atomic
def add_entity(
    investigation: Investigation,
    *,
    acting_user: User,
    entity: Entity | int,
    role: str = EntityRole.ASSOCIATE,
) -> InvestigationEntity:
    """Put an entity the user can see in the investigation with a role, or change its role."""
    require_member(acting_user, investigation)
    errors: dict[str, str] = {}
    pk = entity.pk if isinstance(entity, Entity) else int(entity)
    found = Entity.objects.visible_to(acting_user).filter(pk=pk).first()
    if found is None:
        errors["entity"] = _("You may add only entities you can see.")
    if role not in EntityRole.values:
        errors["role"] = _("Unknown role.")
    if errors:
        raise ValidationError(errors)
    assert found is not None  # refused above otherwise
    row = InvestigationEntity.objects.filter(investigation=investigation, entity=found).first()
    if row is None:
        row = InvestigationEntity.objects.create(
            investigation=investigation, entity=found, role=role, added_by=acting_user
        )
        audit.record_create(acting_user, row)
    elif row.role != role:
        before = audit.snapshot(row)
        row.role = role
        row.save()
        audit.record_update(acting_user, row, before)
    return row


@transaction.atomic
def remove_entity(investigation: Investigation, *, acting_user: User, entity: Entity) -> None:
    require_member(acting_user, investigation)
    row = InvestigationEntity.objects.filter(investigation=investigation, entity=entity).first()
    if row is None:
        raise ValidationError({"entity": _("This entity is not in the investigation.")})
    audit.record_delete(acting_user, row)
    row.delete()


# Tasks ----------------------------------------------------------------------------------------


def is_overdue(task: Task, today: dt.date | None = None) -> bool:
    return (
        task.done_at is None
        and task.due_on is not None
        and task.due_on < (today or timezone.localdate())
    )


@transaction.atomic
def add_task(
    investigation: Investigation,
    *,
    acting_user: User,
    title: str,
    due_on: dt.date | None = None,
    assignee: User | None = None,
) -> Task:
    """Set a task, with a deadline and a member to do it (members with contribute access)."""
    require_member(acting_user, investigation)
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("Say what is to be done.")
    elif len(title.strip()) > MAX_TITLE:
        errors["title"] = _("A title has at most {count} characters.").format(count=MAX_TITLE)
    if due_on is not None and due_on < investigation.opened_on:
        errors["due_on"] = _("A deadline cannot be before the investigation opened.")
    if assignee is not None and access_of(assignee, investigation) < MemberAccess.CONTRIBUTE:
        errors["assignee"] = _("A task goes to a member with contribute access.")
    if errors:
        raise ValidationError(errors)
    task = Task.objects.create(
        investigation=investigation,
        title=title.strip(),
        due_on=due_on,
        assignee=assignee,
        created_by=acting_user,
    )
    audit.record_create(acting_user, task)
    return task


@transaction.atomic
def complete_task(task: Task, *, acting_user: User, at: dt.datetime | None = None) -> Task:
    """Mark a task done, now or when it was (not in the future)."""
    require_member(acting_user, task.investigation)
    if task.done_at is not None:
        raise ValidationError(_("This task is already done."))
    now = timezone.now()
    if at is not None and at > now:
        raise ValidationError({"at": _("The date cannot be in the future.")})
    before = audit.snapshot(task)
    task.done_at = at or now
    task.save()
    audit.record_update(acting_user, task, before)
    return task


def members_of(investigation: Investigation) -> Sequence[Member]:
    return list(investigation.members.select_related("user__agency"))


__all__ = [
    "LEAD_KINDS",
    "Contents",
    "access_of",
    "add_entity",
    "add_task",
    "candidate_members",
    "close_investigation",
    "complete_task",
    "contents",
    "find_entity",
    "is_overdue",
    "lead_agencies",
    "link_report",
    "may_write",
    "members_of",
    "open_investigation",
    "record_read",
    "remove_entity",
    "remove_member",
    "reopen_investigation",
    "require_member",
    "set_member",
    "unlink_report",
    "update_investigation",
]
