"""The graph a user may see: links they may see whose two ends they may also see.

Everything that draws or analyses the graph (the link chart, network analysis) starts here, so
that no chart, table or count reveals a record the access policy hides. The policy itself is
``Model.objects.visible_to``: this module never decides by hand who sees what, it only asks the
policy about the few rows a chart needs (a neighbourhood, a path), through the link indexes on
(source, kind) and (target, kind), reading ``values()`` rather than model instances so that an
expand stays within a few queries and milliseconds on a graph of a million links.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Count, Exists, F, Lookup, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.control_room.models import Incident
from entente.core import access, compiled
from entente.core.models import Recipient
from entente.intelligence.choices import EntityKind
from entente.intelligence.models import Entity, Report
from entente.investigations.choices import ActionKind, Jurisdiction, LinkKind
from entente.investigations.models import (
    Action,
    GraphVersion,
    Investigation,
    InvestigationEntity,
    Link,
)

# The ids sent in one IN (...): SQLite takes at most 32,766 parameters in a statement.
CHUNK = 2000
# Beyond this many links a "shortest path" means nothing to an investigator, and the search
# would walk most of a large graph: paths are looked for up to this length.
MAX_PATH = 6
# A chart of more nodes than this is unreadable: an expand stops adding nodes past it (the
# nodes it leaves out are counted in ``Subgraph.truncated``).
MAX_NODES = 2000
# A two-hop neighbourhood reads the links of the entity's neighbours up to this many (counted
# over all their links, seen or not), the neighbours with the fewest links first; the others
# are left as the outer ring is, not counted until expanded. On a graph with hubs the
# neighbours of a neighbour can number tens of thousands, far beyond what a chart can show;
# a thousand entities two hops out is already more than an investigator reads on one chart,
# and keeps a two-hop answer within tens of milliseconds (benchmarks/graph.py).
SECOND_HOP_LINKS = 1000

ENTITY_FIELDS = ("pk", "kind", "name", "country")
LINK_FIELDS = (
    "pk",
    "source_id",
    "target_id",
    "kind",
    "starts_on",
    "ends_on",
    "confidence",
    "report_id",
    "incident_id",
    "investigation_id",
    "source_note",
)


def visible_entities(user: Any) -> QuerySet[Entity]:
    return Entity.objects.visible_to(user)


def _filtered(
    qs: QuerySet[Link],
    kinds: Iterable[str] | None,
    start: dt.date | None,
    end: dt.date | None,
) -> QuerySet[Link]:
    """Links of some kinds overlapping [start, end] (a link without dates overlaps every
    period)."""
    if kinds:
        qs = qs.filter(kind__in=list(kinds))
    if start is not None:
        qs = qs.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=start))
    if end is not None:
        qs = qs.filter(Q(starts_on__isnull=True) | Q(starts_on__lte=end))
    return qs


def visible_links(
    user: Any,
    *,
    kinds: Iterable[str] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> QuerySet[Link]:
    """Links the user may see, with both ends visible, optionally of some kinds and
    overlapping the period [start, end] (a link without dates overlaps every period)."""
    entities = visible_entities(user).values("pk")
    qs = Link.objects.visible_to(user).filter(source__in=entities, target__in=entities)
    return _filtered(qs, kinds, start, end)


# The graph's version ---------------------------------------------------------------------------
#
# Whatever is computed from someone's visible graph (the network analysis) may be kept while
# no link, entity, recipient of either or investigation's entity was written since: the
# version is a number in the database, bumped after each such write is committed (so every
# worker process agrees, with one read of one row). A transaction that has written such a
# record and not committed yet sees a graph no one else does: it reads nothing kept and keeps
# nothing (``pending_graph_writes``). Every write of these records goes through ``save`` or
# ``delete`` (none is bulk-created or updated in bulk): the signals catch them all.


def graph_version() -> int:
    """The graph's version now: one read of one row."""
    value = GraphVersion.objects.filter(pk=1).values_list("value", flat=True).first()
    return value or 0


