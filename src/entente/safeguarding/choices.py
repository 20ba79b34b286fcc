"""Choices of the safeguarding app, each with its English and French label (through gettext)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AgeBand(models.TextChoices):
    """Age as a band: minimised, and what most decisions need (a child is always referred)."""

    UNDER_5 = "0-4", _("Under 5")
    CHILD = "5-11", _("5 to 11")
    YOUNG_TEEN = "12-15", _("12 to 15")
    OLDER_TEEN = "16-17", _("16 or 17")
    YOUNG_ADULT = "18-24", _("18 to 24")
    ADULT = "25-59", _("25 to 59")
    OLDER = "60+", _("60 and over")


MINOR_BANDS = frozenset({AgeBand.UNDER_5, AgeBand.CHILD, AgeBand.YOUNG_TEEN, AgeBand.OLDER_TEEN})


class Gender(models.TextChoices):
    FEMALE = "f", _("Female")
    MALE = "m", _("Male")
    OTHER = "x", _("Other or not said")


class Vulnerability(models.TextChoices):
    """Vulnerability indicators (special category: held encrypted, never shown to police)."""

    MINOR = "minor", _("Minor")
    UNACCOMPANIED = "unaccompanied", _("Unaccompanied")
    PREGNANT = "pregnant", _("Pregnant")
    DISABILITY = "disability", _("Disability")
    HEALTH = "health", _("Health condition")
    TRAFFICKING = "trafficking", _("Trafficking indicators")


class Purpose(models.TextChoices):
    """What a person consents to, and what a referral is for."""

    ACCOMMODATION = "accommodation", _("Protected accommodation")
    CHILD_PROTECTION = "child_protection", _("Child protection")
    MEDICAL = "medical", _("Medical care")
    NRM = "nrm", _("UK National Referral Mechanism")
    FR_PROTECTION = "fr_protection", _("French protection route for victims")
    ASYLUM = "asylum", _("Asylum")
    VOLUNTARY_RETURN = "voluntary_return", _("Assisted voluntary return")


class ReferralState(models.TextChoices):
    IN_PROGRESS = "in_progress", pgettext_lazy("referral", "In progress")
    ACCEPTED = "accepted", pgettext_lazy("referral", "Accepted")
    REJECTED = "rejected", pgettext_lazy("referral", "Rejected")
    DONE = "done", pgettext_lazy("referral", "Done")
    REVOKED = "revoked", pgettext_lazy("referral", "Revoked")


class PlaceCategory(models.TextChoices):
    WOMEN_CHILDREN = "women_children", _("Women and children")
    FAMILIES = "families", _("Families")
    MEN = "men", _("Men")


class AllocationState(models.TextChoices):
    ALLOCATED = "allocated", pgettext_lazy("allocation", "Allocated")
    CHECKED_IN = "checked_in", pgettext_lazy("allocation", "Checked in")
    CHECKED_OUT = "checked_out", pgettext_lazy("allocation", "Checked out")
    CANCELLED = "cancelled", pgettext_lazy("allocation", "Cancelled")


class PathwayKind(models.TextChoices):
    ASYLUM = "asylum", _("Asylum")
    VOLUNTARY_RETURN = "voluntary_return", _("Assisted voluntary return")


class Milestone(models.TextChoices):
    """The steps of the two pathways, in order."""

    LODGED = "lodged", _("Asylum application lodged")
    TRANSFERRED = "transferred", _("Transferred to accommodation away from Calais")
    DECISION = "decision", _("Asylum decision")
    RETURN_APPLIED = "return_applied", _("Voluntary-return application")
    PARTNER = "partner", _("Taken up by the partner organisation")
    DEPARTED = "departed", _("Departure")


PATHWAY_MILESTONES = {
    PathwayKind.ASYLUM: (Milestone.LODGED, Milestone.TRANSFERRED, Milestone.DECISION),
    PathwayKind.VOLUNTARY_RETURN: (
        Milestone.RETURN_APPLIED,
        Milestone.PARTNER,
        Milestone.DEPARTED,
    ),
}


class CampaignLanguage(models.TextChoices):
    ARABIC = "ar", _("Arabic")
    TIGRINYA = "ti", _("Tigrinya")
    PASHTO = "ps", _("Pashto")
    DARI = "prs", _("Dari")
    KURDISH = "ku", _("Kurdish")
    AMHARIC = "am", _("Amharic")
    FRENCH = "fr", _("French")
    ENGLISH = "en", _("English")


class Channel(models.TextChoices):
    LEAFLET = "leaflet", _("Leaflets")
    POSTER = "poster", _("Posters")
    OUTREACH = "outreach", _("Outreach teams")
    RADIO = "radio", _("Radio")
    SOCIAL = "social", _("Social media")
    SMS = "sms", _("Text messages")


class RetentionAction(models.TextChoices):
    ERASE = "erase", _("Erase")
    ANONYMISE = "anonymise", _("Anonymise")
