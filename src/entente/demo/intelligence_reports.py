"""Demo data: intelligence reports, from the agreements (shared/seeds/).

Twelve reports on the smuggling networks the 2014 declaration and the 2015 agreement name:
people hidden in lorries at Coquelles and the port, hauliers, phones; 19 networks dismantled
in the first seven months of 2015 (14 in all of 2014), 514 traffickers arrested since January
(+18 %). Half are written in French by the DCPAF (with the OCRIEST and the PAF in the text),
half in English by the NCA (with Border Force and the JBIU in the text); some carry a
translation (machine, human, verified), some are releasable to one country only, some are
TLP:AMBER named to the other side, and one is a derived product citing three others.

Written through the services by the personas. Loading twice changes nothing: a report is
written only when its author's agency has none with that title.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from entente.core import services as core_services
from entente.core.choices import TLP, Classification
from entente.core.models import Agency, User
from entente.intelligence.models import Report
from entente.intelligence.services import reports as services
from entente.intelligence.services.entities import EntityInput as E

OS = Classification.OFFICIAL_SENSITIVE
OFF = Classification.OFFICIAL


@dataclass(frozen=True)
class Demo:
    key: str
    author: str
    title: str
    body: str
    language: str
    grade: tuple[str, str, str, str]  # scheme, source, information, handling
    classification: int
    releasability: tuple[str, ...]
    tlp: str
    translated_title: str = ""
    translation: str = ""
    translation_state: str = "none"
    entities: tuple[E, ...] = ()
    named_to: tuple[str, ...] = ()  # agencies of the other side (TLP:AMBER)
    cites: tuple[str, ...] = ()
    conditions: str = ""
    extra: dict[str, str] = field(default_factory=dict)


UK3 = "3x5x2"
ADM = "admiralty"

REPORTS: tuple[Demo, ...] = (
    Demo(
        "fr-coquelles",
        "analyst.dcpaf",
        "Réseau de passeurs utilisant des poids lourds à Coquelles",
        "Un réseau fait monter des migrants dans des poids lourds sur les aires de stationnement "
        "proches du terminal de Coquelles, de nuit, contre 3 000 à 5 000 euros par passage. Les "
        "passeurs repèrent les remorques bâchées à destination du Royaume-Uni. Renseignement "
        "recueilli par la PAF de Calais et recoupé par l'OCRIEST.",
        "fr",
        (ADM, "B", "2", ""),
        OS,
        ("FR", "UK"),
        TLP.AMBER,
        translated_title="Smuggling network using lorries at Coquelles",
        translation="A network puts migrants into lorries in the lay-bys near the Coquelles "
        "terminal at night, for 3,000 to 5,000 euros a crossing. The smugglers pick "
        "tarpaulin-sided trailers bound for the United Kingdom. Intelligence gathered by the "
        "Calais PAF and corroborated by the OCRIEST.",
        translation_state="verified",
        entities=(
            E("person", "Arben K.", country="FR"),
            E("place", "Aire de stationnement, Coquelles", country="FR"),
            E("phone", "+33 6 12 34 56 78", country="FR"),
        ),
        named_to=("NCA",),
    ),
    Demo(
        "fr-port",
        "officer.dcpaf",
        "Dissimulation dans des camions-citernes et frigorifiques au port de Calais",
        "Des migrants sont dissimulés dans des camions-citernes et des camions frigorifiques "
        "avant l'embarquement au port de Calais. Deux transporteurs reviennent dans les "
        "signalements de la PAF.",
        "fr",
        (ADM, "C", "3", ""),
        OS,
        ("FR", "UK"),
        TLP.AMBER,
        translated_title="Concealment in tankers and refrigerated lorries at the port of Calais",
        translation="Migrants are hidden in tankers and refrigerated lorries before boarding "
        "at the port of Calais. Two hauliers recur in the PAF's reports.",
        translation_state="machine",
        entities=(
            E("company", "Transports Littoral SARL", "FR-44512345600012", "FR"),
            E("vehicle", "Camion frigorifique", "GH-512-KL", "FR"),
            E("place", "Port de Calais", country="FR"),
        ),
        named_to=("NCA", "BF"),
    ),
    Demo(
        "fr-bilan",
        "analyst.dcpaf",
        "Bilan : 19 filières démantelées au cours des sept premiers mois de 2015",
        "Au cours des sept premiers mois de l'année, 19 filières visant le Royaume-Uni ont été "
        "démantelées, contre 14 sur l'ensemble de 2014. 514 passeurs ont été interpellés depuis "
        "janvier, soit 18 % de plus que sur la même période de l'année précédente.",
        "fr",
        (ADM, "A", "1", ""),
        OFF,
        ("FR", "UK"),
        TLP.GREEN,
        translated_title="Review: 19 networks dismantled in the first seven months of 2015",
        translation="In the first seven months of the year, 19 networks targeting the United "
        "Kingdom were dismantled, against 14 in all of 2014. 514 smugglers have been arrested "
        "since January, 18% more than in the same period last year.",
        translation_state="human",
    ),
    Demo(
        "fr-telephones",
        "officer.dcpaf",
        "Téléphones utilisés par une filière démantelée par l'OCRIEST",
        "L'exploitation des téléphones saisis lors du démantèlement d'une filière par l'OCRIEST "
        "fait apparaître deux numéros britanniques contactés avant chaque passage.",
        "fr",
        (ADM, "B", "3", ""),
        OS,
        ("FR",),
        TLP.GREEN,
        entities=(
            E("phone", "+44 7700 900111", country="UK"),
            E("phone", "+44 7700 900222", country="UK"),
            E("person", "Dritan M.", country="FR"),
        ),
    ),
    Demo(
        "fr-source",
        "analyst.dcpaf",
        "Source humaine : rendez-vous des passeurs près de la rocade portuaire",
        "Une source signale des rendez-vous réguliers de passeurs près de la rocade portuaire, "
        "le soir, avant l'arrivée des poids lourds. Diffusion limitée à la France.",
        "fr",
        (ADM, "F", "6", ""),
        OS,
        ("FR",),
        TLP.AMBER,
        entities=(E("place", "Rocade portuaire, Calais", country="FR"),),
    ),
    Demo(
        "fr-pn",
        "gold.pn",
        "Enquête conjointe : chauffeurs recrutés par une filière",
        "La Police nationale et l'OCRIEST constatent le recrutement de chauffeurs de poids "
        "lourds par une filière, rémunérés pour fermer les yeux sur le chargement.",
        "fr",
        (ADM, "C", "2", ""),
        OS,
        ("FR", "UK"),
        TLP.GREEN,
        translated_title="Joint investigation: drivers recruited by a network",
        translation="The Police nationale and the OCRIEST find lorry drivers recruited by a "
        "network and paid to turn a blind eye to the load.",
        translation_state="machine",
        entities=(E("person", "Jean-Marc D.", country="FR"),),
    ),
    Demo(
        "uk-haulier",
        "analyst.nca",
        "Haulier linked to repeated concealments at Folkestone",
        "Border Force freight searches at Folkestone found people concealed in trailers of the "
        "same haulier on four occasions since May. The JBIU links the trailers to loading "
        "points near Coquelles.",
        "en",
        (UK3, "1", "B", "P"),
        OS,
        ("FR", "UK"),
        TLP.AMBER,
        translated_title="Transporteur lié à des dissimulations répétées à Folkestone",
        translation="Les fouilles de fret de la Border Force à Folkestone ont découvert des "
        "personnes dissimulées dans des remorques du même transporteur à quatre reprises depuis "
        "mai. La JBIU relie les remorques à des points de chargement près de Coquelles.",
        translation_state="verified",
        entities=(
            E("company", "Channel Freight Lines Ltd", "09876543", "UK"),
            E("vehicle", "Curtain-sided trailer", "CFL 2207", "UK"),
            E("place", "Folkestone freight search area", country="UK"),
        ),
        named_to=("DCPAF",),
    ),
    Demo(
        "uk-phones",
        "analyst.nca",
        "Phones used to coordinate crossings",
        "Call data shows one UK mobile number in contact with drivers before each detected "
        "crossing attempt in July. The subscriber is unknown.",
        "en",
        (UK3, "2", "C", "C"),
        OS,
        ("FR", "UK"),
        TLP.AMBER,
        translated_title="Téléphones utilisés pour coordonner les passages",
        translation="Les données d'appel montrent un numéro mobile britannique en contact avec "
        "des chauffeurs avant chaque tentative de passage détectée en juillet.",
        translation_state="machine",
        conditions="Not to be used in evidence without the NCA's written consent.",
        entities=(
            E("phone", "+44 7700 900111", country="UK"),
            E("person", "Unknown subscriber", country="UK"),
        ),
        named_to=("DCPAF", "OCRIEST"),
    ),
    Demo(
        "uk-money",
        "supervisor.nca",
        "Payments for crossings through money service businesses",
        "Payments for crossings appear to be made in the UK through two money service "
        "businesses, after arrival. UK handling only.",
        "en",
        (UK3, "2", "D", "C"),
        OS,
        ("UK",),
        TLP.AMBER,
        conditions="UK law-enforcement only; not for release abroad.",
        entities=(E("company", "QuickSend Money Ltd", "11223344", "UK"),),
    ),
    Demo(
        "uk-kent",
        "gold.kent",
        "Arrests at Dover of a driver and two facilitators",
        "Kent Police arrested a lorry driver and two facilitators at Dover after Border Force "
        "found eleven people in a refrigerated trailer.",
        "en",
        (UK3, "1", "A", "P"),
        OFF,
        ("FR", "UK"),
        TLP.GREEN,
        translated_title="Interpellation à Douvres d'un chauffeur et de deux facilitateurs",
        translation="La police du Kent a interpellé un chauffeur de poids lourd et deux "
        "facilitateurs à Douvres après la découverte par la Border Force de onze personnes dans "
        "une remorque frigorifique.",
        translation_state="human",
        entities=(
            E("person", "Viktor P.", country="UK"),
            E("vehicle", "Refrigerated trailer", "KR 1188", "UK"),
        ),
    ),
    Demo(
        "uk-jbiu",
        "analyst.nca",
        "JBIU assessment: routes shifting from the tunnel to the port",
        "The Joint Border Intelligence Unit assesses that, with the new fences and CCTV at "
        "Coquelles, networks are moving their attempts to the port of Calais.",
        "en",
        (UK3, "2", "B", "P"),
        OFF,
        ("FR", "UK"),
        TLP.GREEN,
    ),
    Demo(
        "uk-derived",
        "analyst.nca",
        "Joint picture: lorry-based smuggling networks at Calais and Coquelles",
        "Drawn from the French and British reports on lorries at Coquelles, concealment at the "
        "port and the haulier seen at Folkestone: the same networks use both sites and switch "
        "between them as security tightens.",
        "en",
        (UK3, "2", "B", "C"),
        OS,
        ("FR", "UK"),
        TLP.AMBER,
        conditions="Derived product: the handling conditions of its sources apply.",
        cites=("fr-coquelles", "fr-port", "uk-haulier"),
        named_to=("DCPAF",),
    ),
)


def _existing(demo: Demo, author: User) -> Report | None:
    report: Report | None = Report.objects.filter(
        originator_id=author.agency_id, title=demo.title
    ).first()
    return report


@transaction.atomic
def load() -> None:
    """Write the demo's reports once (see the module's docstring)."""
    users = {u.username: u for u in User.objects.select_related("agency__country")}
    written: dict[str, Report] = {}
    for demo in REPORTS:
        author = users[demo.author]
        report = _existing(demo, author)
        if report is None:
            scheme, source, information, handling = demo.grade
            report = services.create_report(
                acting_user=author,
                title=demo.title,
                body=demo.body,
                language=demo.language,
                grading_scheme=scheme,
                source_grade=source,
                information_grade=information,
                handling_code=handling,
                handling_conditions=demo.conditions,
                classification=demo.classification,
                releasability=demo.releasability,
                tlp=demo.tlp,
                translated_title=demo.translated_title,
                translation=demo.translation,
                translation_state=demo.translation_state,
                entities=demo.entities,
                cites=[written[k] for k in demo.cites],
            )
        if demo.named_to:
            core_services.disseminate(
                report,
                acting_user=author,
                agencies=Agency.objects.filter(code__in=demo.named_to),
                purpose="demo: shared with the other side's intelligence",
            )
            services.sync_entity_markings(report, acting_user=author)
        written[demo.key] = report
    _regrade_once(written["uk-phones"], users["analyst.dcpaf"])


def _regrade_once(report: Report, user: User) -> None:
    if report.regrades.filter(agency__users=user).exists():
        return
    services.regrade(
        report,
        acting_user=user,
        grading_scheme="admiralty",
        source_grade="C",
        information_grade="3",
        reason="Le numéro est aussi connu de l'OCRIEST : source jugée assez fiable.",
    )
