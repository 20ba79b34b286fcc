"""The demo's joint fund and action plan, from the two agreements (shared/seeds/).

- Agreements: the joint declaration (Paris, 20 September 2014) and the Calais agreement
  (20 August 2015).
- Contributors: the United Kingdom (Home Office) and France (Ministry of the Interior). The
  seeds state no French amount (France's part is police and gendarmes on the ground, and the
  day centre it funded), so France has no commitment here.
- The UK's commitments, EUR 35 million in all: the joint intervention fund, EUR 5 million a
  year for three years (2015-2017; "£4m" a year in the declaration); EUR 10 million over two
  years for the tunnel site's security; EUR 5 million a year for two years for the
  humanitarian measures. Budget lines split them between the measures.
- Disbursements through 2015 (illustrative amounts and dates, some paid in pounds).
- EUR/GBP rates for each business day of 2015 (and 31 December 2014): ILLUSTRATIVE, drawn
  from approximate 2015 monthly levels (0.77 in January down to 0.70 in July, 0.73 in
  December), not the ECB's published series.
- The measures of both agreements, with owners, deadlines (those the texts state: "will
  begin in October", "before the end of the year", "effective immediately", "by the end of
  the year"; others set by the programme officers, illustrative) and their statuses as of
  the end of 2015.

Loaded through the services as the Home Office's programme officer; idempotent.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from decimal import Decimal
from typing import Any

from entente.core.models import Agency, Country, User
from entente.programme.choices import Currency, MeasureStatus
from entente.programme.models import (
    Agreement,
    BudgetLine,
    Commitment,
    Contributor,
    Disbursement,
    ExchangeRate,
    Indicator,
    Measure,
)
from entente.programme.services import fund, plan

EDITOR = "programme.homeoffice"
D = dt.date
RATE_SOURCE = "Illustrative (approximate 2015 levels)"

AGREEMENTS = [
    # code, signed, place, English, French
    (
        "JD-2014",
        D(2014, 9, 20),
        "Paris",
        "Joint declaration (Paris, 20 September 2014)",
        "Déclaration conjointe (Paris, 20 septembre 2014)",
    ),
    (
        "CA-2015",
        D(2015, 8, 20),
        "Calais",
        "Calais agreement (20 August 2015)",
        "Accord de Calais (20 août 2015)",
    ),
]

CONTRIBUTORS = [
    # code, country, paying ministry, English, French
    ("UK", "UK", "HO", "United Kingdom (Home Office)", "Royaume-Uni (Home Office)"),
    (
        "FR",
        "FR",
        "MININT",
        "France (Ministry of the Interior)",
        "France (ministère de l’Intérieur)",
    ),
]

P, IP, DONE = MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS, MeasureStatus.DONE

# code, agreement, clause, owner, deadline, status, done on, indicators, English, French
MEASURES: list[tuple[Any, ...]] = [
    (
        "JD-01",
        "JD-2014",
        "§ 4",
        "HO",
        D(2014, 10, 31),
        DONE,
        D(2014, 10, 20),
        [],
        "Joint information campaigns to migrants (“information campaigns will begin in October”)",
        "Campagnes d’information conjointes auprès des migrants (« les campagnes d’information "
        "débuteront en octobre »)",
    ),
    (
        "JD-02",
        "JD-2014",
        "§ 1",
        "PORTCALAIS",
        D(2015, 6, 30),
        DONE,
        D(2015, 6, 19),
        [],
        "Robust fences along the ring road access to the public area of the port",
        "Clôtures robustes le long de la rocade d’accès à la zone publique du port",
    ),
    (
        "JD-03",
        "JD-2014",
        "§ 1",
        "PORTCALAIS",
        D(2015, 9, 30),
        IP,
        None,
        [],
        "Security of the parking area east of the port (temporary solutions first)",
        "Sécurisation du parking à l’est du port (solutions temporaires d’abord)",
    ),
    (
        "JD-04",
        "JD-2014",
        "§ 1",
        "PREF62",
        None,
        IP,
        None,
        ["referrals"],
        "Support and assistance for victims of human trafficking",
        "Soutien et assistance aux victimes de la traite des êtres humains",
    ),
    (
        "JD-05",
        "JD-2014",
        "§ 2",
        "BF",
        D(2014, 12, 31),
        IP,
        None,
        [],
        "Assessment of border-control methods and a smoother layout of the controls at Calais "
        "(“before the end of the year”)",
        "Évaluation des méthodes de contrôle et réaménagement des contrôles à Calais (« avant la "
        "fin de l’année »)",
    ),
    (
        "JD-06",
        "JD-2014",
        "§ 3",
        "MININT",
        D(2014, 12, 31),
        DONE,
        D(2014, 11, 28),
        [],
        "Permanent joint mechanisms to deliver the action plan",
        "Mécanismes conjoints permanents pour mettre en œuvre le plan d’action",
    ),
    (
        "JD-07",
        "JD-2014",
        "§ 5",
        "NCA",
        D(2014, 9, 30),
        DONE,
        D(2014, 9, 29),
        ["networks_dismantled"],
        "A full-time NCA officer seconded to OCRIEST in Paris (“effective immediately”)",
        "Un officier de la NCA détaché à temps plein auprès de l’OCRIEST à Paris (« effectif "
        "immédiatement »)",
    ),
    (
        "JD-08",
        "JD-2014",
        "§ 5",
        "DCPAF",
        D(2014, 9, 30),
        DONE,
        D(2014, 9, 29),
        ["networks_dismantled"],
        "Two DCPAF officers each month with the Joint Border Intelligence Unit in Folkestone",
        "Deux fonctionnaires de la DCPAF chaque mois auprès de l’unité conjointe de renseignement "
        "frontalier (JBIU) à Folkestone",
    ),
    (
        "CA-01",
        "CA-2015",
        "Security",
        "EUROTUNNEL",
        D(2015, 12, 31),
        IP,
        None,
        ["intrusion_attempts"],
        "Security fences and CCTV cameras at the tunnel site",
        "Clôtures de sécurité et caméras de vidéoprotection sur le site du tunnel",
    ),
    (
        "CA-02",
        "CA-2015",
        "Security",
        "EUROTUNNEL",
        D(2015, 12, 31),
        IP,
        None,
        ["eurotunnel_security_staff"],
        "Eurotunnel security staff from 150 to 250",
        "Agents de sûreté d’Eurotunnel portés de 150 à 250",
    ),
    (
        "CA-03",
        "CA-2015",
        "Security",
        "BF",
        D(2015, 11, 30),
        DONE,
        D(2015, 11, 23),
        ["intrusion_attempts"],
        "A new integrated control room, with freight search teams deployed 24/7",
        "Une nouvelle salle de contrôle intégrée, avec des équipes de fouille du fret 24 h/24",
    ),
    (
        "CA-04",
        "CA-2015",
        "Security",
        "DCPAF",
        D(2015, 10, 31),
        DONE,
        D(2015, 10, 15),
        ["networks_dismantled", "people_arrested"],
        "Joint command and control centre at Coquelles, supported by Folkestone, under two gold "
        "commanders",
        "Centre de commandement et de contrôle conjoint à Coquelles, appuyé par Folkestone, sous "
        "deux commandants « gold »",
    ),
    (
        "CA-05",
        "CA-2015",
        "Security",
        "NCA",
        D(2015, 10, 31),
        IP,
        None,
        ["people_arrested"],
        "British police deployed in Calais against the smuggling rings",
        "Policiers britanniques déployés à Calais contre les filières de passeurs",
    ),
    (
        "CA-06",
        "CA-2015",
        "Security",
        "MININT",
        D(2016, 2, 29),
        P,
        None,
        [],
        "Six-monthly joint inspections",
        "Inspections conjointes semestrielles",
    ),
    (
        "CA-07",
        "CA-2015",
        "Humanitarian",
        "PREF62",
        D(2015, 12, 31),
        IP,
        None,
        ["referrals", "people_sheltered"],
        "Identify and protect vulnerable people, women and children first",
        "Repérer et protéger les personnes vulnérables, d’abord les femmes et les enfants",
    ),
    (
        "CA-08",
        "CA-2015",
        "Humanitarian",
        "LVA",
        D(2015, 9, 30),
        DONE,
        D(2015, 4, 10),
        ["meals_per_day", "people_sheltered"],
        "Day care at the Centre Jules Ferry (showers, meals) and night places for women and "
        "children",
        "Accueil de jour au centre Jules-Ferry (douches, repas) et places de nuit pour les femmes "
        "et les enfants",
    ),
    (
        "CA-09",
        "CA-2015",
        "Humanitarian",
        "PREF62",
        D(2015, 12, 31),
        IP,
        None,
        ["asylum_applications"],
        "Asylum applications with accommodation a significant distance from Calais",
        "Demandes d’asile avec hébergement à bonne distance de Calais",
    ),
    (
        "CA-10",
        "CA-2015",
        "Humanitarian",
        "IOM",
        D(2015, 12, 31),
        IP,
        None,
        ["voluntary_returns"],
        "Assisted voluntary return programmes, with French and British NGOs",
        "Programmes d’aide au retour volontaire, avec des ONG françaises et britanniques",
    ),
    (
        "CA-11",
        "CA-2015",
        "Humanitarian",
        "BF",
        D(2015, 12, 31),
        P,
        None,
        [],
        "A joint team to remove illegal migrants, with the British government’s contribution",
        "Une équipe conjointe d’éloignement, avec la contribution du gouvernement britannique",
    ),
    (
        "CA-12",
        "CA-2015",
        "International",
        "MININT",
        D(2015, 12, 31),
        P,
        None,
        [],
        "A follow-up conference in Paris, possibly with other member states, by the end of the "
        "year",
        "Une conférence de suivi à Paris, éventuellement avec d’autres États membres, d’ici la "
        "fin de l’année",
    ),
]

# key, contributor, agreement, clause, amount EUR, from, to, purpose en, purpose fr,
# lines (measure, amount)
COMMITMENTS: list[tuple[Any, ...]] = [
    (
        "UK",
        "JD-2014",
        "§ 1 (joint intervention fund)",
        Decimal("15000000"),
        D(2015, 1, 1),
        D(2017, 12, 31),
        "Joint intervention fund: EUR 5 million (£4m) a year for three years, for the port's "
        "security and the protection of vulnerable persons",
        "Fonds d’intervention conjoint : 5 millions d’euros (4 M£) par an pendant trois ans, "
        "pour la sûreté du port et la protection des personnes vulnérables",
        [("JD-02", "7000000"), ("JD-03", "5000000"), ("JD-04", "3000000")],
    ),
    (
        "UK",
        "CA-2015",
        "Security (EUR 10 million over two years)",
        Decimal("10000000"),
        D(2015, 8, 20),
        D(2017, 8, 19),
        "Securing the tunnel site: fences, CCTV, Eurotunnel security staff, the control room",
        "Sécurisation du site du tunnel : clôtures, vidéoprotection, agents de sûreté "
        "d’Eurotunnel, salle de contrôle",
        [("CA-01", "5500000"), ("CA-02", "2500000"), ("CA-03", "2000000")],
    ),
    (
        "UK",
        "CA-2015",
        "Humanitarian (EUR 5 million a year for two years)",
        Decimal("10000000"),
        D(2015, 8, 20),
        D(2017, 8, 19),
        "Humanitarian measures: protection of the vulnerable, asylum away from Calais, "
        "voluntary returns",
        "Mesures humanitaires : protection des personnes vulnérables, asile hors de Calais, "
        "retours volontaires",
        [("CA-07", "3000000"), ("CA-09", "4000000"), ("CA-10", "2000000"), ("CA-11", "1000000")],
    ),
]

# reference, measure, paid on, amount, currency (illustrative)
DISBURSEMENTS = [
    ("DEMO-2015-01", "JD-02", D(2015, 2, 16), "1500000", Currency.EUR),
    ("DEMO-2015-02", "JD-04", D(2015, 3, 9), "400000", Currency.EUR),
    ("DEMO-2015-03", "JD-03", D(2015, 4, 13), "750000", Currency.EUR),
    ("DEMO-2015-04", "JD-02", D(2015, 5, 11), "1800000", Currency.GBP),
    ("DEMO-2015-05", "JD-02", D(2015, 7, 6), "2000000", Currency.EUR),
    ("DEMO-2015-06", "CA-01", D(2015, 9, 7), "1500000", Currency.GBP),
    ("DEMO-2015-07", "JD-04", D(2015, 9, 14), "300000", Currency.GBP),
    ("DEMO-2015-08", "CA-07", D(2015, 9, 21), "1000000", Currency.EUR),
    ("DEMO-2015-09", "CA-02", D(2015, 10, 5), "600000", Currency.EUR),
    ("DEMO-2015-10", "JD-03", D(2015, 10, 12), "1000000", Currency.EUR),
    ("DEMO-2015-11", "CA-03", D(2015, 10, 19), "700000", Currency.GBP),
    ("DEMO-2015-12", "CA-09", D(2015, 10, 26), "1500000", Currency.EUR),
    ("DEMO-2015-13", "CA-10", D(2015, 11, 9), "500000", Currency.EUR),
    ("DEMO-2015-14", "CA-01", D(2015, 11, 16), "1750000", Currency.EUR),
    ("DEMO-2015-15", "CA-02", D(2015, 12, 7), "600000", Currency.EUR),
    ("DEMO-2015-16", "CA-09", D(2015, 12, 14), "700000", Currency.GBP),
]

# Approximate mid-month EUR/GBP levels of 2015 (pounds for one euro), illustrative.
MONTHLY = [
    0.7650,
    0.7405,
    0.7250,
    0.7215,
    0.7230,
    0.7210,
    0.7070,
    0.7140,
    0.7330,
    0.7285,
    0.7050,
    0.7230,
]
# TARGET holidays of 2015 (no reference rate).
HOLIDAYS = {
    D(2015, 1, 1),
    D(2015, 4, 3),
    D(2015, 4, 6),
    D(2015, 5, 1),
    D(2015, 12, 25),
    D(2015, 12, 26),
}


def illustrative_rates() -> list[tuple[dt.date, Decimal]]:
    """One rate per business day of 2015 and 31 December 2014: interpolated between the
    monthly levels, with a small deterministic wobble."""
    anchors = (
        [(D(2014, 12, 15), 0.7850)]
        + [(D(2015, m, 15), v) for m, v in enumerate(MONTHLY, start=1)]
        + [(D(2016, 1, 15), 0.7350)]
    )
    out = [(D(2014, 12, 31), Decimal("0.7789"))]
    day = D(2015, 1, 1)
    while day.year == 2015:
        if day.weekday() < 5 and day not in HOLIDAYS:
            for (d0, v0), (d1, v1) in itertools.pairwise(anchors):
                if d0 <= day <= d1:
                    level = v0 + (v1 - v0) * (day - d0).days / (d1 - d0).days
                    break
            wobble = 0.003 * math.sin(day.toordinal() / 2.7)
            out.append((day, Decimal(f"{level + wobble:.4f}")))
        day += dt.timedelta(days=1)
    return out


def load() -> None:
    """Agreements, contributors, measures, commitments and lines, rates, disbursements; a
    second run changes nothing."""
    editor = User.objects.get(username=EDITOR)
    agreements = {}
    for code, signed, place, en, fr in AGREEMENTS:
        agreements[code], _ = Agreement.objects.get_or_create(
            code=code,
            defaults={"signed_on": signed, "signed_at": place, "name_en": en, "name_fr": fr},
        )
    contributors = {}
    for code, country, ministry, en, fr in CONTRIBUTORS:
        contributors[code], _ = Contributor.objects.get_or_create(
            code=code,
            defaults={
                "country": Country.objects.get(code=country),
                "agency": Agency.objects.filter(code=ministry).first(),
                "name_en": en,
                "name_fr": fr,
            },
        )
    indicators = {i.code: i for i in Indicator.objects.all()}
    for code, agreement, clause, owner, deadline, status, done_on, links, en, fr in MEASURES:
        if Measure.objects.filter(code=code).exists():
            continue
        plan.create_measure(
            acting_user=editor,
            code=code,
            title_en=en,
            title_fr=fr,
            agreement=agreements[agreement],
            clause=clause,
            owner=Agency.objects.get(code=owner),
            deadline=deadline,
            status=status,
            done_on=done_on,
            indicators=[indicators[k] for k in links if k in indicators],
        )
    if not ExchangeRate.objects.filter(source=RATE_SOURCE).exists():
        fund.import_rates(
            acting_user=editor,
            text="day,gbp_per_eur\n"
            + "\n".join(f"{d.isoformat()},{v}" for d, v in illustrative_rates()),
            source=RATE_SOURCE,
        )
    for contributor, agreement, clause, amount, start, end, en, fr, lines in COMMITMENTS:
        commitment = Commitment.objects.filter(
            contributor=contributors[contributor], agreement=agreements[agreement], clause=clause
        ).first()
        if commitment is None:
            commitment = fund.create_commitment(
                acting_user=editor,
                contributor=contributors[contributor],
                agreement=agreements[agreement],
                clause=clause,
                purpose_en=en,
                purpose_fr=fr,
                amount=amount,
                currency=Currency.EUR,
                starts_on=start,
                ends_on=end,
            )
        for measure_code, value in lines:
            measure = Measure.objects.get(code=measure_code)
            if not commitment.lines.filter(measure=measure).exists():
                fund.add_line(commitment, acting_user=editor, measure=measure, amount=value)
    for reference, measure_code, paid_on, value, currency in DISBURSEMENTS:
        if Disbursement.objects.filter(reference=reference).exists():
            continue
        line = BudgetLine.objects.get(measure__code=measure_code)
        fund.record_disbursement(
            line,
            acting_user=editor,
            paid_on=paid_on,
            amount=value,
            currency=currency,
            reference=reference,
        )
