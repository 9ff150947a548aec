"""JSON API for attempts. Session login plus an ``X-CSRFToken`` header, or a bearer token.

Every handler parses and authorises, calls ``prep.exams.operations``, and commits once.
Errors are JSON: ``{"error": ..., "message": ...}`` with a 4xx status.
"""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from sqlalchemy.exc import IntegrityError
from wtforms import ValidationError

from prep.auth.access import login_required
from prep.dbtypes import utcnow
from prep.exams import operations as ops
from prep.exams import views
from prep.exams.itemtypes import kind_of
from prep.extensions import csrf, db

bp = Blueprint("api", __name__, url_prefix="/api")
csrf.exempt(bp)  # checked below, so bearer-token clients (no cookies) need no token

MAX_JSON = 16 * 1024


@bp.before_request
def _check_csrf_for_sessions():
    if request.method in ("GET", "HEAD", "OPTIONS") or getattr(g, "api_token_auth", False):
        return None
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return None
    if request.content_length is not None and request.content_length > MAX_JSON:
        return _error(413, "too_large", f"The request body is larger than {MAX_JSON} bytes.")
    try:
        validate_csrf(request.headers.get("X-CSRFToken") or request.headers.get("X-CSRF-Token"))
    except ValidationError as exc:
        raise CSRFError(str(exc)) from exc
    return None


def _error(http_status: int, name: str, message: str, **details):
    response = jsonify(error=name, message=message, **details)
    response.status_code = http_status
    return response


@bp.errorhandler(ops.ExamError)
def _exam_error(exc: ops.ExamError):
    db.session.rollback()
    name = {404: "not_found", 409: "conflict"}.get(exc.status, "bad_request")
    return _error(exc.status, name, exc.message, **exc.details)


def _json_body() -> dict:
    if request.content_length is not None and request.content_length > MAX_JSON:
        raise ops.ExamError(f"The request body is larger than {MAX_JSON} bytes.")
    data = request.get_json(silent=True)
    if data is None and request.get_data(cache=True):
        raise ops.ExamError("The body is not valid JSON.")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ops.ExamError("The body must be a JSON object.")
    return data


def _own_attempt(attempt_id: int):
    now = utcnow()
    attempt = ops.get_own_attempt(current_user.id, attempt_id)
    return attempt, now


@bp.route("/attempts", methods=["GET"])
@login_required
def list_attempts():
    """The learner's attempts, newest first."""
    now = utcnow()
    if ops.finalize_overdue_for_user(current_user.id, now):
        db.session.commit()
    return jsonify(attempts=[views.attempt_summary(a, now) | {"percent": a.percent, "passed": a.passed} for a in ops.user_attempts(current_user.id)])


@bp.route("/attempts", methods=["POST"])
@login_required
def start_attempt():
    """Start (or resume) an attempt: ``{"blueprint": "cpc-mini"}`` -> 201 (200 when resumed)."""
    data = _json_body()
    slug = data.get("blueprint")
    if not isinstance(slug, str):
        raise ops.ExamError("Say which exam to start: {\"blueprint\": \"<id>\"}.", field="blueprint")
    blueprint = ops.blueprint_by_slug(slug)
    if blueprint is None:
        raise ops.AttemptNotFound(f"There is no published exam {slug!r}.")
    now = utcnow()
    started = ops.start_attempt(current_user.id, blueprint, now)
    db.session.commit()
    body = views.attempt_full(started.attempt, now)
    body["resumed"] = started.resumed
    return jsonify(body), 200 if started.resumed else 201


@bp.route("/attempts/<int:attempt_id>", methods=["GET"])
@login_required
def get_attempt(attempt_id: int):
    """The attempt with its questions, saved answers, flags and the server's remaining time."""
    attempt, now = _own_attempt(attempt_id)
    if ops.finalize_if_overdue(attempt, now):
        db.session.commit()
    if request.args.get("summary"):
        return jsonify(views.attempt_summary(attempt, now))
    return jsonify(views.attempt_full(attempt, now))


@bp.route("/attempts/<int:attempt_id>/questions/<int:position>", methods=["PUT"])
@login_required
def save(attempt_id: int, position: int):
    """Save an answer and/or a flag: ``{"choice": 2}`` (multiple choice), ``{"codes": {...}}``
    (coding scenario), ``null`` to clear, ``{"flagged": true}``.

    ``position`` is the 0-based question number. Answers ``409`` after the deadline or once
    the attempt is finished.
    """
    data = _json_body()
    unknown = set(data) - {"choice", "codes", "flagged"}
    if unknown:
        raise ops.ExamError(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    if "flagged" in data and not isinstance(data["flagged"], bool):
        raise ops.ExamError("flagged must be true or false.", field="flagged")
    if not {"choice", "codes", "flagged"} & set(data):
        raise ops.ExamError("Send a choice, a flag, or both.")
    if "choice" in data and "codes" in data:
        raise ops.ExamError("Send either a choice or codes, not both.")
    now = utcnow()
    for tries in (1, 2):
        attempt, question = ops.own_question(current_user.id, attempt_id, position)
        field = "codes" if question.kind == "coding" else "choice"
        other = "choice" if field == "codes" else "codes"
        if other in data:
            kind = "a coding scenario: send codes" if field == "codes" else "a multiple-choice question: send a choice"
            raise ops.ExamError(f"Question {position + 1} is {kind}.", field=other)
        try:
            saved = ops.save_response(attempt, question, now, answer=data.get(field, ...), flagged=data.get("flagged"))
            break
        except ops.AttemptClosed:
            db.session.commit()  # keep the expiry that _ensure_open recorded
            raise
        except IntegrityError:
            # Two first saves of one question raced (two tabs): the other created the row; update it.
            db.session.rollback()
            if tries == 2:
                raise
    # Built before the commit, which would expire these objects and cost two more queries.
    body = {
        "saved": True,
        "position": position,
        field: kind_of(question.kind).public_answer(saved.response.answer),
        "flagged": saved.response.flagged,
        "saved_at": saved.response.saved_at.isoformat(),
        "remaining_seconds": ops.remaining_seconds(attempt, now),
        "server_time": now.isoformat(),
    }
    if saved.feedback:
        body["feedback"] = views.feedback_public(saved.feedback)
    db.session.commit()
    return jsonify(body)


@bp.route("/attempts/<int:attempt_id>/submit", methods=["POST"])
@login_required
def submit(attempt_id: int):
    """Submit and grade the attempt. Submitting again returns the same result."""
    attempt, now = _own_attempt(attempt_id)
    ops.finish_attempt(attempt, now)
    db.session.commit()
    return jsonify(views.results_view(attempt, now))


@bp.route("/attempts/<int:attempt_id>/results", methods=["GET"])
@login_required
def results(attempt_id: int):
    """Score, areas and (when the review policy allows) the per-question review."""
    attempt, now = _own_attempt(attempt_id)
    if ops.finalize_if_overdue(attempt, now):
        db.session.commit()
    if attempt.is_open:
        raise ops.AttemptClosed("This attempt is still in progress; submit it first.", status="open")
    return jsonify(views.results_view(attempt, now))
