"""Network analysis at scale: Entente's analysis against networkx's Louvain on the same graph.

Two graphs (seeded), each of LINKS distinct links between NODES entities. The goal's: a uniform
random graph (Erdos-Renyi G(n, m)), the one the issue's anchor was measured on (networkx's
Louvain about 227 s, igraph's Leiden about 3.5 s at 100,000 nodes and 1,000,000 links; this run
reproduces both). Then, printed under ``structured`` and used for the database part: LINKS
distinct links between NODES entities, with community structure of
the kind found in real networks rather than planted cliques: a degree-corrected stochastic
block model in the manner of the LFR benchmark. Entities' expected degrees are drawn from a
power law (exponent 2.5, capped at 200), communities' sizes from a power law (20 to 2,000
entities), and a share MIXING (0.5) of each entity's links goes anywhere in the graph, the
others inside its community, both ends drawn in proportion to their expected degree. The
modularity of the planted communities is printed (``graph_planted_modularity``).

On the same edge list, in the same run:

- **Entente**: ``entente.investigations.analysis.compute`` (what ``analyse`` runs once it has
  read the visible edge list). The goal counts what the issue names: building the igraph
  graph from the edge list, Leiden communities (modularity, LEIDEN_ITERATIONS iterations) and
  betweenness sampled from BETWEENNESS_SAMPLES seeded sources. Eigenvector centrality, degree
  and coreness, which ``compute`` also gives, are printed apart.
- **networkx (the anchor)**: building the ``nx.Graph`` from the edge list and
  ``louvain_communities`` (seed 1), communities only.

ratio = Entente's CPU seconds (graph + Leiden + sampled betweenness) / networkx's CPU seconds
(goal <= 0.025; the machine may be shared, so CPU seconds of this process; wall-clock seconds
and the wall ratio are printed beside them). The modularity of both partitions is printed,
computed the same way (igraph), so a faster answer is not a worse one.

Then the links are written to the database (raw multi-row INSERTs on SQLite, COPY on
PostgreSQL, with the tables' indexes in place) and, for a user of the demo:

- ``db_analyse_s``: the whole ``analyse`` through the database (visibility, edge list,
  metrics, labels, audit entry); ``db_analyse_again_s``: the same again, answered from the
  analysis kept for that user and the graph's version; ``db_analyse_after_write_s``: after a
  new link is committed (the version changes: computed again, the new link in it).
- the neighbourhood of a few hundred random entities through ``graph.neighbourhood`` (the
  link chart's): one hop (the chart's expand) and two hops. Goal: p95 < 50 ms. Wall-clock
  milliseconds, and beside them (``*_cpu_p95_ms``) the CPU milliseconds of this process and,
  on a PostgreSQL server of this machine, of its backend: what the answer costs on a machine
  shared with other work. The same on the uniform graph, in a database of its own, under
  ``uniform_db`` (its neighbourhoods only).

    make bench NAME=graph [BENCH_ARGS=--quick]                               # SQLite
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench make bench NAME=graph
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import itertools
import random
import sys
import time
from typing import Any

from _harness import cpu_seconds, database, parse, report

MIXING = 0.5


def options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--nodes", type=int, help="entities (100,000; 2,000 with --quick)")
    parser.add_argument("--links", type=int, help="links (1,000,000; 10,000 with --quick)")
    parser.add_argument(
        "--expands", type=int, default=300, help="neighbourhood reads timed, per depth"
    )
    parser.add_argument("--mixing", type=float, default=MIXING, help="share of links between")
    parser.add_argument("--no-db", action="store_true", help="skip the database part")


def generate(
    nodes: int, links: int, seed: int = 1, mixing: float = MIXING
) -> tuple[list[tuple[int, int]], list[int]]:
    """Distinct undirected pairs of 1..nodes (a degree-corrected block model, see above), and
    each entity's planted community (index i for entity i + 1)."""
    rng = random.Random(seed)
    sizes: list[int] = []
    while sum(sizes) < nodes:
        size = int(20 * (1 - rng.random()) ** -1.0)  # power law, exponent 2, from 20
        sizes.append(max(1, min(size, 2000, nodes - sum(sizes))))
    # expected degrees: power law, exponent 2.5 (P(x) ~ x^-2.5), capped
    weight = [min((1 - rng.random()) ** (-1 / 1.5), 200.0) for _ in range(nodes)]
    ids = list(range(1, nodes + 1))
    rng.shuffle(ids)  # communities are not runs of ids
    groups: list[tuple[list[int], list[float]]] = []
    community = [0] * (nodes + 1)
    start = 0
    for c, size in enumerate(sizes):
        members = ids[start : start + size]
        start += size
        groups.append((members, list(itertools.accumulate(weight[m - 1] for m in members))))
        for m in members:
            community[m] = c
    everyone = list(range(1, nodes + 1))
    cumulative = list(itertools.accumulate(weight))
    total = cumulative[-1]
    edges: set[tuple[int, int]] = set()
    draw = rng.random
    while len(edges) < links:
        for a in rng.choices(everyone, cum_weights=cumulative, k=links - len(edges) + 10):
            if draw() < mixing:
                b = everyone[min(nodes - 1, bisect.bisect(cumulative, draw() * total))]
            else:
                members, cum = groups[community[a]]
                b = members[min(len(members) - 1, bisect.bisect(cum, draw() * cum[-1]))]
            if a != b:
                edges.add((a, b) if a < b else (b, a))
                if len(edges) == links:
                    break
    return sorted(edges), community[1:]


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def uniform(nodes: int, links: int, seed: int = 1) -> list[tuple[int, int]]:
    """LINKS distinct pairs of 1..nodes drawn uniformly (an Erdos-Renyi G(n, m) graph): the
    graph the issue's anchor was measured on (networkx's Louvain about 227 s, igraph's Leiden
    about 3.5 s, at 100,000 nodes and 1,000,000 links), which this reproduces."""
    rng = random.Random(seed)
    edges: set[tuple[int, int]] = set()
    while len(edges) < links:
        a, b = rng.randint(1, nodes), rng.randint(1, nodes)
        if a != b:
            edges.add((a, b) if a < b else (b, a))
    return sorted(edges)


