"""Record linkage across agencies: runs, candidate pairs in the review queue, and decisions.

A confirmed match links two entity records without touching either: undoing it is another
decision, and the history of decisions (who, when, why) is kept.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entente.intelligence.choices import EntityKind
from entente.investigations.choices import MatchState, RunState


class ResolutionRun(models.Model):
    """One run of the record linkage (``entente resolve_entities``): progress, checkpoint to
    resume from, and the precision estimates it reports."""

    kind = models.CharField(
        _("records"), max_length=10, choices=EntityKind.choices, default=EntityKind.PERSON
    )
    backend = models.CharField(_("backend"), max_length=10, default="duckdb")
    state = models.CharField(
        _("state"), max_length=10, choices=RunState.choices, default=RunState.PENDING
    )
    stage = models.CharField(_("stage"), max_length=40, blank=True)
    done = models.PositiveIntegerField(_("steps done"), default=0)
    total = models.PositiveIntegerField(_("steps"), default=0)
    records = models.PositiveIntegerField(_("records compared"), default=0)
    candidates = models.PositiveIntegerField(_("candidate pairs"), default=0)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    checkpoint = models.JSONField(_("checkpoint"), default=dict, blank=True)
    metrics = models.JSONField(_("estimates"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    started_by = models.ForeignKey(
        "core.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("linkage run")
        verbose_name_plural = _("linkage runs")

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M}"


class MatchCandidate(models.Model):
    """Two records that may be the same person or vehicle (``left_id < right_id``)."""

    left = models.ForeignKey(
        "intelligence.Entity", on_delete=models.CASCADE, related_name="+", verbose_name=_("record")
    )
    right = models.ForeignKey(
        "intelligence.Entity",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("other record"),
    )
    run = models.ForeignKey(
        ResolutionRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="matches",
        verbose_name=_("found by run"),
    )
    probability = models.FloatField(_("match probability"))
    match_weight = models.FloatField(_("match weight"), default=0)
    comparison = models.JSONField(_("comparison"), default=dict, blank=True)
    state = models.CharField(
        _("decision"), max_length=10, choices=MatchState.choices, default=MatchState.PENDING
    )
    created_at = models.DateTimeField(_("found"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["-probability", "pk"]
        verbose_name = _("candidate match")
        verbose_name_plural = _("candidate matches")
        indexes = [models.Index(fields=["state", "-probability"], name="inv_match_queue")]
        constraints = [
            models.UniqueConstraint(fields=["left", "right"], name="inv_match_pair_once"),
            models.CheckConstraint(condition=Q(left__lt=F("right")), name="inv_match_ordered"),
            models.CheckConstraint(
                condition=Q(probability__gte=0) & Q(probability__lte=1),
                name="inv_match_probability",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.left_id} ~ {self.right_id}"


class MatchDecision(models.Model):
    """One judgement on a candidate pair; undoing a confirmation is a decision too."""

    candidate = models.ForeignKey(
        MatchCandidate, on_delete=models.CASCADE, related_name="decisions"
    )
    state = models.CharField(_("decision"), max_length=10, choices=MatchState.choices)
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided"), default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-pk"]
        verbose_name = _("match decision")
        verbose_name_plural = _("match decisions")

    def __str__(self) -> str:
        return f"{self.candidate_id}: {self.state}"
