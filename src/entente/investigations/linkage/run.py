"""The resumable linkage run behind ``entente resolve_entities``.

Stages, each recorded in the ResolutionRun (stage, done/total) with a checkpoint:

1. ``export``: every record of the kind (all of them: a system job, whoever started it),
   prepared by ``model.person_row``/``vehicle_row``, written to a Parquet file in the run's
   folder (``ENTENTE_DATA_DIR/linkage/run-<id>/``);
2. ``train``: u by random sampling, m by expectation maximisation on the training blocks; the
   trained model is saved as JSON beside the records;
3. ``predict``: the pairs above the threshold, written to Parquet;
4. ``store``: the pairs inserted as MatchCandidate in chunks, the checkpoint moved in the same
   transaction as each chunk, so that an interrupted run resumes at the next chunk and never
   writes a pair twice (and the pair's unique constraint guards a second run);
5. ``done``: precision estimates (expected from the probabilities, measured from the reviewed
   decisions).

A finished stage's files are reused on resume. The backend is DuckDB (in process) unless
``ENTENTE_LINKAGE_BACKEND=spark`` (or ``--backend spark``): then pyspark must be installed and a
Spark session reachable (``SparkSession.builder.getOrCreate()`` reads the usual SPARK_*
settings); Splink's Spark backend also needs its similarity UDF jar for Jaro-Winkler.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from entente.intelligence.choices import EntityKind
from entente.intelligence.models import Entity
from entente.investigations.choices import MatchState, RunState
from entente.investigations.linkage import model
from entente.investigations.models import MatchCandidate, ResolutionRun

log = logging.getLogger(__name__)

STAGES = ("export", "train", "predict", "store")
BACKENDS = ("duckdb", "spark")
CHUNK = 5_000
# A pair is proposed for review from a match probability of 0.9 (odds of 9 to 1), fixed here,
# not fitted to any run. On a million generated records (benchmarks/linkage.py) the trained
# model finds 96 % of the true pairs at 99 % precision at this threshold; the review queue
# sorts by probability, so a reviewer sees the surest pairs first.
DEFAULT_THRESHOLD = 0.9
# Random pairs sampled to estimate u. The strongest levels (same spelling, names swapped, same
# romanisation) occur in a few random pairs in a million: at national scale 5 million samples
# give each a few dozen hits rather than a handful, so that their weights are estimates, not
# noise. Five per record, between Splink's default million and those 5 million: a small set
# has fewer distinct pairs to learn from, and its larger prior needs less of the names.
U_PAIRS = 5e6


def u_pairs(records: int) -> float:
    return max(1e6, min(U_PAIRS, 5.0 * records))


Progress = Callable[[ResolutionRun], None]


class Interrupted(Exception):
    """Raised by ``stop_after`` (tests, an operator's Ctrl-C): the run stays resumable."""


def default_backend() -> str:
    value = os.environ.get("ENTENTE_LINKAGE_BACKEND", "duckdb").strip().lower() or "duckdb"
    if value not in BACKENDS:
        raise ImproperlyConfigured(
            f"ENTENTE_LINKAGE_BACKEND must be one of {', '.join(BACKENDS)}, not {value!r}"
        )
    return value


def folder(run: ResolutionRun) -> Path:
    path = Path(django_settings.DATA_DIR) / "linkage" / f"run-{run.pk}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def percent(run: ResolutionRun) -> int:
    """Overall progress: each stage a quarter, the current one by its done/total."""
    if run.state == RunState.DONE:
        return 100
    stage = STAGES.index(run.stage) if run.stage in STAGES else 0
    part = run.done / run.total if run.total else 0
    return min(99, int(100 * (stage + part) / len(STAGES)))


# --- the records ---------------------------------------------------------------------------


def rows(kind: str, *, batch: int = 20_000) -> Iterator[list[dict[str, Any]]]:
    """Every record of the kind as the model's rows, in batches (keyset pages by pk)."""
    last = 0
    while True:
        page = list(
            Entity.objects.filter(kind=kind, pk__gt=last)
            .order_by("pk")
            .values_list("pk", "originator_id", "name", "identifier", "country", "attributes")[
                :batch
            ]
        )
        if not page:
            return
        last = page[-1][0]
        if kind == EntityKind.PERSON:
            yield [
                model.person_row(pk, ag, attrs or {}, name) for pk, ag, name, _i, _c, attrs in page
            ]
        else:
            yield [
                model.vehicle_row(pk, ag, ident, country, attrs or {})
                for pk, ag, _n, ident, country, attrs in page
            ]


def columns(kind: str) -> tuple[str, ...]:
    return model.PERSON_COLUMNS if kind == EntityKind.PERSON else model.VEHICLE_COLUMNS


def write_records(kind: str, batches: Iterator[list[dict[str, Any]]], path: Path) -> int:
    """The prepared rows as one Parquet file; returns how many."""
    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
    import pyarrow.parquet as pq  # type: ignore[import-untyped,unused-ignore]

    writer = None
    count = 0
    try:
        for batch in batches:
            table = pa.Table.from_pylist(batch, schema=schema(kind))
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema)
            writer.write_table(table)
            count += len(batch)
        if writer is None:
            pq.write_table(pa.Table.from_pylist([], schema=schema(kind)), path)
    finally:
        if writer is not None:
            writer.close()
    return count


