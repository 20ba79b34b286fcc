"""Choices of the intelligence app, each with its English and French label (through gettext)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TranslationState(models.TextChoices):
    NONE = "none", pgettext_lazy("translation state", "None")
    MACHINE = "machine", _("Machine translation")
    HUMAN = "human", _("Human translation")
    VERIFIED = "verified", _("Verified translation")


class GradingScheme(models.TextChoices):
    """The two grading systems: the UK's 3x5x2 and the Admiralty (NATO) code used in France."""

    UK_3X5X2 = "3x5x2", _("UK 3x5x2")
    ADMIRALTY = "admiralty", _("Admiralty / NATO code")


class EntityKind(models.TextChoices):
    PERSON = "person", _("Person")
    VEHICLE = "vehicle", _("Vehicle")
    PHONE = "phone", _("Phone")
    COMPANY = "company", _("Company")
    PLACE = "place", _("Place")
    ACCOUNT = "account", _("Bank account")


class EntityRole(models.TextChoices):
    SUBJECT = "subject", _("Subject")
    MENTIONED = "mentioned", _("Mentioned")


class ReleaseState(models.TextChoices):
    """A request to release a report across the border, approved by a second person."""

    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved and released")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ReleaseVersion(models.TextChoices):
    ORIGINAL = "original", _("Original")
    SANITISED = "sanitised", _("Sanitised version")


class RequestPriority(models.IntegerChoices):
    ROUTINE = 1, _("Routine")
    PRIORITY = 2, _("Priority")
    IMMEDIATE = 3, _("Immediate")


class RequestState(models.TextChoices):
    OPEN = "open", _("Open")
    ASSIGNED = "assigned", _("Assigned")
    ANSWERED = "answered", _("Answered")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ImportKind(models.TextChoices):
    STIX = "stix", _("STIX 2.1 bundle")
    CSV = "csv", _("CSV of reports")


class ImportState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
