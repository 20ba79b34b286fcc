"""Operators correct the correlation: merge incidents that are one event, split one that is two.

Correlation joins the alerts of one zone close in time; it cannot know that a fence breach and
a person seen on the platform a few minutes later are the same people, or that two lorries in
one search bay are two events. Editors of the control room merge incidents of one site into
one (the others close, pointing to it) and split chosen alerts off into a new incident. The
alert count, last alert time, severity and kind of each incident touched are computed again
from its alerts, the same way the intake computes them. Every change is audited and announced
to the live boards.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.control_room import live
from entente.control_room.choices import DispatchState, IncidentState, severity_of
from entente.control_room.models import Alert, ChecklistEntry, Dispatch, Incident
from entente.core import access, audit
from entente.core.access import OPEN_TLP
from entente.core.choices import AuditAction, Module, Role
from entente.core.models import Recipient
from entente.core.services import name_recipients

RECOMPUTED = ("alert_count", "last_alert_at", "severity", "kind", "updated_at")


def _recompute(incident: Incident) -> None:
    """Alert count, last alert time, severity and kind from the incident's alerts, as the
    intake builds them: the first alert sets the kind and severity, a later alert of higher
    severity raises both. An incident left without alerts keeps its kind and severity."""
    rows = list(
        Alert.objects.filter(incident=incident)
        .order_by("occurred_at", "pk")
        .values_list("occurred_at", "kind", "confidence")
    )
    incident.alert_count = len(rows)
    if not rows:
        return
    incident.kind = rows[0][1]
    incident.severity = severity_of(rows[0][1], rows[0][2])
    for _at, kind, confidence in rows[1:]:
        level = severity_of(kind, confidence)
        if level > incident.severity:
            incident.severity, incident.kind = level, kind
    incident.last_alert_at = max(at for at, _kind, _confidence in rows)


def _ids(items: Iterable[Incident | int]) -> list[int]:
    ids = []
    for item in items:
        pk = item.pk if isinstance(item, Incident) else item
        if not isinstance(pk, int) or isinstance(pk, bool):
            raise ValidationError({"incidents": _("Name incidents by their number.")})
        ids.append(pk)
    return ids


def _same_marking(a: Incident, b: Incident) -> bool:
    """Whether the alerts of one incident may join the other without being shown to anyone
    who could not see them before (recipients count only under AMBER and RED)."""
    if (a.classification, a.releasability, a.tlp) != (b.classification, b.releasability, b.tlp):
        return False
    if a.tlp in OPEN_TLP:
        return True
    return a.originator_id == b.originator_id and _recipients(a) == _recipients(b)


def _recipients(incident: Incident) -> set[tuple[int | None, int | None]]:
    ct = ContentType.objects.get_for_model(Incident)
    return set(
        Recipient.objects.filter(content_type=ct, object_id=incident.pk).values_list(
            "agency_id", "user_id"
        )
    )


@transaction.atomic
def merge_incidents(
    target: Incident, others: Iterable[Incident | int], *, acting_user: Any
) -> Incident:
    """Merge other incidents of the same site into ``target``: their alerts move to it, they
    close pointing to it (``merged_into``), and the target's figures are computed again.

    Refused: nothing to merge, an incident into itself, a closed incident, an incident the
    user may not see (or that does not exist: the same answer), incidents of different sites
    or with different markings. Their checklist entries for steps the target has not recorded,
    and the teams still engaged on them, go over to the target.
    """
    access.require_role(acting_user, Module.CONTROL_ROOM, Role.EDITOR)
    other_ids = list(dict.fromkeys(_ids(others)))
    if not other_ids:
        raise ValidationError({"incidents": _("Choose at least one incident to merge.")})
    if target.pk in other_ids:
        raise ValidationError({"incidents": _("An incident cannot be merged into itself.")})
    every = [target.pk, *other_ids]
    visible = set(
        Incident.objects.visible_to(acting_user).filter(pk__in=every).values_list("pk", flat=True)
    )
    hidden = [pk for pk in every if pk not in visible]
    if hidden:
        raise ValidationError(
            {
                "incidents": _("There is no incident {ids} that you may see.").format(
                    ids=", ".join(str(pk) for pk in hidden)
                )
            }
        )
    # Locked in one order (by number) so that two merges of the same incidents cannot deadlock.
    locked: dict[int, Incident] = {
        i.pk: i for i in Incident.objects.select_for_update().filter(pk__in=every).order_by("pk")
    }
    into = locked[target.pk]
    merged = [locked[pk] for pk in other_ids]
    closed = [i.pk for i in [into, *merged] if i.state == IncidentState.CLOSED]
    if closed:
        raise ValidationError(
            {
                "incidents": _(
                    "Incident {ids} is closed; closed incidents cannot be merged."
                ).format(ids=", ".join(str(pk) for pk in closed))
            }
        )
    sites = {
        zone_site
        for zone_site in Incident.objects.filter(pk__in=every).values_list(
            "zone__site_id", flat=True
        )
    }
    if len(sites) > 1:
        raise ValidationError({"incidents": _("Only incidents of one site can be merged.")})
    if any(not _same_marking(into, other) for other in merged):
        raise ValidationError(
            {
                "incidents": _(
                    "These incidents carry different markings: merging would show alerts to "
                    "people who may not see them."
                )
            }
        )

    before = audit.snapshot(into)
    moved = Alert.objects.filter(incident_id__in=other_ids).update(incident=into)
    _carry_checklists(into, other_ids, acting_user)
    _carry_dispatches(into, other_ids, acting_user)
    _recompute(into)
    into.save(update_fields=list(RECOMPUTED))
    audit.record(
        acting_user,
        AuditAction.UPDATE,
        into,
        purpose="merge",
        changes={**audit.diff(before, audit.snapshot(into)), "merged": other_ids, "alerts": moved},
    )
    now = timezone.now()
    for other in merged:
        previous = audit.snapshot(other)
        other.state, other.closed_at, other.merged_into = IncidentState.CLOSED, now, into
        other.alert_count = 0
        other.save(update_fields=["state", "closed_at", "merged_into", "alert_count", "updated_at"])
        audit.record_update(acting_user, other, previous, purpose="merge")
        live.incident_changed(other.pk)
    live.incident_changed(into.pk)
    return into


def _carry_checklists(into: Incident, other_ids: list[int], acting_user: Any) -> None:
    """Steps recorded on the merged incidents and not yet on the target go over to it: the
    work done is not lost, and no step is recorded twice."""
    have = set(ChecklistEntry.objects.filter(incident=into).values_list("step_id", flat=True))
    for entry in ChecklistEntry.objects.filter(incident_id__in=other_ids).order_by("at", "pk"):
        if entry.step_id in have:
            continue
        before = audit.snapshot(entry)
        entry.incident = into
        entry.save(update_fields=["incident"])
        audit.record_update(acting_user, entry, before, purpose="merge")
        have.add(entry.step_id)


def _carry_dispatches(into: Incident, other_ids: list[int], acting_user: Any) -> None:
    """Teams still engaged on a merged incident are working the merged event: their
    dispatches follow it rather than being left on a closed incident."""
    engaged = Dispatch.objects.filter(incident_id__in=other_ids).exclude(
        state=DispatchState.CLEARED
    )
    for dispatch in engaged.select_for_update():
        before = audit.snapshot(dispatch)
        dispatch.incident = into
        dispatch.save(update_fields=["incident"])
        audit.record_update(acting_user, dispatch, before, purpose="merge")


@transaction.atomic
def split_incident(incident: Incident, alert_ids: Iterable[int], *, acting_user: Any) -> Incident:
    """Move chosen alerts of an open incident to a new incident of the same zone, with the
    same markings (and named recipients); both incidents' figures are computed again.
    Returns the new incident. Taking none of the alerts, or all of them, is refused."""
    access.require_role(acting_user, Module.CONTROL_ROOM, Role.EDITOR)
    if not access.can_view(acting_user, incident):
        raise PermissionDenied(_("You may not see this incident."))
    source: Incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if source.state == IncidentState.CLOSED:
        raise ValidationError(_("This incident is closed; a closed incident cannot be split."))
    chosen = set()
    for pk in alert_ids:
        if not isinstance(pk, int) or isinstance(pk, bool):
            raise ValidationError({"alerts": _("Name alerts by their number.")})
        chosen.add(pk)
    if not chosen:
        raise ValidationError({"alerts": _("Choose the alerts to move to a new incident.")})
    own = set(Alert.objects.filter(incident=source).values_list("pk", flat=True))
    foreign = sorted(chosen - own)
    if foreign:
        raise ValidationError(
            {
                "alerts": _("Alert {ids} is not one of this incident's alerts.").format(
                    ids=", ".join(str(pk) for pk in foreign)
                )
            }
        )
    if chosen == own:
        raise ValidationError(
            {"alerts": _("Leave at least one alert on this incident: a split takes only some.")}
        )
    first = (
        Alert.objects.filter(pk__in=chosen)
        .order_by("occurred_at", "pk")
        .values_list("occurred_at", flat=True)
    )[0]
    new = Incident.objects.create(
        zone_id=source.zone_id,
        kind=source.kind,
        severity=source.severity,
        opened_at=first,
        last_alert_at=first,
        classification=source.classification,
        releasability=source.releasability,  # type: ignore[misc]  # a set of country codes
        tlp=source.tlp,
        originator_id=source.originator_id,
        created_by=acting_user,
    )
    Alert.objects.filter(pk__in=chosen).update(incident=new)
    _recompute(new)
    new.save(update_fields=list(RECOMPUTED))
    _copy_recipients(source, new, acting_user)
    audit.record(
        acting_user,
        AuditAction.CREATE,
        new,
        purpose="split",
        changes={"after": audit.snapshot(new), "split_from": source.pk, "alerts": sorted(chosen)},
    )
    before = audit.snapshot(source)
    _recompute(source)
    source.save(update_fields=list(RECOMPUTED))
    audit.record(
        acting_user,
        AuditAction.UPDATE,
        source,
        purpose="split",
        changes={
            **audit.diff(before, audit.snapshot(source)),
            "split_to": new.pk,
            "alerts": sorted(chosen),
        },
    )
    live.incident_changed(source.pk)
    live.incident_changed(new.pk)
    return new


def _copy_recipients(source: Incident, new: Incident, acting_user: Any) -> None:
    """The new incident is seen by the same people as the one it came from."""
    ct = ContentType.objects.get_for_model(Incident)
    named = list(
        Recipient.objects.filter(content_type=ct, object_id=source.pk).select_related(
            "agency__country", "user__agency__country"
        )
    )
    name_recipients(
        new,
        acting_user=acting_user,
        agencies=[r.agency for r in named if r.agency],
        users=[r.user for r in named if r.user],
        purpose="split",
    )
