"""Network analysis of the visible graph (python-igraph): communities, centralities, k-cores,
shortest paths, and suggested members for an investigation.

Everything starts from ``graph.visible_links``: a link the user may not see, or whose other
end they may not see, is not in the graph at all, so it changes no community, no degree and
no centrality (an analyst cannot infer a hidden record from a number).

The edge list is read with ``values_list`` (two integers a link, no model instances) and the
igraph graph built with the entity ids mapped to vertex numbers once. Links are directed
("A pays B"), but who belongs with whom is not: communities, paths and centralities are
computed on the undirected graph, several links between the same two entities count once.

Communities are Leiden's (modularity), with a fixed seed so the same graph always gives the
same communities, numbered from 1 by size. Betweenness is exact up to
``EXACT_BETWEENNESS_NODES`` vertices; above, it is estimated from ``BETWEENNESS_SAMPLES``
randomly drawn (seeded) source vertices, scaled to the whole graph, and the result says so.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

import igraph as ig  # type: ignore[import-untyped]  # no stubs published
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from entente.core import access, audit
from entente.core.choices import AuditAction, Module
from entente.intelligence.choices import EntityKind
from entente.intelligence.models import Entity
from entente.investigations import graph
from entente.investigations.choices import EntityRole
from entente.investigations.models import Investigation, InvestigationEntity, Link

SEED = 20150820  # the date of the joint declaration: any fixed number would do
EXACT_BETWEENNESS_NODES = 5_000
# Sampled betweenness: from this many (seeded) source vertices, scaled to the whole graph.
# Each source is one breadth-first search of the whole graph (about 40 ms a million links);
# 16 sources rank the few entities most paths go through (brokers, hubs) the same as 64 do on
# the benchmark's graph, which is what an investigator reads from it.
BETWEENNESS_SAMPLES = 16
# Leiden: two iterations (igraph's default). Iterating until stable (-1) took 3 to 5 times as
# long on the benchmark's graph of a million links for a modularity higher by 0.0003 or less.
# beta (the randomness of the refinement) stays igraph's default, 0.01.
LEIDEN_ITERATIONS = 2
LEIDEN_BETA = 0.01
# Analyses kept in this process (by user's policy, filters and the graph's version), the
# least recently used dropped first: the analysis of a graph of a million links holds about
# 50 MB (the igraph graph and 100,000 nodes).
CACHED_ANALYSES = 4
# Vertex numbers are the entity ids themselves while the largest id is at most this many times
# the number of links (no mapping needed; the unused numbers cost a few bytes each).
DIRECT_IDS = 8
# Ids per IN (...) list: well under SQLite's and PostgreSQL's limits on bound parameters.
CHUNK = 2_000
SUGGESTIONS = 50
# A candidate among this top share of the neighbourhood's betweenness is "highly central".
CENTRAL_SHARE = 0.1

# igraph draws from one process-wide generator: seeding it is only safe one analysis at a time.
_rng_lock = threading.Lock()


@dataclass(frozen=True)
class Metrics:
    """What igraph computes on an edge list, per vertex, in the order of ``ids``."""

    ids: list[int]
    community: list[int]
    degree: list[int]
    betweenness: list[float]
    eigenvector: list[float]
    coreness: list[int]
    betweenness_method: str  # "exact" or "sampled"
    betweenness_sources: int
    modularity: float
    links: int
    graph: ig.Graph = field(repr=False)


@dataclass(frozen=True)
class Node:
    id: int
    label: str
    kind: str
    community: int
    degree: int
    betweenness: float
    eigenvector: float
    coreness: int

    @property
    def kind_label(self) -> str:
        """The entity's kind in the reader's language."""
        try:
            return str(EntityKind(self.kind).label)
        except ValueError:
            return self.kind


@dataclass(frozen=True)
class Community:
    id: int
    size: int
    members: list[int]


@dataclass
class Analysis:
    """The analysis of the graph one user sees (never shared with another user)."""

    nodes: list[Node]
    communities: list[Community]
    betweenness_method: str
    betweenness_sources: int
    modularity: float
    links: int
    investigation: Investigation | None = None
    _metrics: Metrics | None = field(default=None, repr=False)
    _index: dict[int, int] = field(default_factory=dict, repr=False)

    def node(self, entity_id: int) -> Node | None:
        i = self._index.get(entity_id)
        return None if i is None else self.nodes[i]

    def shortest_path(self, a: int, b: int) -> list[int] | None:
        """The entity ids of one shortest path from ``a`` to ``b`` in this graph, ends
        included; None when either is not in it or nothing joins them."""
        if self._metrics is None or a not in self._index or b not in self._index:
            return None
        path = self._metrics.graph.get_shortest_path(self._index[a], self._index[b])
        if not path:
            return None
        return [self._metrics.ids[i] for i in path]

    def as_json(self) -> dict[str, Any]:
        """The API's body (the chart colours nodes by community and sizes them by centrality)."""
        return {
            "nodes": [
                {
                    "id": n.id,
                    "label": n.label,
                    "kind": n.kind,
                    "community": n.community,
                    "degree": n.degree,
                    "betweenness": n.betweenness,
                    "eigenvector": n.eigenvector,
                    "coreness": n.coreness,
                }
                for n in self.nodes
            ],
            "communities": [
                {"id": c.id, "size": c.size, "members": c.members} for c in self.communities
            ],
        }


