"""Record linkage: the review queue, decisions on candidate pairs, confirmed matches, the
export of pairs, the runs started from the page, and the save-time check.

A pair is shown only to someone who may see both of its records (the access policy on
``Entity``), so that the queue never reveals a record its viewer may not see. Investigations
editors record "not the same" and "unsure"; confirming "same", and any decision on a pair
already confirmed (the undo), needs the investigations approver role. No decision changes
either record: a confirmed match is a row saying two records are the same person, with the
history of who decided what, when and why.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import threading
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.core import audit
from entente.core.access import has_role, require_role
from entente.core.choices import TLP, AuditAction, Classification, Module, Role
from entente.core.markings import classification_label, combined_marking
from entente.intelligence.choices import EntityKind
from entente.intelligence.models import Entity
from entente.investigations.choices import MatchState, RunState
from entente.investigations.linkage import model
from entente.investigations.linkage import run as runs
from entente.investigations.models import BlockingKey, MatchCandidate, MatchDecision, ResolutionRun

log = logging.getLogger(__name__)

LINKED_KINDS = (EntityKind.PERSON, EntityKind.VEHICLE)
REASON_MAX = 2000


# --- what a viewer may see ------------------------------------------------------------------


def _visible_ids(user: Any) -> QuerySet[Any, dict[str, Any]]:
    return Entity.objects.visible_to(user).values("pk")


def candidates(
    user: Any, *, state: str | None = MatchState.PENDING, kind: str | None = None
) -> QuerySet[MatchCandidate]:
    """The pairs whose two records the user may see (investigations viewers and above)."""
    require_role(user, Module.INVESTIGATIONS)
    visible = _visible_ids(user)
    qs = MatchCandidate.objects.filter(left__in=visible, right__in=visible)
    if state:
        qs = qs.filter(state=state)
    if kind:
        qs = qs.filter(left__kind=kind)
    return qs.select_related("left__originator", "right__originator").order_by("-probability", "pk")


def get_candidate(user: Any, pk: int) -> MatchCandidate:
    """One pair, or the 404 of an absent record when either record is hidden from the user."""
    try:
        return candidates(user, state=None).get(pk=pk)
    except (MatchCandidate.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such record.")) from None


def read_candidate(user: Any, pk: int) -> MatchCandidate:
    """A pair opened for review: its two people's records are personal data, so the
    consultation is audited."""
    candidate = get_candidate(user, pk)
    audit.record(user, AuditAction.READ, candidate, purpose="record linkage review")
    return candidate


def history(candidate: MatchCandidate) -> QuerySet[MatchDecision]:
    return candidate.decisions.select_related("decided_by__agency")


def confirmed_matches(user: Any, entity: Entity) -> list[Entity]:
    """The records confirmed to be the same person or vehicle as ``entity``, among those the
    user may see ("same person as" on the entity's page)."""
    if not has_role(user, Module.INVESTIGATIONS):
        return []
    visible = _visible_ids(user)
    pairs = MatchCandidate.objects.filter(state=MatchState.SAME).filter(
        Q(left=entity, right__in=visible) | Q(right=entity, left__in=visible)
    )
    others = [p.right_id if p.left_id == entity.pk else p.left_id for p in pairs]
    return list(Entity.objects.filter(pk__in=others).select_related("originator"))


# --- decisions --------------------------------------------------------------------------------


@transaction.atomic
def decide(pk: int, *, acting_user: Any, state: str, reason: str) -> MatchCandidate:
    """Record a judgement on a pair: same, not the same, unsure (or back to review).

    Refused, with nothing written: a state that is not one of the choices, an empty reason,
    "same" (or any change to a pair already confirmed) by someone without the investigations
    approver role, anything by someone without the editor role.
    """
    require_role(acting_user, Module.INVESTIGATIONS, Role.EDITOR)
    candidate = get_candidate(acting_user, pk)
    candidate = MatchCandidate.objects.select_for_update().get(pk=candidate.pk)
    if state not in MatchState.values:
        raise ValidationError({"state": _("Choose same, not the same or unsure.")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why you decided this.")})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("Keep the reason under 2,000 characters.")})
    confirming = state == MatchState.SAME
    undoing = candidate.state == MatchState.SAME and state != MatchState.SAME
    if (confirming or undoing) and not has_role(acting_user, Module.INVESTIGATIONS, Role.APPROVER):
        raise PermissionDenied(
            _(
                "Only investigations approvers may confirm that two records are the same, "
                "or undo a confirmation."
            )
        )
    if state == candidate.state:
        raise ValidationError({"state": _("This pair already has that decision.")})
    before = candidate.state
    now = timezone.now()
    decision = MatchDecision.objects.create(
        candidate=candidate, state=state, reason=reason, decided_by=acting_user, decided_at=now
    )
    candidate.state = state
    candidate.decided_at = now
    candidate.save(update_fields=["state", "decided_at"])
    audit.record(
        acting_user,
        AuditAction.UPDATE,
        candidate,
        purpose="record linkage decision",
        changes={"state": [before, state], "reason": reason, "decision": decision.pk},
    )
    return candidate


# --- export -------------------------------------------------------------------------------------


def export_csv(user: Any, *, state: str | None = None) -> tuple[str, int]:
    """The pairs the user may see as CSV (all states, or one), their combined marking on the
    first and last line like the other exports; the export is audited. (text, pairs)."""
    require_role(user, Module.INVESTIGATIONS)
    if state is not None and state not in MatchState.values:
        raise ValidationError({"state": _("Choose same, not the same, unsure or to review.")})
    rows = list(candidates(user, state=state))
    marking = combined_marking([e for c in rows for e in (c.left, c.right)])
    level: int
    tlp: str
    if marking is None:
        level, tlp, countries = (
            Classification.OFFICIAL,
            TLP.GREEN,
            frozenset({user.agency.country.code}),
        )
    else:
        level, tlp, countries = marking.classification, marking.tlp, marking.releasability
    line = [
        _("Marking"),
        classification_label(level, user),
        f"TLP:{tlp}",
        _("Releasable to {countries}").format(countries=", ".join(sorted(countries))),
    ]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(line)
    writer.writerow(
        [
            _("Pair"),
            _("Decision"),
            _("Match probability"),
            _("Record"),
            _("Name"),
            _("Agency"),
            _("Other record"),
            _("Name"),
            _("Agency"),
            _("Decided"),
        ]
    )
    for c in rows:
        writer.writerow(
            [
                c.pk,
                c.state,
                f"{c.probability:.4f}",
                c.left_id,
                c.left.name,
                c.left.originator.code,
                c.right_id,
                c.right.name,
                c.right.originator.code,
                c.decided_at.isoformat(timespec="seconds") if c.decided_at else "",
            ]
        )
    writer.writerow(line)
    with transaction.atomic():
        audit.record(
            user,
            AuditAction.EXPORT,
            object_type="investigations.matchcandidate",
            purpose="record linkage export",
            changes={"state": state or "all", "pairs": len(rows)},
        )
    return out.getvalue(), len(rows)


# --- runs ---------------------------------------------------------------------------------------


def latest_runs(user: Any, *, limit: int = 10) -> list[ResolutionRun]:
    require_role(user, Module.INVESTIGATIONS)
    return list(ResolutionRun.objects.select_related("started_by")[:limit])


def get_run(user: Any, pk: int) -> ResolutionRun:
    require_role(user, Module.INVESTIGATIONS)
    try:
        return ResolutionRun.objects.select_related("started_by").get(pk=pk)
    except (ResolutionRun.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such record.")) from None


def _run_in_background(run_id: int) -> None:
    close_old_connections()
    try:
        runs.execute(ResolutionRun.objects.get(pk=run_id))
    except Exception:  # the run records its own failure
        log.exception("linkage run %s failed", run_id)
    finally:
        close_old_connections()


@transaction.atomic
def start_run(
    *,
    acting_user: Any,
    kind: str = EntityKind.PERSON,
    threshold: float = runs.DEFAULT_THRESHOLD,
    resume: int | None = None,
    backend: str | None = None,
    background: bool = True,
) -> ResolutionRun:
    """Start a run (or resume a stopped or failed one) from the page: investigations
    approvers. The run goes on in a thread of this process; its page polls its progress."""
    require_role(acting_user, Module.INVESTIGATIONS, Role.APPROVER)
    if kind not in LINKED_KINDS:
        raise ValidationError({"kind": _("Choose people or vehicles.")})
    if not 0 < threshold < 1:
        raise ValidationError({"threshold": _("The threshold is a probability between 0 and 1.")})
    if ResolutionRun.objects.filter(state=RunState.RUNNING).exists():
        raise ValidationError(_("A run is already under way: wait for it to finish."))
    if resume is not None:
        run = get_run(acting_user, resume)
        if run.state not in (RunState.PAUSED, RunState.FAILED, RunState.PENDING):
            raise ValidationError(_("Only a stopped or failed run can be resumed."))
    else:
        if backend is not None and backend not in runs.BACKENDS:
            raise ValidationError({"backend": _("Choose DuckDB or Spark.")})
        run = runs.start(kind=kind, user=acting_user, threshold=threshold, backend=backend)
    audit.record(
        acting_user,
        AuditAction.UPDATE if resume else AuditAction.CREATE,
        run,
        purpose="record linkage run",
    )
    if background:
        transaction.on_commit(
            lambda: threading.Thread(target=_run_in_background, args=(run.pk,), daemon=True).start()
        )
    return run


# --- the save-time check ------------------------------------------------------------------------


def _row(entity: Entity) -> model.Row:
    if entity.kind == EntityKind.PERSON:
        return model.person_row(
            entity.pk, entity.originator_id, entity.attributes or {}, entity.name
        )
    return model.vehicle_row(
        entity.pk, entity.originator_id, entity.identifier, entity.country, entity.attributes or {}
    )


@lru_cache(maxsize=8)
def _weights(kind: str, run_id: int | None) -> model.Weights:
    if run_id is None:
        return model.Weights.default(kind)
    path = runs.folder(ResolutionRun(pk=run_id)) / "model.json"
    try:
        return model.Weights.from_settings(kind, json.loads(path.read_text()))
    except (OSError, ValueError, KeyError):
        return model.Weights.default(kind)


def weights(kind: str) -> tuple[model.Weights, float]:
    """The latest finished run's trained model (the priors before any run) and its threshold."""
    last = (
        ResolutionRun.objects.filter(kind=kind, state=RunState.DONE)
        .order_by("-finished_at", "-pk")
        .values_list("pk", "params")
        .first()
    )
    if last is None:
        return _weights(kind, None), runs.DEFAULT_THRESHOLD
    return _weights(kind, last[0]), float((last[1] or {}).get("threshold", runs.DEFAULT_THRESHOLD))


# Neighbours read per blocking key at most: a key shared by thousands of records (a very
# common name and year) is capped, so that it can neither slow the save nor crowd out the
# neighbours of a rarer key (read first: the keys with the date come before the name alone).
NEIGHBOURS_PER_KEY = 400


def _neighbours(keys: list[str], entity: Entity) -> list[int]:
    """The other agencies' records sharing a key, rarest keys first, each key capped: one
    query (a capped SELECT per key, UNION ALL), answered from the (key, agency, record) index
    alone."""
    from django.db import connection

    table = connection.ops.quote_name(BlockingKey._meta.db_table)
    ordered = sorted(keys, key=lambda k: model.key_rarity(entity.kind, k))
    # Our table and aliases; the keys and the agency are parameters.
    one = f'SELECT entity_id FROM {table} WHERE "key" = %s AND agency_id <> %s LIMIT %s'  # noqa: S608
    sql = " UNION ALL ".join(f"SELECT * FROM ({one}) AS k{i}" for i in range(len(ordered)))  # noqa: S608
    params: list[Any] = []
    for key in ordered:
        params += [key, entity.originator_id, NEIGHBOURS_PER_KEY]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = dict.fromkeys(pk for (pk,) in cursor.fetchall())
    found.pop(entity.pk, None)
    return list(found)


def _rows(kind: str, ids: list[int]) -> list[model.Row]:
    """The model's rows of these records: only the columns it reads, no model instances.
    Looked up by primary key alone, the kind checked here: with the kind in the query, SQLite
    without fresh statistics (after a bulk load) reads every record of the kind through the
    (kind, identifier) index instead, a hundred times slower at a million records."""
    fields = ("pk", "kind", "originator_id", "name", "identifier", "country", "attributes")
    out = []
    for i in range(0, len(ids), 500):  # SQLite's bound on query parameters, with room
        for pk, of_kind, agency, name, identifier, country, attributes in Entity.objects.filter(
            pk__in=ids[i : i + 500]
        ).values_list(*fields):
            if of_kind != kind:
                continue
            if kind == EntityKind.PERSON:
                out.append(model.person_row(pk, agency, attributes or {}, name))
            else:
                out.append(model.vehicle_row(pk, agency, identifier, country, attributes or {}))
    return out


def check_record(entity: Entity, *, threshold: float | None = None) -> list[MatchCandidate]:
    """Index a person or vehicle record's blocking keys and compare it, with the trained
    model, with the other agencies' records sharing a key; pairs above the threshold become
    pending candidates (an existing pair is left as it is). Returns the new pairs.

    The neighbours are read from the keys' index, then only their compared columns; each is
    scored in Python with the run's weights (the same as Splink's), the cheap comparisons
    first, so that a neighbour that cannot reach the threshold is dropped before its names
    are compared."""
    if entity.kind not in LINKED_KINDS or entity.pk is None:
        return []
    row = _row(entity)
    keys = model.block_keys(entity.kind, row)
    w, default_threshold = weights(entity.kind)
    cut = model.weight_of(default_threshold if threshold is None else threshold)
    with transaction.atomic():
        BlockingKey.objects.filter(entity_id=entity.pk).delete()
        BlockingKey.objects.bulk_create(
            BlockingKey(entity_id=entity.pk, key=k, agency_id=entity.originator_id) for k in keys
        )
        if not keys:
            return []
        found = []
        for other in _rows(entity.kind, _neighbours(keys, entity)):
            scored = w.score_above(row, other, cut)
            if scored is None:
                continue
            weight, probability, levels = scored
            left, right = sorted((entity.pk, other["unique_id"]))
            found.append(
                MatchCandidate(
                    left_id=left,
                    right_id=right,
                    probability=probability,
                    match_weight=weight,
                    comparison={"levels": levels, "source": "save"},
                )
            )
        if found:
            MatchCandidate.objects.bulk_create(found, ignore_conflicts=True)
    return found


def index_records(kind: str, *, batch: int = 20_000) -> int:
    """Write the blocking keys of every record of the kind (after a bulk load that bypassed
    the save-time check); returns how many keys. Plain ``executemany`` (no model instances):
    a million records have three million keys."""
    from django.db import connection

    BlockingKey.objects.filter(entity__kind=kind).delete()
    table = connection.ops.quote_name(BlockingKey._meta.db_table)
    sql = f"INSERT INTO {table} (entity_id, key, agency_id) VALUES (%s, %s, %s)"  # noqa: S608
    count = 0
    for rows in runs.rows(kind, batch=batch):
        keys = [(r["unique_id"], k, r["agency"]) for r in rows for k in model.block_keys(kind, r)]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, keys)
        count += len(keys)
    return count


def on_entity_saved(
    sender: Any, instance: Entity, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    """post_save of Entity (registered in InvestigationsConfig.ready): the save-time check,
    after the saving transaction commits, so that a failure here never loses the record."""
    if raw or instance.kind not in LINKED_KINDS:
        return
    pk = instance.pk
    transaction.on_commit(lambda: _check_saved(pk))


def _check_saved(pk: int) -> None:
    entity = Entity.objects.filter(pk=pk).first()
    if entity is not None:
        try:
            check_record(entity)
        except Exception:  # the record is saved; a run will find its matches later
            log.exception("save-time linkage check failed for entity %s", pk)


def describe(candidate: MatchCandidate) -> Iterable[tuple[str, str]]:
    """The comparison that made the pair a candidate: (comparison, level) for the page."""
    labels = {
        "name": _("Names"),
        "birth_date": _("Date of birth"),
        "nationality": _("Nationality"),
        "gender": _("Gender"),
        "plate": _("Plate"),
        "country": _("Country"),
        "vehicle_type": _("Vehicle type"),
    }
    levels = {
        "missing": _("missing on one side"),
        "same spelling": _("same spelling"),
        "same names swapped": _("same names, given and family swapped"),
        "same romanisation": _("same names in another romanisation"),
        "close (JW 0.92)": _("very close spelling"),
        "similar (JW 0.85)": _("similar spelling"),
        "different": _("different"),
        "same date": _("same date"),
        "day and month swapped": _("day and month swapped"),
        "within a month": _("within a month"),
        "within a year": _("within a year"),
        "within a year, estimated": _("within a year, one date estimated"),
        "within two years, estimated": _("within two years, one date estimated"),
        "same": _("same"),
        "same plate": _("same plate"),
        "look-alike characters": _("same plate but for look-alike characters"),
        "close (JW 0.9)": _("very close plate"),
    }
    for name, level in (candidate.comparison or {}).get("levels", {}).items():
        yield str(labels.get(name, name)), str(levels.get(level, level))
