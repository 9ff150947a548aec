"""Multiple-choice grading and the exam report by area. Pure functions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class McqGrade:
    correct: bool
    points: float
    chosen: int | None  # original index of the chosen choice
    answer: int  # original index of the correct choice


def correct_index(choices: Sequence[Mapping[str, Any]]) -> int:
    """The original index of the one correct choice. Raises ValueError if there is not exactly one."""
    found = [i for i, c in enumerate(choices) if c.get("correct") is True]
    if len(found) != 1:
        raise ValueError(f"expected exactly one correct choice, found {len(found)}")
    return found[0]


def grade_mcq(choices: Sequence[Mapping[str, Any]], chosen: int | None) -> McqGrade:
    """Grade a single-answer MCQ: 1 point for the correct choice, 0 otherwise (or unanswered).

    ``chosen`` is the original index of the choice the learner picked, or None.
    """
    answer = correct_index(choices)
    ok = chosen is not None and chosen == answer
    return McqGrade(correct=ok, points=1.0 if ok else 0.0, chosen=chosen, answer=answer)


@dataclass
class AreaResult:
    domain: str
    correct: float = 0.0
    total: int = 0

    @property
    def percent(self) -> float:
        return round(100.0 * self.correct / self.total, 1) if self.total else 0.0


@dataclass
class ExamReport:
    correct: float
    total: int
    percent: float
    passed: bool
    areas: list[AreaResult] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "correct": self.correct,
            "total": self.total,
            "percent": self.percent,
            "passed": self.passed,
            "areas": [{"domain": a.domain, "correct": a.correct, "total": a.total, "percent": a.percent} for a in self.areas],
        }


def exam_report(results: Sequence[tuple[str, float]], area_order: Sequence[str], pass_percent: int) -> ExamReport:
    """Sum per-question points into a score, pass/fail and a report by area.

    ``results`` holds ``(domain, points)`` for every question of the attempt (unanswered
    questions count with 0 points); areas appear in ``area_order`` (the blueprint's order),
    followed by any other area in order of first appearance. Passing means a percentage of
    at least ``pass_percent``.
    """
    areas: dict[str, AreaResult] = {d: AreaResult(d) for d in area_order}
    for domain, points in results:
        area = areas.setdefault(domain, AreaResult(domain))
        area.correct += points
        area.total += 1
    total = len(results)
    correct = sum(p for _, p in results)
    percent = round(100.0 * correct / total, 1) if total else 0.0
    return ExamReport(
        correct=correct,
        total=total,
        percent=percent,
        passed=total > 0 and correct * 100 >= pass_percent * total,  # exact, not the rounded percent
        areas=[a for a in areas.values() if a.total],
    )