def schema(kind: str) -> Any:
    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

    if kind == EntityKind.PERSON:
        types = {
            "unique_id": pa.int64(),
            "agency": pa.int64(),
            "dob_year": pa.int32(),
            "dob_days": pa.int32(),
            "dob_est": pa.bool_(),
        }
    else:
        types = {"unique_id": pa.int64(), "agency": pa.int64()}
    return pa.schema([(c, types.get(c, pa.string())) for c in columns(kind)])


# --- Splink ------------------------------------------------------------------------------


def database_api(backend: str, work: Path) -> Any:
    if backend == "spark":
        try:
            from pyspark.sql import SparkSession  # type: ignore[import-not-found,unused-ignore]
        except ImportError as exc:
            raise ImproperlyConfigured(
                "The Spark backend needs pyspark (pip install pyspark) and a Spark cluster "
                "or local Spark; DuckDB is the default."
            ) from exc
        from splink import SparkAPI
        from splink.backends.spark import similarity_jar_location

        spark = SparkSession.builder.appName("entente-linkage").getOrCreate()
        # The name comparisons call jaro_winkler, a Scala function in a jar shipped with
        # Splink: without it every run fails at training (UNRESOLVED_ROUTINE). ADD JAR loads it
        # into this session, and keeps whatever spark.jars the site configured.
        spark.sql(f"ADD JAR '{similarity_jar_location()}'")
        spark.sparkContext.setCheckpointDir(str(work / "spark-checkpoints"))
        return SparkAPI(spark_session=spark)  # type: ignore[no-untyped-call,unused-ignore]
    import duckdb
    from splink import DuckDBAPI

    con = duckdb.connect(":memory:")
    # Spill to the run's folder rather than fail when a national set outgrows memory.
    con.execute(f"SET temp_directory = '{work / 'duckdb-tmp'}'")
    return DuckDBAPI(connection=con)


def register(db_api: Any, backend: str, path: Path) -> Any:
    if backend == "spark":
        # A view of the session's own (replaced by the next stage's linker in the same
        # session), registered by name as on DuckDB.
        db_api.spark.read.parquet(str(path)).createOrReplaceTempView("records")
        return db_api.register("records", table_name="records_in")
    # The path is the run's own folder, not user input.
    db_api.duckdb_con.execute(f"CREATE TABLE records AS SELECT * FROM read_parquet('{path}')")  # noqa: S608
    return db_api.register("records", table_name="records_in")


def linker_for(kind: str, backend: str, work: Path, model_settings: dict[str, Any]) -> Any:
    from splink import Linker

    db_api = database_api(backend, work)
    frame = register(db_api, backend, work / "records.parquet")
    return Linker(frame, model_settings, log_level=logging.WARNING)


def train(
    kind: str, backend: str, work: Path, *, records: int = 0, seed: int = 42
) -> dict[str, Any]:
    """Train u by random sampling and m by EM; the trained model (a settings dict)."""
    linker = linker_for(kind, backend, work, model.settings(kind, backend=backend))
    # The prior: the pairs the strict rules find (same romanisation key and same date of
    # birth), divided by their recall, taken as 0.7: a typo in a consonant, an estimated or
    # mistyped date, or a swap of day and month puts about three matches in ten outside them.
    try:
        linker.training.estimate_probability_two_random_records_match(
            [model.blocking_sql(cols, backend) for cols in model.DETERMINISTIC[kind]],
            recall=0.7,
        )
    except Exception as exc:  # the default prior stands
        log.warning("prior not estimated: %s", exc)
    settings_obj = linker._settings_obj
    if not 0 < settings_obj._probability_two_random_records_match < 1:
        # No pair met the strict rules (a small set: the demo's few dozen people): a prior of
        # 0 would make every weight minus infinity; the default prior stands instead.
        log.warning("prior not estimated: no pair meets the deterministic rules")
        settings_obj._probability_two_random_records_match = model.PRIOR[kind]
    linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs(records), seed=seed)
    for cols in model.TRAINING_BLOCKS[kind]:
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                model.blocking_sql(cols, backend)
            )
        except Exception as exc:
            log.warning("EM on %s skipped: %s", cols, exc)
    trained = dict(linker.misc.save_model_to_json())
    # An EM pass that fails (too few pairs in its blocks: a small set) can leave the linker
    # without the comparisons it had set aside; those keep their untrained m and u.
    kept = {c["output_column_name"]: c for c in trained["comparisons"]}
    trained["comparisons"] = [
        kept.get(c["output_column_name"], c)
        for c in model.settings(kind, backend=backend)["comparisons"]
    ]
    return trained


