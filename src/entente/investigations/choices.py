"""Choices of the investigations app, each with its English and French label (through gettext)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class LinkKind(models.TextChoices):
    """How two entities are linked. A link reads "source <kind> target"."""

    DRIVES = "drives", _("drives")
    OWNS = "owns", _("owns")
    CALLS = "calls", _("calls")
    PAYS = "pays", _("pays")
    TRAVELS_WITH = "travels_with", _("travels with")
    MEMBER_OF = "member_of", _("member of")


class NetworkStatus(models.TextChoices):
    """A smuggling network moves from active to disrupted to dismantled."""

    ACTIVE = "active", pgettext_lazy("network", "Active")
    DISRUPTED = "disrupted", pgettext_lazy("network", "Disrupted")
    DISMANTLED = "dismantled", pgettext_lazy("network", "Dismantled")


class InvestigationState(models.TextChoices):
    OPEN = "open", pgettext_lazy("investigation", "Open")
    CLOSED = "closed", pgettext_lazy("investigation", "Closed")


class MemberAccess(models.IntegerChoices):
    """What a member of an investigation may do in it (each level includes the ones below)."""

    READ = 10, _("Read")
    CONTRIBUTE = 20, _("Contribute")
    LEAD = 30, _("Lead")


class EntityRole(models.TextChoices):
    """Why an entity is in an investigation."""

    TARGET = "target", _("Target")
    MEMBER = "member", _("Network member")
    ASSOCIATE = "associate", _("Associate")


class ActionKind(models.TextChoices):
    SEARCH = "search", pgettext_lazy("action", "Search")
    SEIZURE = "seizure", _("Seizure")
    ARREST = "arrest", _("Arrest")
    CHARGE = "charge", _("Charge")
    PROSECUTION = "prosecution", _("Prosecution")


class Jurisdiction(models.TextChoices):
    FRANCE = "FR", _("France")
    ENGLAND_WALES = "EW", _("England and Wales")


class CourtOutcome(models.TextChoices):
    NONE = "", pgettext_lazy("court outcome", "None yet")
    PENDING = "pending", pgettext_lazy("court outcome", "Pending")
    CONVICTED = "convicted", pgettext_lazy("court outcome", "Convicted")
    ACQUITTED = "acquitted", pgettext_lazy("court outcome", "Acquitted")
    DISCONTINUED = "discontinued", pgettext_lazy("court outcome", "Discontinued")


class RunState(models.TextChoices):
    PENDING = "pending", pgettext_lazy("run", "Waiting")
    RUNNING = "running", pgettext_lazy("run", "Running")
    PAUSED = "paused", pgettext_lazy("run", "Stopped, can be resumed")
    DONE = "done", pgettext_lazy("run", "Finished")
    FAILED = "failed", pgettext_lazy("run", "Failed")


class MatchState(models.TextChoices):
    """A candidate pair in the review queue, and the reviewer's judgement."""

    PENDING = "pending", pgettext_lazy("match", "To review")
    SAME = "same", pgettext_lazy("match", "Same")
    NOT_SAME = "not_same", pgettext_lazy("match", "Not the same")
    UNSURE = "unsure", pgettext_lazy("match", "Unsure")
