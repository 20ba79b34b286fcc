"""Bulletins of the joint command: marked briefing notes shown on the dashboard."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from entente.core.choices import Language, Module
from entente.core.models.markings import MarkedModel


class Bulletin(MarkedModel):
    """A briefing note from one agency to the joint command (shift handover, notice, alert).

    Free text keeps the language it was written in; a translation may stand beside it.
    """

    access_module = Module.COMMAND

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    language = models.CharField(_("language of the text"), max_length=2, choices=Language.choices)
    translation = models.TextField(_("translation"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")

    def __str__(self) -> str:
        return self.title
