"""The joint fund: agreements and their clauses, contributors, commitments, budget lines per
measure, disbursements, and the EUR/GBP exchange rates by date."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entente.core.models.reference import BilingualNameMixin
from entente.programme.choices import Currency


class Agreement(BilingualNameMixin):
    """A text the programme comes from (the 2014 joint declaration, the 2015 Calais agreement)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    signed_on = models.DateField(_("signed"))
    signed_at = models.CharField(_("signed at"), max_length=100, blank=True)

    class Meta:
        ordering = ["signed_on"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")


class Contributor(BilingualNameMixin):
    """Who pays into the fund (a government, through one of its ministries)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    country = models.ForeignKey(
        "core.Country", on_delete=models.PROTECT, related_name="+", verbose_name=_("country")
    )
    agency = models.ForeignKey(
        "core.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("paying ministry"),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("contributor")
        verbose_name_plural = _("contributors")


class Commitment(models.Model):
    """An amount promised over a period, for a purpose, by an agreement's clause."""

    contributor = models.ForeignKey(
        Contributor, on_delete=models.PROTECT, related_name="commitments"
    )
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="commitments")
    clause = models.CharField(_("clause"), max_length=100)
    purpose_en = models.CharField(_("purpose (English)"), max_length=300)
    purpose_fr = models.CharField(_("purpose (French)"), max_length=300)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))

    class Meta:
        ordering = ["starts_on", "pk"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="prog_commitment_period"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="prog_commitment_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.contributor_id} {self.amount} {self.currency}"


class BudgetLine(models.Model):
    """The part of a commitment earmarked for one measure of the action plan."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="lines")
    measure = models.ForeignKey(
        "programme.Measure", on_delete=models.PROTECT, related_name="budget_lines"
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.UniqueConstraint(fields=["commitment", "measure"], name="prog_line_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="prog_line_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.commitment_id} / {self.measure_id}"


class Disbursement(models.Model):
    """Money paid out under a budget line, in the currency it was paid in."""

    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="disbursements")
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        ordering = ["paid_on", "pk"]
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="prog_disbursement_positive")
        ]

    def __str__(self) -> str:
        return f"{self.paid_on} {self.amount} {self.currency}"


class ExchangeRate(models.Model):
    """How many pounds one euro bought on a day (the reference rate of that day)."""

    day = models.DateField(_("day"), unique=True)
    gbp_per_eur = models.DecimalField(_("GBP for one EUR"), max_digits=10, decimal_places=6)
    source = models.CharField(_("source"), max_length=100, blank=True)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.CheckConstraint(condition=Q(gbp_per_eur__gt=0), name="prog_rate_positive")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.gbp_per_eur}"
