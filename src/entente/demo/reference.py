"""Countries, agencies and sites named in the agreements (../shared/seeds/)."""

from __future__ import annotations

from entente.core.choices import AgencyKind, SiteKind

COUNTRIES = [
    # code, English, French, time zone
    ("FR", "France", "France", "Europe/Paris"),
    ("UK", "United Kingdom", "Royaume-Uni", "Europe/London"),
]

AGENCIES = [
    # code, country, kind, English name, French name
    (
        "DCPAF",
        "FR",
        AgencyKind.BORDER,
        "Central Directorate of the Border Police",
        "Direction centrale de la police aux frontières",
    ),
    ("PAF", "FR", AgencyKind.BORDER, "Border Police, Calais", "Police aux frontières de Calais"),
    (
        "OCRIEST",
        "FR",
        AgencyKind.CRIME_AGENCY,
        "Central Office for Combating Illegal Immigration and Unauthorised Employment",
        "Office central pour la répression de l'immigration irrégulière et de l'emploi "
        "d'étrangers sans titre",
    ),
    ("PN", "FR", AgencyKind.POLICE, "National Police", "Police nationale"),
    (
        "CRS",
        "FR",
        AgencyKind.POLICE,
        "CRS mobile police units",
        "Compagnies républicaines de sécurité",
    ),
    (
        "GEND",
        "FR",
        AgencyKind.GENDARMERIE,
        "Mobile Gendarmerie squadrons",
        "Escadrons de gendarmerie mobile",
    ),
    (
        "PREF62",
        "FR",
        AgencyKind.PREFECTURE,
        "Prefecture of the Pas-de-Calais",
        "Préfecture du Pas-de-Calais",
    ),
    ("MININT", "FR", AgencyKind.MINISTRY, "Ministry of the Interior", "Ministère de l'Intérieur"),
    ("EUROTUNNEL", "FR", AgencyKind.OPERATOR, "Eurotunnel security", "Sûreté Eurotunnel"),
    ("PORTCALAIS", "FR", AgencyKind.OPERATOR, "Port of Calais", "Port de Calais"),
    ("LVA", "FR", AgencyKind.NGO, "La Vie Active", "La Vie Active"),
    ("FTDA", "FR", AgencyKind.NGO, "France terre d'asile", "France terre d'asile"),
    (
        "IOM",
        "FR",
        AgencyKind.INTERNATIONAL,
        "International Organization for Migration",
        "Organisation internationale pour les migrations",
    ),
    (
        "BF",
        "UK",
        AgencyKind.BORDER,
        "Border Force",
        "Border Force (police aux frontières britannique)",
    ),
    (
        "JBIU",
        "UK",
        AgencyKind.BORDER,
        "Joint Border Intelligence Unit, Folkestone",
        "Unité conjointe de renseignement frontalier, Folkestone",
    ),
    (
        "NCA",
        "UK",
        AgencyKind.CRIME_AGENCY,
        "National Crime Agency",
        "National Crime Agency (agence nationale de lutte contre la criminalité)",
    ),
    ("KENTPOL", "UK", AgencyKind.POLICE, "Kent Police", "Police du Kent"),
    (
        "HO",
        "UK",
        AgencyKind.MINISTRY,
        "Home Office",
        "Home Office (ministère de l'Intérieur britannique)",
    ),
]

