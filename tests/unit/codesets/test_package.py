"""The two helpers used by question-bank validation."""

from __future__ import annotations

import pytest

import prep.codesets as codesets
from prep.codesets import Validation, validate_diagnosis, validate_procedure_line

HCPCS_REGISTRY = {"J1030": "Methylprednisolone acetate injection, each 40 mg"}
CPT_REGISTRY = {"99214": "placeholder", "64483": "placeholder"}


def test_re_exports():
    for name in ("icd10cm", "cpt", "hcpcs", "modifiers", "pcs", "ndc", "lines"):
        assert hasattr(codesets, name)
    assert codesets.Validation is Validation


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("E11.9", "valid"),
        ("s52521a", "valid"),
        ("W19.XXXA", "valid"),
        ("E11", "incomplete"),
        ("S52.521", "incomplete"),
        ("Z99.999", "invalid"),
        ("99214", "invalid"),
    ],
)
def test_validate_diagnosis(code, status):
    assert validate_diagnosis(code).status == status


@pytest.mark.parametrize(
    ("line", "status", "code"),
    [
        ("25600-RT", "valid", "25600-RT"),
        ("64483-lt-59", "valid", "64483-LT-59"),
        ("j1030x2", "valid", "J1030 x2"),
        ("99214-25", "valid", "99214-25"),
        ("0DTJ4ZZ", "valid", "0DTJ4ZZ"),
        ("0521F", "valid", "0521F"),
        ("0DTJ4ZZ-RT", "invalid", "0DTJ4ZZ-RT"),
        ("0DTJ4ZZ x2", "invalid", "0DTJ4ZZ x2"),
        ("0OTJ4ZZ", "invalid", "0OTJ4ZZ"),
        ("D0120", "invalid", "D0120"),
        ("E11.9", "invalid", "E11.9"),
        ("1234", "invalid", "1234"),
        ("99214-25-25", "invalid", "99214-25-25"),
        ("  ", "invalid", ""),
    ],
)
def test_validate_procedure_line_without_registries(line, status, code):
    result = validate_procedure_line(line)
    assert result.status == status, result.message
    assert result.code == code


def test_messages_explain():
    assert "diagnosis" in validate_procedure_line("E11.9").message
    assert "character 2 is the letter O" in validate_procedure_line("0OTJ4ZZ").message
    assert "takes no modifiers" in validate_procedure_line("0DTJ4ZZ-RT").message


def test_validate_procedure_line_with_registries():
    ok = validate_procedure_line("J1030 x2", hcpcs_registry=HCPCS_REGISTRY)
    assert ok.ok and ok.description == HCPCS_REGISTRY["J1030"]
    assert validate_procedure_line("J3301", hcpcs_registry=HCPCS_REGISTRY).status == "invalid"
    assert validate_procedure_line("64483-LT-59", cpt_registry=CPT_REGISTRY).ok
    missing = validate_procedure_line("99215-25", cpt_registry=CPT_REGISTRY)
    assert missing.status == "invalid" and "loaded CPT file" in missing.message
    # a CPT registry says nothing about HCPCS codes, and the other way round
    assert validate_procedure_line("J3301", cpt_registry=CPT_REGISTRY).ok
    assert validate_procedure_line("99215", hcpcs_registry=HCPCS_REGISTRY).ok


def test_pcs_hint():
    assert validate_procedure_line("30233X1", system="icd-10-pcs").code == "30233X1"
