"""Messages the MQTT bridge could not read, parked for inspection rather than dropped."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ParkedMessage(models.Model):
    """An MQTT message that was not JSON, or whose items were all malformed.

    It is acknowledged (redelivery would fail the same way) once parked here, with the reason;
    an operator inspects it on the sensors page and marks it dealt with.
    """

    topic = models.CharField(_("topic"), max_length=500)
    payload = models.BinaryField(_("payload"))
    reason = models.CharField(_("reason"), max_length=500)
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    resolved_by = models.ForeignKey(
        "core.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dealt with by"),
    )
    resolved_at = models.DateTimeField(_("dealt with"), null=True, blank=True)

    # The payload stays out of the audit trail: it is kept here, and may be large.
    audit_exclude = ("payload",)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("parked message")
        verbose_name_plural = _("parked messages")

    def __str__(self) -> str:
        return f"{self.topic} {self.received_at:%Y-%m-%d %H:%M:%S}"

    @property
    def text(self) -> str:
        """The payload as text, undecodable bytes shown as replacement characters."""
        return bytes(self.payload).decode("utf-8", errors="replace")
