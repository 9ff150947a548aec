"""The attempt lifecycle: start, save, flag, submit, expire, review. Operations flush; the
request (or CLI command) commits once. Time is always passed in as ``now`` (aware UTC).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, lazyload

from prep.bank.format import LoadedItem, canonical_blueprint
from prep.bank.models import Item
from prep.bank.operations import ImportReport, content_hash
from prep.dbtypes import UTCDateTime
from prep.exams.assembly import ANY_DOMAIN, BankTooSmall, Candidate, Shortfall, assemble, check_supply
from prep.exams.itemtypes import KINDS, AnswerError, kind_of
from prep.exams.models import Attempt, AttemptQuestion, ExamBlueprint, Response
from prep.extensions import db
from prep.grading.mcq import exam_report

GRACE = timedelta(seconds=5)  # covers a save that left the browser just before the deadline
SUPPORTED_TYPES = tuple(KINDS)


class ExamError(Exception):
    """A request about an exam that cannot be carried out; ``status`` is the HTTP status."""

    status = 400

    def __init__(self, message: str, **details: Any):
        super().__init__(message)
        self.message = message
        self.details = details


class AttemptClosed(ExamError):
    status = 409


class NotEnoughQuestions(ExamError):
    status = 409


class AttemptNotFound(ExamError):
    status = 404


# --- blueprints -------------------------------------------------------------------------


def upsert_blueprints(blueprints: list[LoadedItem]) -> ImportReport:
    """Create or update blueprints by id (already validated by ``prep.bank.format``). Flushes."""
    report = ImportReport()
    slugs = [b.data["id"] for b in blueprints]
    existing = {b.slug: b for b in db.session.scalars(db.select(ExamBlueprint).where(ExamBlueprint.slug.in_(slugs)))} if slugs else {}
    for loaded in blueprints:
        data = canonical_blueprint(loaded.data)
        digest = content_hash(data)
        row = existing.get(data["id"])
        if row is not None and row.content_hash == digest:
            report.unchanged.append(row.slug)
            continue
        if row is None:
            row = ExamBlueprint(slug=data["id"], version=1)
            db.session.add(row)
            existing[row.slug] = row
            report.created.append(row.slug)
        else:
            row.version += 1
            report.updated.append(row.slug)
        row.name = data["name"]
        row.mode = data["mode"]
        row.status = data["status"]
        row.content = data
        row.content_hash = digest
    db.session.flush()
    return report


def published_blueprints() -> list[ExamBlueprint]:
    """Published blueprints: timed exams first, then practice drills, each by name."""
    query = db.select(ExamBlueprint).where(ExamBlueprint.status == "published")
    rows = list(db.session.scalars(query))
    return sorted(rows, key=lambda b: (b.mode != "timed", -b.question_count if b.mode == "timed" else 0, b.name))


def blueprint_by_slug(slug: str) -> ExamBlueprint | None:
    return db.session.scalar(db.select(ExamBlueprint).where(ExamBlueprint.slug == slug, ExamBlueprint.status == "published"))


def _pool(sections: list[dict]) -> list[Candidate]:
    query = db.select(Item.id, Item.domain, Item.type, Item.content).where(Item.status == "published", Item.type.in_(SUPPORTED_TYPES))
    if not any(s["domain"] == ANY_DOMAIN for s in sections):
        query = query.where(Item.domain.in_([s["domain"] for s in sections]))
    return [
        Candidate(item_id, domain, kind_of(type_).choice_count(content), type_)
        for item_id, domain, type_, content in db.session.execute(query)
    ]


def _light_pool() -> list[Candidate]:
    """Every published item as a candidate, without loading content (for supply checks)."""
    rows = db.session.execute(db.select(Item.id, Item.domain, Item.type).where(Item.status == "published", Item.type.in_(SUPPORTED_TYPES)))
    return [Candidate(item_id, domain, 0, type_) for item_id, domain, type_ in rows]


def supply_all(blueprints: list[ExamBlueprint]) -> dict[int, list[Shortfall]]:
    """For each blueprint, the sections the bank cannot fill (empty when it can be assembled), in one query."""
    pool = _light_pool()
    return {b.id: check_supply(b.sections, pool) for b in blueprints}


# --- attempts -----------------------------------------------------------------------------


def _last_seen(user_id: int) -> dict[int, datetime]:
    """When this learner was last shown each item (aware UTC), for fresh-first assembly."""
    rows = db.session.execute(
        # type_ keeps the column's UTC handling: a bare max() would come back as naive text on SQLite.
        db.select(AttemptQuestion.item_id, func.max(Attempt.started_at, type_=UTCDateTime()))
        .join(Attempt, Attempt.id == AttemptQuestion.attempt_id)
        .where(Attempt.user_id == user_id)
        .group_by(AttemptQuestion.item_id)
    )
    return dict(rows.all())


def open_attempt(user_id: int, blueprint_id: int) -> Attempt | None:
    """The learner's open attempt at this blueprint, if any."""
    return db.session.scalar(
        db.select(Attempt).where(Attempt.user_id == user_id, Attempt.blueprint_id == blueprint_id, Attempt.status == "open").order_by(Attempt.id.desc())
    )