def compare(edges: list[tuple[int, int]], planted: list[int] | None = None) -> dict[str, Any]:
    """Entente's analysis and networkx's Louvain on the same edge list, in the same run."""
    import igraph as ig
    import networkx as nx

    from entente.investigations import analysis

    # Each side is single-threaded and timed in CPU seconds of this process (the machine may
    # be shared), wall-clock seconds beside them.
    cpu: dict[str, float] = {}
    wall: dict[str, float] = {}
    # Sampled betweenness whatever the size, as at scale (--quick's graph would be exact).
    result = analysis.compute(edges, exact_limit=0, cpu=cpu, wall=wall)
    named = ("graph", "leiden", "betweenness")
    entente_s = sum(cpu[k] for k in named)
    entente_wall = sum(wall[k] for k in named)

    t0, c0 = time.perf_counter(), time.process_time()
    nxg = nx.Graph()
    nxg.add_edges_from(edges)
    louvain = nx.community.louvain_communities(nxg, seed=1)
    networkx_wall, networkx_s = time.perf_counter() - t0, time.process_time() - c0
    del nxg

    g = result.graph
    position = {pk: i for i, pk in enumerate(result.ids)}
    nx_membership = [0] * g.vcount()
    for c, group in enumerate(louvain):
        for pk in group:
            nx_membership[position[pk]] = c
    degrees = sorted(g.degree())
    metrics: dict[str, Any] = {
        "graph_degree_median_p99_max": [
            degrees[len(degrees) // 2],
            degrees[int(0.99 * len(degrees))],
            degrees[-1],
        ],
        "entente_cpu_s": round(entente_s, 3),
        "entente_wall_s": round(entente_wall, 3),
        "entente_steps_cpu_s": {k: round(v, 3) for k, v in cpu.items()},
        "entente_steps_wall_s": {k: round(v, 3) for k, v in wall.items()},
        "entente_eigenvector_cpu_s": round(cpu["eigenvector"], 3),
        "entente_communities": max(result.community),
        "entente_modularity": round(g.modularity(result.community), 4),
        "networkx_louvain_cpu_s": round(networkx_s, 3),
        "networkx_louvain_wall_s": round(networkx_wall, 3),
        "networkx_communities": len(louvain),
        "networkx_modularity": round(g.modularity(nx_membership), 4),
        "ratio": round(entente_s / networkx_s, 4),
        "ratio_wall": round(entente_wall / networkx_wall, 4),
        "igraph": ig.__version__,
        "networkx": nx.__version__,
        "entente_includes": "igraph graph from the edge list, Leiden (modularity, "
        f"{analysis.LEIDEN_ITERATIONS} iterations, beta {analysis.LEIDEN_BETA}), "
        f"betweenness sampled from {result.betweenness_sources} sources; eigenvector, "
        "degree and coreness apart (entente_steps_*); not the database read",
        "networkx_includes": "nx.Graph from the edge list, louvain_communities (seed 1)",
    }
    if planted is not None:
        metrics["graph_planted_communities"] = max(planted) + 1
        metrics["graph_planted_modularity"] = round(
            g.modularity([planted[pk - 1] for pk in result.ids]), 4
        )
    return metrics


def main() -> None:
    args = parse(__doc__ or "", options)
    nodes = args.nodes or (2_000 if args.quick else 100_000)
    links = args.links or (10_000 if args.quick else 1_000_000)

    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "entente.settings")
    import django

    django.setup()

    # The goal's graph: the (uniform), then one with communities (for the record).
    metrics: dict[str, Any] = {"nodes": nodes, "links": links, "graph": "uniform G(n, m)"}
    metrics.update(compare(uniform(nodes, links)))
    edges, planted = generate(nodes, links, mixing=args.mixing)
    metrics["structured"] = {"graph_mixing": args.mixing, **compare(edges, planted)}
    ratio = metrics["ratio"]
    if not args.no_db:
        metrics.update(database_part(edges, nodes, args.expands))
        metrics["uniform_db"] = database_part(
            uniform(nodes, links), nodes, args.expands, analyse=False
        )
    report(
        "graph",
        metrics,
        f"networkx {metrics['networkx']} louvain_communities on the same {links:,} links of a "
        f"uniform random graph (the issue's anchor; {metrics['networkx_louvain_cpu_s']:.1f} CPU "
        "s); ratio: Entente's graph + Leiden + sampled betweenness / it, in CPU seconds; the "
        "same on a graph with communities under 'structured'",
        ratio,
    )


