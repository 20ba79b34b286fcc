"""The incident list's index: (opened_at, id), read backwards by the board and the API's
keyset pages; it replaces the index on opened_at alone, which it covers."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("control_room", "0005_live_event_log"),
    ]

    operations = [
        # The new index first, so the list is never without one.
        migrations.AddIndex(
            model_name="incident",
            index=models.Index(fields=["opened_at", "id"], name="cr_incident_newest"),
        ),
        migrations.AlterField(
            model_name="incident",
            name="opened_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="opened"),
        ),
    ]
