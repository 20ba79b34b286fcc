"""Freight search teams and mobile units, their 24/7 roster, and their dispatches to incidents."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entente.control_room.choices import DispatchState, ShiftSlot, TeamKind
from entente.core.models.reference import BilingualNameMixin


class Team(BilingualNameMixin):
    """A freight search team or mobile unit of one agency, based at a site.

    Teams are the joint command's reference data (not marked): every control-room role sees
    them, so that a PAF operator can dispatch a Border Force team at Coquelles.
    """

    code = models.CharField(_("call sign"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=TeamKind.choices)
    agency = models.ForeignKey(
        "core.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    site = models.ForeignKey(
        "core.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("base")
    )
    leader = models.ForeignKey(
        "core.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team leader"),
    )
    members = models.PositiveSmallIntegerField(_("members"), default=4)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["site__code", "code"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        # The call sign alone: it reads the same in both languages (the audit trail keeps it).
        return self.code


class CoverageRequirement(models.Model):
    """How many teams of a kind a site needs on duty in every shift, round the clock."""

    site = models.ForeignKey(
        "core.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("site")
    )
    team_kind = models.CharField(_("team kind"), max_length=20, choices=TeamKind.choices)
    minimum = models.PositiveSmallIntegerField(_("teams needed on duty"), default=1)

    class Meta:
        ordering = ["site__code", "team_kind"]
        verbose_name = _("coverage requirement")
        verbose_name_plural = _("coverage requirements")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "team_kind"],
                name="cr_coverage_once_per_site_kind",
                violation_error_message=_("This site already has a requirement for this kind."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.team_kind} >= {self.minimum}"


class Shift(models.Model):
    """A team on duty at a site for one slot of one day (in the site's local time).

    ``starts_at`` and ``ends_at`` are the slot's bounds in UTC, computed from the day, the
    slot and the site's time zone, so that coverage is counted across clock changes.
    """

    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="shifts", verbose_name=_("team")
    )
    site = models.ForeignKey(
        "core.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("site")
    )
    day = models.DateField(_("day"))
    slot = models.CharField(_("shift"), max_length=10, choices=ShiftSlot.choices)
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    created_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("by")
    )

    class Meta:
        ordering = ["starts_at", "team__code"]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "day", "slot"],
                name="cr_shift_once_per_team_slot",
                violation_error_message=_("This team is already on the roster for this shift."),
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="cr_shift_ends_after_start",
                violation_error_message=_("A shift ends after it starts."),
            ),
        ]
        indexes = [models.Index(fields=["site", "starts_at"], name="cr_shift_site_start")]

    def __str__(self) -> str:
        return f"{self.team_id} {self.day} {self.slot}"


class Dispatch(models.Model):
    """A team sent to an incident: dispatched, on scene, cleared; each step timed.

    A team works one incident at a time: it cannot be dispatched again before it is cleared.
    """

    incident = models.ForeignKey(
        "control_room.Incident",
        on_delete=models.PROTECT,
        related_name="dispatches",
        verbose_name=_("incident"),
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="dispatches", verbose_name=_("team")
    )
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=DispatchState.choices,
        default=DispatchState.DISPATCHED,
        db_index=True,
    )
    dispatched_at = models.DateTimeField(_("dispatched"), default=timezone.now)
    dispatched_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("dispatched by")
    )
    on_scene_at = models.DateTimeField(_("on scene"), null=True, blank=True)
    cleared_at = models.DateTimeField(_("cleared"), null=True, blank=True)

    class Meta:
        ordering = ["-dispatched_at"]
        verbose_name = _("dispatch")
        verbose_name_plural = _("dispatches")

    def __str__(self) -> str:
        return f"{self.team_id} -> {self.incident_id} ({self.state})"
