"""Full-text search over intelligence reports: Entente's ranked top 20 against the naive query.

A store of generated reports (1,000,000; 20,000 with --quick), half in French and half in
English (a fifth with a translation in the other language), with mixed markings (classification,
releasability, TLP, originator, some named recipients), is written into the report table by
COPY on a PostgreSQL database of the benchmark's own (created and dropped here; the generated
``search_document`` tsvector and its GIN index are the migration's). Words follow a Zipf law
over a vocabulary per language, with the domain's words (passeur, camion, smuggler, lorry...)
at chosen ranks, so that the queries range from a term in nearly every report to a rare one.

Measured, in the same run, on the same index, for the same queries:

- Entente: ``services.search.ranked_page`` as three personas (analyst.nca, analyst.dcpaf,
  investigator.ocriest), the access policy on: the newest visible matches (400) ranked by
  ``ts_rank``, the page of 20 read with its originators;
- the anchor: the naive ``ORDER BY ts_rank(search_document, query) DESC LIMIT 20`` over every
  match, without the policy, through the same ORM path (JIT off for both: only the plans
  differ).

Goal: Entente's p95 under 100 ms, and at most half the naive p95. Also printed: the whole search
service (count, facets, audit entry) as one persona, and the same ranked page on SQLite (FTS5
with Python stemming) over 100,000 reports (10,000 with --quick), from a run of this script in a
subprocess.

    make bench NAME=search [BENCH_ARGS=--quick]
    .venv/bin/python benchmarks/search.py --pg-url postgresql://postgres@127.0.0.1:5432/bench_search
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from _harness import parse, report

PERSONAS = ["analyst.nca", "analyst.dcpaf", "investigator.ocriest"]
QUERIES = [
    "passeurs",  # French, in most French reports
    "camion Calais",
    "smugglers",  # English, in most English reports
    "lorry Dover",
    "réseau démantelé",
    "small boats",
    "Coquelles",  # both languages, mid frequency
    "frigorifique",
    "Albanian network",
    '"passeur albanais"',
    "vulnerable minors",
    "Zeebrugge",  # rare
]
# Domain words and the Zipf rank they are placed at in their language's vocabulary.
DOMAIN = {
    "fr": {
        "passeur": 2,
        "passeurs": 3,
        "camion": 8,
        "calais": 12,
        "réseau": 20,
        "démantelé": 60,
        "coquelles": 150,
        "frigorifique": 300,
        "albanais": 500,
        "mineurs": 700,
        "vulnérables": 900,
        "zeebrugge": 2500,
    },
    "en": {
        "smuggler": 2,
        "smugglers": 3,
        "lorry": 8,
        "dover": 12,
        "small": 20,
        "boats": 40,
        "coquelles": 150,
        "network": 60,
        "albanian": 500,
        "vulnerable": 700,
        "minors": 900,
        "zeebrugge": 2500,
    },
}
VOCABULARY = 4000
SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "te", "vo", "pa", "li"]
SYLLABLES += ["do", "ge", "fu", "ri", "ma", "so", "bi", "la", "tu", "ze"]


def options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--pg-url",
        default=os.environ.get(
            "BENCH_SEARCH_URL", "postgresql://postgres@127.0.0.1:5432/bench_search"
        ),
        help="the benchmark's own PostgreSQL database (its test_ copy is created and dropped)",
    )
    parser.add_argument("--reports", type=int, default=None, help="number of reports")
    parser.add_argument("--repeats", type=int, default=None, help="timed runs of each query")
    parser.add_argument("--sqlite", action="store_true", help="(internal) the SQLite run")


def vocabulary(language: str, rng: random.Random) -> list[str]:
    words: set[str] = set()
    out: list[str] = []
    while len(out) < VOCABULARY:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in words:
            words.add(word)
            out.append(word)
    for word, rank in DOMAIN[language].items():
        out.insert(rank, word)
    return out[:VOCABULARY]


def fragments(language: str, rng: random.Random, count: int = 4000) -> list[str]:
    """Sentence fragments of 20 Zipf-drawn words; a report is a few of them."""
    vocab = vocabulary(language, rng)
    weights = [1 / (rank + 1) for rank in range(len(vocab))]
    return [" ".join(rng.choices(vocab, weights, k=20)) for _ in range(count)]


def pct(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100)[q - 1] if len(samples) > 1 else samples[0]


def timed(fn: Callable[[], Any], repeats: int) -> list[float]:
    fn()  # warm: the first run reads the pages from disk
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def generate(n: int, seed: int = 11) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The reports' rows, in the report table's column order (and the column names)."""
    from entente.core.choices import TLP, Classification
    from entente.core.models import Agency, User

    rng = random.Random(seed)
    frags = {lang: fragments(lang, rng) for lang in ("fr", "en")}
    agencies = {
        "FR": list(Agency.objects.filter(code__in=["DCPAF", "OCRIEST", "PN", "GEND"])),
        "UK": list(Agency.objects.filter(code__in=["NCA", "BF", "KENTPOL"])),
    }
    authors = list(User.objects.exclude(agency=None).values_list("pk", flat=True))
    tlps = [TLP.CLEAR, TLP.GREEN, TLP.AMBER, TLP.AMBER_STRICT, TLP.RED]
    tlp_weights = [10, 35, 40, 10, 5]
    levels = [Classification.OFFICIAL, Classification.OFFICIAL_SENSITIVE, Classification.SECRET]
    start = dt.datetime(2015, 1, 1, tzinfo=dt.UTC)
    span = 10 * 365 * 86400
    columns = [
        "reference",
        "title",
        "body",
        "language",
        "translated_title",
        "translation",
        "translation_state",
        "grading_scheme",
        "source_grade",
        "information_grade",
        "handling_code",
        "handling_conditions",
        "classification",
        "releasability",
        "tlp",
        "originator_id",
        "created_by_id",
        "created_at",
        "updated_at",
    ]
    rows = []
    for i in range(n):
        country = "FR" if i % 2 else "UK"
        lang, other = ("fr", "en") if country == "FR" else ("en", "fr")
        originator = rng.choice(agencies[country])
        title = " ".join(rng.choice(frags[lang]).split()[:8])
        body = " ".join(rng.choice(frags[lang]) for _ in range(rng.randint(2, 5)))
        translated = rng.random() < 0.2
        roll = rng.random()
        releasability = "FR,UK" if roll < 0.5 else country
        if country == "FR":
            grade = ("admiralty", rng.choice("ABCDEF"), rng.choice("123456"), "")
        else:
            grade = ("3x5x2", rng.choice("123"), rng.choice("ABCDE"), "P")
        created = start + dt.timedelta(seconds=int(span * i / n) + rng.randint(0, 3600))
        rows.append(
            (
                f"B-{i:07d}",
                title,
                body,
                lang,
                " ".join(rng.choice(frags[other]).split()[:8]) if translated else "",
                " ".join(rng.choice(frags[other]) for _ in range(2)) if translated else "",
                "machine" if translated else "none",
                *grade[:3],
                grade[3],
                "",
                rng.choices(levels, [55, 35, 10])[0],
                releasability,
                rng.choices(tlps, tlp_weights)[0],
                originator.pk,
                rng.choice(authors),
                created,
                created,
            )
        )
    return columns, rows


