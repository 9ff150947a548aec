"""Properties of coding grading, checked with hypothesis over real codes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prep.codesets import icd10cm
from prep.codesets.lines import parse_procedure
from prep.grading.coding import grade_coding, parse_free_text

DX_POOL = [
    "E11.22",
    "N18.31",
    "N18.32",
    "Z79.4",
    "Z79.84",
    "I10",
    "E78.5",
    "J45.909",
    "S52.521A",
    "S52.521D",
    "S52.522A",
    "W09.2XXA",
    "Y92.211",
    "M54.50",
    "M17.11",
    "E85.4",
    "G63",
    "E10.9",
    "E11.9",
    "E11.42",
    "Z23",
]
BAD_DX = ["Z99.999", "E11", "S52.521", "HELLO", "E11.222"]
PX_POOL = [
    "99214-25",
    "25600-RT",
    "J1030 x2",
    "20610-RT",
    "64483-LT-59",
    "96372",
    "36415",
    "93000",
    "G0008",
    "J3301 x4",
]
BAD_PX = ["D0120", "9921", "99214-RTX"]
MODIFIER_SETS = [(), ("RT",), ("LT",), ("25",), ("LT", "59"), ("59", "LT")]

SETTINGS = settings(max_examples=60, deadline=None, database=None)


@pytest.fixture(scope="module", autouse=True)
def _tables_loaded():
    icd10cm.warm(index=False)


def test_pools_are_real_codes():
    assert all(icd10cm.is_reportable(c) for c in DX_POOL)
    assert [icd10cm.validate(c).status for c in BAD_DX] == [
        "invalid",
        "incomplete",
        "incomplete",
        "invalid",
        "invalid",
    ]
    assert len({parse_procedure(p).code for p in PX_POOL}) == len(PX_POOL)


@st.composite
def keys(draw):
    diagnoses = draw(st.lists(st.sampled_from(DX_POOL), unique=True, max_size=5))
    procedures = draw(
        st.lists(st.sampled_from(PX_POOL), unique=True, min_size=0 if diagnoses else 1, max_size=4)
    )
    key = {"diagnoses": diagnoses, "procedures": procedures}
    rest = [c for c in DX_POOL if c not in diagnoses]
    if rest and draw(st.booleans()):
        key["optional"] = draw(st.lists(st.sampled_from(rest), unique=True, max_size=2))
    return key


def procedure_variants(line: str):
    """A key line, or the same code with other modifiers and units."""
    pl = parse_procedure(line)
    mods = st.sampled_from(MODIFIER_SETS)
    units = st.sampled_from([1, 2, 4])

    def text(m, u):
        return "-".join((pl.code, *m)) + (f" x{u}" if u > 1 else "")

    return st.one_of(st.just(line), st.builds(text, mods, units))


@st.composite
def answers(draw, key):
    """Answers near the key: some key codes, some others, some bad ones."""
    dx_choices = key["diagnoses"] + DX_POOL + BAD_DX
    diagnoses = draw(st.lists(st.sampled_from(dx_choices), max_size=6))
    px_strategies = [procedure_variants(p) for p in key["procedures"] + PX_POOL] + [st.sampled_from(BAD_PX)]
    procedures = draw(st.lists(st.one_of(px_strategies), max_size=5))
    return {"diagnoses": diagnoses, "procedures": procedures}


@SETTINGS
@given(st.data())
def test_score_is_always_between_zero_and_one(data):
    key = data.draw(keys())
    answer = data.draw(answers(key))
    result = grade_coding(key, answer)
    assert 0.0 <= result.score <= 1.0
    assert result.possible == len(key["diagnoses"]) + len(key["procedures"])
    assert result.points == pytest.approx(sum(line.points for line in result.lines))
    assert result.score == pytest.approx(min(1.0, max(0.0, result.points) / result.possible))


@SETTINGS
@given(keys(), st.text(max_size=60))
def test_any_free_text_grades_without_error(key, text):
    parsed = parse_free_text(text)
    assert set(parsed) == {"diagnoses", "procedures"}
    result = grade_coding(key, text)
    assert 0.0 <= result.score <= 1.0


@SETTINGS
@given(keys())
def test_the_key_itself_scores_one(key):
    answer = {"diagnoses": list(key["diagnoses"]), "procedures": list(key["procedures"])}
    for graded in (answer, " ".join(answer["diagnoses"] + answer["procedures"])):
        result = grade_coding(key, graded)
        assert result.score == 1.0
        assert result.points == result.possible
        assert [line.status for line in result.lines] == ["correct"] * result.possible


@SETTINGS
@given(st.data())
def test_an_extra_code_never_raises_the_score(data):
    key = data.draw(keys())
    answer = data.draw(answers(key))
    before = grade_coding(key, answer).score
    key_codes = set(key["diagnoses"]) | {parse_procedure(p).code for p in key["procedures"]}
    dx_extra = [c for c in DX_POOL if c not in key_codes]
    px_extra = [p for p in PX_POOL if parse_procedure(p).code not in key_codes]
    extra = data.draw(st.sampled_from(dx_extra + px_extra))
    field = "diagnoses" if extra in dx_extra else "procedures"
    position = data.draw(st.integers(0, len(answer[field])))
    bigger = {**answer, field: answer[field][:position] + [extra] + answer[field][position:]}
    assert grade_coding(key, bigger).score <= before


@SETTINGS
@given(st.data())
def test_the_order_of_procedures_does_not_matter(data):
    key = data.draw(keys())
    answer = data.draw(answers(key))
    shuffled = {**answer, "procedures": data.draw(st.permutations(answer["procedures"]))}
    assert grade_coding(key, shuffled).score == grade_coding(key, answer).score


def _respell_diagnosis(draw, code: str) -> str:
    if draw(st.booleans()):
        code = code.replace(".", "")
    if draw(st.booleans()):
        code = code.lower()
    if len(code) > 3 and draw(st.booleans()):
        code = code[:3] + " " + code[3:]
    return " " * draw(st.integers(0, 2)) + code + " " * draw(st.integers(0, 2))


def _respell_procedure(draw, line: str) -> str:
    pl = parse_procedure(line)
    hyphen = draw(st.sampled_from(["-", " - ", " -", "- "]))
    text = hyphen.join((pl.code, *pl.modifiers))
    if pl.units > 1:
        text += draw(st.sampled_from([f" x{pl.units}", f"X{pl.units}", f" X {pl.units}", f" *{pl.units}"]))
    if draw(st.booleans()):
        text = text.lower()
    return " " * draw(st.integers(0, 2)) + text + " " * draw(st.integers(0, 2))


@SETTINGS
@given(st.data())
def test_case_dots_and_spaces_do_not_change_the_grade(data):
    key = data.draw(keys())
    answer = data.draw(answers(key))
    answer = {
        "diagnoses": [c for c in answer["diagnoses"] if c not in BAD_DX],
        "procedures": [p for p in answer["procedures"] if p not in BAD_PX],
    }
    respelled = {
        "diagnoses": [_respell_diagnosis(data.draw, c) for c in answer["diagnoses"]],
        "procedures": [_respell_procedure(data.draw, p) for p in answer["procedures"]],
    }
    original = grade_coding(key, answer)
    again = grade_coding(key, respelled)
    assert again.score == original.score
    assert [(line.code, line.status) for line in again.lines] == [
        (line.code, line.status) for line in original.lines
    ]
