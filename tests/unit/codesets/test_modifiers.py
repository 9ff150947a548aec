"""Modifiers: shape, the table of common ones, and limits per code."""

from __future__ import annotations

import pytest

from prep.codesets import modifiers

REQUESTED = (
    "25 26 TC 50 51 52 53 57 58 59 76 77 78 79 80 82 AS LT RT XE XS XP XU "
    "F1 F2 F3 F4 F5 F6 F7 F8 F9 FA TA T1 T2 T3 T4 T5 T6 T7 T8 T9 E1 E2 E3 E4 "
    "GA GY GZ JW JZ KX QW 24 91 95 GT 22 23 47 62 66 73 74 AA QK QX QY QZ "
    "P1 P2 P3 P4 P5 P6 33 90"
).split()


def test_table_covers_the_common_modifiers():
    missing = [m for m in REQUESTED if m not in modifiers.COMMON]
    assert missing == []
    for code, text in modifiers.COMMON.items():
        assert len(code) == 2 and code == code.upper()
        assert 0 < len(text) <= 90


@pytest.mark.parametrize("raw", ["25", "rt", " -LT ", "xs", "F9", "QW"])
def test_known_modifiers_are_valid_with_a_description(raw):
    result = modifiers.validate_modifier(raw)
    assert result.ok
    assert result.code == raw.strip().lstrip("-").strip().upper()
    assert result.description == modifiers.describe(raw)


def test_well_formed_unknown_modifier_is_valid_without_description():
    result = modifiers.validate_modifier("Q9")
    assert result.ok and result.description is None


@pytest.mark.parametrize("raw", ["", "2", "255", "R_", "R-", "é1"])
def test_malformed_modifiers(raw):
    assert modifiers.validate_modifier(raw).status == "invalid"


def test_source():
    assert modifiers.source("59") == "cpt"
    assert modifiers.source("xs") == "hcpcs"
    assert modifiers.source("5") is None


def test_validate_modifiers_together():
    assert modifiers.validate_modifiers(["LT", "59"]).ok
    assert modifiers.validate_modifiers([]).ok
    assert modifiers.validate_modifiers(["RT", "LT", "59", "XS"]).ok
    five = modifiers.validate_modifiers(["RT", "LT", "59", "XS", "76"])
    assert five.status == "invalid" and "at most 4" in five.message
    assert "repeated" in modifiers.validate_modifiers(["25", "25"]).message
    assert modifiers.validate_modifiers(["25", "X"]).status == "invalid"
