"""The demo's freight search teams and mobile units, what each site needs, and their roster.

At Coquelles and the port of Calais, Border Force (under the juxtaposed controls) and the PAF
each keep a freight search team on duty in every shift, three crews of each rotating through
the early, late and night shifts every two days; a mobile gendarmerie squadron (Coquelles) and
a CRS company (the port) keep a mobile unit round the clock, platoon after platoon. At
Folkestone, Border Force searches the freight and Kent Police keeps a mobile unit.

The roster runs from three days ago to seven days ahead of the day the demo is loaded, with
one deliberate gap (a PAF team missing at the port tomorrow night) so that the warning shows.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.db import transaction
from django.utils import timezone

from entente.control_room.choices import ShiftSlot, TeamKind
from entente.control_room.models import Team
from entente.core.models import Agency, Site, User

ACTOR = None  # the system loads the demo; the audit records it as "system"
FS, MU = TeamKind.FREIGHT_SEARCH, TeamKind.MOBILE_UNIT

# code, site, kind, agency, members, English, French
TEAMS = [
    *[
        (
            f"BF-COQ-{n}",
            "COQ-TERM",
            FS,
            "BF",
            6,
            f"Border Force freight search team {n}, Coquelles",
            f"Équipe de fouille du fret Border Force n° {n}, Coquelles",
        )
        for n in (1, 2, 3)
    ],
    *[
        (
            f"PAF-COQ-{n}",
            "COQ-TERM",
            FS,
            "PAF",
            5,
            f"PAF freight search team {n}, Coquelles",
            f"Brigade de fouille du fret PAF n° {n}, Coquelles",
        )
        for n in (1, 2, 3)
    ],
    (
        "EGM-COQ",
        "COQ-TERM",
        MU,
        "GEND",
        16,
        "Mobile gendarmerie squadron, Coquelles perimeter",
        "Escadron de gendarmerie mobile, enceinte de Coquelles",
    ),
    *[
        (
            f"BF-CAL-{n}",
            "CAL-PORT",
            FS,
            "BF",
            6,
            f"Border Force freight search team {n}, port of Calais",
            f"Équipe de fouille du fret Border Force n° {n}, port de Calais",
        )
        for n in (1, 2, 3)
    ],
    *[
        (
            f"PAF-CAL-{n}",
            "CAL-PORT",
            FS,
            "PAF",
            5,
            f"PAF freight search team {n}, port of Calais",
            f"Brigade de fouille du fret PAF n° {n}, port de Calais",
        )
        for n in (1, 2, 3)
    ],
    (
        "CRS-CAL",
        "CAL-PORT",
        MU,
        "CRS",
        14,
        "CRS mobile unit, port ring road",
        "Section CRS, rocade portuaire",
    ),
    *[
        (
            f"BF-FOL-{n}",
            "FOL-TERM",
            FS,
            "BF",
            6,
            f"Border Force freight search team {n}, Folkestone",
            f"Équipe de fouille du fret Border Force n° {n}, Folkestone",
        )
        for n in (1, 2, 3)
    ],
    (
        "KENT-FOL",
        "FOL-TERM",
        MU,
        "KENTPOL",
        8,
        "Kent Police mobile unit, Folkestone terminal",
        "Unité mobile de la police du Kent, terminal de Folkestone",
    ),
]

# site, kind, teams needed on duty in every shift
REQUIREMENTS = [
    ("COQ-TERM", FS, 2),
    ("COQ-TERM", MU, 1),
    ("CAL-PORT", FS, 2),
    ("CAL-PORT", MU, 1),
    ("FOL-TERM", FS, 1),
    ("FOL-TERM", MU, 1),
]

# Crews rotating through the three shifts (one on duty per shift), and units on duty round
# the clock, per site.
ROTATIONS = {
    "COQ-TERM": [["BF-COQ-1", "BF-COQ-2", "BF-COQ-3"], ["PAF-COQ-1", "PAF-COQ-2", "PAF-COQ-3"]],
    "CAL-PORT": [["BF-CAL-1", "BF-CAL-2", "BF-CAL-3"], ["PAF-CAL-1", "PAF-CAL-2", "PAF-CAL-3"]],
    "FOL-TERM": [["BF-FOL-1", "BF-FOL-2", "BF-FOL-3"]],
}
ROUND_THE_CLOCK = {"COQ-TERM": ["EGM-COQ"], "CAL-PORT": ["CRS-CAL"], "FOL-TERM": ["KENT-FOL"]}
LEADERS = {"BF-COQ-1": "leader.borderforce"}
DAYS_BEFORE, DAYS_AHEAD = 3, 7


def crew_on(crews: list[str], day: dt.date, slot_index: int) -> str:
    """The crew of a rotation on duty in a slot: each moves to the next shift every two days
    (counted from a fixed origin, so that every run of the loader agrees)."""
    return crews[(slot_index + day.toordinal() // 2) % len(crews)]


def deliberate_gap(site: str, day: dt.date, slot: str, code: str, today: dt.date) -> bool:
    """The one hole left in the demo roster: a PAF team at the port, tomorrow night."""
    return (
        site == "CAL-PORT"
        and day == today + dt.timedelta(days=1)
        and slot == ShiftSlot.NIGHT
        and code.startswith("PAF-")
    )


@transaction.atomic
def load_teams() -> None:
    """Teams, requirements and the roster around today (idempotent: a second run adds only
    the days that have come into the window since)."""
    from entente.control_room.services import teams as service

    sites = {s.code: s for s in Site.objects.select_related("country")}
    agencies = {a.code: a for a in Agency.objects.all()}
    teams = {}
    for code, site, kind, agency, members, name_en, name_fr in TEAMS:
        existing = Team.objects.filter(code=code).first()
        teams[code] = service.upsert_team(
            code=code,
            acting_user=ACTOR,
            name_en=name_en,
            name_fr=name_fr,
            kind=kind,
            agency=agencies[agency],
            site=sites[site],
            # Leaders are personas, loaded after the control room: kept here once set.
            leader=existing.leader if existing else None,
            members=members,
        )
    for site_code, kind, minimum in REQUIREMENTS:
        service.upsert_coverage_requirement(
            site=sites[site_code], team_kind=kind, minimum=minimum, acting_user=ACTOR
        )
    slots = list(ShiftSlot.values)
    for code, rotations in ROTATIONS.items():
        zone = zoneinfo.ZoneInfo(sites[code].timezone)
        today = timezone.now().astimezone(zone).date()
        first = today - dt.timedelta(days=DAYS_BEFORE)
        pattern = []
        for offset in range(DAYS_BEFORE + DAYS_AHEAD + 1):
            day = first + dt.timedelta(days=offset)
            for index, slot in enumerate(slots):
                on_duty = [crew_on(crews, day, index) for crews in rotations]
                on_duty += ROUND_THE_CLOCK[code]
                pattern += [
                    (day, slot, teams[team])
                    for team in on_duty
                    if not deliberate_gap(code, day, slot, team, today)
                ]
        for week in range(0, DAYS_BEFORE + DAYS_AHEAD + 1, 7):
            start = first + dt.timedelta(days=week)
            service.fill_week(
                start,
                [
                    ((day - start).days, slot, team)
                    for day, slot, team in pattern
                    if 0 <= (day - start).days <= 6
                ],
                acting_user=ACTOR,
            )
    assign_team_leaders()


@transaction.atomic
def assign_team_leaders() -> None:
    """Give the demo's teams their leaders, once the personas exist (idempotent)."""
    from entente.control_room.services import teams as service

    for code, username in LEADERS.items():
        team = Team.objects.select_related("agency", "site").filter(code=code).first()
        leader = User.objects.filter(username=username).first()
        if team is None or leader is None or team.leader_id == leader.pk:
            continue
        service.upsert_team(
            code=team.code,
            acting_user=ACTOR,
            name_en=team.name_en,
            name_fr=team.name_fr,
            kind=team.kind,
            agency=team.agency,
            site=team.site,
            leader=leader,
            members=team.members,
            active=team.active,
        )
