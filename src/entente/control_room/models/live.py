"""The live boards' event log in the embedded database (SQLite).

On PostgreSQL the announcements travel by NOTIFY and this table stays empty. SQLite has no
notification channel, and the writers are other processes (the MQTT bridge, the page server)
than the one holding the boards' streams: each announcement is a row here, written in the
writer's own transaction, and every live worker reads the rows past the last id it saw.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LiveEvent(models.Model):
    """One announcement (an incident changed, alerts arrived), as ``live.py`` builds it.

    SQLite gives row ids in commit order (one writer at a time, the id is the largest plus
    one), so "id greater than the last seen" never skips a committed event; a rolled-back
    transaction takes its rows with it. Rows older than a few minutes are deleted by the hub.
    """

    payload = models.JSONField(_("payload"))
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("live event")
        verbose_name_plural = _("live events")

    def __str__(self) -> str:
        return f"{self.pk}: {self.payload}"