def database_part(
    edges: list[tuple[int, int]], nodes: int, expands: int, *, analyse: bool = True
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with database():
        from django.db import connection, transaction

        from entente.core.models import Agency, User
        from entente.demo.load import countries, load_personas, load_reference
        from entente.intelligence.models import Entity
        from entente.investigations import graph
        from entente.investigations.models import Link

        load_reference()
        load_personas("bench password")
        user = User.objects.get(username="gold.kent")
        agency = Agency.objects.get(code="NCA")
        releasable = ",".join(sorted(c.code for c in countries()))
        postgres = connection.vendor == "postgresql"
        now = dt.datetime.now(dt.UTC)
        if not postgres:
            now = connection.ops.adapt_datetimefield_value(now)

        marking = [  # MarkedModel's columns, first in both tables' rows
            "classification",
            "releasability",
            "tlp",
            "originator_id",
            "created_at",
            "updated_at",
        ]
        entity_cols = [
            *marking,
            "kind",
            "name",
            "identifier",
            "country",
            "attributes",
        ]
        link_cols = [
            *marking,
            "source_id",
            "target_id",
            "kind",
            "confidence",
            "source_note",
        ]
        kinds = ["calls", "pays", "travels_with", "drives", "owns", "member_of"]
        entity_rows = [
            (
                10,
                releasable,
                "GREEN",
                agency.pk,
                now,
                now,
                "phone",
                f"+4477009{i:05d}",
                "",
                "",
                "{}",
            )
            for i in range(nodes)
        ]
        t0 = time.perf_counter()
        with transaction.atomic():
            first = _write(connection, Entity._meta.db_table, entity_cols, entity_rows, postgres)
            # Entities were written in order: ids first..first+nodes-1 (checked below).
            offset = first - 1
            link_rows = [
                (
                    10,
                    releasable,
                    "GREEN",
                    agency.pk,
                    now,
                    now,
                    s + offset,
                    t + offset,
                    kinds[i % 6],
                    1.0,
                    "",
                )
                for i, (s, t) in enumerate(edges)
            ]
            _write(connection, Link._meta.db_table, link_cols, link_rows, postgres)
        out["db_write_s"] = round(time.perf_counter() - t0, 1)
        assert Entity.objects.filter(pk=first + nodes - 1, name=f"+4477009{nodes - 1:05d}").exists()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum (or the operator, after a bulk load) would

        if analyse:
            out.update(_analyse(user, first, releasable, agency, len(edges)))

        # The link chart's expand (one hop) and the two-hop neighbourhood, as the chart's API
        # reads them (graph.neighbourhood: visible links, hidden counts, labels).
        backend = None
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                backend = cursor.fetchone()[0]

        def cpu() -> float:
            server = cpu_seconds(backend) if backend is not None else 0.0
            return time.process_time() + (server or 0.0)

        rng = random.Random(2)
        for hops, name in ((1, "expand_one_hop"), (2, "neighbourhood_two_hop")):
            times, cpus, sizes = [], [], []
            for _ in range(expands):
                entity = first + rng.randrange(nodes)
                t0, c0 = time.perf_counter(), cpu()
                found = graph.neighbourhood(user, entity, hops=hops)
                times.append(time.perf_counter() - t0)
                cpus.append(cpu() - c0)
                sizes.append(len(found.edges))
            out[f"{name}_p95_ms"] = round(p95(times) * 1000, 1)
            out[f"{name}_median_ms"] = round(sorted(times)[len(times) // 2] * 1000, 1)
            out[f"{name}_cpu_p95_ms"] = round(p95(cpus) * 1000, 1)
            out[f"{name}_median_links"] = sorted(sizes)[len(sizes) // 2]
        out["second_hop_links"] = graph.SECOND_HOP_LINKS
        out["database"] = connection.vendor
    return out


def _analyse(user: Any, first: int, releasable: str, agency: Any, links: int) -> dict[str, Any]:
    """The whole analysis through the database: computed, kept, computed again after a write."""
    from entente.investigations import analysis, graph
    from entente.investigations.models import Link

    out: dict[str, Any] = {}
    t0 = time.perf_counter()
    pairs = list(graph.visible_links(user).order_by().values_list("source_id", "target_id"))
    out["db_edge_list_s"] = round(time.perf_counter() - t0, 3)
    assert len(pairs) == links, (len(pairs), links)
    t0 = time.perf_counter()
    whole = analysis.analyse(user)
    out["db_analyse_s"] = round(time.perf_counter() - t0, 3)
    out["db_analyse_nodes"] = len(whole.nodes)
    t0 = time.perf_counter()
    again = analysis.analyse(user)
    out["db_analyse_again_s"] = round(time.perf_counter() - t0, 3)
    assert again.links == whole.links
    # A new link, committed: the graph's version changes, the analysis is computed again.
    a, b = first, first + 1
    while Link.objects.filter(source_id=a, target_id=b).exists():
        b += 1
    Link.objects.create(
        source_id=a,
        target_id=b,
        kind="calls",
        releasability=set(releasable.split(",")),
        tlp="GREEN",
        originator=agency,
    )
    t0 = time.perf_counter()
    after = analysis.analyse(user)
    out["db_analyse_after_write_s"] = round(time.perf_counter() - t0, 3)
    assert after.links == whole.links + 1, (after.links, whole.links)
    del whole, again, after
    return out


def _write(
    connection: Any, table: str, columns: list[str], rows: list[tuple[Any, ...]], postgres: bool
) -> int:
    """Append rows to a table (COPY on PostgreSQL, multi-row INSERTs on SQLite); the id of
    the first row written."""
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        first = int(cursor.fetchone()[0]) + 1
        if postgres:
            raw = cursor.cursor  # psycopg's own cursor
            with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            per = 999 // len(columns)
            marks = "(" + ", ".join("?" * len(columns)) + ")"
            raw = cursor.connection.cursor()
            for i in range(0, len(rows), per):
                chunk = rows[i : i + per]
                values = ", ".join([marks] * len(chunk))
                raw.execute(
                    f"INSERT INTO {table} ({names}) VALUES {values}",
                    [v for row in chunk for v in row],
                )
    return first


if __name__ == "__main__":
    sys.exit(main())