def bump_version() -> None:
    """A write was committed: every worker's kept analyses are out of date."""
    if not GraphVersion.objects.filter(pk=1).update(value=F("value") + 1):
        GraphVersion.objects.get_or_create(pk=1, defaults={"value": 1})


def pending_graph_writes() -> bool:
    """Whether the current transaction wrote records of the graph, not yet committed."""
    connection = transaction.get_connection()
    return connection.in_atomic_block and any(
        hook[1] is bump_version for hook in connection.run_on_commit
    )


def _graph_written(sender: Any, instance: Any = None, **kwargs: Any) -> None:
    """post_save and post_delete of the records a graph is made of."""
    if sender is Recipient and instance.content_type_id not in _graph_types():
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        bump_version()
        return
    # Once per transaction (Django starts a new list of commit hooks after each commit or
    # rollback, and after a savepoint's rollback: then once more, harmlessly).
    if getattr(connection, "_graph_bump_for", None) is connection.run_on_commit:
        return
    transaction.on_commit(bump_version)
    connection._graph_bump_for = connection.run_on_commit


def _graph_types() -> set[int]:
    return {ContentType.objects.get_for_model(m).pk for m in (Link, Entity)}


def connect_signals() -> None:
    """Called from InvestigationsConfig.ready."""
    from django.db.models.signals import post_delete, post_save

    for model in (Link, Entity, Recipient, InvestigationEntity):
        for signal in (post_save, post_delete):
            signal.connect(
                _graph_written, sender=model, dispatch_uid=f"investigations-graph-{model.__name__}"
            )


@dataclass
class Subgraph:
    """What a chart shows: visible nodes and links, and per visible node the number of its
    links the viewer may not see (a hidden link, or a visible link to a hidden entity) —
    counted, never identified.

    Hidden links are counted for the nodes whose every link was read (``counted``: the
    entity expanded and, two hops out, its neighbours; every node of an investigation's or a
    path's chart). The outermost ring of a neighbourhood is not counted until it is expanded
    in its turn: its ``hidden`` is None ("not counted yet"), never a guess."""

    nodes: list[dict[str, Any]] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)
    hidden: dict[int, int] = field(default_factory=dict)
    truncated: int = 0
    counted: set[int] | None = None  # None: every node's hidden links were counted

    def hidden_of(self, pk: int) -> int | None:
        """The node's count of hidden links, or None when it was not counted."""
        if self.counted is not None and pk not in self.counted:
            return None
        return self.hidden.get(pk, 0)

    def as_json(self) -> dict[str, Any]:
        return {
            "nodes": [{**n, "hidden": self.hidden_of(n["id"])} for n in self.nodes],
            "edges": self.edges,
            "truncated": self.truncated,
        }


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    batch: list[int] = []
    for i in ids:
        batch.append(i)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def _node(row: dict[str, Any], kind_labels: dict[str, str]) -> dict[str, Any]:
    return {
        "id": row["pk"],
        "label": row["name"],
        "kind": row["kind"],
        "kind_label": kind_labels.get(row["kind"], row["kind"]),
        "country": row["country"],
    }


