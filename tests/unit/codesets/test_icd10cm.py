"""ICD-10-CM: normalisation, validation, descriptions and notes (real codes)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prep.codesets import icd10cm


@pytest.fixture(scope="module", autouse=True)
def tables():
    """Load the tables once for this module (about 2 s)."""
    icd10cm.warm(index=False)


# --------------------------------------------------------------- normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("s52521a", "S52.521A"),
        (" e11.9 ", "E11.9"),
        ("S52.521a", "S52.521A"),
        ("E119", "E11.9"),
        ("i10", "I10"),
        ("t38.0x5a", "T38.0X5A"),
        ("S52.52-", "S52.52"),
        ("E11.", "E11"),
        ("s 52 .5 21 a", "S52.521A"),
        ("qa0.0101", "QA0.0101"),
        ("hello", "HELLO"),
        ("A00-A09", "A00-A09"),
        ("E1.19", "E1.19"),  # a dot in the wrong place is not silently moved
    ],
)
def test_normalize(raw, expected):
    assert icd10cm.normalize(raw) == expected


_category = st.builds(
    lambda a, b, c: a + b + c,
    st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
    st.sampled_from("0123456789"),
    st.sampled_from("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"),
)
_tail = st.text(alphabet="0123456789ABXYZ", min_size=0, max_size=4)


@given(st.text(max_size=12))
def test_normalize_is_idempotent(text):
    once = icd10cm.normalize(text)
    assert icd10cm.normalize(once) == once


@given(_category, _tail, st.booleans(), st.lists(st.integers(0, 8), max_size=3))
@settings(max_examples=200)
def test_dots_case_and_spaces_do_not_matter(cat, tail, lower, space_at):
    canonical = icd10cm.normalize(cat + tail)
    dotted = cat + ("." + tail if tail else "")
    variant = dotted.lower() if lower else dotted
    for pos in space_at:
        variant = variant[:pos] + " " + variant[pos:]
    assert icd10cm.normalize(variant) == canonical
    assert icd10cm.normalize(f"  {cat}{tail}  ") == canonical
    assert canonical == (dotted if tail else cat)


def test_category():
    assert icd10cm.category("s52521a") == "S52"
    assert icd10cm.category("I10") == "I10"
    with pytest.raises(ValueError):
        icd10cm.category("hello")


# ------------------------------------------------------------------ lookups


@pytest.mark.parametrize(
    "code",
    [
        "E11.9",
        "I10",
        "S52.521A",
        "J45.909",
        "T38.0X5A",
        "S93.401A",
        "W19.XXXA",
        "H40.1111",
        "U07.1",
        "s52521a",
    ],
)
def test_reportable_codes_are_valid(code):
    assert icd10cm.exists(code)
    assert icd10cm.is_reportable(code)
    result = icd10cm.validate(code)
    assert result.ok and result.status == "valid"
    assert result.code == icd10cm.normalize(code)
    assert result.description
    assert result.description in result.message


@pytest.mark.parametrize("code", ["E11", "S52.52", "S52.521", "E11.6", "W19", "T38.0X", "QA0", "B99"])
def test_categories_and_subcategories_are_incomplete(code):
    assert icd10cm.exists(code)
    assert not icd10cm.is_reportable(code)
    result = icd10cm.validate(code)
    assert result.status == "incomplete"
    assert not result.ok
    assert result.description


def test_incomplete_message_gives_an_example():
    assert icd10cm.validate("S52.52").message == (
        "S52.52 is a subcategory, not a reportable code: it needs more characters (e.g. S52.521A)"
    )
    assert "category" in icd10cm.validate("E11").message


def test_missing_seventh_character_lists_the_allowed_ones():
    message = icd10cm.validate("S52.521").message
    assert "7th character" in message
    assert "A, D, G, K, P or S" in message
    assert "S52.521A" in message
    w19 = icd10cm.validate("W19").message
    assert "placeholder" in w19 and "W19.XXXA" in w19


@pytest.mark.parametrize(
    "code", ["Z99.999", "S52.521Z", "S52.521B", "E11.9A", "T38.05A", "hello", "A00-A09", "19", "", "   "]
)
def test_invalid_codes(code):
    result = icd10cm.validate(code)
    assert result.status == "invalid"
    assert result.description is None
    assert not icd10cm.is_reportable(code)


def test_invalid_messages():
    assert icd10cm.validate("Z99.999").message == "Z99.999 is not an ICD-10-CM code"
    assert "Z is not a 7th character S52.521 takes" in icd10cm.validate("S52.521Z").message
    # Torus fractures are closed: B (open fracture) is not offered for them.
    assert "use A, D, G, K, P or S" in icd10cm.validate("S52.521B").message
    assert "did you mean T38.0X5A?" in icd10cm.validate("T38.05A").message
    assert "did you mean W19.XXXA?" in icd10cm.validate("w19a").message
    assert "already complete" in icd10cm.validate("E11.9A").message
    assert "not shaped like" in icd10cm.validate("hello").message
    assert icd10cm.validate("  hello ").code == "hello"


def test_chapters_and_blocks_are_not_codes():
    for item in ["1", "19", "A00-A09", "S50-S59"]:
        assert not icd10cm.exists(item)
        assert icd10cm.describe(item) is None


def test_describe():
    assert icd10cm.describe("e11.9") == "Type 2 diabetes mellitus without complications"
    assert icd10cm.describe("S52.521A") == (
        "Torus fracture of lower end of right radius, initial encounter for closed fracture"
    )
    assert icd10cm.describe("Z99.999") is None
    # the "/\t" joins of the tables are tidied
    assert "/\t" not in icd10cm.describe("S52.501B")
    assert " / " in icd10cm.describe("S52.501B")


# --------------------------------------------------------------------- info


def test_info_for_a_seventh_character_code():
    data = icd10cm.info("s52521a")
    assert data["code"] == "S52.521A"
    assert data["reportable"] is True
    assert data["kind"] == "code with 7th character"
    assert [code for code, _ in data["parents"]] == ["S52", "S52.5", "S52.52", "S52.521"]
    assert data["block"][0] == "S50-S59"
    assert data["chapter"][0] == "19"
    assert data["seventh_character"] == ("A", "initial encounter for closed fracture")
    assert set(data["seventh_characters"]) == set("ADGKPS")
    assert data["seventh_note"]
    assert ("S52", "traumatic amputation of forearm (S58.-)") in data["excludes1"]
    sources = [source for source, _ in data["excludes2"]]
    assert "S52.5" in sources and "S52" in sources and "19" in sources
    assert sources.index("S52.5") < sources.index("S52") < sources.index("19")  # nearest first
    assert any(source == "19" for source, _ in data["use_additional"])


def test_info_notes_for_diabetes():
    e11 = icd10cm.info("E11.9")
    assert any("Z79.4" in text for _, text in e11["use_additional"])
    assert [code for code, _ in e11["parents"]] == ["E11"]
    assert e11["seventh_characters"] == {} and e11["seventh_character"] is None
    e08 = icd10cm.info("E08")
    assert e08["parents"] == []
    assert e08["code_first"] and e08["code_first"][0][0] == "E08"
    assert "underlying condition" in e08["code_first"][0][1]
    assert e08["children"][0][0] == "E08.0"
    assert icd10cm.info("J45.909")["inclusion_terms"] == ["Asthma NOS"]
    assert icd10cm.info("E11")["includes"][0][0] == "E11"


def test_info_for_a_block_named_like_its_category():
    data = icd10cm.info("B99.8")
    assert data["parents"] == [("B99", "Other and unspecified infectious diseases")]
    assert data["block"] == ("B99", "Other infectious diseases (B99)")
    assert data["chapter"][0] == "1"


def test_info_for_unknown_code_raises():
    with pytest.raises(KeyError):
        icd10cm.info("Z99.999")
