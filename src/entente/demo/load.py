"""Load the demo data set through the services, idempotently (a second run changes nothing)."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from entente.core import services
from entente.core.choices import TLP, Classification
from entente.core.models import Agency, Bulletin, Country, Site, User
from entente.demo.personas import PERSONAS
from entente.demo.reference import AGENCIES, COUNTRIES, SENSORS, SITES, ZONES, square_polygon

ACTOR = None  # the system loads the demo; the audit records it as "system"


@transaction.atomic
def load_reference() -> None:
    countries = {}
    for code, name_en, name_fr, zone in COUNTRIES:
        countries[code] = services.upsert_country(
            code=code, name_en=name_en, name_fr=name_fr, timezone_name=zone, acting_user=ACTOR
        )
    agencies = {}
    for code, country, agency_kind, name_en, name_fr in AGENCIES:
        agencies[code] = services.upsert_agency(
            code=code,
            name_en=name_en,
            name_fr=name_fr,
            country=countries[country],
            kind=agency_kind,
            acting_user=ACTOR,
        )
    for code, country, kind, operator, lat, lon, name_en, name_fr in SITES:
        services.upsert_site(
            code=code,
            acting_user=ACTOR,
            country=countries[country],
            kind=kind,
            operator=agencies[operator],
            latitude=lat,
            longitude=lon,
            name_en=name_en,
            name_fr=name_fr,
        )


@transaction.atomic
def load_control_room() -> None:
    """Zones and sensors at Coquelles, the port and Folkestone."""
    from entente.control_room import services as control_room

    sites = {s.code: s for s in Site.objects.all()}
    zones = {}
    for code, site, kind, lat, lon, name_en, name_fr in ZONES:
        zones[code] = control_room.upsert_zone(
            code=code,
            acting_user=ACTOR,
            site=sites[site],
            kind=kind,
            polygon=square_polygon(lat, lon),
            name_en=name_en,
            name_fr=name_fr,
        )
    for code, zone, kind, owner, latitude, longitude, heartbeat in SENSORS:
        control_room.upsert_sensor(
            code=code,
            acting_user=ACTOR,
            zone=zones[zone],
            kind=kind,
            owner=Agency.objects.get(code=owner),
            latitude=latitude,
            longitude=longitude,
            heartbeat_seconds=heartbeat,
        )
    load_sensor_account()
    load_procedures()
    load_teams()


def load_procedures() -> None:
    """The standard operating procedure of each incident kind; demo steps no longer listed
    are retired (kept for the checklists that used them, no longer offered)."""
    from entente.control_room.models import ProcedureStep
    from entente.control_room.services import checklists
    from entente.demo.procedures import PROCEDURES

    for kind, steps in PROCEDURES.items():
        for position, (code, text_en, text_fr) in enumerate(steps, start=1):
            checklists.upsert_step(
                incident_kind=kind,
                code=code,
                acting_user=ACTOR,
                position=position,
                text_en=text_en,
                text_fr=text_fr,
                active=True,
            )
        listed = [code for code, _en, _fr in steps]
        for step in ProcedureStep.objects.filter(incident_kind=kind, active=True).exclude(
            code__in=listed
        ):
            checklists.upsert_step(
                incident_kind=kind, code=step.code, acting_user=ACTOR, active=False
            )


def load_teams() -> None:
    """Freight search teams and mobile units, coverage requirements, the roster around today."""
    from entente.demo.teams import load_teams as load

    load()


@transaction.atomic
def load_personas(password: str) -> list[User]:
    """Create each persona once; an existing one keeps its password and gets its roles back."""
    users = []
    for p in PERSONAS:
        user = User.objects.filter(username=p.username).first()
        if user is None:
            user = services.create_user(
                username=p.username,
                agency=Agency.objects.get(code=p.agency) if p.agency else None,
                acting_user=ACTOR,
                password=password,
                first_name=p.first_name,
                last_name=p.last_name,
                clearance=p.clearance,
                language=p.language,
                roles=p.roles,
            )
        else:
            for module, role in p.roles.items():
                services.set_role(user, module, role, acting_user=ACTOR)
        users.append(user)
    from entente.demo.teams import assign_team_leaders

    assign_team_leaders()  # the teams exist before their leaders' logins do
    return users


BULLETINS = [
    # author, title, language, body, translation, classification, releasability, tlp, recipients
    (
        "operator.eurotunnel",
        "Tentatives d'intrusion : division par dix",
        "fr",
        "Environ 1 700 tentatives d'intrusion par jour étaient relevées en juillet 2015 "
        "sur le site du tunnel. Avec 1 300 policiers et gendarmes déployés à Calais, "
        "dont 500 en renfort, ce chiffre a été divisé par dix fin août.",
        "About 1,700 intrusion attempts a day were recorded on the tunnel site in July 2015. With "
        "1,300 police and gendarmes deployed in Calais, 500 of them reinforcements, the figure was "
        "cut tenfold by late August.",
        Classification.OFFICIAL,
        ["FR", "UK"],
        TLP.GREEN,
        (),
    ),
    (
        "leader.borderforce",
        "Freight search teams on duty 24/7 from the new control room",
        "en",
        "Additional freight search teams are deployed around the clock from the integrated control "
        "room at Coquelles. Eurotunnel security staff rise from 150 to 250.",
        "",
        Classification.OFFICIAL_SENSITIVE,
        ["FR", "UK"],
        TLP.AMBER,
        ("PAF", "EUROTUNNEL"),
    ),
    (
        "gold.kent",
        "Security audit of the tunnel site (RAID and Kent Police)",
        "en",
        "The security audit carried out by RAID experts and Kent Police feeds the "
        "six-monthly joint inspection programme.",
        "",
        Classification.OFFICIAL_SENSITIVE,
        ["UK"],
        TLP.AMBER,
        (),
    ),
    (
        "gold.pn",
        "Commandement unifié : première coordination des deux gold commanders",
        "fr",
        "Les deux gold commanders assurent un commandement unifié pour démanteler les filières. "
        "19 filières ont été démantelées au cours des sept premiers mois de 2015 (14 en 2014) et "
        "514 passeurs interpellés depuis janvier (+18 %).",
        "",
        Classification.SECRET,
        ["FR", "UK"],
        TLP.RED,
        ("@gold.kent",),
    ),
    (
        "gold.pn",
        "Centre Jules Ferry : accueil de jour et mise à l'abri",
        "fr",
        "Le Centre Jules Ferry sert en moyenne 2 000 repas par jour ; une unité "
        "d'environ 100 places accueille les femmes et les enfants. Plus de 900 "
        "personnes ont demandé l'asile avec un hébergement hors de Calais.",
        "The Centre Jules Ferry serves about 2,000 meals a day; a unit of about "
        "100 places shelters women and children. More than 900 people have applied "
        "for asylum with accommodation away from Calais.",
        Classification.OFFICIAL,
        ["FR", "UK"],
        TLP.CLEAR,
        (),
    ),
]


@transaction.atomic
def load_bulletins() -> int:
    created = 0
    for author, title, language, body, translation, level, rel, tlp, recipients in BULLETINS:
        user = User.objects.get(username=author)
        if Bulletin.objects.filter(title=title, originator=user.agency).exists():
            continue
        bulletin = services.create_bulletin(
            acting_user=user,
            title=title,
            body=body,
            language=language,
            translation=translation,
            classification=level,
            releasability=rel,
            tlp=tlp,
        )
        agencies = [Agency.objects.get(code=r) for r in recipients if not r.startswith("@")]
        people = [User.objects.get(username=r[1:]) for r in recipients if r.startswith("@")]
        if agencies or people:
            services.disseminate(
                bulletin, acting_user=user, agencies=agencies, users=people, purpose="demo"
            )
        created += 1
    return created


def load_history() -> None:
    """The summer-2015 daily intrusion attempts at the tunnel site (idempotent)."""
    from entente.control_room.models import DailyCount
    from entente.control_room.statistics import import_counts_as_system

    if DailyCount.objects.filter(site__code="COQ-TERM").exists():
        return
    import_counts_as_system((Path(__file__).parent / "intrusions_summer_2015.csv").read_text())


# Decisions of the unified command, from the 20 August 2015 agreement (shared/seeds/).
# author, title, language, situation, decision, rationale, options, risks, signed by
DECISIONS = [
    (
        "leader.borderforce",
        "Additional freight search teams on duty 24/7",
        "en",
        "About 1,700 intrusion attempts a day were recorded at the tunnel site in July 2015; "
        "people hide in lorries on the freight platforms before boarding.",
        "Deploy additional freight search teams around the clock from the new control room, "
        "and raise Eurotunnel security staff from 150 to 250.",
        "Searches on the platforms find people before the shuttle leaves, when it is still safe "
        "to take them out; the control room sends the nearest team to each alarm.",
        "Patrols of the perimeter only; more fences only; searches at Folkestone only.",
        "Overtime of the teams over the summer; searches slow the freight traffic at peaks.",
        ("gold.kent", "gold.pn"),
    ),
    (
        "gold.pn",
        "Centre conjoint de commandement et de contrôle à Coquelles",
        "fr",
        "Les filières de passeurs opèrent des deux côtés de la Manche ; le renseignement "
        "opérationnel circule trop lentement entre les services.",
        "Créer à Coquelles un centre conjoint de commandement et de contrôle réunissant des "
        "personnels français et britanniques, appuyé par le centre existant de Folkestone.",
        "Travailler ensemble au quotidien accroît l’échange de renseignement opérationnel et "
        "permet des enquêtes conjointes contre les filières.",
        "Deux centres nationaux reliés par des officiers de liaison ; un centre unique à "
        "Folkestone.",
        "Protection des données échangées ; charge des équipes pendant la mise en place.",
        ("gold.pn", "gold.kent"),
    ),
    (
        "gold.kent",
        "Security fences along the ring-road access to the port",
        "en",
        "Lorries slow down on the ring road to the port of Calais, where people try to climb "
        "aboard; the UK contribution finances fences and CCTV cameras.",
        "Build security fences along the ring-road access and cover it with CCTV analytics "
        "watched from the control room.",
        "Fences keep people away from the traffic, where attempts put lives at risk; cameras "
        "let the control room send a team before anyone reaches a lorry.",
        "More mobile units on the ring road only; closing the access at night.",
        "Attempts move elsewhere along the route; the works disturb traffic for some weeks.",
        ("gold.kent",),
    ),
]

# control room, outgoing operator, incoming operator (None: not yet taken over), summary
WATCH_HANDOVERS = [
    (
        "COQ-CCC",
        "operator.eurotunnel",
        "leader.borderforce",
        "fr",
        "Nuit calme sur les quais fret ; une alarme de clôture au nord du terminal, levée de "
        "doute faite par l’équipe de fouille. Caméra du portail à surveiller (images floues).",
    ),
    (
        "FOL-CCC",
        "leader.borderforce",
        None,
        "en",
        "Two CO2 alarms on arriving lorries, both searched, nothing found. Scanner back in "
        "service at 04:10 after the heartbeat alarm.",
    ),
]


@transaction.atomic
def load_command() -> None:
    """The unified command's decision log and the last watch handovers (idempotent)."""
    import datetime as dt

    from django.utils import timezone

    from entente.control_room.models import Decision, WatchHandover
    from entente.control_room.services import command

    for author, title, language, situation, text, rationale, options, risks, signers in DECISIONS:
        if Decision.objects.filter(title=title).exists():
            continue
        decision = command.record_decision(
            acting_user=User.objects.get(username=author),
            title=title,
            language=language,
            situation=situation,
            decision=text,
            rationale=rationale,
            options=options,
            risks=risks,
        )
        for signer in signers:
            command.sign_decision(decision, acting_user=User.objects.get(username=signer))
    for site, outgoing, incoming, language, summary in WATCH_HANDOVERS:
        if WatchHandover.objects.filter(site__code=site, summary=summary).exists():
            continue
        handover = command.hand_over_watch(
            Site.objects.get(code=site),
            watch_started_at=timezone.now() - dt.timedelta(hours=8),
            summary=summary,
            language=language,
            acting_user=User.objects.get(username=outgoing),
        )
        if incoming:
            command.accept_handover(handover, acting_user=User.objects.get(username=incoming))


def load_all(password: str) -> list[User]:
    load_reference()
    load_control_room()
    load_history()
    users = load_personas(password)
    load_bulletins()
    load_command()
    from entente.demo.intelligence import load_intelligence

    load_intelligence()
    from entente.demo.investigations import load_investigations

    load_investigations()
    from entente.demo.safeguarding import load_safeguarding

    load_safeguarding()
    from entente.demo.programme import load_programme

    load_programme()
    return users


def countries() -> list[Country]:
    return list(Country.objects.all())


SENSOR_ACCOUNT = "sensors.demo"


def load_sensor_account() -> None:
    """The service account the demo's sensors (and its MQTT bridge) send alerts under."""
    from entente.core.choices import Module, Role

    if User.objects.filter(username=SENSOR_ACCOUNT).exists():
        return
    services.create_user(
        username=SENSOR_ACCOUNT,
        agency=Agency.objects.get(code="EUROTUNNEL"),
        acting_user=ACTOR,
        is_service_account=True,
        roles={Module.CONTROL_ROOM: Role.EDITOR},
    )