# The computation (no database) -----------------------------------------------------------------


def build(
    edges: Iterable[tuple[int, int]], extra: Iterable[int] = ()
) -> tuple[list[int], ig.Graph]:
    """The undirected simple graph of an edge list of entity ids, and the ids in vertex order
    (ascending, so the same edges always give the same graph). ``extra`` adds vertices even
    without an edge (an investigation's entities)."""
    rows = edges if isinstance(edges, list) else list(edges)
    wanted = set(extra)
    top = max(max(chain.from_iterable(rows), default=0), max(wanted, default=0))
    if top <= DIRECT_IDS * (len(rows) + len(wanted) + 1):
        # Entity ids are dense enough to be vertex numbers: igraph reads the pairs as they
        # come from the database (no mapping in Python), then drops the ids in no edge.
        g = ig.Graph(n=top + 1, edges=rows)
        g.simplify()  # several links between two entities count once; a canonical order
        degree = g.degree()
        ids = [v for v, d in enumerate(degree) if d or v in wanted]
        g.delete_vertices([v for v, d in enumerate(degree) if not d and v not in wanted])
        return ids, g
    flat = list(chain.from_iterable(rows))
    ids = sorted(wanted.union(flat))
    index = dict(zip(ids, range(len(ids)), strict=True))
    mapped = [index[x] for x in flat]
    g = ig.Graph(n=len(ids), edges=list(zip(mapped[::2], mapped[1::2], strict=True)))
    g.simplify()
    return ids, g


