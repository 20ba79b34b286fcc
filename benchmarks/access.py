"""The cost of the access policy on a list page.

Lists the first page (25 rows, newest first) of bulletins visible to several personas out of N
marked bulletins with mixed classifications, releasability, TLP and named recipients, and
compares the 95th percentile with the same page read without any policy (the anchor).

    make bench NAME=access [BENCH_ARGS=--quick]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test make bench NAME=access
"""

from __future__ import annotations

import random
import statistics
import time

from _harness import database, parse, report

PERSONAS = ["analyst.nca", "analyst.dcpaf", "caseworker.lva", "gold.kent", "operator.eurotunnel"]


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def main() -> None:
    args = parse(__doc__ or "")
    n = 20_000 if args.quick else 200_000
    repeats = 40 if args.quick else 200
    with database():
        from django.contrib.contenttypes.models import ContentType
        from django.db import connection

        from entente.core.choices import TLP, Classification
        from entente.core.models import Agency, Bulletin, Recipient, User
        from entente.demo.load import load_personas, load_reference

        load_reference()
        load_personas("benchmark-password")
        rng = random.Random(7)
        agencies = list(Agency.objects.all())
        users = list(User.objects.all())
        rels = [["FR"], ["UK"], ["FR", "UK"]]
        batch = []
        for i in range(n):
            batch.append(
                Bulletin(
                    title=f"b{i}",
                    body="",
                    language="en",
                    classification=rng.choice(Classification.values),
                    releasability=rng.choice(rels),
                    tlp=rng.choice(TLP.values),
                    originator=rng.choice(agencies),
                    created_by=rng.choice(users),
                )
            )
        Bulletin.objects.bulk_create(batch, batch_size=5000)
        ct = ContentType.objects.get_for_model(Bulletin)
        ids = list(Bulletin.objects.values_list("pk", flat=True))
        recipients = []
        for pk in rng.sample(ids, n // 10):
            if rng.random() < 0.5:
                recipients.append(
                    Recipient(content_type=ct, object_id=pk, agency=rng.choice(agencies))
                )
            else:
                recipients.append(Recipient(content_type=ct, object_id=pk, user=rng.choice(users)))
        Recipient.objects.bulk_create(recipients, batch_size=5000)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

        def timed(fn) -> list[float]:  # type: ignore[no-untyped-def]
            samples = []
            for _ in range(repeats):
                start = time.perf_counter()
                fn()
                samples.append((time.perf_counter() - start) * 1000)
            return samples

        anchor = timed(lambda: list(Bulletin.objects.order_by("-created_at")[:25]))
        metrics: dict[str, object] = {
            "database": connection.vendor,
            "bulletins": n,
            "unfiltered_p95_ms": round(p95(anchor), 2),
        }
        worst = 0.0
        for name in PERSONAS:
            user = User.objects.select_related("agency__country").get(username=name)
            samples = timed(lambda u=user: list(Bulletin.objects.visible_to(u)[:25]))
            metrics[f"{name}_p95_ms"] = round(p95(samples), 2)
            worst = max(worst, p95(samples))
        metrics["worst_p95_ms"] = round(worst, 2)
        report(
            "access",
            metrics,
            "the same first page without the access policy (p95)",
            worst / p95(anchor),
        )


if __name__ == "__main__":
    main()
