"""Procedure lines ("64483-LT-59", "J1030 x2") and telling a code's set."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prep.codesets.lines import LineError, ProcedureLine, code_system, format_procedure, parse_procedure


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("25600-RT", ProcedureLine("25600", ("RT",), 1)),
        ("64483-LT-59", ProcedureLine("64483", ("LT", "59"), 1)),
        ("J1030 x2", ProcedureLine("J1030", (), 2)),
        ("j1030x2", ProcedureLine("J1030", (), 2)),
        ("99214-25", ProcedureLine("99214", ("25",), 1)),
        (" 99214 - 25 ", ProcedureLine("99214", ("25",), 1)),
        ("99214-25x2", ProcedureLine("99214", ("25",), 2)),
        ("99214x3", ProcedureLine("99214", (), 3)),
        ("64483-lt-59 X 3", ProcedureLine("64483", ("LT", "59"), 3)),
        ("J7613 *4", ProcedureLine("J7613", (), 4)),
        ("J7613 units 4", ProcedureLine("J7613", (), 4)),
        ("J7613 \u00d74", ProcedureLine("J7613", (), 4)),
        ("0DTJ4ZZ", ProcedureLine("0DTJ4ZZ", (), 1)),
        ("0521f", ProcedureLine("0521F", (), 1)),
        ("99213-RT-LT-59-XS", ProcedureLine("99213", ("RT", "LT", "59", "XS"), 1)),
        ("J1030 x999", ProcedureLine("J1030", (), 999)),
        ("e119", ProcedureLine("E11.9", (), 1)),
    ],
)
def test_parse(line, expected):
    assert parse_procedure(line) == expected


def test_pcs_hint_keeps_an_x_inside_the_code():
    assert parse_procedure("30233X1") == ProcedureLine("30233", (), 1)
    assert parse_procedure("30233X1", system="icd-10-pcs") == ProcedureLine("30233X1", (), 1)


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("-25", "code is missing"),
        ("99214--25", "empty"),
        ("99214-", "empty"),
        ("99214-RT-LT-59-XS-76", "at most 4"),
        ("99214-25-25", "repeated"),
        ("99214-A", "not a modifier"),
        ("99214-ABC", "not a modifier"),
        ("99214-L T", "not a modifier"),
        ("J1030 x0", "between 1 and 999"),
        ("J1030 x1000", "between 1 and 999"),
        ("J1030 2", "not a code"),
        ("J1030/2", "not a code"),
    ],
)
def test_parse_rejects(line, words):
    with pytest.raises(LineError) as caught:
        parse_procedure(line)
    assert words in caught.value.reason
    assert isinstance(caught.value, ValueError)


def test_format():
    assert format_procedure(ProcedureLine("64483", ("LT", "59"), 1)) == "64483-LT-59"
    assert format_procedure(ProcedureLine("J1030", (), 2)) == "J1030 x2"
    assert format_procedure(ProcedureLine("99214", ("25",), 3)) == "99214-25 x3"
    assert str(ProcedureLine("25600", ("RT",))) == "25600-RT"


_code = st.sampled_from(["25600", "64483", "99214", "J1030", "A4253", "0521F", "0042T"])
_mods = st.lists(st.sampled_from(["RT", "LT", "59", "25", "XS", "76", "GA"]), max_size=4, unique=True)


@given(_code, _mods, st.integers(1, 999), st.booleans())
def test_format_then_parse_round_trips(code, mods, units, lower):
    pl = ProcedureLine(code, tuple(mods), units)
    text = format_procedure(pl)
    assert parse_procedure(text.lower() if lower else text) == pl


@pytest.mark.parametrize(
    ("code", "system"),
    [
        ("99214", "cpt"),
        ("0521F", "cpt"),
        ("0042T", "cpt"),
        ("0001U", "cpt"),
        ("A0425", "hcpcs"),
        ("E0114", "hcpcs"),
        ("j1030", "hcpcs"),
        ("D0120", "hcpcs"),  # shaped like HCPCS; validation refuses CDT
        ("E1165", "hcpcs"),  # no dot: read as HCPCS, not E11.65
        ("A04.1", "icd-10-cm"),
        ("E01.1", "icd-10-cm"),
        ("E11.65", "icd-10-cm"),
        ("I10", "icd-10-cm"),
        ("E119", "icd-10-cm"),
        ("S52521A", "icd-10-cm"),
        ("S52.521A", "icd-10-cm"),
        ("0DTJ4ZZ", "icd-10-pcs"),
        ("XW033E5", "icd-10-pcs"),
        ("BW28ZZZ", "icd-10-pcs"),
        ("0OTJ4ZZ", None),
        ("1234", None),
        ("hello", None),
        ("E11.", None),
        ("", None),
    ],
)
def test_code_system(code, system):
    assert code_system(code) == system
