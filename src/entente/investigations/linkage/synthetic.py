"""Generated person records of both countries with known duplicates (the benchmark, tests).

People are drawn from name parts common among the people smuggled and their smugglers
(Arabic, Kurdish, Afghan, Eritrean, Albanian, Vietnamese names), each with an English spelling;
a French agency's record writes it the French way (ou for u, ch for sh, dj for j, el- for al-,
a trailing e, doubled consonants) some of the time. A duplicate is the same person held by an
agency of the other country, with the mistakes files really carry: a typo, given and family
names swapped, a date of birth estimated (a year, a year or two out) or with day and month
swapped, a missing nationality. A first record, too, may carry a year of birth alone (5 %).
The truth is the person number each record carries.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

GIVEN_M = [
    "Mohammed",
    "Ahmed",
    "Youssef",
    "Yusuf",
    "Omar",
    "Ali",
    "Hassan",
    "Hussein",
    "Ibrahim",
    "Khalid",
    "Mustafa",
    "Abdullah",
    "Jamal",
    "Sharif",
    "Karim",
    "Rashid",
    "Tariq",
    "Walid",
    "Samir",
    "Nabil",
    "Faisal",
    "Bilal",
    "Hamza",
    "Idris",
    "Ismail",
    "Jamil",
    "Kamal",
    "Mahmoud",
    "Nasser",
    "Osman",
    "Rahim",
    "Salim",
    "Suleiman",
    "Zakaria",
    "Amir",
    "Aziz",
    "Bashir",
    "Dawud",
    "Farid",
    "Ghassan",
    "Habib",
    "Jalal",
    "Kadir",
    "Latif",
    "Mansour",
    "Munir",
    "Qasim",
    "Ramzi",
    "Said",
    "Shukri",
    "Yasin",
    "Zaid",
    "Anwar",
    "Bakr",
    "Daoud",
    "Emad",
    "Fouad",
    "Hakim",
    "Hisham",
    "Ilyas",
    "Jabir",
    "Khalil",
    "Lotfi",
    "Majid",
    "Murad",
    "Nadir",
    "Rafiq",
    "Sami",
    "Taha",
    "Yahya",
    "Dritan",
    "Arben",
    "Besnik",
    "Gezim",
    "Ilir",
    "Luan",
    "Mentor",
    "Shpend",
    "Valon",
    "Ylli",
    "Afrim",
    "Bujar",
    "Fatmir",
    "Kushtrim",
    "Tesfay",
    "Yonas",
    "Dawit",
    "Berhane",
    "Mehari",
    "Samuel",
    "Kidane",
    "Tekle",
    "Habte",
    "Goitom",
    "Filmon",
    "Amanuel",
    "Hung",
    "Minh",
    "Tuan",
    "Quang",
    "Duc",
    "Thanh",
    "Long",
    "Nam",
    "Khoa",
    "Phong",
    "Viktor",
    "Azad",
    "Rebwar",
    "Shwan",
    "Karwan",
    "Dilshad",
    "Hemin",
    "Sherzad",
    "Ahmad",
    "Jawad",
    "Nawid",
    "Farhad",
    "Rahmat",
    "Zabi",
    "Wahid",
    "Shafiq",
    "Mirwais",
    "Najib",
    "Haroun",
    "Sharif",
    "Chakib",
    "Rachid",
    "Nourredine",
    "Abdelkader",
    "Mourad",
    "Sofiane",
    "Yacine",
    "Mehdi",
    "Redouane",
    "Tarek",
]
GIVEN_F = [
    "Fatima",
    "Aisha",
    "Mariam",
    "Zainab",
    "Khadija",
    "Amina",
    "Layla",
    "Nour",
    "Salma",
    "Huda",
    "Rania",
    "Yasmin",
    "Samira",
    "Leila",
    "Hanan",
    "Noura",
    "Safiya",
    "Jamila",
    "Karima",
    "Latifa",
    "Rahma",
    "Sawsan",
    "Zahra",
    "Asma",
    "Dalia",
    "Ghada",
    "Hiba",
    "Lina",
    "Majida",
    "Nadia",
    "Rim",
    "Sana",
    "Wafa",
    "Yara",
    "Zeina",
    "Arta",
    "Blerta",
    "Drita",
    "Elira",
    "Fjolla",
    "Teuta",
    "Helen",
    "Selam",
    "Senait",
    "Lidya",
    "Mekdes",
    "Tsega",
    "Lan",
    "Mai",
    "Huong",
    "Linh",
    "Thu",
    "Hoa",
    "Shirin",
    "Roya",
    "Parisa",
    "Nasrin",
    "Soraya",
]
ROOTS = [
    "Hassan",
    "Hussein",
    "Rahman",
    "Karim",
    "Saleh",
    "Jaber",
    "Khalil",
    "Nasser",
    "Haddad",
    "Mansour",
    "Qureshi",
    "Rashid",
    "Sharif",
    "Shaikh",
    "Hamid",
    "Aziz",
    "Bakr",
    "Darwish",
    "Farouk",
    "Ghani",
    "Habib",
    "Jamal",
    "Kader",
    "Latif",
    "Majid",
    "Nouri",
    "Omari",
    "Qasim",
    "Rahim",
    "Sabri",
    "Tahir",
    "Wahab",
    "Yousef",
    "Zaher",
    "Amin",
    "Bashir",
    "Fadel",
    "Hakim",
    "Idris",
    "Jalil",
    "Kamel",
    "Malik",
    "Najjar",
    "Othman",
    "Rauf",
    "Salem",
    "Shams",
    "Taleb",
    "Wali",
    "Yasin",
    "Zaki",
    "Abbas",
    "Badawi",
    "Dabbagh",
    "Fakhoury",
    "Hariri",
    "Jumaa",
    "Kurdi",
    "Masri",
    "Nabulsi",
    "Qadri",
    "Sabbagh",
    "Tamimi",
    "Shukur",
    "Khouri",
    "Barzani",
    "Talabani",
    "Zebari",
    "Mirza",
    "Noori",
    "Hosseini",
    "Karimi",
    "Rahimi",
    "Ahmadi",
    "Mohammadi",
    "Sultani",
    "Wardak",
    "Popal",
    "Durrani",
    "Stanekzai",
    "Hoxha",
    "Krasniqi",
    "Gashi",
    "Berisha",
    "Shala",
    "Morina",
    "Kelmendi",
    "Bytyqi",
    "Hasani",
    "Rexhepi",
    "Shehu",
    "Leka",
    "Dervishi",
    "Tesfaye",
    "Gebremariam",
    "Haile",
    "Berhe",
    "Kidane",
    "Tekle",
    "Woldu",
    "Mebrahtu",
    "Ghebre",
    "Asfaha",
    "Nguyen",
    "Tran",
    "Le",
    "Pham",
    "Hoang",
    "Phan",
    "Vu",
    "Dang",
    "Bui",
    "Do",
    "Ho",
    "Ngo",
    "Duong",
    "Ly",
]
ARABIC_ROOTS = set(ROOTS[:80])
SUFFIXES = ("", "i", "a", "ani", "awi", "oun", "ein", "ali", "een", "ouri", "at", "an", "ir", "ou")
NATIONALITIES = ("SY", "IQ", "AF", "ER", "SD", "AL", "VN", "IR", "EG", "LY", "KW", "SO", "ET")
FR_AGENCIES = ("OCRIEST", "PN", "DCPAF")
UK_AGENCIES = ("NCA", "KENTPOL", "BF")


def french(name: str, rng: random.Random, p: float = 0.7) -> str:
    """An English spelling written the French way, each rule with probability ``p``."""
    out = []
    for word in name.split():
        w = word
        if w.lower().startswith("al") and len(w) > 4 and rng.random() < p:
            w = "El " + w[2:].capitalize()
        rules = (
            ("sh", "ch"),
            ("Sh", "Ch"),
            ("u", "ou"),
            ("J", "Dj"),
            ("j", "dj"),
            ("ss", "ss"),
        )
        for a, b in rules:
            if a in w and rng.random() < p:
                w = w.replace(a, b, 1)
        if w[-1:] == "n" and rng.random() < p / 3:
            w += "e"
        if rng.random() < p / 4:
            for c in "slmnrt":
                i = w.find(c, 1)
                if 0 < i < len(w) - 1 and w[i + 1] != c:
                    w = w[:i] + c + w[i:]
                    break
        out.append(w)
    return " ".join(out)


def typo(name: str, rng: random.Random) -> str:
    """One keying mistake: a letter left out, doubled, swapped with the next or replaced."""
    if len(name) < 4:
        return name
    i = rng.randrange(1, len(name) - 1)
    op = rng.randrange(4)
    if op == 0:
        return name[:i] + name[i + 1 :]
    if op == 1:
        return name[:i] + name[i] + name[i:]
    if op == 2:
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    return name[:i] + rng.choice("aeinorst") + name[i + 1 :]


@dataclass
class Person:
    number: int
    given: str
    family: str
    birth: dt.date
    nationality: str
    gender: str


def person(number: int, rng: random.Random) -> Person:
    gender = "m" if rng.random() < 0.8 else "f"
    given = rng.choice(GIVEN_M if gender == "m" else GIVEN_F)
    root = rng.choice(ROOTS)
    family = root + rng.choice(SUFFIXES) if rng.random() < 0.5 else root
    if root in ARABIC_ROOTS and rng.random() < 0.3:
        family = "Al " + family
    if rng.random() < 0.25:  # a second family name
        family = f"{family} {rng.choice(ROOTS)}"
    birth = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(365 * 47))
    return Person(number, given, family, birth, rng.choice(NATIONALITIES), gender)


def record(p: Person, agency: str, rng: random.Random, *, duplicate: bool) -> dict[str, Any]:
    """One agency's record of the person (``duplicate``: the second, with its mistakes)."""
    given, family = p.given, p.family
    if agency in FR_AGENCIES:
        given, family = french(given, rng), french(family, rng)
    estimated = False
    birth: str = p.birth.isoformat()
    nationality: str | None = p.nationality
    if duplicate:
        if rng.random() < 0.15:
            if rng.random() < 0.5:
                given = typo(given, rng)
            else:
                family = typo(family, rng)
        if rng.random() < 0.06:
            given, family = family, given
        r = rng.random()
        if r < 0.06:
            birth, estimated = str(p.birth.year + rng.choice((-1, 0, 1))), True
        elif r < 0.14:
            shifted = p.birth + dt.timedelta(days=rng.choice((-1, 1)) * rng.randrange(180, 700))
            birth, estimated = shifted.isoformat(), True
        elif r < 0.18 and p.birth.day <= 12 and p.birth.day != p.birth.month:
            birth = dt.date(p.birth.year, p.birth.day, p.birth.month).isoformat()
        if rng.random() < 0.08:
            nationality = None
    elif rng.random() < 0.05:
        # Any record may carry an estimated date (no papers shown): a year alone, so that an
        # estimated date is not, by itself, the mark of a second record.
        birth, estimated = str(p.birth.year), True
    return {
        "person": p.number,
        "agency": agency,
        "name": f"{given} {family}",
        "attributes": {
            "given_name": given,
            "family_name": family,
            "birth_date": birth,
            "birth_date_estimated": estimated,
            "nationality": nationality,
            "gender": p.gender,
        },
    }


def generate(n: int, *, duplicates: float = 0.3, seed: int = 5) -> Iterator[dict[str, Any]]:
    """About ``n`` records; a share ``duplicates`` of them are a second record of someone
    held by the other country."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    number = 0
    made = 0
    while made < n:
        p = person(number, rng)
        number += 1
        first_fr = rng.random() < 0.5
        first = rng.choice(FR_AGENCIES if first_fr else UK_AGENCIES)
        yield record(p, first, rng, duplicate=False)
        made += 1
        if made < n and rng.random() < duplicates / (1 - duplicates):
            second = rng.choice(UK_AGENCIES if first_fr else FR_AGENCIES)
            yield record(p, second, rng, duplicate=True)
            made += 1
