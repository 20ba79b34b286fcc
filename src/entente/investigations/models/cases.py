"""Joint investigations: the target network, the file, its members, tasks and actions."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from entente.core.choices import Language, Module
from entente.core.models import MarkedModel
from entente.intelligence.models import Entity
from entente.investigations.choices import (
    ActionKind,
    CourtOutcome,
    EntityRole,
    InvestigationState,
    Jurisdiction,
    MemberAccess,
    NetworkStatus,
)


class Network(MarkedModel):
    """A smuggling network targeted by one or more investigations.

    Active, then disrupted, then dismantled: the dates of each step are kept so the programme
    counts networks dismantled in a period.
    """

    access_module = Module.INVESTIGATIONS

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.ENGLISH
    )
    status = models.CharField(
        _("status"), max_length=10, choices=NetworkStatus.choices, default=NetworkStatus.ACTIVE
    )
    disrupted_on = models.DateField(_("disrupted on"), null=True, blank=True)
    dismantled_on = models.DateField(_("dismantled on"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("network")
        verbose_name_plural = _("networks")

    def __str__(self) -> str:
        return self.name


class Investigation(MarkedModel):
    """A joint investigation file, led by one agency on each side of the border."""

    access_module = Module.INVESTIGATIONS

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.ENGLISH
    )
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=InvestigationState.choices,
        default=InvestigationState.OPEN,
    )
    lead_fr = models.ForeignKey(
        "core.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("French lead agency"),
    )
    lead_uk = models.ForeignKey(
        "core.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("British lead agency"),
    )
    network = models.ForeignKey(
        Network,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="investigations",
        verbose_name=_("target network"),
    )
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    reports = models.ManyToManyField(
        "intelligence.Report", blank=True, related_name="investigations", verbose_name=_("reports")
    )
    entities: models.ManyToManyField[Entity, InvestigationEntity] = models.ManyToManyField(
        "intelligence.Entity",
        through="InvestigationEntity",
        related_name="investigations",
        verbose_name=_("entities"),
    )

    class Meta:
        ordering = ["-opened_on", "-pk"]
        verbose_name = _("joint investigation")
        verbose_name_plural = _("joint investigations")

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class InvestigationEntity(models.Model):
    investigation = models.ForeignKey(
        Investigation, on_delete=models.CASCADE, related_name="entity_links"
    )
    entity = models.ForeignKey(
        "intelligence.Entity", on_delete=models.PROTECT, related_name="investigation_links"
    )
    role = models.CharField(
        _("role"), max_length=10, choices=EntityRole.choices, default=EntityRole.ASSOCIATE
    )
    added_at = models.DateTimeField(_("added"), auto_now_add=True)
    added_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("added by")
    )

    class Meta:
        verbose_name = _("investigation entity")
        verbose_name_plural = _("investigation entities")
        constraints = [
            models.UniqueConstraint(
                fields=["investigation", "entity"], name="inv_investigation_entity_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.investigation_id} / {self.entity_id}"


class Member(models.Model):
    """A person working on an investigation, and what they may do in it."""

    investigation = models.ForeignKey(
        Investigation, on_delete=models.CASCADE, related_name="members"
    )
    user = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("member")
    )
    access = models.IntegerField(
        _("access"), choices=MemberAccess.choices, default=MemberAccess.CONTRIBUTE
    )
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["-access", "user__username"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(fields=["investigation", "user"], name="inv_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.investigation_id} / {self.user_id}"


class Task(models.Model):
    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("task"), max_length=300)
    assignee = models.ForeignKey(
        "core.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("set by")
    )

    class Meta:
        ordering = ["done_at", "due_on", "pk"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return self.title


class Action(models.Model):
    """A search, seizure, arrest, charge or prosecution, in one jurisdiction.

    An arrest counts ``people`` arrested (one action may record a coordinated day of arrests);
    the person, when known, is an entity. Charges and prosecutions carry the court outcome.
    """

    investigation = models.ForeignKey(
        Investigation, on_delete=models.CASCADE, related_name="actions"
    )
    kind = models.CharField(_("action"), max_length=12, choices=ActionKind.choices)
    jurisdiction = models.CharField(_("jurisdiction"), max_length=2, choices=Jurisdiction.choices)
    occurred_on = models.DateField(_("date"), db_index=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    people = models.PositiveIntegerField(
        _("people"), default=0, help_text=_("People arrested, charged or prosecuted.")
    )
    entity = models.ForeignKey(
        "intelligence.Entity",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person or object"),
    )
    court_outcome = models.CharField(
        _("court outcome"),
        max_length=12,
        choices=CourtOutcome.choices,
        default=CourtOutcome.NONE,
        blank=True,
    )
    outcome_on = models.DateField(_("outcome date"), null=True, blank=True)
    sentence = models.CharField(_("sentence"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    created_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome_on__isnull=True) | Q(outcome_on__gte=models.F("occurred_on")),
                name="inv_action_outcome_after",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.occurred_on}"
