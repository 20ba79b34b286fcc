"""The version of the graph: one number, bumped after every committed write that may change
what someone's graph holds (a link, an entity, a recipient of either, an investigation's
entity), so that the analysis of the visible graph can be cached and every worker process
knows, with one read of one row, whether its copy is still current (entente.investigations.
graph.graph_version)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class GraphVersion(models.Model):
    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    value = models.PositiveBigIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("graph version")
        verbose_name_plural = _("graph version")

    def __str__(self) -> str:
        return f"graph version {self.value}"