def _entities(user: Any, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The visible ones among these entities, by id."""
    return _Reader(user, None, None, None).entities(ids)


class _Among(Lookup):  # type: ignore[type-arg]
    """``column IN ids``, the ids sent as one parameter: an array on PostgreSQL (``= ANY``,
    which its planner answers from the column's index for each id, even in an OR of two
    columns), a JSON array on SQLite (``IN`` its rows, likewise). No limit on the number of
    ids, and the same SQL whatever their number: compiled once (``_Reader``), where Django's
    ``__in`` builds a query of a few thousand ids in more time than the database answers
    it. The right-hand side is a placeholder (a string: ``_SLOT``), filled when run."""

    lookup_name = "among"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s::bigint[])", [*params, self.rhs]
        sql = f"{lhs} IN (SELECT value FROM json_each(%s))"  # noqa: S608 - a column, ids a parameter
        return sql, [*params, self.rhs]


def _among(column: str, slot: str) -> Q:
    return Q(_Among(F(column), slot))


def _ids(ids: Iterable[int]) -> Any:
    """The value of an ``_Among`` placeholder: these ids, as the database takes them."""
    values = [int(pk) for pk in ids]
    return values if connection.vendor == "postgresql" else json.dumps(values)


# Placeholders of the ids in the reader's queries (no policy parameter is such a string).
_SLOT = "entente.graph:ids"
_SLOT_ENTITY = "entente.graph:entity"


class _Reader:
    """The policy's querysets for one user and one set of filters. Each query is compiled
    once per thread, policy key (``access.policy_key``) and filters (``compiled.rows``: a
    filter of the policy compiles a dozen lookups, which costs more than the database takes
    to answer a chart's query), its ids sent as one parameter (``_Among``). Rows are read
    as tuples (no model instances), without ORDER BY (they are gathered into dicts and
    sets: a sort would be wasted)."""

    def __init__(
        self,
        user: Any,
        kinds: Iterable[str] | None,
        start: dt.date | None,
        end: dt.date | None,
    ) -> None:
        self.user = user
        self.kinds = sorted(set(kinds)) if kinds else None
        self.start, self.end = start, end
        self.key = (
            access.policy_key(user, Link),
            access.policy_key(user, Entity),
            tuple(self.kinds or ()),
            start,
            end,
        )

    def entity_qs(self) -> QuerySet[Entity]:
        return visible_entities(self.user).order_by()

    def link_qs(self) -> QuerySet[Link]:
        links = Link.objects.visible_to(self.user)
        return _filtered(links, self.kinds, self.start, self.end).order_by()

    def _rows(
        self, name: str, build: Callable[[], QuerySet[Any]], **ids: Iterable[int]
    ) -> list[Any]:
        fill = {
            slot: _ids(ids[arg])
            for arg, slot in (("ids", _SLOT), ("entity", _SLOT_ENTITY))
            if arg in ids
        }
        return compiled.rows(("investigations.graph", name, *self.key), build, fill=fill)

    def entities(self, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        """The visible ones among these entities, by id (one query)."""
        ids = list(ids)
        if not ids:
            return {}
        rows = self._rows(
            "entities",
            lambda: self.entity_qs().filter(_among("pk", _SLOT)).values_list(*ENTITY_FIELDS),
            ids=ids,
        )
        return {row[0]: dict(zip(ENTITY_FIELDS, row, strict=True)) for row in rows}

    def visible_ids(self, ids: Iterable[int]) -> set[int]:
        ids = list(ids)
        if not ids:
            return set()
        return {
            row[0]
            for row in self._rows(
                "visible_ids",
                lambda: self.entity_qs().filter(_among("pk", _SLOT)).values_list("pk"),
                ids=ids,
            )
        }

    def _touching(self) -> QuerySet[Link]:
        return self.link_qs().filter(_among("source_id", _SLOT) | _among("target_id", _SLOT))

    def touching(self, ids: Sequence[int]) -> list[tuple[int, int, int]]:
        """Visible links (id, source, target) with an end among ``ids`` (the other end not
        yet checked)."""
        if not ids:
            return []
        return self._rows(
            "touching",
            lambda: self._touching().values_list("pk", "source_id", "target_id"),
            ids=ids,
        )

    def touching_rows(
        self, ids: Sequence[int], *, if_visible: int | None = None
    ) -> dict[int, tuple[Any, ...]]:
        """Visible links with an end among ``ids``, every field the chart shows (LINK_FIELDS),
        by id: the chart's links are then read once, with the query that finds them.
        ``if_visible``: none at all unless the policy lets the user see that entity (so an
        expand checks its entity and reads its links in one round trip)."""
        if not ids:
            return {}
        if if_visible is None:
            found = self._rows(
                "touching_rows", lambda: self._touching().values_list(*LINK_FIELDS), ids=ids
            )
        else:
            entity = self.entity_qs().filter(_among("pk", _SLOT_ENTITY))
            found = self._rows(
                "touching_rows_if_visible",
                lambda: self._touching().filter(Exists(entity)).values_list(*LINK_FIELDS),
                ids=ids,
                entity=[if_visible],
            )
        return {row[0]: row for row in found}

    def totals(self, ids: Sequence[int]) -> Counter[int]:
        """How many links (seen or not: a count, never a row) each of these entities has: a
        count per end, grouped on the (source, kind) and (target, kind) indexes, both in one
        query (UNION ALL)."""
        totals: Counter[int] = Counter()
        if not ids:
            return totals

        def build() -> QuerySet[Any]:
            every = _filtered(Link.objects.all(), self.kinds, self.start, self.end).order_by()
            by_source, by_target = (
                every.filter(_among(column, _SLOT))
                .values(column)
                .annotate(n=Count("pk"))
                .values_list(column, "n")
                for column in ("source_id", "target_id")
            )
            united: QuerySet[Any] = by_source.union(by_target, all=True)
            return united

        for pk, n in self._rows("totals", build, ids=ids):
            totals[pk] += n
        return totals

    def around(self, ids: Sequence[int], visible: dict[int, bool]) -> list[tuple[int, int, int]]:
        """Visible links touching these entities; ``visible`` (entity id -> whether the user
        may see it) is completed with their other ends, through the policy."""
        rows = self.touching(ids)
        unknown = {pk for _id, s, t in rows for pk in (s, t) if pk not in visible}
        seen = self.visible_ids(unknown)
        for pk in unknown:
            visible[pk] = pk in seen
        return rows


def _provenance(user: Any, rows: Iterable[dict[str, Any]]) -> dict[int, str]:
    """Each link's provenance in words, by link id; a report, incident or investigation the
    viewer may not see is named only as such."""
    rows = list(rows)
    wanted: dict[str, set[int]] = {
        "report_id": set(),
        "incident_id": set(),
        "investigation_id": set(),
    }
    for e in rows:
        for key, ids in wanted.items():
            if e.get(key):
                ids.add(e[key])
    names: dict[str, dict[int, str]] = {key: {} for key in wanted}
    for key, model, attr in (
        ("report_id", Report, "reference"),
        ("investigation_id", Investigation, "reference"),
        ("incident_id", Incident, "pk"),
    ):
        if wanted[key]:
            found = model.objects.visible_to(user).filter(pk__in=wanted[key])
            names[key] = {pk: str(value) for pk, value in found.values_list("pk", attr)}
    labels: dict[int, str] = {}
    for e in rows:
        if e.get("report_id"):
            ref = names["report_id"].get(e["report_id"])
            label = (
                _("Report {reference}").format(reference=ref)
                if ref
                else _("A report you may not see")
            )
        elif e.get("incident_id"):
            ref = names["incident_id"].get(e["incident_id"])
            label = _("Incident {id}").format(id=ref) if ref else _("An incident you may not see")
        elif e.get("investigation_id"):
            ref = names["investigation_id"].get(e["investigation_id"])
            label = (
                _("Investigation {reference}").format(reference=ref)
                if ref
                else _("An investigation you may not see")
            )
        else:
            label = e.get("source_note") or ""
        labels[e["pk"]] = label
    return labels


def _edge(row: dict[str, Any], kind_labels: dict[str, str]) -> dict[str, Any]:
    return {
        "id": row["pk"],
        "source": row["source_id"],
        "target": row["target_id"],
        "kind": row["kind"],
        "kind_label": kind_labels.get(row["kind"], row["kind"]),
        "starts_on": row["starts_on"].isoformat() if row["starts_on"] else None,
        "ends_on": row["ends_on"].isoformat() if row["ends_on"] else None,
        "confidence": row["confidence"],
    }


def _finish(
    reader: _Reader,
    nodes: dict[int, dict[str, Any]],
    rows: dict[int, tuple[Any, ...]],
    visible: dict[int, bool],
    counted: Sequence[int],
    truncated: int = 0,
    totals: Counter[int] | None = None,
) -> Subgraph:
    """The chart of ``nodes``: the links of ``rows`` (visible links, LINK_FIELDS, by id) with
    both ends on it, labels and provenance, and the hidden counts of the ``counted`` nodes,
    whose every visible link is in ``rows`` and the visibility of whose neighbours is in
    ``visible``: a node's links (a count over all links, seen or not) minus those the user
    sees with both ends (``totals``: those counts, when already read for every counted
    node)."""
    watched = set(counted)
    seen: Counter[int] = Counter()
    chart: list[dict[str, Any]] = []
    for pk in sorted(rows):
        row = rows[pk]
        s, t = row[1], row[2]
        if not (visible.get(s) and visible.get(t)):
            continue
        if s in watched:
            seen[s] += 1
        if t in watched:
            seen[t] += 1
        if s in nodes and t in nodes:
            chart.append(dict(zip(LINK_FIELDS, row, strict=True)))
    if totals is None:
        totals = reader.totals(list(watched))
    entity_labels = {str(k): str(v) for k, v in EntityKind.choices}
    link_labels = {str(k): str(v) for k, v in LinkKind.choices}
    provenance = _provenance(reader.user, chart)
    return Subgraph(
        nodes=[_node(row, entity_labels) for row in nodes.values()],
        edges=[{**_edge(row, link_labels), "provenance": provenance[row["pk"]]} for row in chart],
        hidden={pk: totals[pk] - seen[pk] for pk in watched if totals[pk] > seen[pk]},
        truncated=truncated,
        counted=None if watched >= set(nodes) else watched,
    )


def neighbourhood(
    user: Any,
    entity_id: int,
    *,
    hops: int = 1,
    kinds: Iterable[str] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Subgraph:
    """The entities within ``hops`` visible links of an entity, and the visible links of
    the entities whose neighbourhood was read: the entity and, two hops out, its neighbours
    (as an expand on the chart adds the expanded entity's links). Http404 when the entity is
    not visible.

    A node's hidden links are counted only if every one of its links was read: the entity's
    always. The outermost ring's own links (to each other, to entities further out) are
    neither drawn nor counted until the user expands one of them (``hidden`` None, "not
    counted until expanded"): reading them would read every link of every entity of the
    ring. Two hops out, the neighbours' links are read up to SECOND_HOP_LINKS of them (all
    their links, seen or not, counted first on the indexes), the neighbours with the fewest
    first: on a graph with hubs the others' would be tens of thousands of links, for a chart
    of at most MAX_NODES entities. A neighbour whose links were not read is left as the
    outer ring is: drawn with its link to the entity, ``hidden`` None until expanded, never
    a guess. (Which neighbours are read depends on how many links they have, seen or not: a
    count, which the chart gives anyway once they are expanded, never an identity.)

    One query for the visible links of the entity (every field the chart shows, none unless
    the entity is visible) and one for the entities they reach (their visibility and their
    labels); two hops out, one count of the neighbours' links, then the same two queries for
    the neighbours read; then one count of the entity's links (one hop) and up to three
    queries for provenance: at most 6 queries (8 with provenance), whatever the size of the
    graph, each on an index and each bounded by SECOND_HOP_LINKS or the entity's degree.
    """
    reader = _Reader(user, list(kinds) if kinds else None, start, end)
    # The entity's links only if the user may see it, then the entity itself read with its
    # neighbours (a 404 if it is not among them): one round trip saved.
    rows = reader.touching_rows([entity_id], if_visible=entity_id)
    others = {pk for row in rows.values() for pk in row[1:3]} | {entity_id}
    reached = reader.entities(others)
    if entity_id not in reached:
        raise Http404(_("No such record."))
    visible = {pk: pk in reached for pk in others}
    nodes = {entity_id: reached.pop(entity_id)}
    ring = sorted(reached)[: MAX_NODES - 1]
    truncated = len(reached) - len(ring)
    nodes.update((pk, reached[pk]) for pk in ring)
    counted = [entity_id]
    totals = None
    if hops >= 2 and ring:
        totals = reader.totals([entity_id, *ring])
        budget = SECOND_HOP_LINKS
        read: list[int] = []
        for pk in sorted(ring, key=lambda pk: (totals[pk], pk)):
            if totals[pk] > budget:
                break
            budget -= totals[pk]
            read.append(pk)
        found = reader.touching_rows(read)
        rows.update(found)
        outer = {pk for row in found.values() for pk in row[1:3] if pk not in visible}
        reached = reader.entities(outer)
        visible.update((pk, pk in reached) for pk in outer)
        kept = sorted(reached)[: MAX_NODES - len(nodes)]
        truncated += len(reached) - len(kept)
        nodes.update((pk, reached[pk]) for pk in kept)
        counted += read
    return _finish(reader, nodes, rows, visible, counted, truncated, totals)


def subgraph(
    user: Any,
    entity_ids: Iterable[int],
    *,
    kinds: Iterable[str] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Subgraph:
    """The visible ones among these entities and the visible links among them (an
    investigation's chart before anyone expands it), with their hidden counts."""
    reader = _Reader(user, list(kinds) if kinds else None, start, end)
    nodes = reader.entities(set(entity_ids))
    visible = dict.fromkeys(nodes, True)
    rows = reader.touching_rows(list(nodes))
    others = {pk for row in rows.values() for pk in row[1:3] if pk not in visible}
    seen = reader.visible_ids(others)
    visible.update((pk, pk in seen) for pk in others)
    return _finish(reader, nodes, rows, visible, list(nodes))


def path_subgraph(
    user: Any,
    path: Sequence[int],
    *,
    kinds: Iterable[str] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Subgraph:
    """A path's entities and, between each two in a row, the visible links joining them."""
    found = subgraph(user, path, kinds=kinds, start=start, end=end)
    steps = {frozenset(pair) for pair in itertools.pairwise(path)}
    found.edges = [e for e in found.edges if frozenset((e["source"], e["target"])) in steps]
    order = {pk: i for i, pk in enumerate(path)}
    found.nodes.sort(key=lambda n: order[n["id"]])
    return found


def shortest_path(
    user: Any,
    a: int,
    b: int,
    *,
    kinds: Iterable[str] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[int] | None:
    """The entity ids of a shortest chain of visible links from ``a`` to ``b`` (both
    included), over visible entities only; None when there is none within MAX_PATH links.
    Http404 when either end is not visible.

    A breadth-first search from both ends, each step widening the smaller side: each step
    is two queries (the links touching the side, the entities they reach).
    """
    reader = _Reader(user, list(kinds) if kinds else None, start, end)
    if len(reader.visible_ids({a, b})) != len({a, b}):
        raise Http404(_("No such record."))
    if a == b:
        return [a]
    # parent maps of each side: node -> the node it was reached from (None for the root)
    parents: tuple[dict[int, int | None], dict[int, int | None]] = ({a: None}, {b: None})
    frontiers: tuple[list[int], list[int]] = ([a], [b])
    visible: dict[int, bool] = {a: True, b: True}
    for _step in range(MAX_PATH):
        side = 0 if len(frontiers[0]) <= len(frontiers[1]) else 1
        mine, theirs = parents[side], parents[1 - side]
        pairs = []
        for _id, s, t in reader.around(frontiers[side], visible):
            if s in mine and t not in mine and visible[t]:
                pairs.append((s, t))
            if t in mine and s not in mine and visible[s]:
                pairs.append((t, s))
        nxt: list[int] = []
        meeting: int | None = None
        for old, new in sorted(pairs):
            if new in mine:
                continue
            mine[new] = old
            nxt.append(new)
            if new in theirs and meeting is None:
                meeting = new
        if meeting is not None:
            left, right = (parents[0], parents[1])
            path: list[int] = []
            node: int | None = meeting
            while node is not None:
                path.append(node)
                node = left[node]
            path.reverse()
            node = right[meeting]
            while node is not None:
                path.append(node)
                node = right[node]
            return path
        if not nxt:
            return None
        frontiers = (nxt, frontiers[1]) if side == 0 else (frontiers[0], nxt)
    return None


def timeline(
    user: Any,
    entity_ids: Iterable[int],
    *,
    kinds: Iterable[str] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[dict[str, Any]]:
    """The dated events of these entities, oldest first: links among them with a date (when
    they start and when they end), the actions of visible investigations on them, and the
    visible reports naming them. Only visible entities count; the others are ignored."""
    nodes = _entities(user, set(entity_ids))
    ids = list(nodes)
    if not ids:
        return []
    names = {pk: row["name"] for pk, row in nodes.items()}
    link_labels = {str(k): str(v) for k, v in LinkKind.choices}
    action_labels = {str(k): str(v) for k, v in ActionKind.choices}
    places = {str(k): str(v) for k, v in Jurisdiction.choices}

    def within(day: dt.date | None) -> bool:
        return day is not None and (start is None or day >= start) and (end is None or day <= end)

    events: list[dict[str, Any]] = []
    links = _filtered(Link.objects.visible_to(user), kinds, start, end).filter(
        Q(starts_on__isnull=False) | Q(ends_on__isnull=False)
    )
    for batch in _chunks(ids):
        for row in links.filter(source_id__in=batch, target_id__in=ids).values(
            "pk", "source_id", "target_id", "kind", "starts_on", "ends_on"
        ):
            text = _("{source} {link} {target}").format(
                source=names[row["source_id"]],
                link=link_labels.get(row["kind"], row["kind"]),
                target=names[row["target_id"]],
            )
            for day, what in ((row["starts_on"], _("from")), (row["ends_on"], _("until"))):
                if day is not None and within(day):
                    events.append(
                        {
                            "date": day.isoformat(),
                            "type": "link",
                            "label": f"{text} ({what})",
                            "entities": [row["source_id"], row["target_id"]],
                            "link": row["pk"],
                        }
                    )
    investigations = Investigation.objects.visible_to(user).values("pk")
    actions = Action.objects.filter(investigation__in=investigations)
    if start is not None:
        actions = actions.filter(occurred_on__gte=start)
    if end is not None:
        actions = actions.filter(occurred_on__lte=end)
    for batch in _chunks(ids):
        for act in actions.filter(entity_id__in=batch).values(
            "pk", "kind", "jurisdiction", "occurred_on", "entity_id", "investigation__reference"
        ):
            events.append(
                {
                    "date": act["occurred_on"].isoformat(),
                    "type": "action",
                    "label": _(
                        "{action} ({jurisdiction}), investigation {reference}: {name}"
                    ).format(
                        action=action_labels.get(act["kind"], act["kind"]),
                        jurisdiction=places.get(act["jurisdiction"], act["jurisdiction"]),
                        reference=act["investigation__reference"],
                        name=names[act["entity_id"]],
                    ),
                    "entities": [act["entity_id"]],
                    "action": act["pk"],
                }
            )
    reports: dict[int, dict[str, Any]] = {}
    for batch in _chunks(ids):
        for rep in (
            Report.objects.visible_to(user)
            .filter(entity_links__entity_id__in=batch)
            .values("pk", "reference", "created_at", "entity_links__entity_id")
        ):
            day = timezone.localdate(rep["created_at"])
            if not within(day):
                continue
            event = reports.setdefault(
                rep["pk"],
                {
                    "date": day.isoformat(),
                    "type": "report",
                    "label": _("Report {reference}").format(reference=rep["reference"]),
                    "entities": [],
                    "report": rep["pk"],
                },
            )
            event["entities"].append(rep["entity_links__entity_id"])
    events += reports.values()
    events.sort(key=lambda e: (e["date"], e["type"], e["label"]))
    return events
