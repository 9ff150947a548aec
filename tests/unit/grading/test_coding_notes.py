"""Notes on guideline conflicts among the reported codes: Excludes1 pairs,
"code first" (manifestation and etiology), "use additional code" partners,
7th characters that do not fit the encounter. The pairs used are checked
against the notes in the ICD-10-CM tables first."""

from __future__ import annotations

from prep.codesets import icd10cm
from prep.grading.coding import _refs, grade_coding


def notes_of(key, answer) -> list[str]:
    return list(grade_coding(key, answer).notes)


def notes_with(key, answer, prefix: str) -> list[str]:
    return [n for n in notes_of(key, answer) if n.startswith(prefix)]


def excludes1_text(code: str) -> str:
    return " ".join(text for _, text in icd10cm.info(code)["excludes1"])


# --------------------------------------------------------------------------
# reading code references out of note text


def _covers(text: str, code: str) -> bool:
    return any(ref.covers(code) for ref in _refs(text))


def test_references_prefix_range_list_and_qualifier():
    assert _covers("type 2 diabetes mellitus (E11.-)", "E11.9")
    assert not _covers("type 2 diabetes mellitus (E11.-)", "E10.9")
    assert _covers("gestational diabetes (O24.4-)", "O24.410")
    assert _covers("transitory disorders (P70-P74)", "P72.1")
    assert not _covers("transitory disorders (P70-P74)", "P75")
    assert _covers("stage (N18.1-N18.6)", "N18.31")
    assert not _covers("stage (N18.1-N18.6)", "N18.9")
    assert _covers("(E08.22, E09.22, E10.22, E11.22, E13.22)", "E11.22")
    assert _covers("asthma (J45.-)", "J45.909")
    assert _covers("(M05.00 to M05.8A)", "M05.79")
    assert _covers("diabetes mellitus (E08-E13 with .42)", "E11.42")
    assert not _covers("diabetes mellitus (E08-E13 with .42)", "E11.9")
    assert _covers("(T36-T50 with fifth or sixth character 5)", "T38.0X5A")
    assert not _covers("(T36-T50 with fifth or sixth character 5)", "T38.0X1A")
    assert _refs("glucose-6-phosphate dehydrogenase (G6PD) deficiency") == ()


# --------------------------------------------------------------------------
# Excludes1


def test_excludes1_pair_is_real():
    assert "(E11.-)" in excludes1_text("E10.9")


def test_excludes1_pair_type_1_and_type_2_diabetes():
    found = notes_with({"diagnoses": ["E10.9"]}, "E10.9, E11.9", "Excludes1")
    assert len(found) == 1  # each side excludes the other: one note per pair
    assert "E10.9" in found[0] and "E11.9" in found[0] and "type 2 diabetes mellitus (E11.-)" in found[0]


def test_excludes1_found_from_either_code_and_a_category_reference():
    # J98.01 (acute bronchospasm) excludes "asthma (J45.-)"; J45 does not name J98.01.
    assert "(J45.-)" in excludes1_text("J98.01")
    assert "J98" not in excludes1_text("J45.909")
    found = notes_with({"diagnoses": ["J45.909"]}, "J45.909 J98.01", "Excludes1")
    assert len(found) == 1 and "J98.01" in found[0] and "asthma (J45.-)" in found[0]


def test_excludes1_at_block_level_with_a_range():
    # The block W00-W19 excludes "assault involving a fall (Y01-Y02)".
    found = notes_with({"diagnoses": ["W09.2XXA"]}, "W09.2XXA Y01.XXXA", "Excludes1")
    assert len(found) == 1 and "block W00-W19" in found[0] and "Y01-Y02" in found[0]


def test_excludes1_with_a_qualified_range():
    # G63 excludes "diabetes mellitus (E08-E13 with .42)": E11.42, not E11.9.
    assert any("Excludes1" in n and "E11.42" in n for n in notes_of({"diagnoses": ["E11.42"]}, "E11.42 G63"))
    assert not notes_with({"diagnoses": ["E11.9"]}, "E11.9 G63", "Excludes1")


