"""Licensed or public code files imported into the database (CPT, HCPCS Level II).

CPT descriptors are the AMA's copyright and the product ships none: rows exist only when an
institution imports the file it licenses (``flask codesets import-cpt``). HCPCS Level II is
public domain but changes quarterly, so it is imported the same way from CMS's file.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from prep.dbtypes import UTCDateTime, utcnow
from prep.extensions import db

SYSTEMS = ("cpt", "hcpcs")


class CodeDescriptor(db.Model):
    """One code and its descriptor from an imported file; unique per (system, code)."""

    __tablename__ = "code_descriptors"
    __table_args__ = (
        UniqueConstraint("system", "code", name="uq_code_descriptors_system_code"),
        CheckConstraint("system IN ('cpt', 'hcpcs')", name="system_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    system: Mapped[str] = mapped_column(String(8))
    code: Mapped[str] = mapped_column(String(8))
    description: Mapped[str] = mapped_column(Text)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<CodeDescriptor {self.system} {self.code}>"


class CodeSetMeta(db.Model):
    """One row per imported code set: bumped by every import, in the import's transaction.

    Processes cache the descriptors and compare ``version`` (a primary-key read) to notice an
    import made by another process; ``source`` and ``row_count`` feed ``flask codesets status``.
    """

    __tablename__ = "code_sets_meta"
    __table_args__ = (CheckConstraint("system IN ('cpt', 'hcpcs')", name="system_known"),)

    system: Mapped[str] = mapped_column(String(8), primary_key=True)
    version: Mapped[int] = mapped_column(default=0)
    row_count: Mapped[int] = mapped_column(default=0)
    source: Mapped[str] = mapped_column(String(255), default="")
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<CodeSetMeta {self.system} v{self.version} ({self.row_count} codes)>"
