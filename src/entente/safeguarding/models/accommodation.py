"""Protected accommodation: places with capacity per category, confidential addresses, and the
allocations of people to them (check-in, check-out), from which occupancy is counted."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entente.core.choices import Module
from entente.core.models import MarkedModel
from entente.core.models.encrypted import EncryptedTextField
from entente.safeguarding.choices import AllocationState, PlaceCategory


class Place(MarkedModel):
    """A protected place. Its address is confidential: only the users named in
    ``address_known_to`` (those who must know) read it; others see its town."""

    access_module = Module.SAFEGUARDING

    name = models.CharField(_("name"), max_length=200)
    town = models.CharField(_("town"), max_length=100)
    address = EncryptedTextField(_("address"))
    address_known_to = models.ManyToManyField(
        "core.User", blank=True, related_name="+", verbose_name=_("address known to")
    )
    capacity_women_children = models.PositiveIntegerField(_("women and children"), default=0)
    capacity_families = models.PositiveIntegerField(_("families"), default=0)
    capacity_men = models.PositiveIntegerField(_("men"), default=0)
    active = models.BooleanField(_("open"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("protected place")
        verbose_name_plural = _("protected places")

    def __str__(self) -> str:
        return self.name

    def capacity(self, category: str) -> int:
        return int(getattr(self, f"capacity_{category}", 0))


class Allocation(models.Model):
    """A place allocated to a person in one category; it holds a bed from allocation until
    check-out or cancellation."""

    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="allocations")
    person = models.ForeignKey(
        "safeguarding.Person", on_delete=models.PROTECT, related_name="allocations"
    )
    referral = models.ForeignKey(
        "safeguarding.Referral",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allocations",
        verbose_name=_("referral"),
    )
    category = models.CharField(_("category"), max_length=20, choices=PlaceCategory.choices)
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=AllocationState.choices,
        default=AllocationState.ALLOCATED,
    )
    allocated_at = models.DateTimeField(_("allocated"), default=timezone.now)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out"), null=True, blank=True)
    created_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("allocated by")
    )

    class Meta:
        ordering = ["-allocated_at"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        indexes = [models.Index(fields=["place", "state"], name="sg_allocation_place")]
        constraints = [
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True)
                | Q(checked_in_at__isnull=True)
                | Q(checked_out_at__gte=F("checked_in_at")),
                name="sg_allocation_out_after_in",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.place_id}"
