"""Small builders for the care tests: people with a case code only, places, users."""

from __future__ import annotations

import itertools

from entente.core import services
from entente.core.choices import TLP, Module, Role
from entente.core.models import Agency, User
from entente.safeguarding.choices import AgeBand, Gender
from entente.safeguarding.models import Person, Place

_codes = itertools.count(1)


def person(owner: User, *, code: str = "", tlp: str = TLP.AMBER) -> Person:
    """A person of the owner's agency, known by a case code only."""
    assert owner.agency is not None
    return Person.objects.create(
        case_code=code or f"T-{next(_codes):05d}",
        age_band=AgeBand.ADULT,
        gender=Gender.FEMALE,
        releasability=[owner.agency.country.code],
        tlp=tlp,
        originator=owner.agency,
        created_by=owner,
    )


def place(
    owner: User,
    *,
    name: str = "Maison Test",
    women_children: int = 2,
    families: int = 0,
    men: int = 0,
    address: str = "12 rue Secrète, 62100 Calais",
    known_to: tuple[User, ...] = (),
) -> Place:
    from entente.safeguarding.services import accommodation

    return accommodation.create_place(
        owner,
        name=name,
        town="Calais",
        address=address,
        capacity_women_children=women_children,
        capacity_families=families,
        capacity_men=men,
        address_known_to=known_to,
        releasability=["FR", "UK"],
        tlp=TLP.GREEN,
    )


def user(username: str, agency: Agency, roles: dict[str, int]) -> User:
    """A user of an agency holding the given roles (module -> role)."""
    made = services.create_user(username=username, agency=agency, acting_user=None, roles=roles)
    return User.objects.select_related("agency__country").get(pk=made.pk)


__all__ = ["Module", "Role", "person", "place", "user"]