def compute(
    edges: Iterable[tuple[int, int]],
    *,
    extra: Iterable[int] = (),
    seed: int = SEED,
    exact_limit: int = EXACT_BETWEENNESS_NODES,
    samples: int = BETWEENNESS_SAMPLES,
    cpu: dict[str, float] | None = None,
    wall: dict[str, float] | None = None,
) -> Metrics:
    """Communities, degree, betweenness, eigenvector centrality and coreness of an edge list.

    ``cpu`` and ``wall``, when given, receive the CPU and wall-clock seconds of each step
    (benchmarks/graph.py)."""
    steps = cpu if cpu is not None else {}
    walls = wall if wall is not None else {}
    clock, wall_clock = time.process_time(), time.perf_counter()

    def step(name: str) -> None:
        nonlocal clock, wall_clock
        now, wall_now = time.process_time(), time.perf_counter()
        steps[name] = steps.get(name, 0.0) + now - clock
        walls[name] = walls.get(name, 0.0) + wall_now - wall_clock
        clock, wall_clock = now, wall_now

    ids, g = build(edges, extra)
    step("graph")
    n = g.vcount()
    if n == 0:
        return Metrics([], [], [], [], [], [], "exact", 0, 0.0, 0, g)
    rng = random.Random(seed)  # noqa: S311 - reproducible results, not secrets
    with _rng_lock:
        ig.set_random_number_generator(rng)
        try:
            clustering = g.community_leiden(
                objective_function="modularity",
                n_iterations=LEIDEN_ITERATIONS,
                beta=LEIDEN_BETA,
            )
        finally:
            ig.set_random_number_generator(random)
    membership = _renumber(clustering.membership, ids)
    step("leiden")
    if n <= exact_limit:
        method, sources = "exact", n
        raw = g.betweenness(directed=False)
    else:
        method, sources = "sampled", min(samples, n)
        picked = rng.sample(range(n), sources)
        # From a sample of sources the sums cover sources/n of all paths: scaled back up.
        raw = [b * n / sources for b in g.betweenness(directed=False, sources=picked)]
    pairs = (n - 1) * (n - 2) / 2
    betweenness = [round(b / pairs, 6) if pairs else 0.0 for b in raw]
    step("betweenness")
    eigenvector = _eigenvector(g)
    step("eigenvector")
    degree, coreness = g.degree(), g.coreness()
    step("degree_coreness")
    return Metrics(
        ids=ids,
        community=membership,
        degree=degree,
        betweenness=betweenness,
        eigenvector=eigenvector,
        coreness=coreness,
        betweenness_method=method,
        betweenness_sources=sources,
        modularity=round(clustering.modularity if g.ecount() else 0.0, 6),
        links=g.ecount(),
        graph=g,
    )


def _eigenvector(g: ig.Graph) -> list[float]:
    """Eigenvector centrality, scaled so the most central entity has 1.

    It is defined on a connected graph: computed per connected component, each component's
    values weighed by its leading eigenvalue against the largest one, so the hub of a pair of
    phones does not rank with the hub of the main network. A lone entity has 0."""
    out = [0.0] * g.vcount()
    parts = []
    for component in g.connected_components():
        if len(component) < 2:
            continue
        sub = g if len(component) == g.vcount() else g.induced_subgraph(component)
        values, eigenvalue = sub.eigenvector_centrality(return_eigenvalue=True)
        parts.append((component, values, eigenvalue))
    top = max((eigenvalue for _c, _v, eigenvalue in parts), default=0.0)
    for component, values, eigenvalue in parts:
        for vertex, value in zip(component, values, strict=True):
            out[vertex] = round(value * eigenvalue / top, 6)
    return out


def _renumber(membership: Sequence[int], ids: Sequence[int]) -> list[int]:
    """Communities numbered from 1, the largest first (ties: the smallest entity id first),
    so that numbers do not depend on igraph's internal order."""
    size: dict[int, int] = defaultdict(int)
    first: dict[int, int] = {}
    for vertex, c in enumerate(membership):
        size[c] += 1
        first.setdefault(c, ids[vertex])
    order = sorted(size, key=lambda c: (-size[c], first[c]))
    number = {c: i + 1 for i, c in enumerate(order)}
    return [number[c] for c in membership]


# The visible graph -----------------------------------------------------------------------------


def _scope_edges(links: Any, seeds: list[int]) -> list[tuple[int, int]]:
    """The links of an investigation's entities and of their neighbours (so its neighbours'
    own neighbours are in, and how they hang together), from the visible links only."""
    pairs: set[tuple[int, int]] = set()
    frontier = set(seeds)
    seen: set[int] = set()
    for _hop in range(2):
        todo = sorted(frontier - seen)
        seen.update(todo)
        found: set[int] = set()
        for i in range(0, len(todo), CHUNK):
            part = todo[i : i + CHUNK]
            rows = links.filter(Q(source_id__in=part) | Q(target_id__in=part)).values_list(
                "source_id", "target_id"
            )
            for s, t in rows:
                pairs.add((s, t))
                found.add(s)
                found.add(t)
        frontier = found
    return sorted(pairs)


