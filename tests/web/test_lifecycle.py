"""The attempt lifecycle called directly, with time passed in (no HTTP, no sleeping)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from prep.exams import operations as ops
from prep.extensions import db

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


@pytest.fixture
def started(app_ctx, exam_bank, make_user):
    exam_bank(id="mini", time_limit_minutes=30)
    user = make_user("learner")
    s = ops.start_attempt(user.id, ops.blueprint_by_slug("mini"), T0, seed=7)
    db.session.commit()
    return user, s.attempt


def test_start_is_reproducible_from_the_seed(app_ctx, started, make_user):
    user, attempt = started
    other = make_user("learner")
    again = ops.start_attempt(other.id, ops.blueprint_by_slug("mini"), T0, seed=7).attempt
    assert [(q.item_id, q.choice_order) for q in attempt.questions] == [(q.item_id, q.choice_order) for q in again.questions]
    assert attempt.deadline == T0 + timedelta(minutes=30)


def test_remaining_time_and_grace(app_ctx, started):
    _, attempt = started
    assert ops.remaining_seconds(attempt, T0 + timedelta(minutes=10)) == 1200
    assert ops.remaining_seconds(attempt, T0 + timedelta(hours=2)) == 0
    q = ops.question_at(attempt, 0)
    ops.save_response(attempt, q, T0 + timedelta(minutes=30, seconds=4), answer=1)  # in the grace
    with pytest.raises(ops.AttemptClosed):
        ops.save_response(attempt, ops.question_at(attempt, 1), T0 + timedelta(minutes=30, seconds=6), answer=1)
    assert attempt.status == "expired" and attempt.finished_at == T0 + timedelta(minutes=30, seconds=6)


def test_finish_is_idempotent_and_a_late_submit_counts_as_expired(app_ctx, started):
    _, attempt = started
    ops.finish_attempt(attempt, T0 + timedelta(minutes=31))
    assert attempt.status == "expired"
    first = (attempt.finished_at, attempt.correct, attempt.report)
    ops.finish_attempt(attempt, T0 + timedelta(minutes=50))
    assert (attempt.finished_at, attempt.correct, attempt.report) == first


def test_expire_overdue_only_touches_overdue_attempts(app_ctx, started, make_user):
    _, attempt = started
    assert ops.expire_overdue(T0 + timedelta(minutes=29)) == 0
    assert ops.expire_overdue(T0 + timedelta(minutes=31)) == 1
    assert ops.expire_overdue(T0 + timedelta(minutes=32)) == 0
    assert attempt.status == "expired"


def test_review_policy(app_ctx, started):
    _, attempt = started
    assert ops.review_allowed(attempt, T0) is False  # still open
    ops.finish_attempt(attempt, T0 + timedelta(minutes=5))
    assert ops.review_allowed(attempt, T0 + timedelta(minutes=5)) is True
    attempt.review = "never"
    assert ops.review_allowed(attempt, T0 + timedelta(days=300)) is False