@dataclass
class Started:
    attempt: Attempt
    resumed: bool


def start_attempt(user_id: int, blueprint: ExamBlueprint, now: datetime, seed: int | None = None) -> Started:
    """Start an attempt at ``blueprint``, or resume the open one.

    Questions and choice orders are frozen now, from a seed stored on the attempt. A timed
    attempt's deadline is ``now`` + the time limit. An overdue open attempt is finalised first.
    Raises ``NotEnoughQuestions`` (naming each short area) before anything is written.
    """
    existing = open_attempt(user_id, blueprint.id)
    if existing is not None:
        finalize_if_overdue(existing, now)
        if existing.is_open:
            return Started(existing, True)
    seed = seed if seed is not None else secrets.randbits(31)
    try:
        picks = assemble(
            blueprint.sections,
            _pool(blueprint.sections),
            seed,
            last_seen=_last_seen(user_id),
            shuffle_choices=blueprint.content.get("shuffle_choices", True),
        )
    except BankTooSmall as exc:
        raise NotEnoughQuestions(str(exc), shortfalls=[s.__dict__ for s in exc.shortfalls]) from exc
    limit = blueprint.time_limit_minutes
    attempt = Attempt(
        user_id=user_id,
        blueprint_id=blueprint.id,
        blueprint_version=blueprint.version,
        mode=blueprint.mode,
        status="open",
        seed=seed,
        started_at=now,
        deadline=now + timedelta(minutes=limit) if blueprint.mode == "timed" and limit else None,
        pass_percent=blueprint.pass_percent,
        review=blueprint.review,
    )
    versions = {row.id: row for row in db.session.execute(db.select(Item.id, Item.version, Item.type).where(Item.id.in_([p.item_id for p in picks])))}
    attempt.questions = [
        AttemptQuestion(
            position=i, item_id=p.item_id, item_version=versions[p.item_id].version, kind=versions[p.item_id].type,
            domain=p.domain, choice_order=list(p.choice_order),
        )
        for i, p in enumerate(picks)
    ]
    db.session.add(attempt)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        # Another request (a second tab) started the same timed exam a moment ago: resume that one.
        existing = open_attempt(user_id, blueprint.id)
        if existing is None:
            raise
        return Started(existing, True)
    return Started(attempt, False)


