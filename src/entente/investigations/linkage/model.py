"""The linkage model: the records' prepared columns, the comparisons and blocking rules as
Splink settings, and the same scoring in Python for the save-time check.

Each comparison level is written once (``Level``): its SQL for Splink (DuckDB or Spark: only
the Jaro-Winkler function's name differs) and its Python twin for scoring one new record
against its few blocked neighbours as it is saved. A match weight is Splink's: the log2 of the
prior odds plus, per comparison, the log2 of m/u at the level the pair falls in (no term
frequency adjustments, so the two agree).

Only records of different agencies are compared: every blocking rule carries
``l.agency <> r.agency`` (a dedupe over all agencies, as link_only would need exactly two
datasets and there are many agencies).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from entente.investigations.linkage import names

Row = dict[str, Any]

PERSON_COLUMNS = (
    "unique_id",
    "agency",
    "given_norm",
    "family_norm",
    "full_norm",
    "rev_norm",
    "family_skel",
    "name_lo",
    "name_hi",
    "name_key",
    "dob_iso",
    "dob_year",
    "dob_days",
    "dob_dm",
    "dob_est",
    "nationality",
    "gender",
)
VEHICLE_COLUMNS = ("unique_id", "agency", "plate", "plate_skel", "country", "vehicle_type")


def person_row(pk: int, agency: int, attributes: dict[str, Any], name: str = "") -> Row:
    """The columns the model compares, from an Entity of kind person."""
    given = attributes.get("given_name") or ""
    family = attributes.get("family_name") or ""
    if not given and not family and name:
        # A record with only a display name: its last word as the family name.
        *first, last = name.split() or [""]
        given, family = " ".join(first), last
    b = names.birth(attributes.get("birth_date"), attributes.get("birth_date_estimated"))
    gn, fn = names.normalise(given), names.normalise(family)
    gs, fs = names.skeleton(given), names.skeleton(family)
    lo, hi = sorted((gs, fs))
    return {
        "unique_id": pk,
        "agency": agency,
        "given_norm": gn or None,
        "family_norm": fn or None,
        # the whole name in both orders: a typo compared in the order the other file uses
        "full_norm": f"{gn} {fn}".strip() or None,
        "rev_norm": f"{fn} {gn}".strip() or None,
        "family_skel": fs or None,
        # the two names' skeletons in alphabetical order: whichever name is keyed right
        # lands in the same column on both sides, however the names were ordered
        "name_lo": lo or None,
        "name_hi": hi or None,
        "name_key": names.name_key(given, family) or None,
        "dob_iso": b.iso,
        "dob_year": b.year,
        "dob_days": b.days,
        "dob_dm": b.day_month,
        "dob_est": b.estimated,
        "nationality": (attributes.get("nationality") or "").upper() or None,
        "gender": (attributes.get("gender") or "").lower() or None,
    }


def plate_skeleton(plate: str) -> str:
    """Letters and digits a clerk confuses folded together (O/0, I/1, S/5, B/8)."""
    return plate.translate(str.maketrans("OISBZ", "01582"))


def vehicle_row(
    pk: int, agency: int, identifier: str, country: str, attributes: dict[str, Any]
) -> Row:
    plate = "".join(
        ch for ch in (attributes.get("plate") or identifier or "").upper() if ch.isalnum()
    )
    return {
        "unique_id": pk,
        "agency": agency,
        "plate": plate or None,
        "plate_skel": plate_skeleton(plate) or None,
        "country": (country or "").upper() or None,
        "vehicle_type": attributes.get("vehicle_type") or None,
    }


# --- Jaro-Winkler, as DuckDB computes it -------------------------------------------------


def jaro_winkler(a: str, b: str) -> float:
    """Jaro-Winkler similarity (prefix scale 0.1, up to 4 letters), DuckDB's definition."""
    if a == b:
        return 1.0
    la, lb = len(a), len(b)
    if not la or not lb:
        return 0.0
    window = max(max(la, lb) // 2 - 1, 0)
    ma = [False] * la
    mb = [False] * lb
    matches = 0
    for i, ch in enumerate(a):
        for j in range(max(0, i - window), min(lb, i + window + 1)):
            if not mb[j] and b[j] == ch:
                ma[i] = mb[j] = True
                matches += 1
                break
    if not matches:
        return 0.0
    transpositions = 0
    j = 0
    for i in range(la):
        if ma[i]:
            while not mb[j]:
                j += 1
            if a[i] != b[j]:
                transpositions += 1
            j += 1
    m = float(matches)
    jaro = (m / la + m / lb + (m - transpositions / 2) / m) / 3
    prefix = 0
    for x, y in zip(a[:4], b[:4], strict=False):
        if x != y:
            break
        prefix += 1
    return jaro + prefix * 0.1 * (1 - jaro)


# --- comparison levels, SQL and Python ----------------------------------------------------


@dataclass(frozen=True)
class Level:
    label: str
    sql: str  # "{jw}" stands for the dialect's Jaro-Winkler function
    test: Callable[[Row, Row], bool]
    m: float
    u: float
    null: bool = False


@dataclass(frozen=True)
class Comparison:
    name: str
    levels: tuple[Level, ...]

    def settings(self, jw: str, backend: str = "duckdb") -> dict[str, Any]:
        return {
            "output_column_name": self.name,
            "comparison_levels": [
                {
                    "sql_condition": in_dialect(lv.sql.format(jw=jw), backend),
                    "label_for_charts": lv.label,
                    **(
                        {"is_null_level": True}
                        if lv.null
                        else {"m_probability": lv.m, "u_probability": lv.u}
                    ),
                }
                for lv in self.levels
            ],
        }

    def level_of(self, left: Row, right: Row) -> int:
        """The index of the first level the pair satisfies (the last is ELSE)."""
        for i, lv in enumerate(self.levels):
            if lv.test(left, right):
                return i
        return len(self.levels) - 1


def _null(*cols: str) -> Callable[[Row, Row], bool]:
    return lambda left, right: any(left.get(c) is None or right.get(c) is None for c in cols)


def _eq(*cols: str) -> Callable[[Row, Row], bool]:
    return lambda left, right: all(left[c] == right[c] for c in cols)


def _jw(col: str, at: float) -> Callable[[Row, Row], bool]:
    return lambda left, right: jaro_winkler(left[col], right[col]) >= at


def _jw_names(at: float) -> Callable[[Row, Row], bool]:
    """The whole names close, in the same order or given and family swapped."""
    return lambda left, right: (
        jaro_winkler(left["full_norm"], right["full_norm"]) >= at
        or jaro_winkler(left["full_norm"], right["rev_norm"]) >= at
    )


def _jw_sql(at: float) -> str:
    return (
        f'{{jw}}("full_norm_l", "full_norm_r") >= {at} '
        f'OR {{jw}}("full_norm_l", "rev_norm_r") >= {at}'
    )


def _always(left: Row, right: Row) -> bool:
    return True


def _null_sql(*cols: str) -> str:
    return " OR ".join(f'"{c}_l" IS NULL OR "{c}_r" IS NULL' for c in cols)


def _eq_sql(*cols: str) -> str:
    return " AND ".join(f'"{c}_l" = "{c}_r"' for c in cols)


NAME = Comparison(
    "name",
    (
        Level("missing", _null_sql("full_norm"), _null("full_norm"), 0, 0, null=True),
        Level(
            "same spelling",
            _eq_sql("given_norm", "family_norm"),
            _eq("given_norm", "family_norm"),
            0.7,
            0.00002,
        ),
        Level(
            "same names swapped",
            '"given_norm_l" = "family_norm_r" AND "family_norm_l" = "given_norm_r"',
            lambda lt, rt: (
                lt["given_norm"] == rt["family_norm"] and lt["family_norm"] == rt["given_norm"]
            ),
            0.044,
            0.00001,
        ),
        Level("same romanisation", _eq_sql("name_key"), _eq("name_key"), 0.17, 0.00001),
        Level(
            "close (JW 0.92)",
            _jw_sql(0.92),
            _jw_names(0.92),
            0.07,
            0.00013,
        ),
        Level(
            "similar (JW 0.85)",
            _jw_sql(0.85),
            _jw_names(0.85),
            0.01,
            0.002,
        ),
        Level("different", "ELSE", _always, 0.01, 0.998),
    ),
)


def _dob_gap(left: Row, right: Row) -> int:
    return abs(int(left["dob_days"]) - int(right["dob_days"]))


BIRTH = Comparison(
    "birth_date",
    (
        Level("missing", _null_sql("dob_days"), _null("dob_days"), 0, 0, null=True),
        Level(
            "same date",
            _eq_sql("dob_iso"),
            lambda lt, rt: lt["dob_iso"] is not None and lt["dob_iso"] == rt["dob_iso"],
            0.83,
            0.00006,
        ),
        Level(
            "day and month swapped",
            _eq_sql("dob_year", "dob_dm"),
            lambda lt, rt: (
                lt["dob_dm"] is not None
                and lt["dob_year"] == rt["dob_year"]
                and lt["dob_dm"] == rt["dob_dm"]
            ),
            0.013,
            0.00002,
        ),
        # An estimated date (a year alone, or "about 1990") first: within its tolerance it
        # is good evidence, where two exact dates a year apart are weak evidence.
        Level(
            "within a year, estimated",
            '("dob_est_l" OR "dob_est_r") AND abs("dob_days_l" - "dob_days_r") <= 366',
            lambda lt, rt: bool(lt["dob_est"] or rt["dob_est"]) and _dob_gap(lt, rt) <= 366,
            0.08,
            0.003,
        ),
        Level(
            "within two years, estimated",
            '("dob_est_l" OR "dob_est_r") AND abs("dob_days_l" - "dob_days_r") <= 731',
            lambda lt, rt: bool(lt["dob_est"] or rt["dob_est"]) and _dob_gap(lt, rt) <= 731,
            0.05,
            0.004,
        ),
        Level(
            "within a month",
            'abs("dob_days_l" - "dob_days_r") <= 31',
            lambda lt, rt: _dob_gap(lt, rt) <= 31,
            0.05,
            0.002,
        ),
        Level(
            "within a year",
            'abs("dob_days_l" - "dob_days_r") <= 366',
            lambda lt, rt: _dob_gap(lt, rt) <= 366,
            0.03,
            0.04,
        ),
        Level("different", "ELSE", _always, 0.02, 0.95),
    ),
)
NATIONALITY = Comparison(
    "nationality",
    (
        Level("missing", _null_sql("nationality"), _null("nationality"), 0, 0, null=True),
        Level("same", _eq_sql("nationality"), _eq("nationality"), 0.95, 0.05),
        Level("different", "ELSE", _always, 0.05, 0.95),
    ),
)
GENDER = Comparison(
    "gender",
    (
        Level("missing", _null_sql("gender"), _null("gender"), 0, 0, null=True),
        Level("same", _eq_sql("gender"), _eq("gender"), 0.98, 0.6),
        Level("different", "ELSE", _always, 0.02, 0.4),
    ),
)
PLATE = Comparison(
    "plate",
    (
        Level("missing", _null_sql("plate"), _null("plate"), 0, 0, null=True),
        Level("same plate", _eq_sql("plate"), _eq("plate"), 0.8, 0.00001),
        Level("look-alike characters", _eq_sql("plate_skel"), _eq("plate_skel"), 0.08, 0.00002),
        Level("close (JW 0.9)", '{jw}("plate_l", "plate_r") >= 0.9', _jw("plate", 0.9), 0.1, 0.001),
        Level("different", "ELSE", _always, 0.02, 0.999),
    ),
)
COUNTRY = Comparison(
    "country",
    (
        Level("missing", _null_sql("country"), _null("country"), 0, 0, null=True),
        Level("same", _eq_sql("country"), _eq("country"), 0.95, 0.3),
        Level("different", "ELSE", _always, 0.05, 0.7),
    ),
)
VEHICLE_TYPE = Comparison(
    "vehicle_type",
    (
        Level("missing", _null_sql("vehicle_type"), _null("vehicle_type"), 0, 0, null=True),
        Level("same", _eq_sql("vehicle_type"), _eq("vehicle_type"), 0.9, 0.3),
        Level("different", "ELSE", _always, 0.1, 0.7),
    ),
)

COMPARISONS: dict[str, tuple[Comparison, ...]] = {
    "person": (NAME, BIRTH, NATIONALITY, GENDER),
    "vehicle": (PLATE, COUNTRY, VEHICLE_TYPE),
}

# Blocking: which pairs are compared at all. Each rule is (columns equal), always across
# agencies. Recall lives here: the romanisation key catches variants and swapped order, the
# family skeleton with the year catches a mistyped given name, and either name's skeleton
# with the date catches a typo in the other name, in either order of the names.
BLOCKING: dict[str, tuple[tuple[str, ...], ...]] = {
    "person": (
        ("name_key",),
        ("family_skel", "dob_year"),
        ("name_lo", "dob_days"),
        ("name_hi", "dob_days"),
    ),
    "vehicle": (("plate_skel",), ("country", "vehicle_type", "plate")),
}
# The rule EM trains on (it must not fix the name: the name's m is what EM learns most from).
TRAINING_BLOCKS: dict[str, tuple[tuple[str, ...], ...]] = {
    "person": (("dob_iso", "gender"), ("name_key",)),
    "vehicle": (("plate_skel",),),
}
# Rules so strict that their pairs are nearly all matches: the prior is estimated from them.
DETERMINISTIC: dict[str, tuple[tuple[str, ...], ...]] = {
    "person": (("name_key", "dob_iso"),),
    "vehicle": (("plate", "country"),),
}
PRIOR: dict[str, float] = {"person": 1e-6, "vehicle": 1e-6}


def blocking_sql(cols: Iterable[str], backend: str = "duckdb") -> str:
    return in_dialect(
        " AND ".join([*(f'l."{c}" = r."{c}"' for c in cols), "l.agency <> r.agency"]), backend
    )


def in_dialect(sql: str, backend: str) -> str:
    """The model's SQL (written for DuckDB) in the backend's dialect. Spark SQL reads a double-
    quoted name as a string: ``"name_l" = "name_r"`` would compare two constants."""
    if backend != "spark":
        return sql
    if sql.strip().upper() == "ELSE":
        return sql
    import sqlglot

    return str(sqlglot.transpile(sql, read="duckdb", write="spark")[0])


def block_keys(kind: str, row: Row) -> list[str]:
    """The row's blocking keys as strings, for the save-time check's indexed table (the same
    rules as BLOCKING; a key with a missing part is left out, as SQL's NULL = NULL is)."""
    keys = []
    for i, cols in enumerate(BLOCKING[kind]):
        values = [row.get(c) for c in cols]
        if any(v is None or v == "" for v in values):
            continue
        keys.append(f"{i}:" + "|".join(str(v) for v in values))
    return keys


def key_rarity(kind: str, key: str) -> int:
    """Where a key comes in KEY_ORDER (the rarest first; unknown keys last)."""
    rule = key.split(":", 1)[0]
    order = KEY_ORDER[kind]
    return order.index(int(rule)) if rule.isdigit() and int(rule) in order else len(order)


# The BLOCKING rules by how many records a key usually gathers, fewest first: either name
# with the whole date of birth, then the romanisation key, then the family name with a year.
KEY_ORDER: dict[str, tuple[int, ...]] = {"person": (2, 3, 0, 1), "vehicle": (1, 0)}


def settings(kind: str, *, backend: str = "duckdb", threshold: float = 0.9) -> dict[str, Any]:
    """The Splink settings for one kind of record (untrained: m and u at the priors above)."""
    jw = "jaro_winkler" if backend == "spark" else "jaro_winkler_similarity"
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": PRIOR[kind],
        "comparisons": [c.settings(jw, backend) for c in COMPARISONS[kind]],
        "blocking_rules_to_generate_predictions": [
            blocking_sql(cols, backend) for cols in BLOCKING[kind]
        ],
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": False,
        "additional_columns_to_retain": [],
        "max_iterations": 10,
        "em_convergence": 0.001,
    }


