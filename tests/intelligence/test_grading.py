"""The two grading systems and their crosswalk (entente.intelligence.grading)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from entente.intelligence import grading
from entente.intelligence.grading import ADM, INFORMATION, SOURCE, UK, Grade, Relation


def test_it_renders_a_3x5x2_grade_with_its_handling_code_and_an_admiralty_grade_without():
    assert grading.validate_grade(UK, "2", "b", "p").render() == "2B P"
    assert grading.validate_grade(ADM, "b", "2").render() == "B2"


@pytest.mark.parametrize(
    ("scheme", "source", "information", "handling", "field"),
    [
        (UK, "4", "A", "P", "source_grade"),
        (UK, "A", "A", "P", "source_grade"),
        (UK, "1", "F", "P", "information_grade"),
        (UK, "1", "1", "P", "information_grade"),
        (UK, "1", "A", "", "handling_code"),
        (UK, "1", "A", "X", "handling_code"),
        (ADM, "G", "1", "", "source_grade"),
        (ADM, "1", "1", "", "source_grade"),
        (ADM, "A", "7", "", "information_grade"),
        (ADM, "A", "1", "P", "handling_code"),
    ],
)
def test_a_grade_outside_its_scheme_is_refused_on_its_field(
    scheme, source, information, handling, field
):
    with pytest.raises(ValidationError) as caught:
        grading.validate_grade(scheme, source, information, handling)
    assert field in caught.value.message_dict


def test_handling_code_c_needs_its_conditions_and_p_has_none():
    with pytest.raises(ValidationError) as caught:
        grading.validate_grade(UK, "1", "A", "C")
    assert "handling_conditions" in caught.value.message_dict
    with pytest.raises(ValidationError):
        grading.validate_grade(UK, "1", "A", "P", "not to the press")
    grade = grading.validate_grade(UK, "1", "A", "C", "Not for court without NCA consent")
    assert grade.render() == "1A C"


def test_an_unknown_scheme_is_refused():
    with pytest.raises(ValidationError) as caught:
        grading.validate_grade("5x5x5", "A", "1")
    assert "grading_scheme" in caught.value.message_dict


def test_the_error_is_translated():
    with translation.override("fr"), pytest.raises(ValidationError) as caught:
        grading.validate_grade(UK, "9", "A", "P")
    message = caught.value.message_dict["source_grade"][0]
    # The message goes through gettext; its msgid names the 3x5x2's grades either way.
    assert "1, 2, 3" in message


def test_every_grade_of_both_schemes_has_exactly_one_crosswalk_row():
    for scheme in (UK, ADM):
        for axis, table in (
            (SOURCE, grading.SOURCE_GRADES),
            (INFORMATION, grading.INFORMATION_GRADES),
        ):
            rows = grading.rows_for(scheme, axis)
            assert [r.grade for r in rows] == list(table[scheme])
            for row in rows:
                assert str(row.note)
                other = ADM if scheme == UK else UK
                if row.relation == Relation.NONE:
                    assert row.to == ""
                else:
                    assert row.to in table[other]


def test_one_to_one_rows_map_back_to_where_they_came_from():
    for row in grading.CROSSWALK:
        if row.exact:
            back = [r for r in grading.rows_for(row.to_scheme, row.axis) if r.grade == row.to]
            assert back and back[0].to == row.grade and back[0].exact, row


def test_the_crosswalk_says_where_the_schemes_do_not_map_one_to_one():
    relation = {(r.scheme, r.axis, r.grade): r.relation for r in grading.CROSSWALK}
    # Admiralty "doubtful" has no 3x5x2 grade at all.
    assert relation[(ADM, INFORMATION, "4")] == Relation.NONE
    # "Cannot be judged" is only near untested / not known.
    assert relation[(ADM, SOURCE, "F")] == Relation.NEAREST
    assert relation[(ADM, INFORMATION, "6")] == Relation.NEAREST
    # D and E both become 3; A and B both become 1.
    assert relation[(ADM, SOURCE, "E")] == Relation.MANY_TO_ONE
    assert relation[(ADM, SOURCE, "A")] == Relation.MANY_TO_ONE
    # Corroborated is confirmed by other sources, both ways.
    assert relation[(UK, INFORMATION, "B")] == Relation.ONE_TO_ONE
    assert relation[(ADM, INFORMATION, "1")] == Relation.ONE_TO_ONE


def test_the_crosswalk_never_overstates_a_grade():
    # 3x5x2 "reliable" is not "completely reliable"; "known directly" is not "confirmed".
    result = grading.crosswalk(Grade(UK, "1", "A", "P"))
    assert result.render() == "B2"
    assert not result.exact
    assert any("B" in c for c in result.caveats)
    # "Probably true" does not say the source knew it directly.
    assert grading.crosswalk(Grade(ADM, "A", "2")).render() == "1C"


def test_a_crosswalk_with_no_equivalent_shows_a_question_mark_and_its_caveat():
    result = grading.crosswalk(Grade(ADM, "B", "4"))
    assert result.render() == "1?"
    assert result.grade.information == ""
    assert any("Doubtful" in c for c in result.caveats)


def test_a_one_to_one_crosswalk_is_exact_but_still_notes_the_handling_code():
    result = grading.crosswalk(Grade(ADM, "B", "1"))
    assert result.render() == "1B"
    assert result.exact is False  # B -> 1 is many to one
    result = grading.crosswalk(Grade(UK, "3", "E", "P"))
    assert result.render() == "D5"
    assert any("handling" in c for c in result.caveats)


def test_labels_exist_in_both_languages():
    with translation.override("en"):
        assert Grade(ADM, "F", "6").source_label() == "Reliability cannot be judged"


def test_a_typed_grade_is_read_in_either_scheme():
    assert grading.parse_compact("2b") == Grade(UK, "2", "B")
    assert grading.parse_compact("B2") == Grade(ADM, "B", "2")
    assert grading.parse_compact("zz") is None
