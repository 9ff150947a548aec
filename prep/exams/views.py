"""Shapes of attempts for pages and the JSON API, with the answer key only when allowed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prep.domains import domain_name
from prep.exams import operations as ops
from prep.exams.itemtypes import kind_of
from prep.exams.models import Attempt, AttemptQuestion
from prep.rendering import render_markdown

LETTERS = "ABCDEFGH"


def question_public(q: AttemptQuestion, attempt: Attempt) -> dict[str, Any]:
    """A question as the learner sees it during the attempt: never the key, except practice
    feedback for a question already answered."""
    item = q.item
    choices = item.content.get("choices", [])
    r = q.response
    kind = kind_of(q.kind)
    out: dict[str, Any] = {
        "position": q.position,
        "number": q.position + 1,
        "domain": q.domain,
        "domain_name": domain_name(q.domain),
        "type": item.type,
        "stem": str(render_markdown(item.stem)),
        "choices": [
            {"id": pos, "label": LETTERS[pos], "text": str(render_markdown(choices[orig]["text"]))}
            for pos, orig in enumerate(q.choice_order)
        ],
        "answer": kind.public_answer(r.answer) if r else None,
        "flagged": bool(r.flagged) if r else False,
    }
    if attempt.mode == "practice" and r is not None and r.grade:
        out["feedback"] = feedback_public(ops.practice_feedback(q, r))
    return out


def feedback_public(fb: dict[str, Any]) -> dict[str, Any]:
    """Practice feedback with Markdown rendered: for an MCQ the key and every choice's reason;
    for a coding scenario the graded lines, notes, the key's codes and the score."""
    if fb.get("kind") == "coding":
        return {
            "kind": "coding",
            "correct": fb["correct"],
            "score": fb["score"],
            "lines": fb["grade"]["lines"],
            "notes": fb["grade"]["notes"],
            "key": fb["key"],
            "rationale": str(render_markdown(fb["rationale"])),
        }
    return {
        "kind": "mcq",
        "correct": fb["correct"],
        "answer": fb["answer"],
        "chosen": fb["chosen"],
        "rationale": str(render_markdown(fb["rationale"])),
        "why": [str(render_markdown(w)) if w else "" for w in fb["why"]],
    }


def attempt_summary(attempt: Attempt, now: datetime) -> dict[str, Any]:
    bp = attempt.blueprint
    return {
        "id": attempt.id,
        "blueprint": bp.slug,
        "name": bp.name,
        "mode": attempt.mode,
        "status": attempt.status,
        "started_at": attempt.started_at.isoformat(),
        "deadline": attempt.deadline.isoformat() if attempt.deadline else None,
        "server_time": now.isoformat(),
        "remaining_seconds": ops.remaining_seconds(attempt, now),
        "warnings_minutes": bp.content.get("warnings_minutes", []),
        "lookup": bp.lookup,
    }


def attempt_full(attempt: Attempt, now: datetime) -> dict[str, Any]:
    questions = ops.attempt_state(attempt)
    out = attempt_summary(attempt, now)
    out["resume_position"] = ops.resume_position(attempt)
    out["questions"] = [question_public(q, attempt) for q in questions]
    out["answered"] = sum(1 for q in out["questions"] if q["answer"] not in (None, {}, ""))
    return out


def results_view(attempt: Attempt, now: datetime) -> dict[str, Any]:
    """Score, pass/fail, areas, time used, and the per-question review when policy allows."""
    out = attempt_summary(attempt, now)
    used = ((attempt.finished_at or now) - attempt.started_at).total_seconds()
    if attempt.deadline is not None:
        used = min(used, (attempt.deadline - attempt.started_at).total_seconds())
    report = attempt.report or {}
    out.update(
        {
            "finished_at": attempt.finished_at.isoformat() if attempt.finished_at else None,
            "time_used_seconds": round(used),
            "correct": attempt.correct,
            "total": attempt.total,
            "percent": attempt.percent,
            "pass_percent": attempt.pass_percent,
            "passed": attempt.passed,
            "areas": [dict(a, name=domain_name(a["domain"])) for a in report.get("areas", [])],
            "review_available": ops.review_allowed(attempt, now),
        }
    )
    if out["review_available"]:
        review = []
        for q in ops.attempt_state(attempt):
            item = q.item
            r = q.response
            if q.kind == "coding":
                review.append(
                    {
                        "number": q.position + 1,
                        "kind": "coding",
                        "domain": q.domain,
                        "domain_name": domain_name(q.domain),
                        "stem": str(render_markdown(item.stem)),
                        "your_answer": kind_of(q.kind).public_answer(r.answer) if r else None,
                        "correct_answer": ops.displayed_answer(q),
                        "score": r.points if r and r.points is not None else 0.0,
                        "lines": (r.grade or {}).get("lines", []) if r else [],
                        "notes": (r.grade or {}).get("notes", []) if r else [],
                        "correct": bool(r and r.correct),
                        "flagged": bool(r and r.flagged),
                        "rationale": str(render_markdown(item.rationale)),
                    }
                )
                continue
            choices = item.content["choices"]
            review.append(
                {
                    "kind": "mcq",
                    "number": q.position + 1,
                    "domain": q.domain,
                    "domain_name": domain_name(q.domain),
                    "stem": str(render_markdown(item.stem)),
                    "choices": [
                        {"id": pos, "label": LETTERS[pos], "text": str(render_markdown(choices[orig]["text"])), "why": str(render_markdown(choices[orig].get("why", "")))}
                        for pos, orig in enumerate(q.choice_order)
                    ],
                    "your_answer": kind_of(q.kind).public_answer(r.answer) if r else None,
                    "correct_answer": ops.displayed_answer(q),
                    "correct": bool(r and r.correct),
                    "flagged": bool(r and r.flagged),
                    "rationale": str(render_markdown(item.rationale)),
                }
            )
        out["review"] = review
    return out


def coding_rows(codes: Any, min_dx: int = 4, min_px: int = 3) -> dict[str, Any]:
    """Entry rows for a coding answer: the saved codes, then blank rows to type into."""
    from prep.codesets.lines import parse_procedure
    from prep.grading.coding import parse_free_text

    if isinstance(codes, str):
        codes = parse_free_text(codes)
    codes = codes or {}
    diagnoses = list(codes.get("diagnoses", []))
    procedures = []
    for line in codes.get("procedures", []):
        try:
            pl = parse_procedure(line)
            procedures.append({"code": pl.code, "modifiers": " ".join(pl.modifiers), "units": pl.units if pl.units != 1 else ""})
        except ValueError:
            procedures.append({"code": line, "modifiers": "", "units": ""})
    diagnoses += [""] * max(1, min_dx - len(diagnoses))
    procedures += [{"code": "", "modifiers": "", "units": ""}] * max(1, min_px - len(procedures))
    return {"diagnoses": diagnoses, "procedures": procedures}
