"""Network analysis at scale: Entente's analysis against networkx's Louvain on the same graph.

A graph of LINKS links between NODES entities is generated with community structure (planted
groups of 100 entities, nine links in ten inside a group), seeded. On the same edge list, in
the same run:

- **Entente**: ``entente.investigations.analysis.compute``, which is what ``analyse`` runs once
  it has read the visible edge list: the id mapping and the igraph graph, Leiden communities
  (modularity, iterated until stable), betweenness (sampled: 32 seeded sources, scaled),
  degree, eigenvector centrality and coreness. Reading the edge list from the database is NOT
  in this time: it is measured apart (``db_edge_list_s``), and so is the whole ``analyse``
  through the database for a user (``db_analyse_s``: visibility filter, edge list, metrics,
  labels, audit entry).
- **networkx (the anchor)**: building the ``nx.Graph`` from the edge list and
  ``louvain_communities`` (seeded), communities only.

ratio = Entente's CPU time / networkx's CPU time (goal <= 0.025); the CPU seconds of each
step of Entente's analysis are printed too (``entente_steps_cpu_s``), and the part the goal
names (graph, Leiden, sampled betweenness) on its own. The modularity of both partitions is
printed, computed the same way (igraph), so a faster answer is not a worse one.

Then the links are written to the database (raw multi-row INSERTs on SQLite, COPY on
PostgreSQL, with the tables' indexes in place) and the neighbourhood of a few hundred random
entities is read for a user of the demo through ``graph.neighbourhood`` (the link chart's):
one hop (the chart's expand) and two hops. Goal: p95 < 50 ms. The generated graph averages
20 links an entity, so two hops reach about 400 entities and thousands of links.

    make bench NAME=graph [BENCH_ARGS=--quick]                               # SQLite
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench make bench NAME=graph
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from typing import Any

from _harness import database, parse, report

GROUP = 100


def options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--nodes", type=int, help="entities (100,000; 2,000 with --quick)")
    parser.add_argument("--links", type=int, help="links (1,000,000; 10,000 with --quick)")
    parser.add_argument(
        "--expands", type=int, default=300, help="neighbourhood reads timed, per depth"
    )
    parser.add_argument("--no-db", action="store_true", help="skip the database part")


def generate(nodes: int, links: int, seed: int = 1) -> list[tuple[int, int]]:
    """Distinct undirected pairs of 1..nodes, nine in ten inside a planted group."""
    rng = random.Random(seed)
    edges: set[tuple[int, int]] = set()
    while len(edges) < links:
        a = rng.randrange(nodes)
        if rng.random() < 0.9:
            b = (a // GROUP) * GROUP + rng.randrange(min(GROUP, nodes - (a // GROUP) * GROUP))
        else:
            b = rng.randrange(nodes)
        if a != b:
            edges.add((min(a, b) + 1, max(a, b) + 1))
    return sorted(edges)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def main() -> None:
    args = parse(__doc__ or "", options)
    nodes = args.nodes or (2_000 if args.quick else 100_000)
    links = args.links or (10_000 if args.quick else 1_000_000)
    edges = generate(nodes, links)
    metrics: dict[str, Any] = {"nodes": nodes, "links": links}

    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "entente.settings")
    import django

    django.setup()
    import igraph as ig
    import networkx as nx

    from entente.investigations import analysis

    # The machine may be shared: both sides are timed in CPU seconds of this process (each is
    # single-threaded), wall-clock seconds beside them.
    steps: dict[str, float] = {}
    t0, c0 = time.perf_counter(), time.process_time()
    # Sampled betweenness whatever the size, as at scale (--quick's graph would be exact).
    result = analysis.compute(edges, exact_limit=0, cpu=steps)
    entente_wall, entente_s = time.perf_counter() - t0, time.process_time() - c0

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
    metrics.update(
        {
            "entente_analysis_cpu_s": round(entente_s, 3),
            "entente_analysis_wall_s": round(entente_wall, 3),
            "entente_steps_cpu_s": {k: round(v, 3) for k, v in steps.items()},
            "entente_leiden_and_betweenness_cpu_s": round(
                steps["graph"] + steps["leiden"] + steps["betweenness"], 3
            ),
            "entente_includes": "graph from the edge list, Leiden (modularity, until stable), "
            f"betweenness sampled from {result.betweenness_sources} sources, degree, "
            "eigenvector, coreness; not the database read",
            "entente_communities": max(result.community),
            "entente_modularity": round(g.modularity(result.community), 4),
            "networkx_louvain_cpu_s": round(networkx_s, 3),
            "networkx_louvain_wall_s": round(networkx_wall, 3),
            "networkx_includes": "nx.Graph from the edge list, louvain_communities (seed 1)",
            "networkx_communities": len(louvain),
            "networkx_modularity": round(g.modularity(nx_membership), 4),
            "igraph": ig.__version__,
            "networkx": nx.__version__,
        }
    )
    ratio = entente_s / networkx_s
    if not args.no_db:
        metrics.update(database_part(edges, nodes, args.expands))
    report(
        "graph",
        metrics,
        f"networkx {nx.__version__} louvain_communities on the same {links:,} links "
        f"({networkx_s:.1f} CPU s); ratio: Entente's whole analysis / it, in CPU seconds",
        ratio,
    )


def database_part(edges: list[tuple[int, int]], nodes: int, expands: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with database():
        from django.db import connection, transaction

        from entente.core.models import Agency, User
        from entente.demo.load import countries, load_personas, load_reference
        from entente.intelligence.models import Entity
        from entente.investigations import analysis, graph
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

        t0 = time.perf_counter()
        pairs = list(graph.visible_links(user).order_by().values_list("source_id", "target_id"))
        out["db_edge_list_s"] = round(time.perf_counter() - t0, 3)
        assert len(pairs) == len(edges), (len(pairs), len(edges))
        t0 = time.perf_counter()
        whole = analysis.analyse(user)
        out["db_analyse_s"] = round(time.perf_counter() - t0, 3)
        out["db_analyse_nodes"] = len(whole.nodes)

        # The link chart's expand (one hop) and the two-hop neighbourhood, as the chart's API
        # reads them (graph.neighbourhood: visible links, hidden counts, labels).
        rng = random.Random(2)
        for hops, name in ((1, "expand_one_hop"), (2, "neighbourhood_two_hop")):
            times, sizes = [], []
            for _ in range(expands):
                entity = first + rng.randrange(nodes)
                t0 = time.perf_counter()
                found = graph.neighbourhood(user, entity, hops=hops)
                times.append(time.perf_counter() - t0)
                sizes.append(len(found.edges))
            out[f"{name}_p95_ms"] = round(p95(times) * 1000, 1)
            out[f"{name}_median_ms"] = round(sorted(times)[len(times) // 2] * 1000, 1)
            out[f"{name}_median_links"] = sorted(sizes)[len(sizes) // 2]
        out["database"] = connection.vendor
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