# --- scoring in Python, with a trained model's parameters ---------------------------------


@dataclass(frozen=True)
class Weights:
    """log2 Bayes factors per comparison level, and the prior's log2 odds."""

    kind: str
    prior: float
    factors: dict[str, list[float]]

    @classmethod
    def from_settings(cls, kind: str, model: dict[str, Any]) -> Weights:
        """From a Splink model dict (``save_model_to_json``) or our untrained settings."""
        p = float(model.get("probability_two_random_records_match") or PRIOR[kind])
        factors: dict[str, list[float]] = {}
        for comp in model["comparisons"]:
            out = []
            for lv in comp["comparison_levels"]:
                if lv.get("is_null_level"):
                    out.append(0.0)
                    continue
                m = float(lv.get("m_probability") or 1e-9)
                u = float(lv.get("u_probability") or 1e-9)
                out.append(math.log2(max(m, 1e-12) / max(u, 1e-12)))
            factors[comp["output_column_name"]] = out
        return cls(kind, math.log2(p / (1 - p)), factors)

    @classmethod
    def default(cls, kind: str) -> Weights:
        return cls.from_settings(kind, settings(kind))

    def score(self, left: Row, right: Row) -> tuple[float, float, dict[str, str]]:
        """(match weight, match probability, the level each comparison fell in)."""
        weight = self.prior
        levels: dict[str, str] = {}
        for comp in COMPARISONS[self.kind]:
            i = comp.level_of(left, right)
            weight += self.factors[comp.name][i]
            levels[comp.name] = comp.levels[i].label
        return weight, probability(weight), levels

    def score_above(
        self, left: Row, right: Row, cut: float
    ) -> tuple[float, float, dict[str, str]] | None:
        """``score`` for a pair whose match weight reaches ``cut``, None for any other, found
        out as soon as the levels still open cannot reach it: the cheap comparisons first
        (dates, nationality, gender), so that most blocked neighbours are dismissed before a
        Jaro-Winkler is computed (the save-time check scores hundreds of them)."""
        comparisons = sorted(COMPARISONS[self.kind], key=lambda c: c.name in EXPENSIVE)
        best = {c.name: max(self.factors[c.name]) for c in comparisons}
        weight = self.prior
        remaining = sum(best.values())
        levels: dict[str, str] = {}
        for comp in comparisons:
            factors = self.factors[comp.name]
            remaining -= best[comp.name]
            last = len(comp.levels) - 1
            for i, lv in enumerate(comp.levels):
                if weight + remaining + max(factors[i:]) < cut:
                    return None
                if i == last or lv.test(left, right):
                    break
            weight += factors[i]
            levels[comp.name] = comp.levels[i].label
        if weight < cut:
            return None
        ordered = {c.name: levels[c.name] for c in COMPARISONS[self.kind]}
        return weight, probability(weight), ordered

    def labels(self, weights: dict[str, float]) -> dict[str, str]:
        """The level each comparison fell in, from Splink's per-comparison weights (mw_*):
        the level whose log2(m/u) it is."""
        out = {}
        for comp in COMPARISONS[self.kind]:
            w = weights.get(comp.name)
            if w is None:
                continue
            factors = self.factors[comp.name]
            index = min(range(len(factors)), key=lambda i: abs(factors[i] - float(w)))
            out[comp.name] = comp.levels[index].label
        return out


# Comparisons with a Jaro-Winkler level, scored last by ``Weights.score_above``.
EXPENSIVE = frozenset({"name", "plate"})


def weight_of(probability: float) -> float:
    """The match weight (log2 odds) of a match probability."""
    return math.log2(probability / (1 - probability))


def probability(weight: float) -> float:
    odds = math.pow(2.0, max(min(weight, 60.0), -60.0))
    return odds / (1 + odds)
