"""The full-text index of reports (entente.intelligence.fulltext).

PostgreSQL: a generated, stored tsvector column in the report's own language (the translation
in the other one) and its GIN index. SQLite: an FTS5 table of Python-stemmed text, kept by the
search service (``entente reindex_reports`` rebuilds it). No model changes: Django's state is
untouched, so the operation is plain SQL guarded by the database's vendor.
"""

from django.db import migrations


def _document(original: str, translated: str) -> str:
    return (
        f"setweight(to_tsvector('{original}'::regconfig, left(title, 1000)), 'A') || "
        f"setweight(to_tsvector('{original}'::regconfig, left(body, 100000)), 'B') || "
        f"setweight(to_tsvector('{translated}'::regconfig, left(translated_title, 1000)), 'A') || "
        f"setweight(to_tsvector('{translated}'::regconfig, left(translation, 100000)), 'B')"
    )


POSTGRESQL = [
    "ALTER TABLE intelligence_report ADD COLUMN search_document tsvector GENERATED ALWAYS AS "
    f"(CASE WHEN language = 'fr' THEN {_document('french', 'english')} "
    f"ELSE {_document('english', 'french')} END) STORED",
    "CREATE INDEX intel_report_search ON intelligence_report USING gin (search_document)",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX IF EXISTS intel_report_search",
    "ALTER TABLE intelligence_report DROP COLUMN IF EXISTS search_document",
]
SQLITE = [
    "CREATE VIRTUAL TABLE intelligence_report_fts USING fts5("
    "title, body, tokenize = 'unicode61 remove_diacritics 2')",
]
SQLITE_REVERSE = ["DROP TABLE IF EXISTS intelligence_report_fts"]


def _run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


def _index_existing(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "sqlite":
        return
    from entente.intelligence import fulltext

    Report = apps.get_model("intelligence", "Report")
    fulltext.index_reports(list(Report.objects.all()))


class Migration(migrations.Migration):
    dependencies = [("intelligence", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
        migrations.RunPython(_index_existing, migrations.RunPython.noop),
    ]