SITES = [
    # code, country, kind, operator, lat, lon, English, French
    (
        "COQ-TERM",
        "FR",
        SiteKind.TERMINAL,
        "EUROTUNNEL",
        "50.922700",
        "1.810000",
        "Coquelles terminal",
        "Terminal de Coquelles",
    ),
    (
        "CAL-PORT",
        "FR",
        SiteKind.PORT,
        "PORTCALAIS",
        "50.966000",
        "1.870000",
        "Port of Calais",
        "Port de Calais",
    ),
    (
        "FOL-TERM",
        "UK",
        SiteKind.TERMINAL,
        "EUROTUNNEL",
        "51.094000",
        "1.135000",
        "Folkestone terminal",
        "Terminal de Folkestone",
    ),
    (
        "JULES-FERRY",
        "FR",
        SiteKind.DAY_CENTRE,
        "LVA",
        "50.970000",
        "1.902000",
        "Centre Jules Ferry",
        "Centre Jules Ferry",
    ),
    (
        "COQ-CCC",
        "FR",
        SiteKind.COMMAND_CENTRE,
        "PN",
        "50.926000",
        "1.804000",
        "Joint command and control centre, Coquelles",
        "Centre conjoint de commandement et de contrôle, Coquelles",
    ),
    (
        "FOL-CCC",
        "UK",
        SiteKind.COMMAND_CENTRE,
        "BF",
        "51.081000",
        "1.169000",
        "Command and control centre, Folkestone",
        "Centre de commandement et de contrôle, Folkestone",
    ),
]


def square_polygon(lat: float, lon: float, d: float = 0.002) -> dict[str, object]:
    """A small GeoJSON polygon around a point (the demo's zones; real ones come from surveys)."""
    ring = [
        [lon - d, lat - d],
        [lon + d, lat - d],
        [lon + d, lat + d],
        [lon - d, lat + d],
        [lon - d, lat - d],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


ZONES = [
    # code, site, kind, lat, lon, English, French
    (
        "COQ-PLAT",
        "COQ-TERM",
        "freight_platform",
        50.9235,
        1.8120,
        "Freight boarding platforms",
        "Quais d'embarquement fret",
    ),
    (
        "COQ-PORTAL",
        "COQ-TERM",
        "tunnel_portal",
        50.9205,
        1.8060,
        "Tunnel portal",
        "Entrée du tunnel",
    ),
    (
        "COQ-FENCE",
        "COQ-TERM",
        "perimeter",
        50.9250,
        1.8170,
        "Perimeter fence",
        "Clôture d'enceinte",
    ),
    (
        "CAL-RING",
        "CAL-PORT",
        "ring_road",
        50.9640,
        1.8600,
        "Ring-road access",
        "Accès par la rocade",
    ),
    ("CAL-EAST", "CAL-PORT", "parking", 50.9660, 1.8760, "East parking area", "Parking est"),
    (
        "FOL-PLAT",
        "FOL-TERM",
        "freight_platform",
        51.0945,
        1.1360,
        "Freight arrival platforms",
        "Quais d'arrivée fret",
    ),
]

SENSORS = [
    # code, zone, kind, owner, lat, lon, heartbeat seconds
    ("COQ-PLAT-CCTV-01", "COQ-PLAT", "cctv", "EUROTUNNEL", "50.923600", "1.811800", 60),
    ("COQ-PLAT-THERM-01", "COQ-PLAT", "thermal", "EUROTUNNEL", "50.923300", "1.812300", 60),
    ("COQ-PORTAL-CCTV-01", "COQ-PORTAL", "cctv", "EUROTUNNEL", "50.920500", "1.806100", 60),
    ("COQ-FENCE-DET-01", "COQ-FENCE", "fence", "EUROTUNNEL", "50.925100", "1.816800", 120),
    ("CAL-RING-CCTV-01", "CAL-RING", "cctv", "PORTCALAIS", "50.964100", "1.860100", 60),
    ("CAL-EAST-FENCE-01", "CAL-EAST", "fence", "PORTCALAIS", "50.966100", "1.875900", 120),
    ("CAL-EAST-HB-01", "CAL-EAST", "heartbeat", "PAF", "50.965900", "1.876200", 300),
    ("FOL-PLAT-CO2-01", "FOL-PLAT", "co2", "BF", "51.094600", "1.136100", 300),
    ("FOL-PLAT-SCAN-01", "FOL-PLAT", "scanner", "BF", "51.094400", "1.135800", 300),
]