def get_own_attempt(user_id: int, attempt_id: int) -> Attempt:
    """The attempt if it belongs to ``user_id``; otherwise ``AttemptNotFound`` (never 403:
    another learner's attempt ids are not confirmed to exist)."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != user_id:
        raise AttemptNotFound("There is no such attempt.")
    return attempt


def own_question(user_id: int, attempt_id: int, position: int) -> tuple[Attempt, AttemptQuestion]:
    """The learner's attempt and its question at ``position``, with any saved response, in one
    query (the autosave path). Raises ``AttemptNotFound`` for an attempt that is not theirs and
    ``ExamError`` for a position the attempt does not have."""
    row = db.session.execute(
        db.select(Attempt, AttemptQuestion)
        .join(AttemptQuestion, AttemptQuestion.attempt_id == Attempt.id)
        .options(lazyload(AttemptQuestion.item))
        .where(Attempt.id == attempt_id, Attempt.user_id == user_id, AttemptQuestion.position == position)
    ).first()
    if row is None:
        attempt = get_own_attempt(user_id, attempt_id)  # 404 if not theirs
        question_at(attempt, position)  # raises: no such position
    return row[0], row[1]


def remaining_seconds(attempt: Attempt, now: datetime) -> float | None:
    """Seconds left before the deadline (never negative), or None for untimed attempts."""
    if attempt.deadline is None:
        return None
    return max(0.0, (attempt.deadline - now).total_seconds())


def is_overdue(attempt: Attempt, now: datetime) -> bool:
    """Past the deadline plus the grace for saves in flight."""
    return attempt.deadline is not None and now > attempt.deadline + GRACE


def finalize_if_overdue(attempt: Attempt, now: datetime) -> bool:
    """Finalise an open attempt whose time ran out, as ``expired``; return whether it did."""
    if attempt.is_open and is_overdue(attempt, now):
        finish_attempt(attempt, now, status="expired")
        return True
    return False


def finalize_overdue_for_user(user_id: int, now: datetime) -> int:
    """Finalise every overdue open attempt of one learner (on their next visit)."""
    rows = db.session.scalars(
        db.select(Attempt).where(Attempt.user_id == user_id, Attempt.status == "open", Attempt.deadline.is_not(None), Attempt.deadline < now - GRACE)
    )
    return sum(finalize_if_overdue(a, now) for a in list(rows))


def expire_overdue(now: datetime) -> int:
    """Finalise every overdue open attempt (``flask exams expire``); returns how many."""
    rows = db.session.scalars(
        db.select(Attempt).where(Attempt.status == "open", Attempt.deadline.is_not(None), Attempt.deadline < now - GRACE)
    )
    return sum(finalize_if_overdue(a, now) for a in list(rows))


def question_at(attempt: Attempt, position: int) -> AttemptQuestion:
    """The attempt's question at ``position`` (0-based). Raises ``ExamError`` when there is none."""
    # The item (with its content) is loaded only when needed: an autosave does not need it.
    q = db.session.scalar(
        db.select(AttemptQuestion)
        .options(lazyload(AttemptQuestion.item))
        .where(AttemptQuestion.attempt_id == attempt.id, AttemptQuestion.position == position)
    )
    if q is None:
        raise ExamError(f"This attempt has no question {position + 1}.", field="position")
    return q


def _ensure_open(attempt: Attempt, now: datetime) -> None:
    if attempt.is_open and is_overdue(attempt, now):
        finish_attempt(attempt, now, status="expired")
        raise AttemptClosed("Time is up: this exam has been submitted with the answers saved before the deadline.", status=attempt.status)
    if not attempt.is_open:
        raise AttemptClosed("This attempt is already finished; answers can no longer change.", status=attempt.status)


@dataclass
class Saved:
    response: Response
    feedback: dict[str, Any] | None  # practice mode: the grade and rationale, at once


def save_response(attempt: Attempt, question: AttemptQuestion, now: datetime, *, answer: Any = ..., flagged: bool | None = None) -> Saved:
    """Record the learner's answer and/or flag for one question.

    ``answer`` is what the question's kind reads (``prep.exams.itemtypes``): a displayed choice
    position for an MCQ, codes for a coding scenario; None clears it, and leaving it out keeps
    the saved answer (a flag-only save). Raises ``AttemptClosed`` after the deadline (finalising
    the attempt as expired) or once submitted, and ``ExamError`` for an answer that does not fit
    the question. In practice mode an answer is graded at once and final: the feedback is
    returned and the answer cannot change.
    """
    _ensure_open(attempt, now)
    if question.attempt_id != attempt.id:
        raise ExamError("That question is not part of this attempt.", field="question")
    kind = kind_of(question.kind)
    response = question.response
    if response is None:
        response = Response(question_id=question.id, attempt_id=attempt.id, flagged=False)
        question.response = response
        db.session.add(response)
    if answer is not ...:
        try:
            value = kind.read_answer(answer, question.position + 1, question.choice_order)
        except AnswerError as exc:
            raise ExamError(str(exc), field=kind.field) from exc
        if attempt.mode == "practice" and response.grade is not None:
            if value != response.answer:
                raise AttemptClosed("In practice mode the first answer is final; read the feedback and move on.")
        else:
            response.answer = value
            response.answered_at = now if value is not None else None
            if attempt.mode == "practice" and value is not None:
                _grade_response(question, response)
    if flagged is not None:
        response.flagged = bool(flagged)
    response.saved_at = now
    db.session.flush()
    feedback = practice_feedback(question, response) if attempt.mode == "practice" and response.grade else None
    return Saved(response, feedback)


