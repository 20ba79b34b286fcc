"""The demo's investigations: linkage. The same people held by agencies of both countries,
spelt each country's way, and two near-misses that must not be proposed.

The acceptance example: the NCA holds "Mohammed Al Hassan", OCRIEST holds "Mohamed El
Hassane", born a few days apart by their records. The records are saved one by one through the
ORM, so the save-time check (entente.investigations.services.linkage.on_entity_saved) proposes
the pairs for review as it would for any record saved in the application; no Splink run is
needed (the demo stays fast). ``entente resolve_entities --user gold.kent`` runs the full
linkage over them.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from entente.core.choices import TLP, Classification
from entente.core.models import Agency, User
from entente.intelligence.models import Entity
from entente.investigations.services import linkage

# (agency, author, given, family, birth date, estimated, nationality, gender)
PEOPLE: list[tuple[str, str, str, str, str, bool, str, str]] = [
    ("NCA", "analyst.nca", "Mohammed", "Al Hassan", "1987-03-14", False, "SY", "m"),
    ("OCRIEST", "investigator.ocriest", "Mohamed", "El Hassane", "1987-03-17", False, "SY", "m"),
    # ou/u and ch/sh, the date of birth estimated to the year by the French side
    ("KENTPOL", "gold.kent", "Yusuf", "Sharif", "1992-06-02", False, "IQ", "m"),
    ("PN", "gold.pn", "Youssef", "Chérif", "1992", True, "IQ", "m"),
    # dj/j, names swapped, day and month swapped
    ("NCA", "analyst.nca", "Jamal", "Barzani", "1979-04-11", False, "IQ", "m"),
    ("DCPAF", "analyst.dcpaf", "Barzani", "Djamel", "1979-11-04", False, "IQ", "m"),
    # near-misses: the same common name, different people (dates of birth far apart)
    ("NCA", "analyst.nca", "Ahmed", "Karimi", "1990-01-20", False, "AF", "m"),
    ("OCRIEST", "investigator.ocriest", "Ahmad", "Karimi", "1971-09-05", False, "IR", "m"),
    ("KENTPOL", "gold.kent", "Fatima", "Haddad", "1995-12-01", False, "SY", "f"),
    ("PN", "gold.pn", "Fatima", "Hadid", "1966-02-28", False, "EG", "f"),
]


def _entity(row: tuple[str, str, str, str, str, bool, str, str]) -> dict[str, Any]:
    _agency, _author, given, family, born, estimated, nationality, gender = row
    return {
        "kind": "person",
        "name": f"{given} {family}",
        "attributes": {
            "given_name": given,
            "family_name": family,
            "birth_date": born,
            "birth_date_estimated": estimated,
            "nationality": nationality,
            "gender": gender,
        },
    }


def load() -> None:
    """Loaded after the intelligence demo and the earlier investigations areas."""
    agencies = {a.code: a for a in Agency.objects.filter(code__in={r[0] for r in PEOPLE})}
    users = {u.username: u for u in User.objects.filter(username__in={r[1] for r in PEOPLE})}
    for row in PEOPLE:
        fields = _entity(row)
        agency = agencies[row[0]]
        if Entity.objects.filter(kind="person", name=fields["name"], originator=agency).exists():
            continue
        with transaction.atomic():
            entity = Entity.objects.create(  # type: ignore[misc]
                **fields,
                classification=Classification.OFFICIAL,
                releasability=frozenset({"FR", "UK"}),
                tlp=TLP.GREEN,
                originator=agency,
                created_by=users[row[1]],
            )
        # on_commit has run: the check is done; run it again in case signals were muted.
        linkage.check_record(entity)
