"""NDC: layouts, the 11-digit billing form and conversions."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prep.codesets import ndc
from prep.codesets.ndc import NDC, NDCError


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("1234-5678-90", NDC("1234", "5678", "90", "4-4-2")),
        ("12345-678-90", NDC("12345", "678", "90", "5-3-2")),
        ("12345-6789-0", NDC("12345", "6789", "0", "5-4-1")),
        ("01234-5678-90", NDC("01234", "5678", "90", "5-4-2")),
        ("01234567890", NDC("01234", "5678", "90", "5-4-2")),
        (" 12345-678-90 ", NDC("12345", "678", "90", "5-3-2")),
    ],
)
def test_parse(text, parsed):
    assert ndc.parse(text) == parsed


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("1234567890", "ambiguous"),
        ("123-4567-890", "groups are 3-4-3"),
        ("12345-6789-01-1", "not an NDC"),
        ("abcd-5678-90", "not an NDC"),
        ("", "not an NDC"),
        ("12345678912", "padding zero"),
        ("12345-6789-12", "padding zero"),
    ],
)
def test_parse_rejects(text, words):
    with pytest.raises(NDCError) as caught:
        ndc.parse(text)
    assert words in str(caught.value)


@pytest.mark.parametrize(
    ("ten", "eleven"),
    [
        ("1234-5678-90", "01234-5678-90"),
        ("12345-678-90", "12345-0678-90"),
        ("12345-6789-0", "12345-6789-00"),
        ("0002-1433-80", "00002-1433-80"),
    ],
)
def test_to_11_and_back(ten, eleven):
    layout = ndc.parse(ten).layout
    assert ndc.to_11(ten) == eleven
    assert ndc.to_11(ten, hyphens=False) == eleven.replace("-", "")
    assert ndc.from_11(eleven, layout) == ten
    assert ndc.from_11(eleven.replace("-", ""), layout) == ten


def test_from_11_errors():
    with pytest.raises(NDCError):
        ndc.from_11("12345-6789-01", "4-4-2")  # labeler not padded
    with pytest.raises(NDCError):
        ndc.from_11("01234-5678-90", "3-3-3")
    with pytest.raises(NDCError):
        ndc.from_11("1234-5678-90", "4-4-2")  # not 11 digits
    assert ndc.from_11("01234567890", "5-4-2") == "01234-5678-90"


def test_validate():
    ten = ndc.validate("12345-678-90")
    assert ten.ok and ten.code == "12345-678-90" and "12345-0678-90" in ten.message
    eleven = ndc.validate("12345067890")
    assert eleven.ok and eleven.code == "12345-0678-90" and "billing" in eleven.message
    ambiguous = ndc.validate("1234567890")
    assert ambiguous.status == "invalid" and "ambiguous" in ambiguous.message
    assert ndc.validate("12-34").status == "invalid"


_digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


@given(st.sampled_from(ndc.TEN_DIGIT_LAYOUTS), st.data())
def test_round_trip_every_layout(layout, data):
    sizes = ndc.LAYOUTS[layout]
    groups = [data.draw(st.text(alphabet="0123456789", min_size=n, max_size=n)) for n in sizes]
    ten = "-".join(groups)
    eleven = ndc.to_11(ten)
    assert len(eleven.replace("-", "")) == 11
    assert ndc.parse(eleven).layout == "5-4-2"
    assert ndc.from_11(eleven, layout) == ten
    assert ndc.to_11(ndc.from_11(eleven, layout)) == eleven
