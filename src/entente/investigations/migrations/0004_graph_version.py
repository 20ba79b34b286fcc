# The graph's version (network analysis cache): one row, bumped after writes by signals.

from django.db import migrations, models


def first_row(apps, schema_editor):
    apps.get_model("investigations", "GraphVersion").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [
        ("investigations", "0003_linkage_key_cover"),
    ]

    operations = [
        migrations.CreateModel(
            name="GraphVersion",
            fields=[
                (
                    "id",
                    models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False),
                ),
                ("value", models.PositiveBigIntegerField(default=0, verbose_name="version")),
            ],
            options={
                "verbose_name": "graph version",
                "verbose_name_plural": "graph version",
            },
        ),
        migrations.RunPython(first_row, migrations.RunPython.noop),
    ]
