"""Grading coding scenarios: every status, scores, messages, the result's shape.

The codes used are real (checked against the April 2026 ICD-10-CM tables
shipped with simple-icd-10-cm); CPT codes appear by number only.
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

import pytest

from prep.codesets import icd10cm
from prep.grading.coding import (
    KEY_STATUSES,
    POLICY,
    REPORTED_STATUSES,
    STATUSES,
    CodingResult,
    GradedLine,
    grade_coding,
)

DIABETES = {"diagnoses": ["E11.22", "N18.31", "Z79.4"]}
ROOT = Path(__file__).resolve().parents[3]
FRACTURE = {"diagnoses": ["S52.521A", "W09.2XXA"], "procedures": ["25600-RT"], "optional": ["Y92.211"]}


def by_code(result: CodingResult) -> dict[str, GradedLine]:
    return {line.code: line for line in result.lines}


def statuses(result: CodingResult) -> list[tuple[str, str]]:
    return [(line.code, line.status) for line in result.lines]


def test_the_codes_used_here_are_real():
    for code in ["E11.22", "N18.31", "Z79.4", "S52.521A", "S52.521D", "W09.2XXA", "Y92.211", "I10", "E78.5"]:
        assert icd10cm.is_reportable(code), code
    assert icd10cm.validate("S52.521").status == "incomplete"
    assert icd10cm.validate("Z99.999").status == "invalid"


def test_policy_is_the_documented_one():
    assert POLICY == {
        "correct": 1.0,
        "out_of_sequence": 0.5,
        "wrong_modifier": 0.5,
        "wrong_units": 0.5,
        "missing": 0.0,
        "invalid": -0.5,
        "incomplete": -0.5,
        "near_miss": 0.0,
        "optional": 0.0,
        "extra": -0.5,
    }
    assert set(STATUSES) == set(POLICY) == set(KEY_STATUSES) | set(REPORTED_STATUSES)


def test_changing_the_displayed_policy_does_not_change_grading():
    saved = POLICY["extra"]
    try:
        POLICY["extra"] = 5.0
        assert grade_coding({"diagnoses": ["I10"]}, "I10 E78.5").points == 0.5
    finally:
        POLICY["extra"] = saved


def test_all_correct_scores_one():
    result = grade_coding(DIABETES, {"diagnoses": ["E11.22", "N18.31", "Z79.4"]})
    assert result.score == 1.0 and result.points == 3.0 and result.possible == 3
    assert statuses(result) == [("E11.22", "correct"), ("N18.31", "correct"), ("Z79.4", "correct")]
    assert [line.expected for line in result.lines] == ["E11.22", "N18.31", "Z79.4"]
    assert all(line.kind == "diagnosis" for line in result.lines)
    first = result.lines[0].message
    assert (
        "Type 2 diabetes mellitus with diabetic chronic kidney disease" in first and "listed first" in first
    )
    assert result.notes == ()


def test_missing_lines_score_zero_and_keep_the_key_code():
    result = grade_coding(DIABETES, {"diagnoses": ["E11.22"]})
    assert statuses(result) == [("E11.22", "correct"), ("N18.31", "missing"), ("Z79.4", "missing")]
    assert result.points == 1.0 and result.score == pytest.approx(1 / 3)
    missing = by_code(result)["N18.31"]
    assert missing.points == 0.0 and missing.expected == "N18.31"
    assert "Chronic kidney disease, stage 3a" in missing.message and "not reported" in missing.message


def test_out_of_sequence_first_listed_diagnosis():
    result = grade_coding({"diagnoses": ["I10", "E78.5"]}, {"diagnoses": ["E78.5", "I10"]})
    assert statuses(result) == [("I10", "out_of_sequence"), ("E78.5", "correct")]
    line = result.lines[0]
    assert line.points == 0.5 and result.points == 1.5 and result.score == 0.75
    assert line.message.startswith(
        "I10 is right but should be listed first: it is the reason for the visit (first-listed diagnosis)"
    )
    assert (
        "Essential (primary) hypertension" in line.message and "Hyperlipidemia, unspecified" in line.message
    )


def test_only_the_first_listed_diagnosis_is_sequenced():
    result = grade_coding(DIABETES, {"diagnoses": ["E11.22", "Z79.4", "N18.31"]})
    assert result.score == 1.0


def test_fracture_scenario_all_correct():
    answer = {"diagnoses": ["S52.521A", "W09.2XXA"], "procedures": ["25600-RT"]}
    result = grade_coding(FRACTURE, answer)
    assert result.score == 1.0
    assert statuses(result) == [("S52.521A", "correct"), ("W09.2XXA", "correct"), ("25600-RT", "correct")]
    assert result.lines[2].kind == "procedure" and result.lines[2].expected == "25600-RT"


def test_wrong_modifier():
    result = grade_coding({"procedures": ["20610-RT"]}, {"procedures": ["20610-LT"]})
    (line,) = result.lines
    assert (line.code, line.status, line.points, line.expected) == (
        "20610-LT",
        "wrong_modifier",
        0.5,
        "20610-RT",
    )
    assert line.message.startswith("20610 is right; expected modifiers RT, you reported LT")
    assert result.score == 0.5


def test_modifiers_compare_as_a_set():
    result = grade_coding({"procedures": ["64483-LT-59"]}, {"procedures": ["64483-59-LT"]})
    assert result.lines[0].status == "correct" and result.score == 1.0


def test_missing_modifier_says_none_was_reported():
    result = grade_coding({"procedures": ["99214-25"]}, {"procedures": ["99214"]})
    assert result.lines[0].status == "wrong_modifier"
    assert "expected modifiers 25, you reported none" in result.lines[0].message


def test_wrong_units():
    result = grade_coding({"procedures": ["J1030 x2"]}, {"procedures": ["J1030"]})
    (line,) = result.lines
    assert (line.code, line.status, line.points, line.expected) == ("J1030", "wrong_units", 0.5, "J1030 x2")
    assert "expected 2 units, you reported 1" in line.message


def test_units_default_to_one():
    assert grade_coding({"procedures": ["96372"]}, {"procedures": ["96372 x1"]}).score == 1.0
    assert grade_coding({"procedures": ["J1030 x2"]}, {"procedures": ["J1030 x2"]}).score == 1.0


def test_wrong_modifier_and_units_together():
    result = grade_coding({"procedures": ["64483-LT x2"]}, {"procedures": ["64483-RT"]})
    (line,) = result.lines
    assert line.status == "wrong_modifier" and line.points == 0.5
    assert "expected modifiers LT, you reported RT" in line.message
    assert "expected 2 units, you reported 1" in line.message


def test_exact_lines_match_before_code_only_matches():
    key = {"procedures": ["64483-LT", "64483-RT"]}
    result = grade_coding(key, {"procedures": ["64483-RT", "64483-LT"]})
    assert result.score == 1.0
    result = grade_coding(key, {"procedures": ["64483-RT"]})
    assert statuses(result) == [("64483-LT", "missing"), ("64483-RT", "correct")]


def test_accepted_alternatives():
    key = {"diagnoses": ["M54.50", "E78.5"], "procedures": ["99214-25"], "accept": {"M54.50": ["M54.59"]}}
    result = grade_coding(key, {"diagnoses": ["M54.59", "E78.5"], "procedures": ["99214-25"]})
    assert result.score == 1.0
    line = result.lines[0]
    assert (line.code, line.status, line.expected) == ("M54.59", "correct", "M54.50")
    assert "is accepted for M54.50" in line.message and "Other low back pain" in line.message


def test_accepted_procedure_alternative_by_bare_code_takes_the_key_modifiers():
    key = {"procedures": ["25600-RT"], "accept": {"25600": ["25605"]}}
    assert grade_coding(key, {"procedures": ["25605-RT"]}).score == 1.0
    result = grade_coding(key, {"procedures": ["25605-LT"]})
    assert result.lines[0].status == "wrong_modifier" and result.lines[0].expected == "25600-RT"


def test_accepted_procedure_alternative_by_whole_line():
    key = {"procedures": ["J1030 x2"], "accept": {"J1030 x2": ["J1040"]}}
    assert grade_coding(key, {"procedures": ["J1040 x2"]}).score == 1.0


def test_the_key_code_is_preferred_to_an_alternative():
    key = {"diagnoses": ["I10", "E78.5"], "accept": {"E78.5": ["I10"]}}
    result = grade_coding(key, {"diagnoses": ["I10", "E78.5"]})
    assert result.score == 1.0


def test_optional_codes_are_neither_credited_nor_penalised():
    answer = {"diagnoses": ["S52.521A", "W09.2XXA", "Y92.211"], "procedures": ["25600-RT"]}
    result = grade_coding(FRACTURE, answer)
    assert result.score == 1.0 and result.points == 3.0
    line = by_code(result)["Y92.211"]
    assert (line.status, line.points, line.expected) == ("optional", 0.0, None)
    assert "Elementary school" in line.message


def test_optional_procedure_matches_by_code():
    key = {"procedures": ["20610-RT"], "optional": ["J1030"]}
    result = grade_coding(key, {"procedures": ["20610-RT", "J1030 x3"]})
    assert result.score == 1.0 and by_code(result)["J1030 x3"].status == "optional"


def test_extra_code_costs_half_a_point():
    result = grade_coding({"diagnoses": ["I10"]}, {"diagnoses": ["I10", "E78.5"]})
    assert statuses(result) == [("I10", "correct"), ("E78.5", "extra")]
    assert result.points == 0.5 and result.score == 0.5
    assert "Hyperlipidemia, unspecified" in result.lines[1].message


def test_extra_procedure():
    result = grade_coding({"procedures": ["20610-RT"]}, {"procedures": ["20610-RT", "96372"]})
    assert by_code(result)["96372"].status == "extra" and result.points == 0.5


def test_invalid_diagnosis():
    result = grade_coding({"diagnoses": ["I10"]}, {"diagnoses": ["I10", "Z99.999", "hello"]})
    lines = by_code(result)
    assert lines["Z99.999"].status == "invalid" and lines["Z99.999"].points == -0.5
    assert "not an ICD-10-CM code" in lines["Z99.999"].message
    assert lines["HELLO"].status == "invalid"
    assert result.points == 0.0 and result.score == 0.0


def test_procedure_code_in_the_diagnosis_field_is_invalid_with_a_hint():
    result = grade_coding({"diagnoses": ["I10"]}, {"diagnoses": ["I10", "99214"]})
    line = by_code(result)["99214"]
    assert line.status == "invalid" and "report it as a procedure" in line.message


def test_invalid_procedure_lines():
    answer = {"procedures": ["20610-RT", "D0120", "99214-RTX", "9921", "E11.9"]}
    result = grade_coding({"procedures": ["20610-RT"]}, answer)
    assert [line.status for line in result.lines[1:]] == ["invalid"] * 4
    assert result.points == 1.0 - 4 * 0.5 and result.score == 0.0
    assert "CDT" in by_code(result)["D0120"].message
    assert "diagnosis code, not a procedure code" in by_code(result)["E11.9"].message


def test_incomplete_code_needs_a_seventh_character():
    result = grade_coding(FRACTURE, {"diagnoses": ["S52.521", "W09.2XXA"], "procedures": ["25600-RT"]})
    line = by_code(result)["S52.521"]
    assert (line.status, line.points, line.expected) == ("incomplete", -0.5, None)
    assert line.message.startswith(
        "S52.521 is not reportable: it needs a 7th character (A initial encounter for closed fracture, "
        "D subsequent encounter for fracture with routine healing"
    )
    assert by_code(result)["S52.521A"].status == "missing"
    assert result.points == 1.5


def test_incomplete_category():
    result = grade_coding({"diagnoses": ["E11.22"]}, {"diagnoses": ["E11"]})
    line = by_code(result)["E11"]
    assert line.status == "incomplete" and "needs more characters" in line.message
    assert result.score == 0.0 and result.points == -0.5


def test_near_miss_same_category():
    result = grade_coding(DIABETES, {"diagnoses": ["E11.22", "N18.32", "Z79.4"]})
    assert statuses(result) == [
        ("E11.22", "correct"),
        ("N18.31", "missing"),
        ("Z79.4", "correct"),
        ("N18.32", "near_miss"),
    ]
    near = result.lines[3]
    assert near.points == 0.0 and near.expected == "N18.31"
    assert "right category, wrong specificity" in near.message
    assert "stage 3b" in near.message and "stage 3a" in near.message
    assert "N18.32" in result.lines[1].message
    assert result.points == 2.0


def test_near_miss_wrong_seventh_character():
    result = grade_coding(FRACTURE, {"diagnoses": ["S52.521D", "W09.2XXA"], "procedures": ["25600-RT"]})
    line = by_code(result)["S52.521D"]
    assert (line.status, line.points, line.expected) == ("near_miss", 0.0, "S52.521A")
    assert "right category, wrong specificity" in line.message and "7th character" in line.message
    assert "subsequent encounter for fracture with routine healing" in line.message
    assert by_code(result)["S52.521A"].status == "missing"
    assert result.points == 2.0


def test_one_near_miss_per_missing_key_diagnosis():
    result = grade_coding({"diagnoses": ["S52.521A"]}, {"diagnoses": ["S52.529A", "S52.522A"]})
    assert statuses(result) == [("S52.521A", "missing"), ("S52.529A", "near_miss"), ("S52.522A", "extra")]
    assert result.points == -0.5 and result.score == 0.0


def test_same_category_as_a_matched_key_diagnosis_is_extra():
    result = grade_coding({"diagnoses": ["N18.31"]}, {"diagnoses": ["N18.31", "N18.32"]})
    assert statuses(result) == [("N18.31", "correct"), ("N18.32", "extra")]


def test_duplicates_count_once_with_a_note():
    result = grade_coding({"diagnoses": ["I10"], "procedures": ["96372"]}, "I10 i10 E78.5 E78.5 96372 96372")
    assert statuses(result) == [("I10", "correct"), ("96372", "correct"), ("E78.5", "extra")]
    assert result.points == 1.5
    dupes = [n for n in result.notes if "more than once" in n]
    assert len(dupes) == 3 and any(n.startswith("I10 ") for n in dupes)


def test_lines_order_key_lines_then_unmatched_in_reported_order():
    answer = "E78.5 Z99.999 S52.521A 20610 25600-RT Y92.211"
    result = grade_coding(FRACTURE, answer)
    assert statuses(result) == [
        ("S52.521A", "out_of_sequence"),
        ("W09.2XXA", "missing"),
        ("25600-RT", "correct"),
        ("E78.5", "extra"),
        ("Z99.999", "invalid"),
        ("20610", "extra"),
        ("Y92.211", "optional"),
    ]


def test_score_is_clamped_at_zero():
    result = grade_coding({"diagnoses": ["I10"]}, {"diagnoses": ["E78.5", "Z99.999", "E11"]})
    assert result.points == -1.5 and result.score == 0.0


def test_empty_or_missing_answer_scores_zero():
    for answer in (None, "", {}, {"diagnoses": [], "procedures": []}, {"diagnoses": ["  "]}):
        result = grade_coding(DIABETES, answer)
        assert result.score == 0.0 and [line.status for line in result.lines] == ["missing"] * 3


def test_answer_fields_may_be_strings():
    answer = {"diagnoses": "e11.22, n18.31 z79.4", "procedures": "99214-25 j1030 x2"}
    result = grade_coding({**DIABETES, "procedures": ["99214-25", "J1030 x2"]}, answer)
    assert result.score == 1.0


def test_cpt_descriptors_only_from_a_registry():
    registry = {"20610": "LICENSED DESCRIPTOR FOR 20610"}
    plain = grade_coding({"procedures": ["20610-RT"]}, {"procedures": ["20610-LT"]})
    assert "LICENSED" not in plain.lines[0].message and "CPT 20610" in plain.lines[0].message
    licensed = grade_coding({"procedures": ["20610-RT"]}, {"procedures": ["20610-LT"]}, cpt_registry=registry)
    assert "LICENSED DESCRIPTOR FOR 20610" in licensed.lines[0].message


def test_cpt_registry_makes_unknown_codes_invalid():
    registry = {"20610": "LICENSED DESCRIPTOR FOR 20610"}
    result = grade_coding(
        {"procedures": ["20610-RT"]}, {"procedures": ["20610-RT", "99999"]}, cpt_registry=registry
    )
    assert by_code(result)["99999"].status == "invalid"


def test_hcpcs_description_from_a_registry():
    registry = {"J1030": "Injection, methylprednisolone acetate, 40 mg"}
    result = grade_coding({"procedures": ["J1030 x2"]}, {"procedures": ["J1030"]}, hcpcs_registry=registry)
    assert "methylprednisolone acetate, 40 mg" in result.lines[0].message
    result = grade_coding({"procedures": ["J1030 x2"]}, {"procedures": ["J1030"]})
    assert "Drugs given other than by mouth" in result.lines[0].message


def test_as_dict_is_json_ready():
    result = grade_coding(FRACTURE, "S52.521A W09.2XXA 25600-LT E78.5")
    data = result.as_dict()
    assert json.loads(json.dumps(data)) == data
    assert set(data) == {"score", "points", "possible", "lines", "notes"}
    assert set(data["lines"][0]) == {"code", "kind", "status", "points", "message", "expected"}
    assert data["lines"][2] == {
        "code": "25600-LT",
        "kind": "procedure",
        "status": "wrong_modifier",
        "points": 0.5,
        "message": result.lines[2].message,
        "expected": "25600-RT",
    }


def test_results_are_frozen():
    result = grade_coding({"diagnoses": ["I10"]}, "I10")
    with pytest.raises(AttributeError):
        result.score = 0.5  # type: ignore[misc]
    with pytest.raises(AttributeError):
        result.lines[0].status = "missing"  # type: ignore[misc]


@pytest.mark.parametrize(
    "key",
    [
        {},
        {"diagnoses": [], "procedures": []},
        {"procedures": ["20610--RT"]},
    ],
)
def test_bad_keys_raise_value_error(key):
    with pytest.raises(ValueError):
        grade_coding(key, "I10")


@pytest.mark.parametrize(
    ("key", "answer"),
    [
        (["I10"], "I10"),
        ({"diagnoses": ["I10"]}, 42),
        ({"diagnoses": ["I10"]}, ["I10"]),
        ({"diagnoses": ["I10"]}, {"diagnoses": [10]}),
        ({"diagnoses": "I10"}, "I10"),
    ],
)
def test_wrong_types_raise_type_error(key, answer):
    with pytest.raises(TypeError):
        grade_coding(key, answer)


def test_the_module_is_pure():
    # The ``prep`` package itself imports Flask (the app factory), so check what
    # the module imports rather than sys.modules: code sets and the standard library.
    tree = ast.parse((ROOT / "prep" / "grading" / "coding.py").read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
    outside = {
        m
        for m in imported
        if not m.startswith("prep.codesets") and m.split(".")[0] not in sys.stdlib_module_names
    }
    assert not outside, outside
