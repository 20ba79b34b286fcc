"""Record linkage across the two countries: Entente's run against plain Splink.

1,000,000 generated person records (50,000 with --quick) of French and British agencies, 30 %
of them a second record of someone the other country also holds, with the romanisation
variants, typos, swapped names and estimated dates of birth real files carry
(entente.investigations.linkage.synthetic; the truth is each record's person number).

Measured in the same run, on the same records:

- Entente: its run code (entente.investigations.linkage.run.execute) on the records loaded
  into the database (``intelligence_entity``, with their markings): export (read from the
  database and normalise), train (u by sampling, m by EM), predict (the run's default
  threshold, 0.9, fixed in entente.investigations.linkage.run, not fitted here) and store
  (the pairs written as MatchCandidate rows, in chunks, with the checkpoint). The load into
  the database is set-up, not timed;
- the anchor, plain Splink 5 on DuckDB with straightforward settings: Jaro-Winkler on the
  given and family names as written, the date of birth exact or within one or two edits,
  nationality and gender exact; blocking on the names, or a name and the date; the same
  training steps (u from Splink's default million random pairs, where Entente samples five
  million); from the same records in memory (no database read, nothing stored).

``ratio`` is Entente's full run (all four stages) over the anchor's train and predict;
``ratio_link`` compares train and predict only. Both are scored against the truth
(precision and recall of the pairs above 0.9). Then the save-time check: records saved
through the ORM (post_save) against the million, p95 of the check. Peak memory is the
process's maximum resident set (DuckDB runs in process).

    make bench NAME=linkage [BENCH_ARGS=--quick]
"""

from __future__ import annotations

import resource
import statistics
import time
from typing import Any

from _harness import database, parse, report


def plain_splink(
    records: list[dict[str, Any]], threshold: float
) -> tuple[float, set[tuple[int, int]]]:
    import duckdb
    import pyarrow as pa
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    t0 = time.perf_counter()
    table = pa.Table.from_pylist(
        [
            {
                "unique_id": i,
                "given_name": r["attributes"]["given_name"],
                "family_name": r["attributes"]["family_name"],
                "birth_date": r["attributes"]["birth_date"],
                "nationality": r["attributes"]["nationality"],
                "gender": r["attributes"]["gender"],
            }
            for i, r in enumerate(records)
        ]
    )
    con = duckdb.connect(":memory:")
    con.register("arrow_in", table)
    con.execute("CREATE TABLE people AS SELECT * FROM arrow_in")
    db_api = DuckDBAPI(connection=con)
    frame = db_api.register("people", table_name="people_in")
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.JaroWinklerAtThresholds("given_name", [0.92, 0.85]),
            cl.JaroWinklerAtThresholds("family_name", [0.92, 0.85]),
            cl.LevenshteinAtThresholds("birth_date", [1, 2]),
            cl.ExactMatch("nationality"),
            cl.ExactMatch("gender"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "family_name"),
            block_on("family_name", "birth_date"),
            block_on("given_name", "birth_date"),
        ],
        retain_matching_columns=False,
    )
    linker = Linker(frame, settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "family_name", "birth_date")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=42)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("birth_date", "gender")
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("given_name", "family_name")
    )
    result = linker.inference.predict(threshold_match_probability=threshold)
    pairs = con.execute(
        f"SELECT least(unique_id_l, unique_id_r), greatest(unique_id_l, unique_id_r) FROM {result.physical_name}"  # noqa: E501
    ).fetchall()
    return time.perf_counter() - t0, {(int(a), int(b)) for a, b in pairs}


def scores(found: set[tuple[int, int]], truth: set[tuple[int, int]]) -> tuple[float, float]:
    hits = len(found & truth)
    return hits / max(1, len(found)), hits / max(1, len(truth))


