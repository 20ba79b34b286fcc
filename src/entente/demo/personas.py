"""One demo login per role and kind of agency. The test suite uses the same personas."""

from __future__ import annotations

from dataclasses import dataclass, field

from entente.core.choices import Classification, Module, Role

# One letter per module keeps the table below readable.
C, I, V, S, P, A, X = (  # noqa: E741
    Module.CONTROL_ROOM,
    Module.INTELLIGENCE,
    Module.INVESTIGATIONS,
    Module.SAFEGUARDING,
    Module.PROGRAMME,
    Module.AUDIT,
    Module.COMMAND,
)


@dataclass(frozen=True)
class Persona:
    username: str
    agency: str | None
    first_name: str
    last_name: str
    what: str
    language: str
    clearance: int = Classification.OFFICIAL
    roles: dict[str, int] = field(default_factory=dict)


PERSONAS = [
    Persona(
        "operator.eurotunnel",
        "EUROTUNNEL",
        "Camille",
        "Durand",
        "Control-room operator",
        "fr",
        Classification.OFFICIAL,
        {C: Role.EDITOR, X: Role.EDITOR},
    ),
    Persona(
        "leader.borderforce",
        "BF",
        "Sam",
        "Taylor",
        "Freight search-team leader",
        "en",
        Classification.OFFICIAL_SENSITIVE,
        {C: Role.EDITOR, X: Role.EDITOR},
    ),
    Persona(
        "gendarme.egm",
        "GEND",
        "Julien",
        "Lefèvre",
        "Mobile gendarmerie squadron",
        "fr",
        Classification.OFFICIAL,
        {C: Role.VIEWER, X: Role.VIEWER},
    ),
    Persona(
        "analyst.nca",
        "NCA",
        "Priya",
        "Shah",
        "Intelligence analyst",
        "en",
        Classification.OFFICIAL_SENSITIVE,
        {I: Role.EDITOR, V: Role.VIEWER, X: Role.VIEWER},
    ),
    Persona(
        "analyst.dcpaf",
        "DCPAF",
        "Nadia",
        "Benali",
        "Intelligence analyst (approver)",
        "fr",
        Classification.OFFICIAL_SENSITIVE,
        {I: Role.APPROVER, V: Role.VIEWER, X: Role.VIEWER},
    ),
    Persona(
        "supervisor.nca",
        "NCA",
        "Tom",
        "Hughes",
        "Intelligence supervisor (approver)",
        "en",
        Classification.OFFICIAL_SENSITIVE,
        {I: Role.APPROVER, V: Role.VIEWER},
    ),
    Persona(
        "officer.dcpaf",
        "DCPAF",
        "Luc",
        "Martin",
        "Intelligence officer",
        "fr",
        Classification.OFFICIAL_SENSITIVE,
        {I: Role.EDITOR},
    ),
    Persona(
        "investigator.ocriest",
        "OCRIEST",
        "Marc",
        "Girard",
        "Investigator",
        "fr",
        Classification.OFFICIAL_SENSITIVE,
        {V: Role.EDITOR, I: Role.VIEWER, X: Role.VIEWER},
    ),
    Persona(
        "gold.kent",
        "KENTPOL",
        "Helen",
        "Morgan",
        "Gold commander (UK)",
        "en",
        Classification.SECRET,
        {
            C: Role.APPROVER,
            I: Role.APPROVER,
            V: Role.APPROVER,
            X: Role.ADMINISTRATOR,
            P: Role.VIEWER,
        },
    ),
    Persona(
        "gold.pn",
        "PN",
        "Philippe",
        "Marchand",
        "Gold commander (France)",
        "fr",
        Classification.SECRET,
        {
            C: Role.APPROVER,
            I: Role.APPROVER,
            V: Role.APPROVER,
            X: Role.ADMINISTRATOR,
            P: Role.VIEWER,
        },
    ),
    Persona(
        "caseworker.lva",
        "LVA",
        "Inès",
        "Moreau",
        "NGO caseworker",
        "fr",
        Classification.OFFICIAL,
        {S: Role.EDITOR, X: Role.VIEWER},
    ),
    Persona(
        "safeguarding.pref",
        "PREF62",
        "Claire",
        "Petit",
        "Safeguarding officer",
        "fr",
        Classification.OFFICIAL_SENSITIVE,
        {S: Role.APPROVER, X: Role.VIEWER, P: Role.VIEWER},
    ),
    Persona(
        "officer.iom",
        "IOM",
        "Amadou",
        "Diallo",
        "Voluntary-return officer",
        "fr",
        Classification.OFFICIAL,
        {S: Role.VIEWER, X: Role.VIEWER},
    ),
    Persona(
        "programme.homeoffice",
        "HO",
        "James",
        "Wright",
        "Programme officer",
        "en",
        Classification.OFFICIAL_SENSITIVE,
        {P: Role.EDITOR, X: Role.VIEWER},
    ),
    Persona(
        "programme.interieur",
        "MININT",
        "Sophie",
        "Laurent",
        "Programme officer (approver)",
        "fr",
        Classification.OFFICIAL_SENSITIVE,
        {P: Role.APPROVER, X: Role.VIEWER},
    ),
    Persona(
        "auditor.homeoffice",
        "HO",
        "Ruth",
        "Evans",
        "Auditor and data-protection officer",
        "en",
        Classification.OFFICIAL_SENSITIVE,
        {A: Role.VIEWER},
    ),
]

BY_USERNAME = {p.username: p for p in PERSONAS}