def predict(kind: str, backend: str, work: Path, trained: dict[str, Any], threshold: float) -> int:
    """Score the blocked pairs with the trained model; pairs above the threshold to Parquet."""
    # The weight of each comparison (mw_*) is kept for the review queue's "why".
    linker = linker_for(
        kind, backend, work, {**trained, "retain_intermediate_calculation_columns": True}
    )
    out = work / "pairs.parquet"
    result = linker.inference.predict(threshold_match_probability=threshold)
    names = [c.name for c in model.COMPARISONS[kind]]
    gammas = ", ".join(f'"mw_{n}"' for n in names)
    select = (
        "SELECT least(unique_id_l, unique_id_r) AS left_id, "  # noqa: S608 - Splink's table, our columns
        "greatest(unique_id_l, unique_id_r) AS right_id, "
        f"match_probability, match_weight, {gammas} FROM {result.physical_name} "
        "ORDER BY left_id, right_id"
    )
    if backend == "spark":
        db_api = linker._db_api
        frame = db_api.spark.sql(model.in_dialect(select, backend))
        frame.coalesce(1).write.mode("overwrite").parquet(str(out) + ".d")
        part = next((out.parent / (out.name + ".d")).glob("*.parquet"))
        shutil.move(str(part), out)
        return int(frame.count())
    con = linker._db_api.duckdb_con
    con.execute(f"COPY ({select}) TO '{out}' (FORMAT parquet)")
    counted = con.execute(f"SELECT count(*) FROM read_parquet('{out}')").fetchone()  # noqa: S608
    return int(counted[0]) if counted else 0


def pair_batches(
    work: Path, kind: str, start: int, size: int | None = None
) -> Iterator[list[MatchCandidate]]:
    size = size or CHUNK
    import pyarrow.parquet as pq  # type: ignore[import-untyped,unused-ignore]

    names = [c.name for c in model.COMPARISONS[kind]]
    weights = model.Weights.from_settings(kind, json.loads((work / "model.json").read_text()))
    table = pq.read_table(work / "pairs.parquet")
    for offset in range(start, table.num_rows, size):
        chunk = table.slice(offset, size).to_pylist()
        yield [
            MatchCandidate(
                left_id=r["left_id"],
                right_id=r["right_id"],
                probability=min(1.0, max(0.0, float(r["match_probability"]))),
                match_weight=float(r["match_weight"]),
                comparison={
                    "levels": weights.labels({n: r[f"mw_{n}"] for n in names}),
                    "source": "run",
                },
                state=MatchState.PENDING,
            )
            for r in chunk
        ]


# --- the run -----------------------------------------------------------------------------


def start(
    *, kind: str, user: Any, backend: str | None = None, threshold: float = DEFAULT_THRESHOLD
) -> ResolutionRun:
    backend = backend or default_backend()
    if backend not in BACKENDS:
        raise ValueError(backend)
    return ResolutionRun.objects.create(
        kind=kind,
        backend=backend,
        started_by=user if getattr(user, "pk", None) else None,
        params={"threshold": threshold},
    )


def _save(run: ResolutionRun, **fields: Any) -> None:
    for k, v in fields.items():
        setattr(run, k, v)
    run.save(update_fields=[*fields])


