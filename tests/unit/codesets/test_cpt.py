"""CPT: format checks and the licensed-file loader (no descriptors shipped)."""

from __future__ import annotations

import io

import pytest

from prep.codesets import cpt
from prep.codesets.common import CodeFileError

# Placeholder descriptors: the product never holds real CPT text.
REGISTRY = {"99214": "descriptor one", "25600": "descriptor two", "0521F": "descriptor three"}


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("99214", "category-1"),
        (" 00100 ", "category-1"),
        ("0521F", "category-2"),
        ("0521f", "category-2"),
        ("0042T", "category-3"),
        ("0001U", "pla"),
        ("0002M", "maaa"),
        ("9921", None),
        ("992145", None),
        ("J1030", None),
        ("0521X", None),
        ("", None),
    ],
)
def test_kind(code, kind):
    assert cpt.kind(code) == kind


def test_normalize():
    assert cpt.normalize(" 0521f ") == "0521F"
    assert cpt.normalize("99 214") == "99214"


def test_validate_without_registry_checks_shape_only():
    ok = cpt.validate("99214")
    assert ok.ok and ok.description is None
    assert "not checked" in ok.message
    assert cpt.validate("0042t").code == "0042T"
    bad = cpt.validate(" 9921 ")
    assert bad.status == "invalid" and bad.code == "9921"
    assert cpt.validate("").status == "invalid"


def test_validate_with_registry():
    found = cpt.validate("99214", REGISTRY)
    assert found.ok and found.description == "descriptor one"
    missing = cpt.validate("99215", REGISTRY)
    assert missing.status == "invalid"
    assert "not in the loaded CPT file" in missing.message
    assert cpt.validate("9921", REGISTRY).status == "invalid"
    assert cpt.validate("99215", {}).ok  # an empty registry means none loaded


def test_describe():
    assert cpt.describe("0521f", REGISTRY) == "descriptor three"
    assert cpt.describe("99214") is None
    assert cpt.describe("99215", REGISTRY) is None


def test_load_csv_with_header(tmp_path):
    path = tmp_path / "cpt.csv"
    path.write_text(
        "CPT Code,Short Description,Long Description\n"
        '99214,short a,"long a, with a comma"\n'
        "\n"
        "0521f,short b,long b\n"
        '99214,short a,"long a, with a comma"\n',
        encoding="utf-8",
    )
    assert cpt.load_cpt_csv(path) == {"99214": "long a, with a comma", "0521F": "long b"}
    assert cpt.load_cpt_csv(str(path)) == cpt.load_cpt_csv(path)


@pytest.mark.parametrize(
    "text",
    [
        "code,description\n99214,desc a\n",
        "cpt\tdescriptor\n99214\tdesc a\n",
        "\ufeffcpt_code;long_descriptor\n99214;desc a\n",
        "99214\tdesc a\n",  # no header
        "CODE|DESCRIPTION\r\n99214|desc a\r\n",
    ],
)
def test_load_csv_dialects_and_headers(text):
    assert cpt.load_cpt_csv(io.StringIO(text)) == {"99214": "desc a"}


def test_load_csv_from_binary_file_in_windows_1252():
    data = "code,description\n99214,caf\u00e9 descriptor\n".encode("cp1252")
    assert cpt.load_cpt_csv(io.BytesIO(data)) == {"99214": "caf\u00e9 descriptor"}


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("", 1, "empty"),
        ("name,description\n99214,a\n", 1, "no code column"),
        ("code,notes\n99214,a\n", 1, "no description column"),
        ("code,description\n99214,a\n9921,b\n", 3, "not shaped like a CPT code"),
        ("code,description\n99214,a\n99215,\n", 3, "no description"),
        ("code,description\n99214,a\n99215\n", 3, "columns"),
        ("code,description\n99214,a\n99214,b\n", 3, "twice"),
        ("code,description\n,a\n", 2, "empty"),
        ("code,description\n", 1, "no codes"),
    ],
)
def test_load_csv_rejects_malformed_files(text, line, reason):
    with pytest.raises(CodeFileError) as caught:
        cpt.load_cpt_csv(io.StringIO(text))
    assert caught.value.line == line
    assert reason in caught.value.reason
    assert str(caught.value).startswith(f"line {line}: ")
