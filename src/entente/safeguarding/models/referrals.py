"""Referrals: to protected accommodation, child protection, medical care, the UK National
Referral Mechanism or the French protection route, asylum, voluntary return."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from entente.core.choices import Module
from entente.core.models import MarkedModel
from entente.core.models.encrypted import EncryptedTextField
from entente.safeguarding.choices import Purpose, ReferralState
from entente.safeguarding.models.people import Consent, Person


class Referral(MarkedModel):
    """A person referred to an organisation. Police roles may learn that a person was referred
    and where (purpose, organisation, place); why (``reason``) is special category."""

    access_module = Module.SAFEGUARDING

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="referrals")
    purpose = models.CharField(_("referral to"), max_length=20, choices=Purpose.choices)
    to_agency = models.ForeignKey(
        "core.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("receiving organisation"),
    )
    place = models.ForeignKey(
        "safeguarding.Place",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("accommodation"),
    )
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=ReferralState.choices,
        default=ReferralState.IN_PROGRESS,
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    reason = EncryptedTextField(_("why"))
    consent = models.ForeignKey(
        Consent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("consent"),
    )
    # Referred without consent: a child (always referred), or by a user holding the override
    # role, who gives a reason.
    without_consent = models.CharField(
        _("referred without consent because"), max_length=20, blank=True
    )
    override_reason = EncryptedTextField(_("override reason"))
    overridden_by = models.ForeignKey(
        "core.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("override by"),
    )
    # UK NRM: the first responder organisation, and the anonymous notification made when an
    # adult declines to enter the mechanism (the duty to notify).
    first_responder = models.ForeignKey(
        "core.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("first responder"),
    )
    anonymous = models.BooleanField(_("anonymous notification"), default=False)
    handover = models.ForeignKey(
        "control_room.Handover",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("from control-room handover"),
    )
    state_changed_at = models.DateTimeField(_("state changed"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [models.Index(fields=["state", "due_on"], name="sg_referral_due")]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.purpose}"
