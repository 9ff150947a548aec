"""Exam forms: each carries a CSRF token; the JSON API is the JavaScript path."""

from __future__ import annotations

from flask_wtf import FlaskForm


class StartForm(FlaskForm):
    pass


class SubmitForm(FlaskForm):
    pass


class AnswerForm(FlaskForm):
    """The no-JavaScript fallback: the choice and flag come as plain fields, read in the view."""
