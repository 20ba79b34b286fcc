"""Investigations services: the smuggling networks investigations target.

A network moves forward only: active, then disrupted, then dismantled (a network may be
dismantled without having been recorded as disrupted). Each step keeps its date, so the
programme counts the networks dismantled in a period (services.indicators). Investigations
editors who see a network record it and move it on; only investigations approvers (the gold
commanders) declare it dismantled. Every write is audited in its own transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.core import access, audit
from entente.core import services as core_services
from entente.core.choices import TLP, Classification, Language, Module, Role
from entente.core.models import User
from entente.investigations.choices import NetworkStatus
from entente.investigations.models import Network

MAX_NAME = 200
MAX_DESCRIPTION = 20_000
STEPS = [NetworkStatus.ACTIVE, NetworkStatus.DISRUPTED, NetworkStatus.DISMANTLED]
# A joint network file is for both countries' investigators unless its author narrows it.
JOINT = ("FR", "UK")


def visible_networks(user: Any) -> QuerySet[Network]:
    return Network.objects.visible_to(user).select_related("originator")


def may_record(user: Any) -> bool:
    return access.has_role(user, Module.INVESTIGATIONS, Role.EDITOR)


def next_statuses(network: Network) -> list[str]:
    """The statuses a network may still move to (forward only)."""
    return [s.value for s in STEPS[STEPS.index(NetworkStatus(network.status)) + 1 :]]


def may_move(user: Any, network: Network, status: str) -> bool:
    if status == NetworkStatus.DISMANTLED:
        return access.has_role(user, Module.INVESTIGATIONS, Role.APPROVER)
    return may_record(user)


def _check_text(name: str, description: str, language: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("Give the network a name.")
    elif len(name.strip()) > MAX_NAME:
        errors["name"] = _("A name has at most {count} characters.").format(count=MAX_NAME)
    if len(description) > MAX_DESCRIPTION:
        errors["description"] = _("A description has at most {count} characters.").format(
            count=MAX_DESCRIPTION
        )
    if language not in Language.values:
        errors["language"] = _("Say which language the text is written in.")
    return errors


@transaction.atomic
def create_network(
    *,
    acting_user: User,
    name: str,
    description: str = "",
    language: str = Language.ENGLISH,
    classification: int = Classification.OFFICIAL_SENSITIVE,
    releasability: tuple[str, ...] | list[str] | frozenset[str] = JOINT,
    tlp: str = TLP.GREEN,
) -> Network:
    """Record a network (investigations editors), marked for their agency."""
    access.require_role(acting_user, Module.INVESTIGATIONS, Role.EDITOR)
    agency = acting_user.agency
    assert agency is not None  # an editor always has an agency
    codes, errors = core_services.marking_errors(
        originator=agency,
        releasability=releasability,
        tlp=tlp,
        classification=classification,
        author=acting_user,
    )
    errors.update(_check_text(name, description, language))
    if errors:
        raise ValidationError(errors)
    network = Network(
        name=name.strip(),
        description=description.strip(),
        language=language,
        classification=classification,
        releasability=codes,  # type: ignore[misc]  # CountrySetField takes a set of codes
        tlp=tlp,
        originator=agency,
        created_by=acting_user,
    )
    network.full_clean()
    network.save()
    audit.record_create(acting_user, network)
    return network


@transaction.atomic
def update_network(
    network: Network, *, acting_user: User, name: str, description: str, language: str
) -> Network:
    """Change a network's name and description (editors of its originating agency)."""
    if not access.can_change(acting_user, network):
        raise PermissionDenied(_("Only editors of the originating agency may change this record."))
    errors = _check_text(name, description, language)
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(network)
    network.name, network.description = name.strip(), description.strip()
    network.language = language
    network.save()
    audit.record_update(acting_user, network, before)
    return network


@transaction.atomic
def move_network(
    network: Network, *, acting_user: User, status: str, on: dt.date | None = None
) -> Network:
    """Move a network forward (disrupted, dismantled) on a day, audited.

    A step back, a date in the future or before the previous step is refused; declaring a
    network dismantled is for investigations approvers.
    """
    if not access.can_view(acting_user, network):
        raise PermissionDenied(_("You may not see this network."))
    if not may_record(acting_user):
        raise PermissionDenied(_("You do not hold the role this needs."))
    if status not in NetworkStatus.values:
        raise ValidationError({"status": _("Unknown network status.")})
    if status not in next_statuses(network):
        raise ValidationError(
            {
                "status": _(
                    "A network moves forward only (active, disrupted, dismantled): it is "
                    "already {status}."
                ).format(status=NetworkStatus(network.status).label.lower())
            }
        )
    if not may_move(acting_user, network, status):
        raise PermissionDenied(
            _("Only investigations approvers (gold commanders) declare a network dismantled.")
        )
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"on": _("The date cannot be in the future.")})
    if network.disrupted_on and on < network.disrupted_on:
        raise ValidationError(
            {"on": _("A network is dismantled on or after the day it was disrupted.")}
        )
    before = audit.snapshot(network)
    network.status = status
    if status == NetworkStatus.DISRUPTED:
        network.disrupted_on = on
    else:
        network.dismantled_on = on
    network.save()
    audit.record_update(acting_user, network, before)
    return network


__all__ = [
    "create_network",
    "may_move",
    "may_record",
    "move_network",
    "next_statuses",
    "update_network",
    "visible_networks",
]