def main() -> None:
    args = parse(__doc__ or "", lambda p: p.add_argument("--records", type=int, default=0))
    n = args.records or (50_000 if args.quick else 1_000_000)
    with database():
        from django.db import transaction

        from entente.core.choices import TLP, Classification
        from entente.core.models import Agency, User
        from entente.demo.load import load_personas, load_reference
        from entente.intelligence.models import Entity
        from entente.investigations.linkage import run as runs
        from entente.investigations.linkage import synthetic
        from entente.investigations.models import MatchCandidate
        from entente.investigations.services import linkage

        threshold = runs.DEFAULT_THRESHOLD
        load_reference()
        load_personas("benchmark-password")
        user = User.objects.get(username="gold.kent")
        agencies = {
            a.code: a
            for a in Agency.objects.filter(
                code__in=[*synthetic.FR_AGENCIES, *synthetic.UK_AGENCIES]
            )
        }

        t0 = time.perf_counter()
        records = list(synthetic.generate(n))
        entities = [
            Entity(
                kind="person",
                name=r["name"],
                attributes=r["attributes"],
                classification=Classification.OFFICIAL,
                releasability=frozenset({"FR", "UK"}),
                tlp=TLP.GREEN,
                originator=agencies[r["agency"]],
                created_by=user,
            )
            for r in records
        ]
        for i in range(0, len(entities), 20_000):
            with transaction.atomic():
                Entity.objects.bulk_create(entities[i : i + 20_000])
        # The ids in the database stand for the records' positions in the truth.
        position = {e.pk: i for i, e in enumerate(entities)}
        del entities
        keys = linkage.index_records("person")
        load_seconds = time.perf_counter() - t0
        people: dict[int, list[int]] = {}
        for i, r in enumerate(records):
            people.setdefault(r["person"], []).append(i)
        truth = {tuple(sorted(v)) for v in people.values() if len(v) == 2}

        # Entente's run, through its run code.
        run = runs.start(kind="person", user=user, backend="duckdb", threshold=threshold)
        t0 = time.perf_counter()
        runs.execute(run)
        entente_seconds = time.perf_counter() - t0
        run.refresh_from_db()
        stages = run.metrics.get("seconds", {})
        found = set()
        for left, right in MatchCandidate.objects.values_list("left_id", "right_id").iterator(
            chunk_size=50_000
        ):
            a, b = sorted((position[left], position[right]))
            found.add((a, b))
        precision, recall = scores(found, truth)
        link_seconds = stages.get("train", 0) + stages.get("predict", 0)

        plain_seconds, plain_found = plain_splink(records, threshold)
        plain_precision, plain_recall = scores(plain_found, truth)

        # The save-time check: a second record of known people, saved by another agency.
        import random

        rng = random.Random(7)
        timings = []
        made = 0
        for p in rng.sample(sorted(people), 200):
            first = records[people[p][0]]
            fr = first["agency"] in synthetic.FR_AGENCIES
            agency = rng.choice(synthetic.UK_AGENCIES if fr else synthetic.FR_AGENCIES)
            person = synthetic.Person(
                p,
                first["attributes"]["given_name"],
                first["attributes"]["family_name"],
                __import__("datetime").date.fromisoformat(first["attributes"]["birth_date"])
                if len(first["attributes"]["birth_date"]) == 10
                else __import__("datetime").date(int(first["attributes"]["birth_date"]), 7, 1),
                first["attributes"]["nationality"] or "SY",
                first["attributes"]["gender"],
            )
            new = synthetic.record(person, agency, rng, duplicate=True)
            entity = Entity.objects.create(
                kind="person",
                name=new["name"],
                attributes=new["attributes"],
                classification=Classification.OFFICIAL,
                releasability=frozenset({"FR", "UK"}),
                tlp=TLP.GREEN,
                originator=agencies[agency],
                created_by=user,
            )
            s = time.perf_counter()
            made += len(linkage.check_record(entity))
            timings.append((time.perf_counter() - s) * 1000)
        timings.sort()
        p95 = timings[int(len(timings) * 0.95) - 1]
        peak_gib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024

    metrics = {
        "records": n,
        "true_pairs": len(truth),
        "load_seconds_untimed": round(load_seconds, 1),
        "blocking_keys": keys,
        "entente_seconds": round(entente_seconds, 1),
        "entente_stages": stages,
        "entente_pairs": len(found),
        "entente_precision": round(precision, 4),
        "entente_recall": round(recall, 4),
        "plain_splink_seconds": round(plain_seconds, 1),
        "plain_splink_pairs": len(plain_found),
        "plain_splink_precision": round(plain_precision, 4),
        "plain_splink_recall": round(plain_recall, 4),
        "ratio_link": round(link_seconds / plain_seconds, 3),
        "save_check_p95_ms": round(p95, 1),
        "save_check_median_ms": round(statistics.median(timings), 1),
        "save_check_pairs_found": made,
        "peak_memory_gib": round(peak_gib, 2),
        "goals": {
            "ratio<=1.2": entente_seconds / plain_seconds <= 1.2,
            "total<=600s": entente_seconds <= 600,
            "memory<=12GiB": peak_gib <= 12,
            "recall>=0.95": recall >= 0.95,
            "precision>=0.95": precision >= 0.95,
            "save_p95<=200ms": p95 <= 200,
        },
    }
    report("linkage", metrics, "plain Splink on the same records", entente_seconds / plain_seconds)


if __name__ == "__main__":
    main()
