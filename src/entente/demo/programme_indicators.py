"""The demo's programme: indicators and their targets, from the agreements (shared/seeds/).

Computed indicators read the control room, investigations and safeguarding through their
services; each target quotes the words of the agreement that set it. What no app records
(Eurotunnel's security staff, the police and gendarmes on site) is entered with its source.
Loaded through the services as the Home Office's programme officer; idempotent.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from entente.core.models import User
from entente.programme.choices import IndicatorSource, TargetDirection
from entente.programme.models import Indicator
from entente.programme.services import indicators as service

EDITOR = "programme.homeoffice"
D = dt.date
COMMUNIQUE = "Calais agreement, 20 August 2015 (Ministry of the Interior communiqué)"
SPEECH = "Calais agreement, 20 August 2015 (Minister of the Interior's speech)"

# code, computation ("" when entered), name en/fr, definition en/fr, unit en/fr,
# targets (from, to, direction, value, basis), entered values (from, to, value, source)
INDICATORS: list[dict[str, Any]] = [
    {
        "code": "intrusion_attempts",
        "computation": "intrusion_attempts_per_day",
        "name_en": "Intrusion attempts per day at the tunnel site",
        "name_fr": "Tentatives d’intrusion par jour sur le site du tunnel",
        "definition_en": "Mean number of intrusion attempts a day over the days of the period "
        "that carry a count: the imported daily counts of summer 2015, then the intrusion "
        "incidents the control room opened each day (merged incidents once).",
        "definition_fr": "Nombre moyen de tentatives d’intrusion par jour, sur les jours de la "
        "période qui ont un relevé : les relevés quotidiens importés de l’été 2015, puis les "
        "incidents d’intrusion ouverts chaque jour par la salle de contrôle (une fois chacun).",
        "unit_en": "attempts a day",
        "unit_fr": "tentatives par jour",
        "targets": [
            (
                D(2015, 8, 20),
                D(2015, 8, 31),
                TargetDirection.AT_MOST,
                170,
                f"{COMMUNIQUE}: “whereas 1,700 attempted intrusions a day were recorded a "
                "month ago, this figure has been cut tenfold”.",
            )
        ],
    },
    {
        "code": "networks_dismantled",
        "computation": "networks_dismantled",
        "name_en": "Smuggling networks dismantled",
        "name_fr": "Filières de passeurs démantelées",
        "definition_en": "Networks declared dismantled in joint investigations during the "
        "period (the day of the declaration counts).",
        "definition_fr": "Filières déclarées démantelées dans les enquêtes conjointes au cours "
        "de la période (date de la déclaration).",
        "unit_en": "networks",
        "unit_fr": "filières",
        "targets": [
            (
                D(2015, 1, 1),
                D(2015, 7, 31),
                TargetDirection.AT_LEAST,
                19,
                f"{SPEECH}: “over the first seven months of the year, 19 networks targeting "
                "the UK were dismantled, compared to 14 throughout 2014”.",
            )
        ],
    },
    {
        "code": "people_arrested",
        "computation": "people_arrested",
        "name_en": "Traffickers arrested",
        "name_fr": "Passeurs interpellés",
        "definition_en": "People arrested in joint investigations during the period, in both "
        "jurisdictions.",
        "definition_fr": "Personnes interpellées dans les enquêtes conjointes au cours de la "
        "période, dans les deux juridictions.",
        "unit_en": "people",
        "unit_fr": "personnes",
        "targets": [
            (
                D(2015, 1, 1),
                D(2015, 7, 31),
                TargetDirection.AT_LEAST,
                514,
                f"{SPEECH}: “No fewer than 514 traffickers have been arrested since January "
                "– 18% more than in the same period last year.”",
            )
        ],
    },
    {
        "code": "people_sheltered",
        "computation": "people_sheltered",
        "name_en": "Women and children sheltered in protected places",
        "name_fr": "Femmes et enfants mis à l’abri dans des lieux protégés",
        "definition_en": "Different people checked in to a protected place at some time in the "
        "period.",
        "definition_fr": "Personnes différentes accueillies dans un lieu protégé à un moment "
        "de la période.",
        "unit_en": "people",
        "unit_fr": "personnes",
        "targets": [
            (
                D(2015, 7, 1),
                D(2015, 12, 31),
                TargetDirection.AT_LEAST,
                100,
                f"{SPEECH}: “An accommodation unit with about 100 places for women and "
                "children has also been created to shelter these very vulnerable people.”",
            )
        ],
    },
    {
        "code": "referrals",
        "computation": "referrals_made",
        "name_en": "Referrals of vulnerable people",
        "name_fr": "Orientations de personnes vulnérables",
        "definition_en": "Referrals made by first responders and caseworkers during the period "
        "(to protected accommodation, asylum, return or care), whatever became of them.",
        "definition_fr": "Orientations faites par les primo-intervenants et les travailleurs "
        "sociaux au cours de la période (hébergement protégé, asile, retour, soins), quelle "
        "qu’en soit la suite.",
        "unit_en": "referrals",
        "unit_fr": "orientations",
        "targets": [],
    },
    {
        "code": "asylum_applications",
        "computation": "asylum_applications",
        "name_en": "Asylum applications with accommodation away from Calais",
        "name_fr": "Demandes d’asile avec hébergement hors de Calais",
        "definition_en": "Asylum applications lodged in France during the period by people "
        "followed on an asylum pathway.",
        "definition_fr": "Demandes d’asile enregistrées en France au cours de la période par "
        "des personnes suivies dans un parcours d’asile.",
        "unit_en": "applications",
        "unit_fr": "demandes",
        "targets": [
            (
                D(2015, 1, 1),
                D(2015, 8, 20),
                TargetDirection.AT_LEAST,
                900,
                f"{SPEECH}: “So to date, more than 900 migrants have applied for protection "
                "in France and been able to leave Calais in the proper way.”",
            )
        ],
    },
    {
        "code": "voluntary_returns",
        "computation": "voluntary_returns",
        "name_en": "Assisted voluntary returns",
        "name_fr": "Retours volontaires aidés",
        "definition_en": "Departures on an assisted voluntary return during the period.",
        "definition_fr": "Départs en retour volontaire aidé au cours de la période.",
        "unit_en": "departures",
        "unit_fr": "départs",
        "targets": [],
    },
    {
        "code": "meals_per_day",
        "computation": "meals_per_day",
        "name_en": "Meals served per day at the Centre Jules Ferry",
        "name_fr": "Repas servis par jour au Centre Jules Ferry",
        "definition_en": "Meals served in the day centres during the period, divided by the "
        "days of the period.",
        "definition_fr": "Repas servis dans les accueils de jour au cours de la période, "
        "divisés par le nombre de jours de la période.",
        "unit_en": "meals a day",
        "unit_fr": "repas par jour",
        "targets": [
            (
                D(2015, 8, 1),
                D(2015, 8, 31),
                TargetDirection.AT_LEAST,
                2000,
                f"{SPEECH}: “the Centre Jules Ferry can currently serve an average of 2,000 "
                "meals a day”.",
            )
        ],
    },
    {
        "code": "eurotunnel_security_staff",
        "computation": "",
        "name_en": "Eurotunnel security staff",
        "name_fr": "Agents de sûreté d’Eurotunnel",
        "definition_en": "Security staff employed by Eurotunnel on the tunnel site, as "
        "reported by Eurotunnel.",
        "definition_fr": "Agents de sûreté employés par Eurotunnel sur le site du tunnel, "
        "selon Eurotunnel.",
        "unit_en": "staff",
        "unit_fr": "agents",
        "targets": [
            (
                D(2015, 9, 1),
                D(2015, 12, 31),
                TargetDirection.AT_LEAST,
                250,
                f"{COMMUNIQUE}: the UK “will also help Eurotunnel increase the number of its "
                "security staff from 150 to 250”.",
            )
        ],
        "values": [
            (
                D(2015, 8, 1),
                D(2015, 8, 20),
                150,
                f"{COMMUNIQUE}: security staff before the agreement (150).",
            )
        ],
    },
    {
        "code": "police_on_site",
        "computation": "",
        "name_en": "Police and gendarmes deployed on the Calais site",
        "name_fr": "Policiers et gendarmes déployés sur le site de Calais",
        "definition_en": "Police officers and gendarmes deployed on the Calais site, local "
        "personnel and reinforcements, as reported by the prefecture.",
        "definition_fr": "Policiers et gendarmes déployés sur le site de Calais, personnels "
        "locaux et renforts, selon la préfecture.",
        "unit_en": "officers",
        "unit_fr": "agents",
        "targets": [
            (
                D(2015, 8, 20),
                D(2015, 12, 31),
                TargetDirection.AT_LEAST,
                1300,
                f"{COMMUNIQUE}: “another two units were added – i.e. more than 500 riot "
                "police and gendarmes in addition to the local personnel. So a total of 1,300 "
                "are deployed on the Calais site.”",
            )
        ],
        "values": [
            (
                D(2015, 8, 1),
                D(2015, 8, 31),
                1300,
                f"{COMMUNIQUE}: 5.5 mobile units and two more, 1,300 in all.",
            )
        ],
    },
]

TEXTS = ("name_en", "name_fr", "definition_en", "definition_fr", "unit_en", "unit_fr")


def load() -> None:
    """Create the indicators, their targets and entered values once (a second run changes
    nothing)."""
    editor = User.objects.get(username=EDITOR)
    for spec in INDICATORS:
        indicator = Indicator.objects.filter(code=spec["code"]).first()
        if indicator is None:
            indicator = service.create_indicator(
                acting_user=editor,
                code=spec["code"],
                source=IndicatorSource.COMPUTED if spec["computation"] else IndicatorSource.ENTERED,
                computation=spec["computation"],
                **{name: spec[name] for name in TEXTS},
            )
        for starts_on, ends_on, direction, value, basis in spec["targets"]:
            if not indicator.targets.filter(starts_on=starts_on, ends_on=ends_on).exists():
                service.add_target(
                    indicator,
                    acting_user=editor,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    direction=direction,
                    value=value,
                    basis=basis,
                )
        for starts_on, ends_on, value, source in spec.get("values", ()):
            if not indicator.values.filter(starts_on=starts_on, ends_on=ends_on).exists():
                service.enter_value(
                    indicator,
                    acting_user=editor,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    value=value,
                    source_note=source,
                )
