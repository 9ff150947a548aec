"""The bank file format: every kind of bad input is reported as file:line: reason."""

from __future__ import annotations

import textwrap

from hypothesis import given, settings
from hypothesis import strategies as st

from prep.bank.format import canonical_item, dump_items, load_paths, load_text

GOOD = textwrap.dedent(
    """\
    format: 1
    items:
      - id: anat-femur-001
        type: mcq
        domain: anatomy
        difficulty: 1
        stem: Which bone is the longest in the body?
        choices:
          - text: Femur
            correct: true
            why: It is.
          - text: Tibia
            correct: false
            why: Shorter than the femur.
        rationale: The femur is the longest bone.
      - id: icd-htn-001
        type: coding
        domain: icd-10-cm
        difficulty: 2
        stem: Office visit for essential hypertension.
        key:
          diagnoses: [I10]
        rationale: Essential hypertension is I10.
    """
)


def errors_of(text: str) -> list[str]:
    return [str(e) for e in load_text(text, "bank.yaml").errors]


def test_good_file_loads():
    result = load_text(GOOD, "bank.yaml")
    assert result.ok, result.errors
    assert [i.data["id"] for i in result.items] == ["anat-femur-001", "icd-htn-001"]
    assert [i.line for i in result.items] == [3, 16]
    assert result.items[0].data["status"] == "published"  # made explicit


def test_yaml_syntax_error_names_the_line():
    broken = GOOD.replace("    stem: Which bone", "    stem: [Which bone")
    (error,) = errors_of(broken)
    assert error.startswith("bank.yaml:") and "YAML syntax error" in error
    line = int(error.split(":")[1])
    assert 7 <= line <= 9


def test_empty_and_non_mapping_files():
    assert errors_of("") == ["bank.yaml:1: the file is empty (expected a mapping with a list under 'items')"]
    assert errors_of("- a\n- b\n") == ["bank.yaml:1: expected a mapping with a list under 'items'"]
    assert errors_of("format: 1\n") == ["bank.yaml:1: the file needs a list under 'items' or 'blueprints'"]


def test_duplicate_yaml_key_is_an_error():
    text = GOOD.replace("    difficulty: 1\n", "    difficulty: 1\n    difficulty: 2\n", 1)
    (error,) = errors_of(text)
    assert "duplicate key 'difficulty'" in error and error.startswith("bank.yaml:7:")


def test_unknown_domain():
    (error,) = errors_of(GOOD.replace("domain: anatomy", "domain: anatomyy"))
    assert error == "bank.yaml:5: unknown domain 'anatomyy' (use one of the area slugs in question_bank/README)"


def test_bad_id_missing_field_bad_difficulty_unknown_field():
    assert errors_of(GOOD.replace("id: anat-femur-001", "id: Anat Femur")) == [
        "bank.yaml:3: id 'Anat Femur' must be lowercase letters, digits and single hyphens"
    ]
    errors = errors_of(GOOD.replace("    rationale: The femur is the longest bone.\n", ""))
    assert errors == ["bank.yaml:3: item: 'rationale' is a required property"]
    assert errors_of(GOOD.replace("difficulty: 1", "difficulty: 5")) == [
        "bank.yaml:6: difficulty: 5 is greater than the maximum of 3"
    ]
    errors = errors_of(GOOD.replace("difficulty: 1\n", "difficulty: 1\n    colour: red\n", 1))
    assert len(errors) == 1 and "colour" in errors[0] and errors[0].startswith("bank.yaml:3:")


def test_mcq_needs_exactly_one_correct_choice():
    none = GOOD.replace("correct: true", "correct: false")
    assert errors_of(none) == ["bank.yaml:8: an MCQ needs exactly one correct choice; none is marked correct"]
    two = GOOD.replace("correct: false", "correct: true")
    assert errors_of(two) == ["bank.yaml:12: an MCQ needs exactly one correct choice; choices 1, 2 are all marked correct"]


def test_coding_key_needs_a_code():
    text = GOOD.replace("diagnoses: [I10]", "diagnoses: []")
    assert errors_of(text) == ["bank.yaml:21: key: a coding key needs at least one diagnosis or one procedure"]


def test_duplicate_ids_within_and_across_files(tmp_path):
    (tmp_path / "a.yaml").write_text(GOOD)
    (tmp_path / "b.yaml").write_text(GOOD.replace("icd-htn-001", "icd-htn-002"))
    result = load_paths([tmp_path])
    assert [str(e) for e in result.errors] == [
        f"{tmp_path / 'b.yaml'}:3: duplicate id 'anat-femur-001' (first used at {tmp_path / 'a.yaml'}:3)"
    ]


def test_missing_path_and_empty_folder(tmp_path):
    assert "no such file or folder" in str(load_paths([tmp_path / "nope"]).errors[0])
    assert "no bank files" in str(load_paths([tmp_path]).errors[0])


def test_not_utf8(tmp_path):
    (tmp_path / "latin.yaml").write_bytes("items: []\nstem: caf\xe9\n".encode("latin-1"))
    assert "not UTF-8" in str(load_paths([tmp_path]).errors[0])


def test_json_bank_files_are_read_too(tmp_path):
    import json

    import yaml

    (tmp_path / "bank.json").write_text(json.dumps(yaml.safe_load(GOOD)))
    result = load_paths([tmp_path])
    assert result.ok and len(result.items) == 2


def test_dump_then_load_round_trips_exactly():
    items = [i.data for i in load_text(GOOD, "bank.yaml").items]
    for as_json in (False, True):
        again = load_text(dump_items(items, as_json=as_json), "out")
        assert again.ok, again.errors
        assert [i.data for i in again.items] == items


def test_canonical_order_is_stable():
    item = {"rationale": "r", "stem": "s", "difficulty": 1, "domain": "anatomy", "type": "mcq", "id": "x", "choices": []}
    assert list(canonical_item(item)) == ["id", "type", "domain", "difficulty", "status", "stem", "choices", "rationale"]


text_strategy = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff\x85\u2028\u2029") | st.sampled_from("\n\t :#-|>'\""),
    min_size=1,
    max_size=80,
).filter(lambda s: s.strip())


@settings(max_examples=150, deadline=None)
@given(stem=text_strategy, rationale=text_strategy, why=text_strategy)
def test_any_authored_text_round_trips(stem, rationale, why):
    item = canonical_item({
        "id": "x-1", "type": "mcq", "domain": "terminology", "difficulty": 2, "stem": stem, "rationale": rationale,
        "choices": [{"text": "a", "correct": True, "why": why}, {"text": "b", "correct": False}],
    })
    result = load_text(dump_items([item]), "out")
    assert result.ok, result.errors
    assert result.items[0].data == item
