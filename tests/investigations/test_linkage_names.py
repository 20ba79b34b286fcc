"""How French and English officials write the same names: each folding rule on its own."""

from __future__ import annotations

import pytest

from entente.investigations.linkage import names
from entente.investigations.linkage.model import jaro_winkler


@pytest.mark.parametrize(
    ("french", "english"),
    [
        ("Mohamed", "Mohammed"),
        ("Mohamed", "Muhammad"),
        ("Mohamed", "Mohammad"),
        ("Chérif", "Chérif"),
        ("Nourredine", "Nuredin"),
        ("El Hassane", "Al Hassan"),
        ("El-Hassane", "Al Hassan"),
        ("Hassane", "Hassan"),
        ("Hassan", "Hasan"),
        ("Zoë", "Zoe"),
        ("Abdel", "Abdul"),
    ],
)
def test_spellings_of_one_name_fold_to_the_same(french: str, english: str) -> None:
    assert names.normalise(french) == names.normalise(english)


def test_ou_is_u() -> None:
    assert names.fold_word("yousuf") == names.fold_word("yusuf")


def test_ch_is_sh() -> None:
    assert names.normalise("Chakib") == names.normalise("Shakib")


def test_dj_is_j() -> None:
    assert names.normalise("Djamal") == names.normalise("Jamal")


def test_doubled_letters_are_single() -> None:
    assert names.normalise("Youssef") == names.normalise("Yousef")


def test_a_trailing_e_is_dropped_but_not_from_short_names() -> None:
    assert names.normalise("Karime") == "karim"
    assert names.normalise("Lee") == "le"  # doubled letters first: "le" is too short to lose its e


def test_accents_go() -> None:
    assert names.tokens("Chérif Hélène Ç Strauß") == ["cherif", "helene", "c", "strauss"]


def test_the_article_joins_the_name_it_precedes() -> None:
    assert names.join_prefixes(["el", "hassane"]) == ["alhassane"]
    assert names.join_prefixes(["al"]) == ["al"]


def test_skeleton_catches_vowel_differences_the_rules_leave() -> None:
    # Youssef -> yusef, Yusuf -> yusuf: different spellings, one skeleton
    assert names.normalise("Youssef") != names.normalise("Yusuf")
    assert names.skeleton("Youssef") == names.skeleton("Yusuf") == "ysf"
    assert names.skeleton("Djamel") == names.skeleton("Jamal") == "jml"


def test_the_name_key_survives_swapped_order() -> None:
    assert names.name_key("Mohamed", "El Hassane") == names.name_key("Al Hassan", "Muhammad")


def test_a_year_alone_is_an_estimated_date() -> None:
    b = names.birth("1987")
    assert b.year == 1987 and b.iso is None and b.estimated


def test_a_bad_date_is_missing() -> None:
    assert names.birth("1987-13-45").days is None


@pytest.mark.parametrize(
    ("a", "b", "how"),
    [
        ("1987-03-14", "1987-03-14", "exact"),
        ("1987-03-04", "1987-04-03", "swapped"),
        ("1987-03-14", "1987-11-20", "close"),
        ("1987-03-14", "1988-02-01", "close"),
        ("1980-01-01", "1970-01-01", "different"),
        ("1987-03-14", None, "missing"),
    ],
)
def test_dates_of_birth_agree_within_their_tolerance(a: str, b: str | None, how: str) -> None:
    assert names.dates_agree(names.birth(a), names.birth(b)) == how


def test_an_estimated_date_two_years_out_still_agrees() -> None:
    a = names.birth("1987-03-14")
    b = names.birth("1989-01-10", estimated=True)
    assert names.dates_agree(a, b) == "estimated"
    assert names.dates_agree(a, names.birth("1989-01-10")) == "different"


def test_jaro_winkler_is_the_usual_one() -> None:
    assert jaro_winkler("martha", "marhta") == pytest.approx(0.9611, abs=1e-4)
    assert jaro_winkler("", "x") == 0.0


def test_a_doubled_letter_keyed_by_mistake_still_folds() -> None:
    # "Ddjamil": the French dj with its d doubled; "Mansoour": ou written over an English u
    assert names.normalise("Ddjamil") == names.normalise("Jamil")
    assert names.normalise("Mansoour") == names.normalise("Mansour")


def test_english_oo_is_french_ou() -> None:
    assert names.normalise("Noori") == names.normalise("Nouri")


def test_an_estimated_date_within_its_tolerance_outweighs_exact_dates_a_year_apart() -> None:
    from entente.investigations.linkage import model

    def row(born: str, estimated: bool = False) -> model.Row:
        attributes = {"given_name": "Yusuf", "family_name": "Sharif", "birth_date": born}
        return model.person_row(1, 1, {**attributes, "birth_date_estimated": estimated})

    w = model.Weights.default("person")
    exact = row("1992-06-02")
    _, by_year, levels = w.score(exact, row("1992", estimated=True))
    assert levels["birth_date"] == "within a year, estimated"
    _, a_year_apart, levels = w.score(exact, row("1993-03-02"))
    assert levels["birth_date"] == "within a year"
    assert by_year > a_year_apart


def test_a_typo_is_close_whichever_order_the_names_come_in() -> None:
    from entente.investigations.linkage import model

    left = model.person_row(1, 1, {"given_name": "Blerta", "family_name": "Jalil"})
    right = model.person_row(2, 2, {"given_name": "Jail", "family_name": "Blerta"})
    assert model.NAME.levels[model.NAME.level_of(left, right)].label == "close (JW 0.92)"
    # and the two records share a blocking key (the intact name with the date)
    born = {"birth_date": "2001-08-08"}
    left = model.person_row(1, 1, {"given_name": "Blerta", "family_name": "Jalil", **born})
    right = model.person_row(2, 2, {"given_name": "Jail", "family_name": "Blerta", **born})
    assert set(model.block_keys("person", left)) & set(model.block_keys("person", right))
