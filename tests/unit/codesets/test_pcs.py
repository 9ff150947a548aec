"""ICD-10-PCS: format, precise messages, axes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prep.codesets import pcs

ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"


@pytest.mark.parametrize(
    "code",
    ["0DTJ4ZZ", "0dtj4zz", " 0SR9019 ", "02HV33Z", "3E0G76Z", "BW28ZZZ", "XW033E5", "10D00Z1", "HZ2ZZZZ"],
)
def test_valid_formats(code):
    result = pcs.validate(code)
    assert result.ok, result.message
    assert result.code == pcs.normalize(code)
    assert "not checked" in result.message


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("0DTJ4Z", "6 characters"),
        ("0DTJ4ZZZ", "8 characters"),
        ("0OTJ4ZZ", "character 2 is the letter O"),
        ("0DTI4ZZ", "character 4 is the letter I"),
        ("0DTJ4Z-", "character 7"),
        ("EDTJ4ZZ", "character 1 (section)"),
        ("0ATJ4ZZ", "character 2 (body system)"),
        ("0DAJ4ZZ", "character 3 (root operation)"),
        ("0DTJ5ZZ", "character 5 (approach)"),
        ("", "No ICD-10-PCS"),
    ],
)
def test_invalid_formats_name_the_position(code, words):
    result = pcs.validate(code)
    assert result.status == "invalid"
    assert words in result.message


def test_table_restricts_codes():
    table = {"0DTJ4ZZ"}
    assert pcs.validate("0dtj4zz", table).ok
    missing = pcs.validate("0DTJ0ZZ", table)
    assert missing.status == "invalid" and "not in the loaded" in missing.message


def test_axes_for_medical_and_surgical():
    assert pcs.axes("0DTJ4ZZ") == [
        ("Section", "0"),
        ("Body System", "D"),
        ("Root Operation", "T"),
        ("Body Part", "J"),
        ("Approach", "4"),
        ("Device", "Z"),
        ("Qualifier", "Z"),
    ]


def test_axes_for_other_sections_are_generic():
    assert pcs.axes("BW28ZZZ")[0] == ("Character 1", "B")
    assert [name for name, _ in pcs.axes("3E0G76Z")][-1] == "Character 7"
    with pytest.raises(ValueError):
        pcs.axes("0DTJ")


def test_explain():
    explained = pcs.explain("0DTJ4ZZ")
    assert explained[0] == ("Section", "0", "Medical and Surgical")
    assert explained[2] == ("Root Operation", "T", "Resection")
    assert explained[4] == ("Approach", "4", "Percutaneous Endoscopic")
    assert explained[3][2] is None
    assert pcs.explain("BW28ZZZ")[0] == ("Character 1", "B", "Imaging")


def test_tables_are_complete():
    assert len(pcs.ROOT_OPERATIONS) == 31
    assert len(pcs.SECTIONS) == 17
    assert set(pcs.APPROACHES) == set("03478FX")
    for table in (pcs.SECTIONS, pcs.ROOT_OPERATIONS, pcs.APPROACHES, pcs.BODY_SYSTEMS):
        assert not set(table) & {"O", "I"}


@given(st.text(alphabet=ALPHABET, min_size=7, max_size=7))
def test_any_code_in_the_alphabet_has_seven_axes(code):
    assert pcs.is_well_formed(code)
    assert len(pcs.axes(code.lower())) == 7
    assert pcs.normalize(pcs.normalize(code.lower())) == code