def execute(
    run: ResolutionRun,
    *,
    on_progress: Progress | None = None,
    stop_after: str | None = None,
    stop_after_chunks: int | None = None,
) -> ResolutionRun:
    """Run (or resume) every stage not yet done. ``stop_after`` names a stage after which the
    run stops as if interrupted (``stop_after_chunks``: after that many stored chunks)."""
    progress = on_progress or (lambda r: None)
    work = folder(run)
    threshold = float(run.params.get("threshold", DEFAULT_THRESHOLD))
    cp = dict(run.checkpoint)
    timings: dict[str, float] = dict(run.metrics.get("seconds", {}))
    _save(run, state=RunState.RUNNING, started_at=run.started_at or timezone.now(), error="")

    def finished(stage: str, t0: float, **extra: Any) -> None:
        cp.setdefault("stages", [])
        if stage not in cp["stages"]:
            cp["stages"].append(stage)
        cp.update(extra)
        timings[stage] = round(timings.get(stage, 0) + time.perf_counter() - t0, 3)
        metrics = {**run.metrics, "seconds": timings}
        _save(run, checkpoint=cp, metrics=metrics)
        progress(run)
        if stop_after == stage:
            _save(run, state=RunState.PAUSED)
            raise Interrupted(stage)

    try:
        done = set(cp.get("stages", []))
        if "export" not in done:
            t0 = time.perf_counter()
            total = Entity.objects.filter(kind=run.kind).count()
            _save(run, stage="export", done=0, total=total)
            progress(run)

            def counted() -> Iterator[list[dict[str, Any]]]:
                for batch in rows(run.kind):
                    yield batch
                    _save(run, done=run.done + len(batch))
                    progress(run)

            n = write_records(run.kind, counted(), work / "records.parquet")
            _save(run, records=n)
            finished("export", t0)
        if "train" not in done:
            t0 = time.perf_counter()
            _save(run, stage="train", done=0, total=1)
            progress(run)
            if run.records >= 2:
                trained = train(run.kind, run.backend, work, records=run.records)
            else:
                trained = model.settings(run.kind, backend=run.backend)
            (work / "model.json").write_text(json.dumps(trained))
            _save(run, done=1)
            finished("train", t0)
        if "predict" not in done:
            t0 = time.perf_counter()
            _save(run, stage="predict", done=0, total=1)
            progress(run)
            trained = json.loads((work / "model.json").read_text())
            pairs = (
                predict(run.kind, run.backend, work, trained, threshold) if run.records >= 2 else 0
            )
            if not pairs:
                _write_empty_pairs(work, run.kind)
            _save(run, done=1)
            finished("predict", t0, pairs=pairs, stored=0)
        if "store" not in done:
            t0 = time.perf_counter()
            stored = int(cp.get("stored", 0))
            _save(run, stage="store", done=stored, total=int(cp.get("pairs", 0)))
            progress(run)
            for chunks, batch in enumerate(pair_batches(work, run.kind, stored), start=1):
                for c in batch:
                    c.run_id = run.pk
                with transaction.atomic():
                    # A pair already proposed (by an earlier run, or by the save-time
                    # check) keeps its row and its decisions.
                    MatchCandidate.objects.bulk_create(batch, ignore_conflicts=True)
                    stored += len(batch)
                    cp["stored"] = stored
                    _save(run, checkpoint=cp, done=stored)
                progress(run)
                if (
                    stop_after_chunks is not None
                    and chunks >= stop_after_chunks
                    and stored < run.total
                ):
                    _save(run, state=RunState.PAUSED)
                    raise Interrupted("store")
            finished("store", t0)
        metrics = {**run.metrics, "seconds": timings, **estimates(run, threshold)}
        _save(
            run,
            stage="done",
            state=RunState.DONE,
            finished_at=timezone.now(),
            candidates=int(cp.get("pairs", 0)),
            metrics=metrics,
        )
        progress(run)
        return run
    except Interrupted:
        return run
    except (KeyboardInterrupt, SystemExit):  # an operator's Ctrl-C: resumable, not "running"
        _save(run, state=RunState.PAUSED)
        raise
    except Exception as exc:
        _save(run, state=RunState.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000])
        raise


def _write_empty_pairs(work: Path, kind: str) -> None:
    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
    import pyarrow.parquet as pq  # type: ignore[import-untyped,unused-ignore]

    fields = [
        ("left_id", pa.int64()),
        ("right_id", pa.int64()),
        ("match_probability", pa.float64()),
        ("match_weight", pa.float64()),
        *((f"mw_{c.name}", pa.float64()) for c in model.COMPARISONS[kind]),
    ]
    pq.write_table(pa.Table.from_pylist([], schema=pa.schema(fields)), work / "pairs.parquet")


def estimates(run: ResolutionRun, threshold: float) -> dict[str, Any]:
    """Expected precision: the mean match probability of the pairs above the threshold (each
    pair is a match with its probability). Measured precision: of the reviewed pairs above the
    threshold, the share judged the same."""
    import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]
    import pyarrow.parquet as pq  # type: ignore[import-untyped,unused-ignore]

    path = folder(run) / "pairs.parquet"
    expected = None
    if path.exists():
        probs = pq.read_table(path, columns=["match_probability"])["match_probability"]
        if len(probs):
            expected = round(float(pc.mean(probs).as_py()), 4)
    reviewed = MatchCandidate.objects.filter(
        probability__gte=threshold, state__in=[MatchState.SAME, MatchState.NOT_SAME]
    )
    same = reviewed.filter(state=MatchState.SAME).count()
    total = reviewed.count()
    return {
        "expected_precision": expected,
        "measured_precision": round(same / total, 4) if total else None,
        "reviewed": total,
        "threshold": threshold,
    }
