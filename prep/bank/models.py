"""Items of the question bank as stored in the database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from prep.dbtypes import UTCDateTime, utcnow
from prep.extensions import db


class Item(db.Model):
    """One question (``mcq``) or coding scenario (``coding``).

    ``content`` holds the item exactly in the bank format (what export writes back);
    the other columns copy what pages filter and sort on.
    """

    __tablename__ = "items"
    __table_args__ = (
        CheckConstraint("difficulty BETWEEN 1 AND 3", name="difficulty_range"),
        CheckConstraint("type IN ('mcq', 'coding')", name="type_known"),
        CheckConstraint("status IN ('draft', 'published', 'retired')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    type: Mapped[str] = mapped_column(String(16))
    domain: Mapped[str] = mapped_column(String(40), index=True)
    difficulty: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default="published", index=True)
    stem: Mapped[str] = mapped_column(Text)
    rationale: Mapped[str] = mapped_column(Text)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def tags(self) -> list[str]:
        return list(self.content.get("tags", []))

    @property
    def choices(self) -> list[dict[str, Any]]:
        return list(self.content.get("choices", []))

    @property
    def key(self) -> dict[str, Any]:
        return dict(self.content.get("key", {}))

    def __repr__(self) -> str:
        return f"<Item {self.slug} v{self.version}>"
