"""The blocking keys of person and vehicle records, indexed, for the save-time check.

A record saved through the application is compared with the records sharing one of its
blocking keys (entente.investigations.linkage.model.BLOCKING): one indexed lookup instead of a
scan of a million records. The keys are derived data, rewritten whenever the record is saved,
and carry its originator so that records of the same agency are left out in the query.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class BlockingKey(models.Model):
    entity = models.ForeignKey(
        "intelligence.Entity",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("record"),
    )
    key = models.CharField(_("blocking key"), max_length=200)
    agency_id = models.BigIntegerField(_("agency"))

    class Meta:
        verbose_name = _("blocking key")
        verbose_name_plural = _("blocking keys")
        # The record's id in the index too: the save-time check's neighbours are read from
        # the index alone (no visit to the table for each of them).
        indexes = [
            models.Index(fields=["key", "agency_id", "entity"], name="inv_blocking_key_cover")
        ]

    def __str__(self) -> str:
        return self.key
