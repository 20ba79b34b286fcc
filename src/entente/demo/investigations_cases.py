"""The demo's investigations: cases.

One joint investigation, OCRIEST and NCA, against the lorry network of Coquelles, built from
the intelligence demo's reports and entities (looked up by title and name): members on both
sides, tasks (one overdue), a search, seizures, arrests in France and in England and Wales,
charges and a prosecution with the court's outcome; its network disrupted, then dismantled
by a gold commander in June 2015.

Then the historical record the agreements give (DESIGN.md, "Figures from the agreements"):
19 networks dismantled in the first seven months of 2015 (the one above and eighteen more,
spread over the months) and 514 traffickers arrested since January 2015 (its arrests and
those of the eighteen other investigations, in both jurisdictions, spread over the months).

Everything is written through the services by the personas. Loading twice changes nothing:
a network (and its investigation) is written only when none has its name.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from entente.core import services as core_services
from entente.core.choices import TLP
from entente.core.models import Agency, User
from entente.demo.intelligence_reports import REPORTS
from entente.intelligence.models import Entity, Report
from entente.intelligence.services import reports as report_services
from entente.investigations.choices import MemberAccess, NetworkStatus
from entente.investigations.models import Investigation, Network
from entente.investigations.services import actions, cases, networks
from entente.investigations.services.actions import ActionInput

MAIN_NETWORK = "Filière des poids lourds de Coquelles"
DISMANTLED_2015 = 19  # networks dismantled in January-July 2015
ARRESTED_2015 = 514  # traffickers arrested from January to July 2015

# (network name, language, creator, French lead, British lead, day dismantled, places FR / UK)
HISTORY: tuple[tuple[str, str, str, str, str, dt.date, str, str], ...] = (
    (
        "Filière des aires de l'A16",
        "fr",
        "investigator.ocriest",
        "OCRIEST",
        "NCA",
        dt.date(2015, 1, 14),
        "Boulogne-sur-Mer",
        "Dover",
    ),
    (
        "Dover lorry-drop network",
        "en",
        "gold.kent",
        "PN",
        "KENTPOL",
        dt.date(2015, 1, 28),
        "Calais",
        "Dover",
    ),
    (
        "Filière des camions frigorifiques de Dunkerque",
        "fr",
        "investigator.ocriest",
        "OCRIEST",
        "NCA",
        dt.date(2015, 2, 5),
        "Dunkerque",
        "Purfleet",
    ),
    (
        "Kent lay-by pickup network",
        "en",
        "gold.kent",
        "PN",
        "KENTPOL",
        dt.date(2015, 2, 17),
        "Coquelles",
        "Ashford",
    ),
    (
        "Filière du port de Calais (rocade)",
        "fr",
        "gold.pn",
        "PN",
        "NCA",
        dt.date(2015, 2, 26),
        "Calais",
        "Dover",
    ),
    (
        "Filière des ferries de Cherbourg",
        "fr",
        "investigator.ocriest",
        "OCRIEST",
        "NCA",
        dt.date(2015, 3, 11),
        "Cherbourg",
        "Portsmouth",
    ),
    (
        "Folkestone forged-document ring",
        "en",
        "gold.kent",
        "PN",
        "KENTPOL",
        dt.date(2015, 3, 25),
        "Lille",
        "Folkestone",
    ),
    (
        "Filière des parkings de Steenvoorde",
        "fr",
        "investigator.ocriest",
        "OCRIEST",
        "NCA",
        dt.date(2015, 4, 2),
        "Steenvoorde",
        "Dover",
    ),
    (
        "Purfleet container network",
        "en",
        "gold.kent",
        "PN",
        "KENTPOL",
        dt.date(2015, 4, 15),
        "Dunkerque",
        "Purfleet",
    ),
    (
        "Filière de Roscoff",
        "fr",
        "gold.pn",
        "PN",
        "NCA",
        dt.date(2015, 4, 29),
        "Roscoff",
        "Plymouth",
    ),
    (
        "Filière des faux documents de Lille",
        "fr",
        "investigator.ocriest",
        "OCRIEST",
        "NCA",
        dt.date(2015, 5, 7),
        "Lille",
        "London",
    ),
    (
        "Portsmouth ferry network",
        "en",
        "gold.kent",
        "PN",
        "KENTPOL",
        dt.date(2015, 5, 20),
        "Le Havre",
        "Portsmouth",
    ),
    (
        "Filière du Havre",
        "fr",
        "gold.pn",
        "PN",
        "NCA",
        dt.date(2015, 5, 28),
        "Le Havre",
        "Southampton",
    ),
    (
        "Filière des poids lourds de Ouistreham",
        "fr",
        "investigator.ocriest",
        "OCRIEST",
        "NCA",
        dt.date(2015, 6, 4),
        "Ouistreham",
        "Portsmouth",
    ),
    (
        "Birmingham money-transfer network",
        "en",
        "gold.kent",
        "PN",
        "KENTPOL",
        dt.date(2015, 6, 25),
        "Paris",
        "Birmingham",
    ),
    (
        "Filière des taxis de Paris-Nord",
        "fr",
        "gold.pn",
        "PN",
        "NCA",
        dt.date(2015, 7, 8),
        "Paris",
        "London",
    ),
    (
        "Filière de la gare de Lille-Europe",
        "fr",
        "investigator.ocriest",
        "OCRIEST",
        "NCA",
        dt.date(2015, 7, 16),
        "Lille",
        "Ashford",
    ),
    (
        "Filière de Saint-Malo",
        "fr",
        "gold.pn",
        "PN",
        "NCA",
        dt.date(2015, 7, 29),
        "Saint-Malo",
        "Poole",
    ),
)

# The main investigation's actions: (kind, jurisdiction, day, place, people, entity name,
# outcome, outcome day, sentence, description).
MAIN_ACTIONS: tuple[tuple[str, str, dt.date, str, int, str, str, dt.date | None, str, str], ...] = (
    (
        "search",
        "FR",
        dt.date(2015, 5, 19),
        "Aire de stationnement, Coquelles",
        0,
        "",
        "",
        None,
        "",
        "Perquisitions simultanées sur les aires et dans deux logements à Calais.",
    ),
    (
        "seizure",
        "FR",
        dt.date(2015, 5, 19),
        "Calais",
        0,
        "+33 6 12 34 56 78",
        "",
        None,
        "",
        "Saisie de neuf téléphones et de 23 400 euros en espèces.",
    ),
    (
        "arrest",
        "FR",
        dt.date(2015, 5, 19),
        "Coquelles",
        6,
        "Arben K.",
        "",
        None,
        "",
        "Interpellation de l'organisateur présumé et de cinq passeurs.",
    ),
    (
        "seizure",
        "EW",
        dt.date(2015, 5, 21),
        "Dover Eastern Docks",
        0,
        "KR 1188",
        "",
        None,
        "",
        "Refrigerated trailer seized after eleven people were found inside.",
    ),
    (
        "arrest",
        "EW",
        dt.date(2015, 5, 21),
        "Dover",
        3,
        "Viktor P.",
        "",
        None,
        "",
        "The driver and two facilitators arrested by Kent Police.",
    ),
    (
        "charge",
        "EW",
        dt.date(2015, 5, 23),
        "Dover",
        3,
        "Viktor P.",
        "convicted",
        dt.date(2016, 1, 15),
        "Six years' imprisonment (driver); four and three years (facilitators)",
        "Charged with assisting unlawful immigration (Immigration Act 1971, s. 25).",
    ),
    (
        "charge",
        "FR",
        dt.date(2015, 5, 22),
        "Lille (JIRS)",
        6,
        "Arben K.",
        "pending",
        None,
        "",
        "Mise en examen pour aide à l'entrée et au séjour irréguliers en bande organisée.",
    ),
    (
        "arrest",
        "FR",
        dt.date(2015, 6, 16),
        "Boulogne-sur-Mer",
        2,
        "Dritan M.",
        "",
        None,
        "",
        "Interpellation des deux derniers membres actifs ; la filière est démantelée.",
    ),
    (
        "prosecution",
        "FR",
        dt.date(2015, 6, 18),
        "Tribunal correctionnel de Boulogne-sur-Mer",
        2,
        "Dritan M.",
        "convicted",
        dt.date(2015, 9, 24),
        "Quatre ans d'emprisonnement ferme",
        "Comparution immédiate des deux passeurs interpellés le 16 juin.",
    ),
)
LINKED_REPORTS = (
    "fr-coquelles",
    "fr-port",
    "fr-telephones",
    "fr-pn",
    "uk-haulier",
    "uk-phones",
    "uk-kent",
)
# TLP:AMBER reports their originators share with the OCRIEST for the joint investigation.
SHARED_WITH_OCRIEST = ("fr-coquelles", "fr-port", "uk-haulier")
ENTITIES = (
    ("Arben K.", "target"),
    ("Dritan M.", "member"),
    ("Viktor P.", "member"),
    ("Jean-Marc D.", "associate"),
    ("+44 7700 900111", "member"),
    ("+33 6 12 34 56 78", "member"),
    ("Transports Littoral SARL", "associate"),
    ("Channel Freight Lines Ltd", "associate"),
    ("GH-512-KL", "associate"),
    ("KR 1188", "associate"),
)


def _entity(user: User, name: str) -> Entity | None:
    """A demo entity the user sees, by name or identifier (each report has its own copy)."""
    from django.db.models import Q

    found: Entity | None = (
        Entity.objects.visible_to(user)
        .filter(Q(name=name) | Q(identifier=name.replace(" ", "").replace("-", "")))
        .order_by("pk")
        .first()
    )
    if found is None:
        found = Entity.objects.visible_to(user).filter(identifier=name).order_by("pk").first()
    return found


def _share_reports(titles: dict[str, str], ocriest: Agency) -> None:
    """The originators name the OCRIEST on their AMBER reports (and so on their entities)."""
    authors = {d.key: d.author for d in REPORTS}
    for key in SHARED_WITH_OCRIEST:
        # The original, not a sanitised copy of it (the same title, written later).
        report = Report.objects.filter(title=titles[key]).order_by("pk").first()
        author = User.objects.select_related("agency__country").get(username=authors[key])
        if report is None:
            continue
        core_services.disseminate(
            report,
            acting_user=author,
            agencies=[ocriest],
            purpose="demo: shared with the OCRIEST for the joint investigation",
        )
        report_services.sync_entity_markings(report, acting_user=author)


def _main(users: dict[str, User], agencies: dict[str, Agency]) -> None:
    ocriest, gold_pn = users["investigator.ocriest"], users["gold.pn"]
    network = networks.create_network(
        acting_user=ocriest,
        name=MAIN_NETWORK,
        description="Filière faisant monter des migrants dans des poids lourds sur les aires de "
        "stationnement proches du terminal de Coquelles, avec des chauffeurs recrutés et des "
        "transporteurs complaisants ; coordination par téléphones britanniques.",
        language="fr",
    )
    inv = cases.open_investigation(
        acting_user=ocriest,
        title="Filière des poids lourds de Coquelles et transporteurs associés",
        summary="Équipe commune d'enquête OCRIEST / NCA ouverte sur les renseignements de la PAF "
        "de Calais, de la DCPAF et de la NCA : passages en poids lourds depuis Coquelles, "
        "chauffeurs recrutés, téléphones britanniques, transporteurs.",
        language="fr",
        lead_fr=agencies["OCRIEST"],
        lead_uk=agencies["NCA"],
        network=network,
        opened_on=dt.date(2015, 2, 9),
        tlp=TLP.AMBER,
    )
    for username, level in (
        ("gold.kent", MemberAccess.LEAD),
        ("gold.pn", MemberAccess.CONTRIBUTE),
        ("analyst.nca", MemberAccess.READ),
        ("analyst.dcpaf", MemberAccess.READ),
    ):
        cases.set_member(inv, acting_user=ocriest, user=users[username], access_level=level)
    titles = {d.key: d.title for d in REPORTS}
    _share_reports(titles, agencies["OCRIEST"])
    for key in LINKED_REPORTS:
        report = Report.objects.visible_to(ocriest).filter(title=titles[key]).order_by("pk").first()
        if report is not None:
            cases.link_report(inv, acting_user=ocriest, report=report)
    for name, role in ENTITIES:
        entity = _entity(ocriest, name)
        if entity is not None:
            cases.add_entity(inv, acting_user=ocriest, entity=entity, role=role)
    done = cases.add_task(
        inv,
        acting_user=ocriest,
        title="Exploiter les téléphones saisis à Calais",
        due_on=dt.date(2015, 6, 5),
        assignee=ocriest,
    )
    cases.complete_task(done, acting_user=ocriest, at=dt.datetime(2015, 6, 3, 17, 0, tzinfo=dt.UTC))
    cases.add_task(
        inv,
        acting_user=users["gold.kent"],
        title="Request UK bank records of QuickSend Money Ltd (mutual legal assistance)",
        due_on=dt.date(2015, 9, 30),
        assignee=users["gold.kent"],
    )
    cases.add_task(
        inv,
        acting_user=ocriest,
        title="Entendre les chauffeurs recrutés par la filière",
        due_on=dt.date(2015, 10, 15),
        assignee=gold_pn,
    )
    for kind, where, on, place, people, name, outcome, outcome_on, sentence, text in MAIN_ACTIONS:
        actor = users["gold.kent"] if where == "EW" else ocriest
        entity = _entity(actor, name) if name else None
        actions.record_action(
            inv,
            acting_user=actor,
            data=ActionInput(
                kind=kind,
                jurisdiction=where,
                occurred_on=on,
                place=place,
                description=text,
                people=people,
                entity=entity.pk if entity else None,
                court_outcome=outcome,
                outcome_on=outcome_on,
                sentence=sentence,
            ),
        )
    networks.move_network(
        network, acting_user=ocriest, status=NetworkStatus.DISRUPTED, on=dt.date(2015, 5, 19)
    )
    networks.move_network(
        network, acting_user=gold_pn, status=NetworkStatus.DISMANTLED, on=dt.date(2015, 6, 16)
    )


def _shares(total: int, count: int, rng: random.Random) -> list[int]:
    """``total`` split into ``count`` believable shares (largest remainders, each at least 4)."""
    weights = [rng.uniform(0.5, 1.7) for _ in range(count)]
    raw = [total * w / sum(weights) for w in weights]
    shares = [max(4, int(r)) for r in raw]
    order = sorted(range(count), key=lambda i: raw[i] - int(raw[i]), reverse=True)
    i = 0
    while sum(shares) < total:
        shares[order[i % count]] += 1
        i += 1
    while sum(shares) > total:
        j = max(range(count), key=lambda k: shares[k])
        shares[j] -= 1
    return shares


def _history(users: dict[str, User], agencies: dict[str, Agency], arrested: int) -> None:
    rng = random.Random(2015)  # noqa: S311  (reproducible demo data, not a secret)
    shares = _shares(ARRESTED_2015 - arrested, len(HISTORY), rng)
    for n, (name, language, creator, fr, uk, dismantled, place_fr, place_uk) in enumerate(HISTORY):
        share = shares[n]
        if Network.objects.filter(name=name).exists():
            continue
        author = users[creator]
        network = networks.create_network(acting_user=author, name=name, language=language)
        inv = cases.open_investigation(
            acting_user=author,
            title=name,
            language=language,
            lead_fr=agencies[fr],
            lead_uk=agencies[uk],
            network=network,
            opened_on=dismantled - dt.timedelta(days=rng.randint(120, 240)),
        )
        start = max(dt.date(2015, 1, 2), dismantled - dt.timedelta(days=60))
        first = start + dt.timedelta(days=rng.randint(0, max(0, (dismantled - start).days - 7)))
        in_france = max(1, round(share * rng.uniform(0.55, 0.75)))
        in_england = share - in_france
        rounds = [("FR", first, place_fr, in_france - in_france // 3)]
        rounds.append(("FR", dismantled, place_fr, in_france // 3))
        rounds.append(("EW", dismantled, place_uk, in_england))
        for where, on, place, people in rounds:
            if people:
                actions.record_action(
                    inv,
                    acting_user=author,
                    data=ActionInput("arrest", where, on, place=place, people=people),
                )
        networks.move_network(network, acting_user=author, status=NetworkStatus.DISRUPTED, on=first)
        approver = users["gold.kent"] if uk == "KENTPOL" else users["gold.pn"]
        networks.move_network(
            network, acting_user=approver, status=NetworkStatus.DISMANTLED, on=dismantled
        )
        cases.close_investigation(
            inv, acting_user=author, on=dismantled + dt.timedelta(days=rng.randint(20, 90))
        )


@transaction.atomic
def load() -> None:
    """Loaded after the intelligence demo and the earlier investigations areas."""
    users = {
        u.username: u
        for u in User.objects.select_related("agency__country").filter(
            username__in=[
                "investigator.ocriest",
                "gold.kent",
                "gold.pn",
                "analyst.nca",
                "analyst.dcpaf",
            ]
        )
    }
    agencies = {a.code: a for a in Agency.objects.select_related("country")}
    if not Network.objects.filter(name=MAIN_NETWORK).exists():
        _main(users, agencies)
    main = Investigation.objects.filter(network__name=MAIN_NETWORK).first()
    arrested = sum(a.people for a in main.actions.filter(kind="arrest")) if main is not None else 0
    _history(users, agencies, arrested)
