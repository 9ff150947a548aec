"""HCPCS Level II: format, CDT refusal, and CMS's fixed-width / CSV files."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from prep.codesets import hcpcs
from prep.codesets.common import CodeFileError

FIXTURE = Path(__file__).parent / "fixtures" / "hcpcs_sample.txt"
SAMPLE_CODES = {"A4253", "E0114", "G0008", "J0696", "J1030", "J1100", "J3301", "J7613"}


def record(code: str, seq: str, ric: str, long: str = "", short: str = "") -> str:
    """One 320-character record laid out like CMS's file."""
    return (code.ljust(5) + seq + ric + long.ljust(80) + short.ljust(28)).ljust(320)


@pytest.mark.parametrize("code", ["J1030", " j1030 ", "A4253", "E0114", "G0008", "V2020"])
def test_well_formed_codes_are_valid_without_registry(code):
    result = hcpcs.validate(code)
    assert result.ok
    assert result.code == code.strip().upper()
    assert "not checked" in result.message


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("D0120", "CDT"),
        ("W1234", "A to V"),
        ("F1234", "no section"),
        ("J103", "not shaped"),
        ("J10300", "not shaped"),
        ("12345", "not shaped"),
        ("", "No HCPCS"),
    ],
)
def test_invalid_codes(code, words):
    result = hcpcs.validate(code)
    assert result.status == "invalid"
    assert words in result.message


def test_fixture_records_are_320_characters():
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    assert lines and all(len(line) == 320 for line in lines)


def test_load_fixed_width_fixture():
    registry = hcpcs.load_hcpcs_file(FIXTURE)
    assert set(registry) == SAMPLE_CODES  # D code and modifier records skipped
    assert registry["J1030"] == "Methylprednisolone acetate injection, each 40 mg"
    # continuation lines (record identification code 4) are joined
    assert registry["E0114"].endswith("adjustable or fixed, supplied with pads, tips and hand grips")
    assert registry["J7613"].startswith("Albuterol") and registry["J7613"].endswith("each 1 mg")
    assert "  " not in registry["J7613"]


def test_registry_drives_validate_and_describe():
    registry = hcpcs.load_hcpcs_file(FIXTURE)
    found = hcpcs.validate("j1030", registry)
    assert found.ok and found.description == registry["J1030"]
    missing = hcpcs.validate("J1040", registry)
    assert missing.status == "invalid" and "not in the loaded HCPCS file" in missing.message
    assert hcpcs.validate("D0120", registry).status == "invalid"
    assert hcpcs.describe("J3301", registry) == registry["J3301"]
    assert hcpcs.describe("J3301") is None


def test_load_from_open_files():
    data = FIXTURE.read_bytes()
    assert hcpcs.load_hcpcs_file(io.BytesIO(data)) == hcpcs.load_hcpcs_file(FIXTURE)
    assert hcpcs.load_hcpcs_file(io.StringIO(data.decode())) == hcpcs.load_hcpcs_file(FIXTURE)


def test_lines_with_trailing_spaces_trimmed_and_a_word_cut_across_lines():
    text = "\n".join(
        [
            record(
                "J1100", "00100", "3", "Dexamethasone sodium phosphate injection, each 1 mg", "Dexa inj"
            ).rstrip(),
            record("A9999", "00100", "3", "x" * 70 + " abcdefghi", "Long one"),
            record("A9999", "00200", "4", "jkl and the rest").rstrip(),
        ]
    )
    registry = hcpcs.parse_fixed_width(text)
    assert registry["J1100"] == "Dexamethasone sodium phosphate injection, each 1 mg"
    assert registry["A9999"].endswith(" abcdefghijkl and the rest")


def test_short_description_used_when_long_is_blank():
    text = record("A4253", "00100", "3", "", "Glucose strips")
    assert hcpcs.parse_fixed_width(text) == {"A4253": "Glucose strips"}


@pytest.mark.parametrize(
    ("lines", "line", "reason"),
    [
        ([record("J1030", "00100", "3", "ok") + "EXTRA"], 1, "320"),
        (["J1030001"], 1, "too short"),
        ([record("J1030", "0010A", "3", "ok")], 1, "sequence number"),
        (
            [record("J1030", "00100", "3", "ok"), record("J1100", "00100", "5", "bad")],
            2,
            "record identification",
        ),
        ([record("J1030", "00100", "3", "ok"), record("1030J", "00100", "3", "bad")], 2, "not shaped"),
        ([record("J1030", "00100", "3", "ok"), record("J1100", "00200", "4", "orphan")], 2, "continuation"),
        (
            [record("J1030", "00100", "3", "ok"), record("J1030", "00100", "3", "again")],
            2,
            "second first line",
        ),
        ([record("J1030", "00100", "3", "", "")], 1, "no description"),
        ([record("D0120", "00100", "3", "dental")], 1, "no codes"),
    ],
)
def test_malformed_fixed_width_files_are_rejected(tmp_path, lines, line, reason):
    path = tmp_path / "bad.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CodeFileError) as caught:
        hcpcs.load_hcpcs_file(path)
    assert caught.value.line == line
    assert reason in caught.value.reason


def test_modifier_record_between_first_line_and_continuation_is_an_error():
    text = "\n".join(
        [
            record("J7613", "00100", "3", "first"),
            record("   LT", "00100", "7", "Left"),
            record("J7613", "00200", "4", "orphan"),
        ]
    )
    with pytest.raises(CodeFileError) as caught:
        hcpcs.parse_fixed_width(text)
    assert caught.value.line == 3


def test_load_csv_like_the_cms_spreadsheet(tmp_path):
    path = tmp_path / "hcpcs.csv"
    path.write_text(
        "HCPC,SEQNUM,RECID,LONG DESCRIPTION,SHORT DESCRIPTION\n"
        'J7613,00100,3,"Albuterol solution for inhalation, FDA-approved final",Albuterol\n'
        'J7613,00200,4,"product, unit dose, each 1 mg",\n'
        "AA,00100,7,Anesthesia by the anesthesiologist,Anesthesia by md\n"
        "D0120,00100,3,dental,dental\n"
        "D0120,00200,4,more dental,\n"
        'J1030,00100,3,"Methylprednisolone acetate injection, each 40 mg",Methylpred\n',
        encoding="utf-8",
    )
    assert hcpcs.load_hcpcs_file(path) == {
        "J7613": "Albuterol solution for inhalation, FDA-approved final product, unit dose, each 1 mg",
        "J1030": "Methylprednisolone acetate injection, each 40 mg",
    }


def test_load_simple_csv():
    text = "code,description\nj1030,Methylprednisolone acetate injection\nD0120,dental\n"
    assert hcpcs.load_hcpcs_file(io.StringIO(text)) == {"J1030": "Methylprednisolone acetate injection"}


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("code,description\nJ1030,ok\nJ10,bad\n", 3),
        ("code,description\nJ1030,ok\nW1234,bad\n", 3),
        ("hcpc,recid,long description\nJ1030,4,orphan\n", 2),
        ("name,text\nJ1030,x\n", 1),
    ],
)
def test_malformed_csv_is_rejected(text, line):
    with pytest.raises(CodeFileError) as caught:
        hcpcs.load_hcpcs_file(io.StringIO(text))
    assert caught.value.line == line
