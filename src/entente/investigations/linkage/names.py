"""Names and dates of birth as French and English officials write them.

The same man is "Mohamed El Hassane" in a French file and "Mohammed Al Hassan" in an English
one: French romanisation writes ``ou`` where English writes ``u`` (Youssef, Yusuf), ``ch`` for
``sh`` (Chérif, Sharif), ``dj`` for ``j`` (Djamel, Jamal), ``el-`` for ``al-``, a trailing ``e``
(Hassane), doubled consonants (Hassan, Hasan) and accents. ``normalise`` folds all of these to
one spelling, so that the two files agree exactly; ``skeleton`` keeps only the consonants of
that spelling (Djamel and Jamal both give "jml"), a looser key for blocking and for a weaker
comparison level. Each rule is small and tested on its own
(tests/investigations/test_linkage_names.py).

Dates of birth are often estimated (a year, or a date give or take a year or two) and day and
month are swapped between the two countries' conventions: ``Birth`` carries the parts the
comparisons need.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from entente.core.text import strip_accents

# Articles joined to the name they precede: "El Hassane", "Al-Hassan", "Ul Haq" -> "al..."
PREFIXES = frozenset({"al", "el", "ul", "al-", "el-"})
# Transliterations too irregular for the letter rules, keyed by their folded spelling.
VARIANTS: dict[str, str] = {
    # Mohamed, Mohammed, Muhammad, Mohammad, Mouhamed, Mohamad, Muhamed, Mehmed
    "mohamed": "mohamed",
    "mohamad": "mohamed",
    "muhamad": "mohamed",
    "muhamed": "mohamed",
    "mohamud": "mohamed",
    "mehmed": "mohamed",
    "ahmad": "ahmed",
    "husein": "husain",
    "hussain": "husain",
    "hosein": "husain",
    "abdel": "abdul",
    "abdal": "abdul",
    "abdoul": "abdul",
    "osman": "usman",
    "otman": "usman",
    "othman": "usman",
    "ibrahima": "ibrahim",
}
_VOWELS = re.compile(r"[aeiouy]")
_SPLIT = re.compile(r"[^a-z]+")
_DOUBLED = re.compile(r"(.)\1+")


def tokens(text: str) -> list[str]:
    """Lower-case words without accents; hyphens and apostrophes separate words."""
    return [t for t in _SPLIT.split(strip_accents(text).lower()) if t]


def join_prefixes(words: list[str]) -> list[str]:
    """ "el hassane" -> ["alhassane"]: the article joins the following word, as "al"."""
    out: list[str] = []
    pending = ""
    for word in words:
        if word in PREFIXES:
            pending = "al"
            continue
        out.append(pending + word)
        pending = ""
    if pending:  # an article alone ("Al") is a name of its own
        out.append(pending)
    return out


@lru_cache(maxsize=200_000)
def fold_word(word: str) -> str:
    """One word's spelling folded: English ``oo`` and French ``ou`` to ``u`` (Noori, Nouri),
    doubled letters single (before the digraphs too, so that a doubled letter keyed by
    mistake, "Ddjamil", "Mansoour", still folds), French digraphs to English ones, a trailing
    e dropped, then the irregular variants (VARIANTS)."""
    w = _DOUBLED.sub(r"\1", word.replace("oo", "u"))
    w = w.replace("dj", "j").replace("tch", "ch").replace("ch", "sh").replace("ou", "u")
    w = w.replace("ph", "f").replace("kh", "k").replace("ck", "k")
    w = _DOUBLED.sub(r"\1", w)
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    return VARIANTS.get(w, w)


@lru_cache(maxsize=400_000)
def normalise(name: str | None) -> str:
    """A name as both countries would agree to write it ("" for none)."""
    if not name:
        return ""
    return " ".join(fold_word(w) for w in join_prefixes(tokens(name)))


def skeleton_word(word: str) -> str:
    """The consonants of a folded word, its first letter kept ("jamel" -> "jml")."""
    return word[:1] + _VOWELS.sub("", word[1:])


@lru_cache(maxsize=400_000)
def skeleton(name: str | None) -> str:
    """The consonant skeleton of the normalised name (Youssef, Yusuf -> "ysf")."""
    return " ".join(skeleton_word(w) for w in normalise(name).split())


def name_key(given: str | None, family: str | None) -> str:
    """A blocking key that survives the romanisation and the order of the names: the
    skeletons of all the words, sorted ("Mohamed El Hassane" and "Al Hassan Muhammad" share
    "alhsn mhmd")."""
    words = f"{skeleton(given)} {skeleton(family)}".split()
    return " ".join(sorted(words))


@dataclass(frozen=True)
class Birth:
    """A date of birth in the parts the comparisons read (all None when unknown)."""

    iso: str | None
    year: int | None
    month: int | None
    day: int | None
    days: int | None  # days since 1970-01-01, for "within N days" in any SQL dialect
    estimated: bool

    @property
    def day_month(self) -> str | None:
        """The day and month in numeric order, so that a swap of the two still agrees."""
        if self.day is None or self.month is None:
            return None
        a, b = sorted((self.day, self.month))
        return f"{a:02d}{b:02d}"


EPOCH = dt.date(1970, 1, 1)


def birth(value: str | None, estimated: bool | None = False) -> Birth:
    """Parse "YYYY-MM-DD" (or "YYYY", or "YYYY-MM"): a year alone counts as estimated."""
    text = (value or "").strip()
    year = month = day = days = None
    iso = None
    parts = text.split("-")
    try:
        if len(parts) >= 1 and parts[0]:
            year = int(parts[0])
        if len(parts) >= 2:
            month = int(parts[1])
        if len(parts) >= 3:
            day = int(parts[2])
            date = dt.date(year or 1, month or 1, day)
            iso = date.isoformat()
            days = (date - EPOCH).days
    except ValueError:
        return Birth(None, None, None, None, None, bool(estimated))
    if days is None and year is not None:
        # A year alone: the middle of the year, and estimated.
        days = (dt.date(year, 7, 1) - EPOCH).days
        estimated = True
    return Birth(iso, year, month, day, days, bool(estimated))


def dates_agree(a: Birth, b: Birth) -> str:
    """How two dates of birth agree, as the model's levels name it: "exact", "swapped" (day
    and month), "close" (within a year and a day), "estimated" (within two years when either
    is estimated), "year" (same year), "different" or "missing"."""
    if a.days is None or b.days is None:
        return "missing"
    if a.iso is not None and a.iso == b.iso:
        return "exact"
    if a.year == b.year and a.day_month is not None and a.day_month == b.day_month:
        return "swapped"
    gap = abs(a.days - b.days)
    if gap <= 366:
        return "close"
    if (a.estimated or b.estimated) and gap <= 731:
        return "estimated"
    if a.year == b.year:
        return "year"
    return "different"
