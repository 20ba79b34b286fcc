"""Choices of the core app, each with its English and French label (through gettext)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AgencyKind(models.TextChoices):
    POLICE = "police", _("Police")
    GENDARMERIE = "gendarmerie", _("Gendarmerie")
    BORDER = "border", _("Border agency")
    CRIME_AGENCY = "crime_agency", _("Crime agency")
    OPERATOR = "operator", _("Infrastructure operator")
    PREFECTURE = "prefecture", _("Prefecture")
    MINISTRY = "ministry", _("Ministry")
    NGO = "ngo", _("Non-governmental organisation")
    INTERNATIONAL = "international", _("International organisation")


# Agencies of these kinds are humanitarian partners: they never see intelligence or
# investigations, and see marked records only when their agency owns them or was named.
RESTRICTED_AGENCY_KINDS = frozenset({AgencyKind.NGO, AgencyKind.INTERNATIONAL})

# Law-enforcement kinds: they see that a person is vulnerable, never why (special category).
LAW_ENFORCEMENT_KINDS = frozenset(
    {
        AgencyKind.POLICE,
        AgencyKind.GENDARMERIE,
        AgencyKind.BORDER,
        AgencyKind.CRIME_AGENCY,
        AgencyKind.OPERATOR,
    }
)


class Module(models.TextChoices):
    """The modules a role is held in. One per domain app, plus the command and the audit."""

    COMMAND = "command", _("Joint command")
    CONTROL_ROOM = "control_room", _("Control room")
    INTELLIGENCE = "intelligence", _("Intelligence")
    INVESTIGATIONS = "investigations", _("Investigations")
    SAFEGUARDING = "safeguarding", _("Safeguarding")
    PROGRAMME = "programme", _("Programme")
    AUDIT = "audit", _("Audit")


# Modules closed to restricted (humanitarian) agencies whatever role they are given.
LAW_ENFORCEMENT_MODULES = frozenset({Module.INTELLIGENCE, Module.INVESTIGATIONS})


class Role(models.IntegerChoices):
    """An ordered scale: each role can do what the ones below it can."""

    VIEWER = 10, _("Viewer")
    EDITOR = 20, _("Editor")
    APPROVER = 30, _("Approver")
    ADMINISTRATOR = 40, _("Administrator")


class Classification(models.IntegerChoices):
    """One ordered scale of protective markings; each level has its UK and its French name.

    The label shown is the pair "UK / FR" (see ``markings.classification_label``): both
    countries' officers must recognise the level at a glance, so it is not translated.
    """

    OFFICIAL = 10, "OFFICIAL / Non protégé"
    OFFICIAL_SENSITIVE = 20, "OFFICIAL-SENSITIVE / Diffusion Restreinte"
    SECRET = 30, "SECRET / Secret"


CLASSIFICATION_NAMES: dict[int, dict[str, str]] = {
    Classification.OFFICIAL: {"UK": "OFFICIAL", "FR": "Non protégé"},
    Classification.OFFICIAL_SENSITIVE: {"UK": "OFFICIAL-SENSITIVE", "FR": "Diffusion Restreinte"},
    Classification.SECRET: {"UK": "SECRET", "FR": "Secret"},
}


class TLP(models.TextChoices):
    """Traffic Light Protocol 2.0, for onward sharing."""

    CLEAR = "CLEAR", "TLP:CLEAR"
    GREEN = "GREEN", "TLP:GREEN"
    AMBER = "AMBER", "TLP:AMBER"
    AMBER_STRICT = "AMBER+STRICT", "TLP:AMBER+STRICT"
    RED = "RED", "TLP:RED"


TLP_DESCRIPTIONS = {
    TLP.CLEAR: _("No limit on disclosure."),
    TLP.GREEN: _("Limited disclosure: the community, not public channels."),
    TLP.AMBER: _("Limited disclosure: the originating and named agencies only."),
    TLP.AMBER_STRICT: _(
        "Limited disclosure: the originating and named agencies, no onward sharing."
    ),
    TLP.RED: _("For the eyes of the named recipients only."),
}


class SiteKind(models.TextChoices):
    TERMINAL = "terminal", _("Tunnel terminal")
    PORT = "port", _("Port")
    DAY_CENTRE = "day_centre", _("Day centre")
    COMMAND_CENTRE = "command_centre", _("Command and control centre")
    ACCOMMODATION = "accommodation", _("Accommodation")


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    FRENCH = "fr", _("French")


class AuditAction(models.TextChoices):
    CREATE = "create", pgettext_lazy("audit action", "Create")
    UPDATE = "update", pgettext_lazy("audit action", "Update")
    DELETE = "delete", pgettext_lazy("audit action", "Delete")
    READ = "read", pgettext_lazy("audit action", "Read")
    SEARCH = "search", pgettext_lazy("audit action", "Search")
    EXPORT = "export", pgettext_lazy("audit action", "Export")
    DISCLOSE = "disclose", pgettext_lazy("audit action", "Disclose")
    LOGIN = "login", pgettext_lazy("audit action", "Log in")
    LOGIN_FAILED = "login_failed", pgettext_lazy("audit action", "Failed log-in")
    LOGOUT = "logout", pgettext_lazy("audit action", "Log out")
    SECOND_FACTOR = "second_factor", pgettext_lazy("audit action", "Second factor")
    TOKEN = "token", pgettext_lazy("audit action", "API token")