def _labels(user: Any, ids: list[int], *, everything: bool) -> dict[int, tuple[str, str]]:
    entities = graph.visible_entities(user).order_by()
    if everything:
        return {pk: (name, kind) for pk, name, kind in entities.values_list("pk", "name", "kind")}
    out: dict[int, tuple[str, str]] = {}
    for i in range(0, len(ids), CHUNK):
        rows = entities.filter(pk__in=ids[i : i + CHUNK]).values_list("pk", "name", "kind")
        out.update({pk: (name, kind) for pk, name, kind in rows})
    return out


def investigation_entities(user: Any, investigation: Investigation) -> dict[int, str]:
    """The investigation's entities the user may see, with their role in it."""
    visible = graph.visible_entities(user).values("pk")
    return dict(
        InvestigationEntity.objects.filter(investigation=investigation, entity__in=visible)
        .order_by()
        .values_list("entity_id", "role")
    )


def analyse(
    user: Any,
    *,
    investigation: Investigation | int | None = None,
    kinds: Iterable[str] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Analysis:
    """The analysis of the graph ``user`` sees: all of it, or an investigation's scope (its
    visible entities, their links and their neighbours' links). Links of ``kinds`` only,
    overlapping [start, end]. An investigation the user may not see is Http404."""
    access.require_role(user, Module.INVESTIGATIONS)
    if isinstance(investigation, int):
        investigation = access.get_visible_or_404(Investigation, user, pk=investigation)
    elif investigation is not None and not access.can_view(user, investigation):
        investigation = access.get_visible_or_404(Investigation, user, pk=investigation.pk)
    kinds = sorted(set(kinds or []))
    # The graph's version is read before the graph: a write committed in between makes the
    # result kept under an older version, never read again.
    key = (
        access.policy_key(user, Link),
        access.policy_key(user, Entity),
        investigation.pk if investigation is not None else None,
        tuple(kinds),
        start,
        end,
        graph.graph_version(),
    )
    pending = graph.pending_graph_writes()  # a graph no one else sees: not kept
    with _cache_lock:
        kept = None if pending else _cache.get(key)
        if kept is not None:
            _cache.move_to_end(key)
    if kept is None:
        kept = _analyse(user, investigation, kinds, start, end)
        if not pending:
            with _cache_lock:
                _cache[key] = kept
                while len(_cache) > CACHED_ANALYSES:
                    _cache.popitem(last=False)
    metrics, nodes, communities = kept
    audit.record(
        user,
        AuditAction.READ,
        investigation,
        object_type="" if investigation else "investigations.graph",
        purpose=_("Network analysis"),
        changes={
            "kinds": kinds,
            "start": start,
            "end": end,
            "entities": len(nodes),
            "links": metrics.links,
        },
    )
    return Analysis(
        nodes=list(nodes),
        communities=list(communities),
        betweenness_method=metrics.betweenness_method,
        betweenness_sources=metrics.betweenness_sources,
        modularity=metrics.modularity,
        links=metrics.links,
        investigation=investigation,
        _metrics=metrics,
        _index={pk: i for i, pk in enumerate(metrics.ids)},
    )


# Analyses of this process, by (the user's policy keys for links and entities, the filters,
# the graph's version): a user's analysis is kept for that user alone (the policy key holds
# the user), and the graph's version changes with any write of its records.
_cache: OrderedDict[tuple[Any, ...], tuple[Metrics, list[Node], list[Community]]] = OrderedDict()
_cache_lock = threading.Lock()


def _analyse(
    user: Any,
    investigation: Investigation | None,
    kinds: list[str],
    start: dt.date | None,
    end: dt.date | None,
) -> tuple[Metrics, list[Node], list[Community]]:
    links = graph.visible_links(user, kinds=kinds, start=start, end=end).order_by()
    if investigation is None:
        seeds: list[int] = []
        edges: list[tuple[int, int]] = list(links.values_list("source_id", "target_id"))
    else:
        seeds = sorted(investigation_entities(user, investigation))
        edges = _scope_edges(links, seeds)
    metrics = compute(edges, extra=seeds)
    labels = _labels(user, metrics.ids, everything=investigation is None)
    nodes = [
        Node(
            id=pk,
            label=labels.get(pk, ("", ""))[0],
            kind=labels.get(pk, ("", ""))[1],
            community=metrics.community[i],
            degree=metrics.degree[i],
            betweenness=metrics.betweenness[i],
            eigenvector=metrics.eigenvector[i],
            coreness=metrics.coreness[i],
        )
        for i, pk in enumerate(metrics.ids)
    ]
    members: dict[int, list[int]] = defaultdict(list)
    for node in nodes:
        members[node.community].append(node.id)
    communities = [
        Community(id=c, size=len(ids), members=ids) for c, ids in sorted(members.items())
    ]
    return metrics, nodes, communities


# Suggested members -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    """An entity not yet in the investigation that its graph points to, and why."""

    node: Node
    score: float
    reasons: list[str]


ROLE_WEIGHT: dict[str, float] = {
    EntityRole.TARGET: 3.0,
    EntityRole.MEMBER: 2.0,
    EntityRole.ASSOCIATE: 1.0,
}


def suggest_members(
    user: Any, investigation: Investigation | int, *, analysis: Analysis | None = None
) -> list[Suggestion]:
    """Entities of the investigation's visible neighbourhood that are not in it but share a
    community with its entities (targets weigh most) or are among the most central there,
    best first, each with its reasons in words. Adding one is the cases service's work."""
    if analysis is None:
        analysis = analyse(user, investigation=investigation)
    assert analysis.investigation is not None
    roles = investigation_entities(user, analysis.investigation)
    metrics = analysis._metrics
    if metrics is None or not roles:
        return []
    in_community: dict[int, list[Node]] = defaultdict(list)
    for pk in roles:
        node = analysis.node(pk)
        if node is not None:
            in_community[node.community].append(node)
    ranked = sorted((n.betweenness for n in analysis.nodes), reverse=True)
    cut = ranked[max(0, int(len(ranked) * CENTRAL_SHARE) - 1)] if ranked else 0.0
    g = metrics.graph
    out = []
    for i, node in enumerate(analysis.nodes):
        if node.id in roles:
            continue
        reasons = []
        score = 0.0
        peers = in_community.get(node.community, [])
        if peers:
            score += sum(ROLE_WEIGHT.get(roles[p.id], 1.0) for p in peers) / len(roles)
            names = ", ".join(p.label for p in peers[:3])
            if len(peers) > 3:
                more = len(peers) - 3
                reasons.append(
                    ngettext(
                        "Same community as {names} and {count} other entity of the investigation.",
                        "Same community as {names} and {count} other entities of the "
                        "investigation.",
                        more,
                    ).format(names=names, count=more)
                )
            else:
                reasons.append(
                    _("Same community as {names} in the investigation.").format(names=names)
                )
        direct = sum(1 for v in g.neighbors(i) if metrics.ids[v] in roles)
        if direct:
            score += direct / len(roles)
            reasons.append(
                ngettext(
                    "Linked directly to {count} of the investigation's entities.",
                    "Linked directly to {count} of the investigation's entities.",
                    direct,
                ).format(count=direct)
            )
        if node.betweenness > 0 and node.betweenness >= cut:
            score += 1.0 + node.eigenvector
            reasons.append(
                _(
                    "Among the most central in the investigation's neighbourhood "
                    "(betweenness {betweenness})."
                ).format(betweenness=f"{node.betweenness:.3f}")
            )
        if peers or (node.betweenness > 0 and node.betweenness >= cut):
            out.append(Suggestion(node=node, score=round(score, 4), reasons=reasons))
    out.sort(key=lambda s: (-s.score, -s.node.betweenness, s.node.id))
    return out[:SUGGESTIONS]
