"""Incidents: alerts of one zone handled as one event, their procedure checklists, and what
was found when they closed (outcomes, the handover to safeguarding, reports to intelligence)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entente.control_room.choices import (
    AlertKind,
    ChecklistStatus,
    Concealment,
    HandoverState,
    IncidentState,
    OutcomeResult,
    ReportState,
    Severity,
    VehicleType,
)
from entente.control_room.models.sensors import Zone
from entente.core.choices import Module
from entente.core.models import MarkedModel


class Incident(MarkedModel):
    """Alerts of one zone close in time, handled as one event from new to closed."""

    access_module = Module.CONTROL_ROOM

    zone = models.ForeignKey(
        Zone, on_delete=models.PROTECT, related_name="incidents", verbose_name=_("zone")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AlertKind.choices)
    severity = models.IntegerField(_("severity"), choices=Severity.choices, default=Severity.LOW)
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=IncidentState.choices,
        default=IncidentState.NEW,
        db_index=True,
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    last_alert_at = models.DateTimeField(_("last alert"), default=timezone.now)
    alert_count = models.PositiveIntegerField(_("alerts"), default=0)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched"), null=True, blank=True)
    on_scene_at = models.DateTimeField(_("on scene"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged",
        verbose_name=_("merged into"),
        help_text=_("Set when an operator merged this incident into another; it is then closed."),
    )

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [
            models.Index(fields=["zone", "state", "last_alert_at"], name="cr_incident_open"),
            # The board and the API list newest first, keyset on (opened_at, id): one backward
            # range scan, no sort. It also serves the ranges of opened_at the statistics read.
            models.Index(fields=["opened_at", "id"], name="cr_incident_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.zone.code} {self.get_kind_display()} #{self.pk}"


class ProcedureStep(models.Model):
    """One step of the standard operating procedure for an incident kind (ordered, bilingual).

    The steps are reference data: the demo loads the joint command's procedures, and an
    administrator may change them; a checklist keeps the step it was ticked against.
    """

    incident_kind = models.CharField(_("incident kind"), max_length=20, choices=AlertKind.choices)
    position = models.PositiveSmallIntegerField(_("position"))
    code = models.CharField(_("code"), max_length=40)
    text_en = models.CharField(_("step (English)"), max_length=300)
    text_fr = models.CharField(_("step (French)"), max_length=300)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["incident_kind", "position"]
        verbose_name = _("procedure step")
        verbose_name_plural = _("procedure steps")
        constraints = [
            models.UniqueConstraint(
                fields=["incident_kind", "code"],
                name="cr_procedurestep_code_per_kind",
                violation_error_message=_("This procedure already has a step with this code."),
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        from django.utils.translation import get_language

        return self.text_fr if (get_language() or "en").startswith("fr") else self.text_en


class ChecklistEntry(models.Model):
    """A procedure step ticked (done) or passed over (skipped) on one incident.

    Steps still unticked when the incident closes are recorded as skipped by the closing
    operator; every skipped step is flagged to the supervisor until one reviews it.
    """

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="checklist", verbose_name=_("incident")
    )
    step = models.ForeignKey(
        ProcedureStep, on_delete=models.PROTECT, related_name="+", verbose_name=_("step")
    )
    status = models.CharField(_("status"), max_length=10, choices=ChecklistStatus.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    reviewed_by = models.ForeignKey(
        "core.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    class Meta:
        ordering = ["incident", "step__position"]
        verbose_name = _("checklist entry")
        verbose_name_plural = _("checklist entries")
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "step"],
                name="cr_checklist_once_per_step",
                violation_error_message=_("This step is already ticked on this incident."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}/{self.step_id}: {self.status}"


class IncidentOutcome(models.Model):
    """What was found when an incident closed. No identity of the people found is kept here:
    counts only; the people themselves are safeguarding's to record, through the handover."""

    incident = models.OneToOneField(
        Incident, on_delete=models.PROTECT, related_name="outcome", verbose_name=_("incident")
    )
    result = models.CharField(_("result"), max_length=20, choices=OutcomeResult.choices)
    adults = models.PositiveIntegerField(_("adults found"), default=0)
    minors = models.PositiveIntegerField(_("minors found"), default=0)
    injured = models.PositiveIntegerField(_("people hurt"), default=0)
    vehicle_plate = models.CharField(_("registration plate"), max_length=20, blank=True)
    vehicle_country = models.CharField(_("country of registration"), max_length=2, blank=True)
    vehicle_type = models.CharField(
        _("vehicle type"), max_length=20, choices=VehicleType.choices, blank=True
    )
    haulier = models.CharField(_("haulier"), max_length=200, blank=True)
    concealment = models.CharField(
        _("concealment method"), max_length=20, choices=Concealment.choices, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(injured__lte=models.F("adults") + models.F("minors")),
                name="cr_outcome_injured_among_found",
                violation_error_message=_("The people hurt are counted among the people found."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}: {self.result}"

    @property
    def people(self) -> int:
        return self.adults + self.minors


class Handover(MarkedModel):
    """People found in a search, handed over to safeguarding: how many, the minors among
    them, what they need at once. Safeguarding takes it up and makes its referrals from it.
    It carries no identity."""

    access_module = Module.SAFEGUARDING

    incident = models.OneToOneField(
        Incident, on_delete=models.PROTECT, related_name="handover", verbose_name=_("incident")
    )
    site = models.ForeignKey(
        "core.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("site")
    )
    people = models.PositiveIntegerField(_("people"))
    minors = models.PositiveIntegerField(_("minors among them"), default=0)
    injured = models.PositiveIntegerField(_("people hurt"), default=0)
    needs = models.JSONField(_("immediate needs"), default=list, blank=True)
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=HandoverState.choices,
        default=HandoverState.PENDING,
        db_index=True,
    )
    taken_up_by = models.ForeignKey(
        "core.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("taken up by"),
    )
    taken_up_at = models.DateTimeField(_("taken up"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("handover to safeguarding")
        verbose_name_plural = _("handovers to safeguarding")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minors__lte=models.F("people"))
                & models.Q(injured__lte=models.F("people")),
                name="cr_handover_counts_within_people",
                violation_error_message=_("Minors and people hurt are counted among the people."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site_id} #{self.pk}: {self.people}"


class VehicleReport(MarkedModel):
    """A vehicle and its haulier, sent from a closed incident to intelligence as a report."""

    access_module = Module.INTELLIGENCE

    incident = models.ForeignKey(
        Incident,
        on_delete=models.PROTECT,
        related_name="vehicle_reports",
        verbose_name=_("incident"),
    )
    plate = models.CharField(_("registration plate"), max_length=20)
    country = models.CharField(_("country of registration"), max_length=2, blank=True)
    vehicle_type = models.CharField(
        _("vehicle type"), max_length=20, choices=VehicleType.choices, blank=True
    )
    haulier = models.CharField(_("haulier"), max_length=200, blank=True)
    concealment = models.CharField(
        _("concealment method"), max_length=20, choices=Concealment.choices, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=ReportState.choices, default=ReportState.SENT
    )
    taken_up_by = models.ForeignKey(
        "core.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("taken up by"),
    )
    taken_up_at = models.DateTimeField(_("taken up"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("vehicle report")
        verbose_name_plural = _("vehicle reports")

    def __str__(self) -> str:
        return f"{self.plate} ({self.country})"
