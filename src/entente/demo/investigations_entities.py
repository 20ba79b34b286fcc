"""The demo's investigations: entities and links around the intelligence demo's reports.

A smuggling picture of 2015 in three clusters joined by a few brokers:

- **Coquelles** (recorded by the OCRIEST): Arben K. and his recruiters and drivers, their
  phones (call records month by month), a van and cars, the haulier Transports Littoral and
  its lorry GH-512-KL, a French account; some of it releasable to France only (the French
  side's own sources);
- **Kent** (recorded by Kent Police): Viktor P. and the lorry KR 1188, the haulier Channel
  Freight Lines and its trailer CFL 2207, a reception crew around Ashford, the UK phone
  +44 7700 900111; some of it releasable to the UK only;
- **money**: QuickSend Money Ltd (UK only), accounts on both sides, a collector in London;
- **brokers**: Jean-Marc D. (pays both sides), Dritan M. (calls the UK numbers), Tomasz N.
  (drives for both hauliers), Ardit S. (travels with both leaders).

Links cite the intelligence report they come from where there is one, otherwise a note
(call records, surveillance, ANPR). A link takes its ends' and report's marking
(entente.investigations.services.entities); the TLP:AMBER ones are named to the agencies of
the joint investigation, as are the AMBER reports they cite (and through them the reports'
entities), so that both sides' investigators see the shared picture while each side's own
records stay hidden from the other, counted as hidden neighbours on the chart.

Written through the services by the personas. Loading twice changes nothing: an entity is
written only when its agency has none of that kind and key, a link only when its agency has
none of that kind between the same ends over the same span, and naming a recipient twice
names it once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from entente.core import services as core_services
from entente.core.choices import TLP, Classification
from entente.core.models import Agency, User
from entente.demo.intelligence_reports import REPORTS
from entente.intelligence.models import Entity, Report
from entente.intelligence.services import entities as intel_entities
from entente.investigations.models import Link
from entente.investigations.services import entities as services
from entente.investigations.services import links as link_services

FR_SIDE = "investigator.ocriest"
UK_SIDE = "gold.kent"
# The agencies of the joint investigation, named on AMBER reports and links they need.
TEAM = ("OCRIEST", "PN", "DCPAF", "KENTPOL", "NCA")
SHARED_PURPOSE = "demo: shared with the joint investigation team"
BOTH = ("FR", "UK")
OS = Classification.OFFICIAL_SENSITIVE


@dataclass(frozen=True)
class New:
    """An entity the investigators record (by key, for the links below)."""

    key: str
    author: str
    kind: str
    name: str
    identifier: str = ""
    country: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)
    releasability: tuple[str, ...] = BOTH


def _p(given: str, initial: str, nationality: str, born: str, gender: str = "m") -> dict[str, Any]:
    return {
        "given_name": given,
        "family_name": initial,
        "nationality": nationality,
        "birth_date": born,
        "birth_date_estimated": True,
        "gender": gender,
    }


# The intelligence demo's entities, by (kind, key, originating agency).
KNOWN = {
    "arben": ("person", "ARBEN K.", "DCPAF"),
    "dritan": ("person", "DRITAN M.", "DCPAF"),
    "jean_marc": ("person", "JEAN-MARC D.", "PN"),
    "viktor": ("person", "VIKTOR P.", "KENTPOL"),
    "subscriber": ("person", "UNKNOWN SUBSCRIBER", "NCA"),
    "ph_arben": ("phone", "+33612345678", "DCPAF"),
    "ph_uk111_fr": ("phone", "+447700900111", "DCPAF"),
    "ph_uk222_fr": ("phone", "+447700900222", "DCPAF"),
    "ph_uk111": ("phone", "+447700900111", "NCA"),
    "littoral": ("company", "FR-44512345600012", "DCPAF"),
    "cfl": ("company", "09876543", "NCA"),
    "quicksend": ("company", "11223344", "NCA"),
    "gh512kl": ("vehicle", "GH512KL", "DCPAF"),
    "cfl2207": ("vehicle", "CFL2207", "NCA"),
    "kr1188": ("vehicle", "KR1188", "KENTPOL"),
}

NEW: tuple[New, ...] = (
    # Coquelles (OCRIEST)
    New(
        "besnik", FR_SIDE, "person", "Besnik R.", attributes=_p("Besnik", "R.", "AL", "1988-05-01")
    ),
    New(
        "ilir",
        FR_SIDE,
        "person",
        "Ilir T.",
        attributes=_p("Ilir", "T.", "AL", "1991-01-01"),
        releasability=("FR",),
    ),
    New("genc", FR_SIDE, "person", "Genc H.", attributes=_p("Genc", "H.", "AL", "1993-07-01")),
    New(
        "fatos",
        FR_SIDE,
        "person",
        "Fatos L.",
        attributes=_p("Fatos", "L.", "XK", "1990-03-01"),
        releasability=("FR",),
    ),
    New("karim", FR_SIDE, "person", "Karim B.", attributes=_p("Karim", "B.", "FR", "1985-11-12")),
    New(
        "sabrina",
        FR_SIDE,
        "person",
        "Sabrina V.",
        attributes=_p("Sabrina", "V.", "FR", "1982-09-30", "f"),
        releasability=("FR",),
    ),
    New("ph_besnik", FR_SIDE, "phone", "+33 6 21 43 65 87", country="FR"),
    New("ph_ilir", FR_SIDE, "phone", "+33 7 55 10 20 30", country="FR", releasability=("FR",)),
    New("ph_karim", FR_SIDE, "phone", "+33 6 40 50 60 70", country="FR"),
    New("ph_genc", FR_SIDE, "phone", "+33 7 81 92 03 14", country="FR"),
    New("van_fr", FR_SIDE, "vehicle", "Renault Master", "EF-204-TR", "FR", {"vehicle_type": "van"}),
    New(
        "car_fr",
        FR_SIDE,
        "vehicle",
        "Peugeot 308",
        "BX-771-PL",
        "FR",
        {"vehicle_type": "car"},
        ("FR",),
    ),
    New(
        "lorry_pl",
        FR_SIDE,
        "vehicle",
        "Tautliner DAF XF",
        "WGM 4521K",
        "PL",
        {"vehicle_type": "lorry"},
    ),
    New(
        "opale",
        FR_SIDE,
        "company",
        "SARL Opale Logistique",
        "FR-55598765400018",
        "FR",
        {"haulier": True},
    ),
    New(
        "acc_fr",
        FR_SIDE,
        "account",
        "Compte courant Sabrina V.",
        "FR76 1020 6000 2012 3456 7890 143",
        "FR",
        {"bank": "Banque du Littoral"},
        ("FR",),
    ),
    New(
        "acc_jm",
        FR_SIDE,
        "account",
        "Compte Jean-Marc D.",
        "FR76 3000 4000 0500 0012 3456 789",
        "FR",
        {"bank": "Crédit de la Côte d'Opale"},
    ),
    # Kent (Kent Police)
    New("gary", UK_SIDE, "person", "Gary W.", attributes=_p("Gary", "W.", "GB", "1979-02-14")),
    New(
        "tomasz", UK_SIDE, "person", "Tomasz N.", attributes=_p("Tomasz", "N.", "PL", "1983-06-20")
    ),
    New(
        "kyle",
        UK_SIDE,
        "person",
        "Kyle B.",
        attributes=_p("Kyle", "B.", "GB", "1995-10-01"),
        releasability=("UK",),
    ),
    New("ardit", UK_SIDE, "person", "Ardit S.", attributes=_p("Ardit", "S.", "AL", "1987-04-01")),
    New(
        "luan",
        UK_SIDE,
        "person",
        "Luan Z.",
        attributes=_p("Luan", "Z.", "AL", "1992-12-01"),
        releasability=("UK",),
    ),
    New("ph_gary", UK_SIDE, "phone", "+44 7700 900555", country="UK"),
    New("ph_ardit", UK_SIDE, "phone", "+44 7700 900777", country="UK", releasability=("UK",)),
    New("ph_tomasz", UK_SIDE, "phone", "+48 601 234 567", country="PL"),
    New("van_uk", UK_SIDE, "vehicle", "Ford Transit", "KX15 ABC", "UK", {"vehicle_type": "van"}),
    New(
        "car_uk", UK_SIDE, "vehicle", "BMW 320d", "LN64 XYZ", "UK", {"vehicle_type": "car"}, ("UK",)
    ),
    New(
        "garden",
        UK_SIDE,
        "company",
        "Garden State Haulage Ltd",
        "08765432",
        "UK",
        {"haulier": True},
    ),
    New("unit4", UK_SIDE, "place", "Unit 4, Ashford industrial estate", country="UK"),
    New(
        "acc_uk",
        UK_SIDE,
        "account",
        "Account of Luan Z.",
        "GB29 NWBK 6016 1331 9268 19",
        "UK",
        {"bank": "NatWest"},
        ("UK",),
    ),
    New(
        "acc_garden",
        UK_SIDE,
        "account",
        "Garden State Haulage Ltd, business account",
        "GB82 WEST 1234 5698 7654 32",
        "UK",
        {"bank": "Westbank"},
    ),
)

# (author, source, kind, target, from, to, confidence, report key or "", note)
Row = tuple[str, str, str, str, str, str, float, str, str]
D = "2015-"

LINKS: tuple[Row, ...] = (
    # Coquelles: who holds what
    (FR_SIDE, "arben", "owns", "ph_arben", D + "01-10", "", 0.9, "fr-coquelles", ""),
    (FR_SIDE, "besnik", "owns", "ph_besnik", D + "02-01", "", 0.9, "", "Réquisition opérateur"),
    (FR_SIDE, "ilir", "owns", "ph_ilir", D + "03-01", "", 0.8, "", "Réquisition opérateur"),
    (FR_SIDE, "karim", "owns", "ph_karim", D + "01-01", "", 1.0, "", "Abonnement à son nom"),
    (FR_SIDE, "genc", "owns", "ph_genc", D + "04-15", "", 0.7, "", "Réquisition opérateur"),
    (
        FR_SIDE,
        "besnik",
        "drives",
        "van_fr",
        D + "04-01",
        D + "08-31",
        0.9,
        "",
        "Surveillance OCRIEST",
    ),
    (
        FR_SIDE,
        "fatos",
        "drives",
        "van_fr",
        D + "06-01",
        D + "07-31",
        0.6,
        "",
        "Surveillance OCRIEST",
    ),
    (
        FR_SIDE,
        "karim",
        "drives",
        "car_fr",
        D + "03-01",
        "",
        0.9,
        "",
        "Lecture automatisée des plaques",
    ),
    (
        FR_SIDE,
        "ilir",
        "drives",
        "car_fr",
        D + "05-01",
        D + "06-30",
        0.5,
        "",
        "Lecture automatisée des plaques",
    ),
    (FR_SIDE, "opale", "owns", "van_fr", D + "01-01", "", 1.0, "", "Carte grise"),
    (FR_SIDE, "opale", "owns", "lorry_pl", D + "02-01", "", 0.8, "", "Contrat de location"),
    (FR_SIDE, "littoral", "owns", "gh512kl", D + "01-01", "", 1.0, "fr-port", ""),
    (FR_SIDE, "karim", "member_of", "opale", D + "01-01", "", 1.0, "", "Gérant (Kbis)"),
    (FR_SIDE, "sabrina", "member_of", "opale", D + "01-01", "", 0.9, "", "Associée (Kbis)"),
    (FR_SIDE, "sabrina", "owns", "acc_fr", D + "01-01", "", 1.0, "", "Réquisition bancaire"),
    (FR_SIDE, "arben", "member_of", "littoral", D + "03-01", "", 0.4, "fr-port", ""),
    (FR_SIDE, "arben", "travels_with", "besnik", D + "03-14", D + "03-14", 0.8, "fr-coquelles", ""),
    (
        FR_SIDE,
        "besnik",
        "travels_with",
        "genc",
        D + "05-02",
        D + "05-02",
        0.7,
        "",
        "Surveillance OCRIEST",
    ),
    (FR_SIDE, "genc", "travels_with", "fatos", D + "06-11", D + "06-11", 0.6, "", "Contrôle PAF"),
    (FR_SIDE, "ilir", "travels_with", "fatos", D + "07-03", D + "07-03", 0.6, "", "Contrôle PAF"),
    (
        FR_SIDE,
        "arben",
        "pays",
        "karim",
        D + "04-01",
        D + "08-31",
        0.6,
        "",
        "Remises d'espèces observées",
    ),
    (FR_SIDE, "acc_fr", "pays", "karim", D + "05-05", D + "08-05", 0.7, "", "Réquisition bancaire"),
    (FR_SIDE, "arben", "pays", "ilir", D + "05-01", D + "07-31", 0.5, "", "Audition d'un passager"),
    # Brokers
    (FR_SIDE, "jean_marc", "owns", "acc_jm", D + "01-01", "", 1.0, "", "Réquisition bancaire"),
    (FR_SIDE, "jean_marc", "pays", "arben", D + "02-01", D + "08-31", 0.6, "fr-pn", ""),
    (
        FR_SIDE,
        "acc_jm",
        "pays",
        "acc_fr",
        D + "03-15",
        D + "07-15",
        0.7,
        "",
        "Réquisition bancaire",
    ),
    (FR_SIDE, "dritan", "owns", "ph_uk111_fr", D + "01-01", D + "06-30", 0.6, "fr-telephones", ""),
    (
        FR_SIDE,
        "ph_uk111_fr",
        "calls",
        "ph_arben",
        D + "03-01",
        D + "06-30",
        0.8,
        "fr-telephones",
        "",
    ),
    (
        FR_SIDE,
        "ph_uk222_fr",
        "calls",
        "ph_besnik",
        D + "04-01",
        D + "06-30",
        0.7,
        "fr-telephones",
        "",
    ),
    (FR_SIDE, "dritan", "travels_with", "arben", D + "02-20", D + "02-20", 0.5, "", "Contrôle PAF"),
    (
        UK_SIDE,
        "tomasz",
        "drives",
        "gh512kl",
        D + "05-01",
        D + "07-31",
        0.8,
        "",
        "ANPR, Dover Eastern Docks",
    ),
    (UK_SIDE, "tomasz", "drives", "lorry_pl", D + "03-01", D + "08-31", 0.9, "", "ANPR, M20"),
    (UK_SIDE, "tomasz", "drives", "cfl2207", D + "05-10", D + "08-31", 0.9, "uk-haulier", ""),
    (UK_SIDE, "tomasz", "owns", "ph_tomasz", D + "01-01", "", 0.9, "", "Seized at arrest"),
    (
        UK_SIDE,
        "ardit",
        "travels_with",
        "arben",
        D + "04-18",
        D + "04-18",
        0.4,
        "",
        "Eurotunnel passenger list",
    ),
    (
        UK_SIDE,
        "ardit",
        "travels_with",
        "viktor",
        D + "06-09",
        D + "06-09",
        0.6,
        "",
        "Surveillance, Kent Police",
    ),
    (
        UK_SIDE,
        "jean_marc",
        "pays",
        "ardit",
        D + "05-01",
        D + "08-31",
        0.5,
        "",
        "Financial investigation, NCA",
    ),
    # Kent
    (UK_SIDE, "viktor", "owns", "kr1188", D + "01-01", "", 0.8, "uk-kent", ""),
    (UK_SIDE, "viktor", "drives", "kr1188", D + "07-28", D + "07-28", 1.0, "uk-kent", ""),
    (UK_SIDE, "cfl", "owns", "cfl2207", D + "01-01", "", 1.0, "uk-haulier", ""),
    (UK_SIDE, "tomasz", "member_of", "cfl", D + "02-01", "", 0.9, "uk-haulier", ""),
    (UK_SIDE, "gary", "owns", "ph_gary", D + "01-01", "", 0.9, "", "Subscriber check"),
    (UK_SIDE, "ardit", "owns", "ph_ardit", D + "03-01", "", 0.7, "", "Cell-site analysis"),
    (UK_SIDE, "subscriber", "owns", "ph_uk111", D + "07-01", D + "07-31", 0.5, "uk-phones", ""),
    (UK_SIDE, "gary", "member_of", "garden", D + "01-01", "", 1.0, "", "Companies House: director"),
    (UK_SIDE, "garden", "owns", "van_uk", D + "01-01", "", 1.0, "", "DVLA keeper"),
    (UK_SIDE, "garden", "owns", "unit4", D + "01-01", "", 1.0, "", "Lease"),
    (UK_SIDE, "garden", "owns", "acc_garden", D + "01-01", "", 1.0, "", "Production order"),
    (UK_SIDE, "kyle", "drives", "van_uk", D + "05-01", D + "08-31", 0.8, "", "ANPR, M20"),
    (UK_SIDE, "kyle", "drives", "car_uk", D + "03-01", "", 0.9, "", "DVLA keeper"),
    (
        UK_SIDE,
        "gary",
        "travels_with",
        "kyle",
        D + "07-28",
        D + "07-28",
        0.9,
        "",
        "Surveillance, Kent Police",
    ),
    (
        UK_SIDE,
        "viktor",
        "travels_with",
        "gary",
        D + "06-09",
        D + "06-09",
        0.8,
        "",
        "Surveillance, Kent Police",
    ),
    (
        UK_SIDE,
        "viktor",
        "pays",
        "tomasz",
        D + "05-01",
        D + "07-31",
        0.6,
        "",
        "Cash seized at arrest",
    ),
    (UK_SIDE, "luan", "owns", "acc_uk", D + "01-01", "", 1.0, "", "Production order"),
    (
        UK_SIDE,
        "ardit",
        "pays",
        "luan",
        D + "04-01",
        D + "08-31",
        0.6,
        "",
        "Financial investigation, NCA",
    ),
    (UK_SIDE, "acc_uk", "pays", "quicksend", D + "04-01", D + "08-31", 0.8, "uk-money", ""),
    (
        UK_SIDE,
        "acc_garden",
        "pays",
        "acc_uk",
        D + "05-01",
        D + "07-31",
        0.7,
        "",
        "Production order",
    ),
    (
        UK_SIDE,
        "luan",
        "travels_with",
        "ardit",
        D + "05-16",
        D + "05-16",
        0.7,
        "",
        "Surveillance, Kent Police",
    ),
    (UK_SIDE, "kyle", "member_of", "garden", D + "03-01", "", 0.7, "", "Payroll records"),
)

# Call records, month by month (the billing the two sides obtained): (author, a, b, months,
# confidence, note).
CALLS: tuple[tuple[str, str, str, tuple[int, ...], float, str], ...] = (
    (FR_SIDE, "ph_arben", "ph_besnik", (3, 4, 5, 6, 7, 8), 0.9, "Fadettes (réquisition)"),
    (FR_SIDE, "ph_arben", "ph_ilir", (4, 5, 6, 7), 0.8, "Fadettes (réquisition)"),
    (FR_SIDE, "ph_besnik", "ph_karim", (4, 5, 6, 7, 8), 0.8, "Fadettes (réquisition)"),
    (FR_SIDE, "ph_ilir", "ph_karim", (5, 6, 7), 0.7, "Fadettes (réquisition)"),
    (FR_SIDE, "ph_genc", "ph_besnik", (5, 6, 7, 8), 0.7, "Fadettes (réquisition)"),
    (UK_SIDE, "ph_gary", "ph_uk111", (6, 7, 8), 0.8, "Call data records"),
    (UK_SIDE, "ph_uk111", "ph_ardit", (5, 6, 7, 8), 0.7, "Call data records"),
    (UK_SIDE, "ph_tomasz", "ph_uk111", (5, 6, 7), 0.8, "Call data records"),
    (UK_SIDE, "ph_tomasz", "ph_gary", (6, 7, 8), 0.7, "Call data records"),
    (UK_SIDE, "ph_karim", "ph_uk111", (6, 7), 0.6, "Call data records"),
)


def _month(month: int) -> tuple[dt.date, dt.date]:
    start = dt.date(2015, month, 1)
    end = (dt.date(2015, month + 1, 1) if month < 12 else dt.date(2016, 1, 1)) - dt.timedelta(1)
    return start, end


def _day(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _share_reports(users: dict[str, User]) -> dict[str, Report]:
    """The intelligence demo's reports the links cite, named to the joint investigation's
    agencies where their TLP asks for it (and their entities with them)."""
    found: dict[str, Report] = {}
    agencies = {a.code: a for a in Agency.objects.select_related("country").filter(code__in=TEAM)}
    for demo in REPORTS:
        author = users[demo.author]
        # The first written under that title (a sanitised version may carry it too).
        report = (
            Report.objects.filter(originator_id=author.agency_id, title=demo.title)
            .order_by("pk")
            .first()
        )
        if report is None:
            continue
        found[demo.key] = report
        if report.tlp in (TLP.AMBER, TLP.AMBER_STRICT):
            team = [
                a
                for code, a in agencies.items()
                if code != author.agency.code and a.country.code in report.releasability  # type: ignore[union-attr]
            ]
            core_services.disseminate(
                report, acting_user=author, agencies=team, purpose=SHARED_PURPOSE
            )
            intel_entities.sync_entity_markings(report, acting_user=author)
    return found


def _known(key: str) -> Entity:
    kind, identifier, agency = KNOWN[key]
    entity: Entity = Entity.objects.filter(
        kind=kind, identifier=identifier, originator__code=agency
    ).order_by("pk")[0]
    return entity


def _entities(users: dict[str, User]) -> dict[str, Entity]:
    by_key = {key: _known(key) for key in KNOWN}
    for item in NEW:
        author = users[item.author]
        key = services.entity_key(item.kind, item.identifier, item.name)
        entity = Entity.objects.filter(
            kind=item.kind, identifier=key, originator_id=author.agency_id
        ).first()
        if entity is None:
            entity = services.create_entity(
                acting_user=author,
                kind=item.kind,
                name=item.name,
                identifier=item.identifier,
                country=item.country,
                attributes=item.attributes,
                classification=OS,
                releasability=item.releasability,
                tlp=TLP.GREEN,
            )
        by_key[item.key] = entity
    return by_key


def _link(
    author: User,
    source: Entity,
    kind: str,
    target: Entity,
    span: tuple[dt.date | None, dt.date | None],
    confidence: float,
    report: Report | None,
    note: str,
) -> Link:
    link = Link.objects.filter(
        source=source,
        target=target,
        kind=kind,
        starts_on=span[0],
        ends_on=span[1],
        originator_id=author.agency_id,
    ).first()
    if link is None:
        link = link_services.create_link(
            acting_user=author,
            source=source,
            target=target,
            kind=kind,
            starts_on=span[0],
            ends_on=span[1],
            confidence=confidence,
            report=report,
            source_note=note,
        )
    if link.tlp in (TLP.AMBER, TLP.AMBER_STRICT):
        team = Agency.objects.select_related("country").filter(code__in=TEAM)
        core_services.disseminate(
            link,
            acting_user=author,
            agencies=[
                a for a in team if a.pk != author.agency_id and a.country.code in link.releasability
            ],
            purpose=SHARED_PURPOSE,
        )
    return link


@transaction.atomic
def load() -> None:
    """Loaded after the intelligence demo and before the other investigations areas."""
    users = {u.username: u for u in User.objects.select_related("agency__country")}
    reports = _share_reports(users)
    entities = _entities(users)
    for author, source, kind, target, start, end, confidence, report, note in LINKS:
        _link(
            users[author],
            entities[source],
            kind,
            entities[target],
            (_day(start), _day(end)),
            confidence,
            reports.get(report) if report else None,
            note,
        )
    for author, a, b, months, confidence, note in CALLS:
        for month in months:
            _link(
                users[author],
                entities[a],
                "calls",
                entities[b],
                _month(month),
                confidence,
                None,
                f"{note} {month:02d}/2015",
            )
