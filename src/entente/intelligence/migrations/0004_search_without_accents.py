"""Search that ignores accents, as people type: "securite" or "frontiere" on a British keyboard
finds "sécurité" and "frontière", on both databases (entente.intelligence.fulltext).

PostgreSQL: text search configurations ``entente_french`` and ``entente_english``, the stock
ones with the unaccent dictionary before the stemmer (unaccent is a trusted extension: the
database's owner may create it), and the generated ``search_document`` column made again with
them. SQLite: the FTS rows written again, accents now folded before stemming.
"""

import importlib

from django.db import migrations

_first = importlib.import_module("entente.intelligence.migrations.0002_search_index")

CONFIGURATIONS = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    *(
        statement
        for name, stock in (("entente_french", "french"), ("entente_english", "english"))
        for statement in (
            f"CREATE TEXT SEARCH CONFIGURATION {name} (COPY = pg_catalog.{stock})",
            f"ALTER TEXT SEARCH CONFIGURATION {name} "
            f"ALTER MAPPING FOR hword, hword_part, word WITH unaccent, {stock}_stem",
        )
    ),
]
COLUMN = [
    "ALTER TABLE intelligence_report ADD COLUMN search_document tsvector GENERATED ALWAYS AS "
    "(CASE WHEN language = 'fr' "
    f"THEN {_first._document('entente_french', 'entente_english')} "
    f"ELSE {_first._document('entente_english', 'entente_french')} END) STORED",
    "CREATE INDEX intel_report_search ON intelligence_report USING gin (search_document)",
]
POSTGRESQL = [*CONFIGURATIONS, *_first.POSTGRESQL_REVERSE, *COLUMN]
POSTGRESQL_REVERSE = [
    *_first.POSTGRESQL_REVERSE,
    *_first.POSTGRESQL,
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS entente_french",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS entente_english",
]


def _reindex(apps, schema_editor):  # type: ignore[no-untyped-def]
    """SQLite: the FTS rows of every report, written again a thousand at a time."""
    if schema_editor.connection.vendor != "sqlite":
        return
    from entente.intelligence import fulltext

    Report = apps.get_model("intelligence", "Report")
    fulltext.clear_index()
    batch = []
    for report in Report.objects.order_by("pk").iterator(chunk_size=1000):
        batch.append(report)
        if len(batch) == 1000:
            fulltext.index_reports(batch)
            batch = []
    fulltext.index_reports(batch)


class Migration(migrations.Migration):
    dependencies = [("intelligence", "0003_entity_bank_account")]

    operations = [
        migrations.RunPython(
            _first._run({"postgresql": POSTGRESQL}),
            _first._run({"postgresql": POSTGRESQL_REVERSE}),
        ),
        migrations.RunPython(_reindex, _reindex),
    ]
