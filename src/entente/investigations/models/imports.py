"""Imports of entities and links from CSV files with a column mapping, with progress."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entente.intelligence.choices import ImportState


class EntityImport(models.Model):
    """One uploaded CSV of entities (and the links between them): progress and per-row errors."""

    file_name = models.CharField(_("file name"), max_length=200)
    data = models.BinaryField(_("content"))
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    options = models.JSONField(_("options"), default=dict, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=ImportState.choices, default=ImportState.PENDING
    )
    total = models.PositiveIntegerField(_("rows"), default=0)
    done = models.PositiveIntegerField(_("rows read"), default=0)
    entities = models.PositiveIntegerField(_("entities imported"), default=0)
    links = models.PositiveIntegerField(_("links imported"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    created_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("imported by")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("entity import")
        verbose_name_plural = _("entity imports")

    def __str__(self) -> str:
        return self.file_name