def _registries() -> dict[str, Any]:
    """Licensed CPT and HCPCS files, when an institution has loaded them."""
    try:
        from prep.lookup import store
    except ImportError:  # the lookup package is optional for grading
        return {}
    return {"cpt_registry": store.cpt_registry(), "hcpcs_registry": store.hcpcs_registry()}


def _grade_response(question: AttemptQuestion, response: Response | None, registries: dict[str, Any] | None = None) -> float:
    kind = kind_of(question.kind)
    grade = kind.grade(question.item.content, response.answer if response else None, **(registries if registries is not None else _registries()))
    if response is not None:
        response.correct = grade.correct
        response.points = grade.points
        response.grade = grade.detail
    return grade.points


def displayed_answer(question: AttemptQuestion):
    """The key as the learner saw the question: a choice position, or the key's codes."""
    return kind_of(question.kind).displayed_key(question.item.content, question.choice_order)


def practice_feedback(question: AttemptQuestion, response: Response) -> dict[str, Any]:
    """What practice mode shows right after an answer: right or wrong, the key, the reasons."""
    content = question.item.content
    if question.kind == "coding":
        return {
            "kind": "coding",
            "correct": bool(response.correct),
            "score": response.points,
            "grade": response.grade,
            "key": displayed_answer(question),
            "rationale": question.item.rationale,
        }
    choices = content["choices"]
    return {
        "kind": "mcq",
        "correct": bool(response.correct),
        "answer": displayed_answer(question),
        "chosen": response.answer.get("choice") if response.answer else None,
        "rationale": question.item.rationale,
        "why": [choices[i].get("why", "") for i in question.choice_order],
    }


def finish_attempt(attempt: Attempt, now: datetime, status: str = "submitted") -> Attempt:
    """Close and grade an open attempt exactly once; later calls change nothing.

    The status changes with a conditional UPDATE (only while still open), so two tabs or a
    submit racing the expiry job grade it once. A submit after the deadline counts as expired.
    """
    if attempt.deadline is not None and now >= attempt.deadline and status == "submitted":
        status = "expired"
    result = db.session.execute(
        update(Attempt).where(Attempt.id == attempt.id, Attempt.status == "open").values(status=status, finished_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(attempt)
        return attempt
    db.session.refresh(attempt)
    questions = attempt_state(attempt)
    registries = _registries() if any(q.kind == "coding" for q in questions) else {}
    results = [(q.domain, _grade_response(q, q.response, registries)) for q in questions]
    report = exam_report(results, [s["domain"] for s in attempt.blueprint.sections], attempt.pass_percent)
    attempt.correct = report.correct
    attempt.total = report.total
    attempt.percent = report.percent
    attempt.passed = report.passed
    attempt.report = report.as_dict()
    db.session.flush()
    return attempt


def review_allowed(attempt: Attempt, now: datetime) -> bool:
    """Whether answers and rationales of a finished attempt may be shown, per its review policy."""
    if attempt.is_open:
        return False
    if attempt.mode == "practice":
        return True
    if attempt.review == "after_submit":
        return True
    if attempt.review == "after_window":
        closes = attempt.blueprint.window_closes
        return closes is not None and now >= closes
    return False


def user_attempts(user_id: int, limit: int = 50) -> list[Attempt]:
    """A learner's attempts, newest first."""
    return list(
        db.session.scalars(
            db.select(Attempt)
            .options(joinedload(Attempt.blueprint))
            .where(Attempt.user_id == user_id)
            .order_by(Attempt.started_at.desc(), Attempt.id.desc())
            .limit(limit)
        )
    )


def resume_position(attempt: Attempt) -> int:
    """Where the learner was: the question saved most recently (0 when nothing is saved yet)."""
    position = db.session.scalar(
        db.select(AttemptQuestion.position)
        .join(Response, Response.question_id == AttemptQuestion.id)
        .where(AttemptQuestion.attempt_id == attempt.id)
        .order_by(Response.saved_at.desc(), Response.id.desc())
        .limit(1)
    )
    return position or 0


def attempt_state(attempt: Attempt) -> list[AttemptQuestion]:
    """All questions of an attempt with items and responses, in one query."""
    return list(
        db.session.scalars(
            db.select(AttemptQuestion).where(AttemptQuestion.attempt_id == attempt.id).order_by(AttemptQuestion.position)
        ).unique()
    )
