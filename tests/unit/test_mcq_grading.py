"""MCQ grading and the report by area."""

from __future__ import annotations

import pytest

from prep.grading.mcq import exam_report, grade_mcq

CHOICES = [{"text": "a", "correct": False}, {"text": "b", "correct": True}, {"text": "c", "correct": False}]


def test_grade_mcq():
    assert grade_mcq(CHOICES, 1).correct is True and grade_mcq(CHOICES, 1).points == 1.0
    assert grade_mcq(CHOICES, 0).correct is False and grade_mcq(CHOICES, 0).answer == 1
    assert grade_mcq(CHOICES, None).points == 0.0
    with pytest.raises(ValueError):
        grade_mcq([{"text": "a", "correct": True}, {"text": "b", "correct": True}], 0)


def test_report_by_area_in_blueprint_order_and_pass_mark():
    results = [("anatomy", 1.0), ("terminology", 0.0), ("anatomy", 1.0), ("terminology", 1.0), ("anatomy", 0.0)]
    report = exam_report(results, ["terminology", "anatomy", "ndc"], pass_percent=60)
    assert [a.domain for a in report.areas] == ["terminology", "anatomy"]  # empty areas left out
    assert (report.correct, report.total, report.percent, report.passed) == (3.0, 5, 60.0, True)
    assert report.areas[1].percent == 66.7
    assert exam_report(results, [], pass_percent=61).passed is False


def test_pass_mark_uses_the_exact_score_not_the_rounded_one():
    # 69.95% rounds to 70.0 but is below a 70% mark.
    results = [("anatomy", 1.0)] * 1399 + [("anatomy", 0.0)] * 601
    report = exam_report(results, ["anatomy"], pass_percent=70)
    assert report.percent == 70.0 and report.passed is False