def test_no_excludes1_note_for_compatible_codes():
    assert notes_of({"diagnoses": ["E11.22", "N18.31", "Z79.4"]}, "E11.22 N18.31 Z79.4") == []


# --------------------------------------------------------------------------
# code first


def test_manifestation_codes_are_real():
    for code in ("G63", "N08"):
        info = icd10cm.info(code)
        assert info["reportable"] and info["code_first"], code
        assert "classified elsewhere" in info["description"]


def test_manifestation_without_its_etiology():
    found = notes_with({"diagnoses": ["E85.4", "G63"]}, "G63", "Code first")
    assert len(found) == 1
    assert "G63" in found[0] and "without its etiology" in found[0] and "amyloidosis (E85.-)" in found[0]
    assert notes_with({"diagnoses": ["M10.9", "N08"]}, "N08", "Code first")


def test_manifestation_listed_before_its_etiology():
    found = notes_with({"diagnoses": ["E85.4", "G63"]}, "G63 E85.4", "Code first")
    assert len(found) == 1 and "listed before E85.4" in found[0]


def test_etiology_first_then_manifestation_gives_no_note():
    assert notes_with({"diagnoses": ["E85.4", "G63"]}, "E85.4 G63", "Code first") == []


def test_ckd_listed_before_diabetic_ckd():
    found = notes_with({"diagnoses": ["E11.22", "N18.31"]}, "N18.31 E11.22", "Code first")
    assert len(found) == 1 and "N18.31" in found[0] and "listed before E11.22" in found[0]


# --------------------------------------------------------------------------
# use additional code


def test_use_additional_code_partner_in_the_key_not_reported():
    key = {"diagnoses": ["E11.22", "N18.31", "Z79.4"]}
    found = notes_with(key, "E11.22", "Use additional code")
    assert len(found) == 2
    ckd = next(n for n in found if "N18.31" in n)
    assert "note on E11.22" in ckd and "stage of chronic kidney disease" in ckd
    insulin = next(n for n in found if "Z79.4" in n)
    assert "at E11" in insulin and "insulin" in insulin


def test_use_additional_code_is_quiet_when_some_partner_is_reported():
    key = {"diagnoses": ["E11.22", "N18.31", "Z79.4"]}
    # A CKD stage was reported (the wrong one: a near miss), and Z79.4 too.
    assert notes_with(key, "E11.22 N18.32 Z79.4", "Use additional code") == []


def test_use_additional_code_only_for_partners_the_key_has():
    assert notes_with({"diagnoses": ["E11.22"]}, "E11.22", "Use additional code") == []


# --------------------------------------------------------------------------
# 7th character


def test_seventh_character_subsequent_instead_of_initial():
    key = {"diagnoses": ["S52.521A", "W09.2XXA"]}
    result = grade_coding(key, "S52.521D W09.2XXA")
    found = [n for n in result.notes if n.startswith("7th character")]
    assert len(found) == 1
    assert "S52.521D" in found[0] and "S52.521A" in found[0] and "describes the encounter" in found[0]
    assert [line.status for line in result.lines] == ["missing", "correct", "near_miss"]


def test_seventh_character_initial_instead_of_subsequent_and_sequela():
    found = notes_with({"diagnoses": ["S52.521D"]}, "S52.521A", "7th character")
    assert len(found) == 1 and "routine healing" in found[0]
    found = notes_with({"diagnoses": ["W09.2XXA"]}, "W09.2XXS", "7th character")
    assert len(found) == 1 and "sequela" in found[0]


def test_no_seventh_character_note_for_another_code_of_the_category():
    assert notes_with({"diagnoses": ["S52.521A"]}, "S52.522A", "7th character") == []
