"""The alert table loses its index on sensor alone.

The unique index on (sensor, event id) already serves every lookup by sensor (its leading
column), and the second index cost each alert written one more index entry: about 1 µs of
database time per alert on the intake (benchmarks/ingest.py). Only the index is dropped; the
foreign key stays as it is (Django's own AlterField would drop and re-add it, checking every
stored alert again).
"""

import django.db.models.deletion
from django.db import migrations, models

INDEX = "control_room_alert_sensor_id_3c3c7c32"


class Migration(migrations.Migration):
    dependencies = [
        ("control_room", "0006_board_api_newest_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="alert",
                    name="sensor",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="alerts",
                        to="control_room.sensor",
                        verbose_name="sensor",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{INDEX}"',
                    f'CREATE INDEX "{INDEX}" ON "control_room_alert" ("sensor_id")',
                ),
            ],
        ),
    ]
