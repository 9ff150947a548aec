"""Free-text coding answers: splitting, telling diagnoses from procedures by
shape, modifiers and units attached to their procedure."""

from __future__ import annotations

import pytest

from prep.grading.coding import grade_coding, parse_free_text


def test_the_example_from_the_issue():
    assert parse_free_text("e11.22, n18.31 z79.4\n99214-25 j1030 x2") == {
        "diagnoses": ["E11.22", "N18.31", "Z79.4"],
        "procedures": ["99214-25", "J1030 x2"],
    }


@pytest.mark.parametrize(
    ("text", "procedures"),
    [
        ("J1030 x2", ["J1030 x2"]),
        ("J1030x2", ["J1030 x2"]),
        ("j1030 X2", ["J1030 x2"]),
        ("J1030 x 2", ["J1030 x2"]),
        ("J1030 units 2", ["J1030 x2"]),
        ("J1030 *2", ["J1030 x2"]),
        ("99214 - 25", ["99214-25"]),
        ("99214 -25", ["99214-25"]),
        ("64483-lt-59 x3", ["64483-LT-59 x3"]),
        ("64483-LT-59x3", ["64483-LT-59 x3"]),
        ("99214x3", ["99214 x3"]),
        ("0DTJ4ZZ", ["0DTJ4ZZ"]),
        ("J1030; 96372\n\n36415", ["J1030", "96372", "36415"]),
        ("x2 96372", ["X2", "96372"]),  # units before any procedure: kept, graded invalid
    ],
)
def test_procedures(text, procedures):
    assert parse_free_text(text) == {"diagnoses": [], "procedures": procedures}


@pytest.mark.parametrize(
    ("text", "diagnoses"),
    [
        ("I10", ["I10"]),
        ("i10.", ["I10"]),
        ("s52.521a, w09.2xxa", ["S52.521A", "W09.2XXA"]),
        ("S52521A", ["S52.521A"]),
        ("Z794", ["Z79.4"]),
        ("(E78.5)", ["E78.5"]),
        ("E11.22222", ["E11.22222"]),  # shapeless but dotted: a (bad) diagnosis
    ],
)
def test_diagnoses(text, diagnoses):
    assert parse_free_text(text) == {"diagnoses": diagnoses, "procedures": []}


def test_units_token_attaches_to_the_previous_procedure_only():
    parsed = parse_free_text("I10 x2")
    assert parsed == {"diagnoses": ["I10"], "procedures": ["X2"]}
    assert parse_free_text("96372 I10 J1030 x2") == {
        "diagnoses": ["I10"],
        "procedures": ["96372", "J1030 x2"],
    }


def test_dotless_diagnosis_shaped_like_hcpcs_is_read_as_a_procedure():
    assert parse_free_text("E1122") == {"diagnoses": [], "procedures": ["E1122"]}
    result = grade_coding({"diagnoses": ["E11.22"]}, "E1122")
    extra = result.lines[1]
    assert extra.kind == "procedure" and "write it with its dot" in extra.message


def test_empty_text():
    assert parse_free_text("") == {"diagnoses": [], "procedures": []}
    assert parse_free_text(" ,;\n ") == {"diagnoses": [], "procedures": []}


def test_not_a_string():
    with pytest.raises(TypeError):
        parse_free_text(["I10"])  # type: ignore[arg-type]


def test_grading_free_text_equals_grading_the_parsed_mapping():
    key = {"diagnoses": ["E11.22", "N18.31", "Z79.4"], "procedures": ["99214-25", "J1030 x2"]}
    text = "e11.22, n18.31 z79.4\n99214-25 j1030 x2"
    by_text = grade_coding(key, text)
    by_mapping = grade_coding(key, parse_free_text(text))
    assert by_text == by_mapping and by_text.score == 1.0


def test_free_text_units_and_modifiers_are_graded():
    key = {"diagnoses": ["M17.11"], "procedures": ["20610-RT", "J1030 x2"]}
    result = grade_coding(key, "M17.11 20610 - RT J1030 x 2")
    assert result.score == 1.0
    result = grade_coding(key, "M17.11 20610-LT J1030")
    assert [line.status for line in result.lines] == ["correct", "wrong_modifier", "wrong_units"]


def test_stray_units_token_is_an_invalid_line():
    result = grade_coding({"procedures": ["96372"]}, "x2 96372")
    assert [(line.code, line.status) for line in result.lines] == [("96372", "correct"), ("X2", "invalid")]
    assert "follows no procedure code" in result.lines[1].message
