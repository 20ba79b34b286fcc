"""The audit trail: append-only, hash-chained entries. Written only by ``entente.core.audit``."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from entente.core.choices import AuditAction


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit entry."""


class AuditEntry(models.Model):
    """One audited act: who (and for which agency), did what, to which object, why, when.

    ``seq`` numbers entries without gaps; ``hash`` is SHA-256 over the canonical encoding of
    the entry and ``prev_hash``, the hash of the entry before it. ``entente audit_verify``
    recomputes the chain and names the first entry that does not fit.
    """

    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    timestamp = models.DateTimeField(_("time (UTC)"), db_index=True)
    actor = models.ForeignKey(
        "core.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
        db_constraint=False,
    )
    actor_username = models.CharField(_("actor"), max_length=150, db_index=True)
    agency_code = models.CharField(_("agency"), max_length=32, blank=True, db_index=True)
    action = models.CharField(
        _("action"), max_length=20, choices=AuditAction.choices, db_index=True
    )
    object_type = models.CharField(_("object type"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("object"), max_length=64, blank=True)
    object_repr = models.CharField(_("description"), max_length=200, blank=True)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    request_id = models.CharField(_("request"), max_length=64, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["object_type", "object_id"], name="core_audit_object")]

    def __str__(self) -> str:
        return (
            f"#{self.seq} {self.actor_username} {self.action} {self.object_type}:{self.object_id}"
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit entries are append-only")


class AuditHead(models.Model):
    """The single row holding the chain's last sequence number and hash.

    Locking this row serialises writers across processes (SELECT ... FOR UPDATE on
    PostgreSQL; SQLite writers are serialised by the database), and it lets the verifier
    notice entries cut from the end of the chain.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain head")

    def __str__(self) -> str:
        return f"audit head #{self.seq}"
