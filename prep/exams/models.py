"""Blueprints (exam templates), attempts, their frozen questions and the learner's responses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from prep.dbtypes import UTCDateTime, utcnow
from prep.extensions import db


class ExamBlueprint(db.Model):
    """An exam template, stored as its bank-format content plus the columns pages query."""

    __tablename__ = "blueprints"
    __table_args__ = (CheckConstraint("mode IN ('timed', 'practice')", name="mode_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    mode: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="published")
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def sections(self) -> list[dict[str, Any]]:
        return list(self.content["sections"])

    @property
    def question_count(self) -> int:
        return sum(s["questions"] for s in self.sections)

    @property
    def time_limit_minutes(self) -> int | None:
        return self.content.get("time_limit_minutes")

    @property
    def pass_percent(self) -> int:
        return self.content["pass_percent"]

    @property
    def review(self) -> str:
        return self.content.get("review", "after_submit")

    @property
    def window_closes(self) -> datetime | None:
        value = self.content.get("window_closes")
        return datetime.fromisoformat(value) if value else None

    @property
    def lookup(self) -> bool:
        return bool(self.content.get("lookup"))

    @property
    def description(self) -> str:
        return self.content.get("description", "")


class Attempt(db.Model):
    """One sitting of a blueprint by one learner."""

    __tablename__ = "attempts"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'submitted', 'expired')", name="status_known"),
        # One open timed attempt per learner and blueprint, held by the database itself.
        Index(
            "uq_attempts_one_open_timed",
            "user_id",
            "blueprint_id",
            unique=True,
            sqlite_where=text("status = 'open' AND mode = 'timed'"),
            postgresql_where=text("status = 'open' AND mode = 'timed'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    blueprint_id: Mapped[int] = mapped_column(ForeignKey("blueprints.id"), index=True)
    blueprint_version: Mapped[int]
    mode: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="open")
    seed: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    pass_percent: Mapped[int]
    review: Mapped[str] = mapped_column(String(16))
    correct: Mapped[float | None]  # points: coding scenarios earn partial credit
    total: Mapped[int | None]
    percent: Mapped[float | None]
    passed: Mapped[bool | None]
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    blueprint: Mapped[ExamBlueprint] = relationship()
    questions: Mapped[list[AttemptQuestion]] = relationship(
        back_populates="attempt", order_by="AttemptQuestion.position", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        return self.status == "open"


class AttemptQuestion(db.Model):
    """A question frozen into an attempt at the start: its place and its choice order."""

    __tablename__ = "attempt_questions"
    __table_args__ = (
        UniqueConstraint("attempt_id", "position", name="uq_attempt_questions_position"),
        UniqueConstraint("attempt_id", "item_id", name="uq_attempt_questions_item"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    position: Mapped[int]
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    item_version: Mapped[int]
    domain: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(16), default="mcq")  # the item's type, to answer without loading it
    choice_order: Mapped[list[int]] = mapped_column(JSON)

    attempt: Mapped[Attempt] = relationship(back_populates="questions")
    item = relationship("Item", lazy="joined")
    response: Mapped[Response | None] = relationship(back_populates="question", uselist=False, lazy="joined")


class Response(db.Model):
    """What the learner entered for one question, when, and the grade computed from it.

    The raw answer is kept so an item can be regraded and audited.
    """

    __tablename__ = "responses"
    __table_args__ = (UniqueConstraint("question_id", name="uq_responses_question"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("attempt_questions.id", ondelete="CASCADE"))
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), index=True)
    answer: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    flagged: Mapped[bool] = mapped_column(default=False)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    correct: Mapped[bool | None]
    points: Mapped[float | None]
    grade: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    question: Mapped[AttemptQuestion] = relationship(back_populates="response")


class ApiToken(db.Model):
    """A personal API token for scripts; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
