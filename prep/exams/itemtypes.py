"""The kinds of question an attempt can hold, in one registry: how an answer is read, graded,
and shown. Adding a kind (multiple-response, say) means adding an entry here.

Plain Python over item content (the bank format): no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from prep.grading.coding import grade_coding
from prep.grading.mcq import correct_index, grade_mcq

MAX_CODE_LINES = 30
MAX_CODE_LENGTH = 40
MAX_FREE_TEXT = 2000


class AnswerError(ValueError):
    """The answer does not fit the question; the message says why."""


@dataclass(frozen=True)
class Grade:
    points: float  # 0..1
    correct: bool
    detail: dict[str, Any]


class Mcq:
    name = "mcq"
    field = "choice"

    @staticmethod
    def choice_count(content: Mapping) -> int:
        return len(content.get("choices", []))

    @staticmethod
    def read_answer(value: Any, number: int, choice_order: list[int]) -> dict | None:
        """``value``: the displayed position chosen, or None to clear."""
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < len(choice_order):
            raise AnswerError(f"Question {number} has no choice {value!r}.")
        return {"choice": value, "original": choice_order[value]}

    @staticmethod
    def is_answered(answer: Mapping | None) -> bool:
        return bool(answer) and answer.get("choice") is not None

    @staticmethod
    def public_answer(answer: Mapping | None):
        return answer.get("choice") if answer else None

    @staticmethod
    def grade(content: Mapping, answer: Mapping | None, **_registries) -> Grade:
        g = grade_mcq(content["choices"], answer.get("original") if answer else None)
        return Grade(g.points, g.correct, {"correct": g.correct, "points": g.points, "answer": g.answer, "chosen": g.chosen})

    @staticmethod
    def displayed_key(content: Mapping, choice_order: list[int]) -> int:
        return choice_order.index(correct_index(content["choices"]))


class Coding:
    name = "coding"
    field = "codes"

    @staticmethod
    def choice_count(content: Mapping) -> int:
        return 0

    @staticmethod
    def read_answer(value: Any, number: int, choice_order: list[int]) -> dict | None:
        """``value``: ``{"diagnoses": [...], "procedures": [...]}`` or free text; empty clears."""
        if value is None:
            return None
        if isinstance(value, str):
            if len(value) > MAX_FREE_TEXT:
                raise AnswerError(f"Question {number}: at most {MAX_FREE_TEXT} characters of codes.")
            return {"codes": value} if value.strip() else None
        if not isinstance(value, Mapping) or set(value) - {"diagnoses", "procedures"}:
            raise AnswerError(f"Question {number}: send codes as {{\"diagnoses\": [...], \"procedures\": [...]}} or as text.")
        out: dict[str, list[str]] = {}
        for field in ("diagnoses", "procedures"):
            lines = value.get(field, [])
            if not isinstance(lines, list) or not all(isinstance(x, str) for x in lines):
                raise AnswerError(f"Question {number}: {field} must be a list of codes.")
            lines = [x.strip() for x in lines if x.strip()]
            if len(lines) > MAX_CODE_LINES:
                raise AnswerError(f"Question {number}: at most {MAX_CODE_LINES} {field}.")
            if any(len(x) > MAX_CODE_LENGTH for x in lines):
                raise AnswerError(f"Question {number}: a code line is longer than {MAX_CODE_LENGTH} characters.")
            out[field] = lines
        return {"codes": out} if out["diagnoses"] or out["procedures"] else None

    @staticmethod
    def is_answered(answer: Mapping | None) -> bool:
        return bool(answer) and bool(answer.get("codes"))

    @staticmethod
    def public_answer(answer: Mapping | None):
        return answer.get("codes") if answer else None

    @staticmethod
    def grade(content: Mapping, answer: Mapping | None, cpt_registry=None, hcpcs_registry=None) -> Grade:
        result = grade_coding(content["key"], answer.get("codes") if answer else None, cpt_registry=cpt_registry, hcpcs_registry=hcpcs_registry)
        detail = result.as_dict()
        return Grade(float(result.score), result.score >= 1.0, detail)

    @staticmethod
    def displayed_key(content: Mapping, choice_order: list[int]) -> dict:
        key = content["key"]
        return {"diagnoses": list(key.get("diagnoses", [])), "procedures": list(key.get("procedures", []))}


KINDS: dict[str, type] = {"mcq": Mcq, "coding": Coding}


def kind_of(name: str):
    """The registry entry for an item type. Raises KeyError for an unknown type."""
    return KINDS[name]