def load_postgresql(columns: list[str], rows: list[tuple[Any, ...]]) -> float:
    """COPY the rows (the index dropped during the load and built after); seconds taken."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from entente.core.models import Agency
    from entente.intelligence.models import Report

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS intel_report_search")
        with cursor.cursor.copy(
            f"COPY intelligence_report ({', '.join(columns)}) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute(
            "CREATE INDEX intel_report_search ON intelligence_report USING gin (search_document)"
        )
        # Named recipients for one report in twenty (the TLP:AMBER rule reads them).
        ct = ContentType.objects.get_for_model(Report)
        agencies = list(Agency.objects.values_list("pk", flat=True))
        rng = random.Random(5)
        cursor.execute("SELECT min(id), max(id) FROM intelligence_report")
        low, high = cursor.fetchone()
        with cursor.cursor.copy(
            "COPY core_recipient (content_type_id, object_id, agency_id, created_at) FROM STDIN"
        ) as copy:
            now = dt.datetime.now(dt.UTC)
            for pk in range(low, high + 1, 20):
                copy.write_row((ct.pk, pk, rng.choice(agencies), now))
        # As autovacuum would, before anyone searches.
        cursor.execute("VACUUM ANALYZE intelligence_report")
        cursor.execute("VACUUM ANALYZE core_recipient")
    return time.perf_counter() - started


def load_sqlite(columns: list[str], rows: list[tuple[Any, ...]]) -> float:
    from django.db import connection, transaction

    from entente.intelligence import fulltext
    from entente.intelligence.models import Report

    started = time.perf_counter()
    at = [columns.index("created_at"), columns.index("updated_at")]
    adapt = connection.ops.adapt_datetimefield_value
    rows = [tuple(adapt(v) if i in at else v for i, v in enumerate(row)) for row in rows]
    marks = ", ".join(["%s"] * len(columns))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO intelligence_report ({', '.join(columns)}) VALUES ({marks})", rows
        )
    last = 0
    while True:
        batch = list(Report.objects.filter(pk__gt=last).order_by("pk")[:5000])
        if not batch:
            break
        with transaction.atomic():
            fulltext.index_reports(batch)
        last = batch[-1].pk
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def measure(repeats: int, naive: bool) -> dict[str, Any]:
    from django.db import connection, transaction

    from entente.core.models import User
    from entente.intelligence import fulltext
    from entente.intelligence.models import Report
    from entente.intelligence.services import search

    metrics: dict[str, Any] = {}
    everyone: list[float] = []
    for name in PERSONAS:
        user = User.objects.select_related("agency__country").get(username=name)
        samples: list[float] = []
        for query in QUERIES:
            samples += timed(lambda u=user, q=query: search.ranked_page(u, q, {}, 1), repeats)
        metrics[f"{name}_p50_ms"] = round(pct(samples, 50), 1)
        metrics[f"{name}_p95_ms"] = round(pct(samples, 95), 1)
        everyone += samples
    metrics["entente_p50_ms"] = round(pct(everyone, 50), 1)
    metrics["entente_p95_ms"] = round(pct(everyone, 95), 1)
    if naive:
        samples = []
        for query in QUERIES:

            def run(q: str = query) -> list[Report]:
                # JIT off as for Entente's queries, so that only the plans differ.
                with transaction.atomic():
                    fulltext.no_jit()
                    qs = fulltext.ranked(fulltext.match(Report.objects.all(), q), q)
                    return list(qs.select_related("originator")[:20])

            samples += timed(run, repeats)
        metrics["naive_p50_ms"] = round(pct(samples, 50), 1)
        metrics["naive_p95_ms"] = round(pct(samples, 95), 1)
    # The whole service as one persona: count, facets, the page, the audit entry.
    user = User.objects.select_related("agency__country").get(username=PERSONAS[0])
    samples = []
    for query in QUERIES:
        samples += timed(
            lambda q=query: search.search_reports(user, q, {}, 1), max(2, repeats // 3)
        )
    metrics["service_with_facets_p50_ms"] = round(pct(samples, 50), 1)
    metrics["service_with_facets_p95_ms"] = round(pct(samples, 95), 1)
    metrics["database"] = connection.vendor
    return metrics


def sqlite_run(n: int, repeats: int, quick: bool) -> dict[str, Any] | None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "ENTENTE_DATA_DIR")}
    argv = [sys.executable, __file__, "--sqlite", "--reports", str(n), "--repeats", str(repeats)]
    if quick:
        argv.append("--quick")
    done = subprocess.run(  # noqa: S603 - our interpreter, this script
        argv, env=env, capture_output=True, text=True, timeout=3600, check=False
    )
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("{"):
            return dict(json.loads(line)["metrics"])
    print(done.stderr[-3000:], file=sys.stderr)
    return None


def main() -> None:
    args = parse(__doc__ or "", options)
    if args.sqlite:
        os.environ.pop("DATABASE_URL", None)
        n = args.reports or (10_000 if args.quick else 100_000)
    else:
        os.environ["DATABASE_URL"] = args.pg_url
        n = args.reports or (20_000 if args.quick else 1_000_000)
    repeats = args.repeats or (3 if args.quick else 8)
    from _harness import database

    with database():
        from entente.demo.load import load_personas, load_reference

        load_reference()
        load_personas("benchmark-password")
        t0 = time.perf_counter()
        columns, rows = generate(n)
        generate_s = time.perf_counter() - t0
        load_s = load_sqlite(columns, rows) if args.sqlite else load_postgresql(columns, rows)
        del rows
        metrics: dict[str, Any] = {"reports": n, "generate_s": round(generate_s, 1)}
        metrics["load_and_index_s"] = round(load_s, 1)
        metrics.update(measure(repeats, naive=not args.sqlite))
    if args.sqlite:
        report("search-sqlite", metrics, "none (SQLite figures only)", 0.0)
        return
    sqlite = sqlite_run(10_000 if args.quick else 100_000, repeats, args.quick)
    if sqlite is not None:
        for key in ("reports", "load_and_index_s", "entente_p50_ms", "entente_p95_ms"):
            metrics[f"sqlite_{key}"] = sqlite[key]
        metrics["sqlite_service_with_facets_p95_ms"] = sqlite["service_with_facets_p95_ms"]
    ratio = metrics["entente_p95_ms"] / metrics["naive_p95_ms"]
    metrics["goal_p95_under_100_ms"] = metrics["entente_p95_ms"] < 100
    metrics["goal_ratio_at_most_0_5"] = ratio <= 0.5
    report(
        "search",
        metrics,
        "the naive ORDER BY ts_rank(...) LIMIT 20 over every match, no policy, same index (p95)",
        ratio,
    )


if __name__ == "__main__":
    main()
