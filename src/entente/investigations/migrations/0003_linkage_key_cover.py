# The blocking keys' index covers the record's id: the save-time check reads its neighbours
# from the index alone.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('investigations', '0002_linkage_keys'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='blockingkey',
            name='inv_blocking_key',
        ),
        migrations.AddIndex(
            model_name='blockingkey',
            index=models.Index(fields=['key', 'agency_id', 'entity'], name='inv_blocking_key_cover'),
        ),
    ]
