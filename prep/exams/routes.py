"""Exam pages: the list of exams, the attempt page (with a plain-form fallback), submit, results."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from prep.auth.access import login_required
from prep.dbtypes import utcnow
from prep.domains import domain_name
from prep.exams import operations as ops
from prep.exams import views
from prep.exams.forms import AnswerForm, StartForm, SubmitForm
from prep.exams.itemtypes import kind_of
from prep.extensions import db

bp = Blueprint("exams", __name__)


def _own(attempt_id: int):
    try:
        return ops.get_own_attempt(current_user.id, attempt_id)
    except ops.AttemptNotFound:
        abort(404)


@bp.route("/exams")
@login_required
def index():
    """Every published exam and drill, what the bank can supply, and the learner's attempts."""
    now = utcnow()
    if ops.finalize_overdue_for_user(current_user.id, now):
        db.session.commit()
    blueprints = ops.published_blueprints()
    shortfalls = ops.supply_all(blueprints)
    attempts = ops.user_attempts(current_user.id)
    open_by_blueprint = {a.blueprint_id: a for a in attempts if a.is_open}
    return render_template(
        "exams/index.html", blueprints=blueprints, shortfalls=shortfalls, attempts=attempts,
        open_by_blueprint=open_by_blueprint, form=StartForm(), now=now, domain_name=domain_name,
    )


@bp.route("/exams/<slug>/start", methods=["POST"])
@login_required
def start(slug: str):
    """Start an exam (or resume the open attempt) and go to its first unanswered place."""
    form = StartForm()
    if not form.validate_on_submit():
        flash("The form expired; try again.", "error")
        return redirect(url_for("exams.index"))
    blueprint = ops.blueprint_by_slug(slug)
    if blueprint is None:
        abort(404)
    try:
        started = ops.start_attempt(current_user.id, blueprint, utcnow())
    except ops.NotEnoughQuestions as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("exams.index"))
    db.session.commit()
    if started.resumed:
        flash("You already had this exam open: picking up where you left off.", "info")
    return redirect(url_for("exams.attempt", attempt_id=started.attempt.id))


@bp.route("/attempts/<int:attempt_id>")
@login_required
def attempt(attempt_id: int):
    """The exam page: one question at a time, with the palette, timer and flag."""
    a = _own(attempt_id)
    now = utcnow()
    if ops.finalize_if_overdue(a, now):
        db.session.commit()
        flash("Time ran out: the exam was submitted with your saved answers.", "warning")
    if not a.is_open:
        return redirect(url_for("exams.results", attempt_id=a.id))
    questions = ops.attempt_state(a)
    position = request.args.get("q", type=int)
    if position is None:
        position = ops.resume_position(a)
    position = max(0, min(position, len(questions) - 1))
    current = questions[position]
    answered = {q.position for q in questions if q.response and kind_of(q.kind).is_answered(q.response.answer)}
    q = views.question_public(current, a)
    return render_template(
        "exams/attempt.html", a=a, summary=views.attempt_summary(a, now), questions=questions,
        q=q, position=position, form=AnswerForm(), answered=answered,
        rows=views.coding_rows(q["answer"]) if q["type"] == "coding" else None,
    )


@bp.route("/attempts/<int:attempt_id>/answer", methods=["POST"])
@login_required
def answer(attempt_id: int):
    """Plain-form fallback: save the choice and flag of one question, then move."""
    a = _own(attempt_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        flash("The form expired; your last answer was not saved. Choose it again.", "error")
        return redirect(url_for("exams.attempt", attempt_id=a.id))
    position = request.form.get("position", type=int)
    raw_choice = request.form.get("choice")
    now = utcnow()
    try:
        if position is None:
            raise ops.ExamError("The form did not say which question it was for.")
        question = ops.question_at(a, position)
        if question.kind == "coding":
            answer = _codes_from_form(request.form)
        else:
            answer = ... if raw_choice is None else int(raw_choice) if raw_choice.lstrip("-").isdigit() else -1
        flagged = request.form.get("flagged") == "1"
        ops.save_response(a, question, now, answer=answer, flagged=flagged)
    except ops.AttemptClosed as exc:
        db.session.commit()
        flash(exc.message, "warning")
        return redirect(url_for("exams.results", attempt_id=a.id))
    except ops.ExamError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("exams.attempt", attempt_id=a.id, q=position or 0))
    db.session.commit()
    nav = request.form.get("nav", "next")
    if nav == "review":
        return redirect(url_for("exams.confirm_submit", attempt_id=a.id))
    target = position
    if nav == "next":
        target = position + 1
    elif nav == "prev":
        target = max(0, position - 1)
    elif nav.isdigit():
        target = int(nav)
    return redirect(url_for("exams.attempt", attempt_id=a.id, q=target))


def _codes_from_form(form) -> dict:
    """Rows of the plain coding form: ``dx`` fields in order; procedure code, modifiers, units."""
    diagnoses = [v for v in form.getlist("dx") if v.strip()]
    procedures = []
    for code, mods, units in zip(form.getlist("px_code"), form.getlist("px_mod"), form.getlist("px_units"), strict=False):
        if not code.strip():
            continue
        line = code.strip()
        for m in mods.replace(",", " ").replace("-", " ").split():
            line += "-" + m
        if units.strip() and units.strip() != "1":
            line += " x" + units.strip()
        procedures.append(line)
    return {"diagnoses": diagnoses, "procedures": procedures}


@bp.route("/attempts/<int:attempt_id>/submit", methods=["GET", "POST"])
@login_required
def confirm_submit(attempt_id: int):
    """Before submitting: list unanswered and flagged questions; POST submits."""
    a = _own(attempt_id)
    now = utcnow()
    form = SubmitForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            flash("The form expired; try again.", "error")
            return redirect(url_for("exams.confirm_submit", attempt_id=a.id))
        ops.finish_attempt(a, now)
        db.session.commit()
        return redirect(url_for("exams.results", attempt_id=a.id))
    if ops.finalize_if_overdue(a, now):
        db.session.commit()
    if not a.is_open:
        return redirect(url_for("exams.results", attempt_id=a.id))
    questions = ops.attempt_state(a)
    unanswered = [q for q in questions if not (q.response and kind_of(q.kind).is_answered(q.response.answer))]
    flagged = [q for q in questions if q.response and q.response.flagged]
    return render_template(
        "exams/submit.html", a=a, summary=views.attempt_summary(a, now), form=form,
        unanswered=unanswered, flagged=flagged, total=len(questions),
    )


@bp.route("/attempts/<int:attempt_id>/results")
@login_required
def results(attempt_id: int):
    """Score, pass/fail, areas, time used and the review the policy allows."""
    a = _own(attempt_id)
    now = utcnow()
    if ops.finalize_if_overdue(a, now):
        db.session.commit()
    if a.is_open:
        return redirect(url_for("exams.attempt", attempt_id=a.id))
    return render_template("exams/results.html", a=a, r=views.results_view(a, now), form=StartForm())
