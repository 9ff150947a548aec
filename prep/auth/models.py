"""Accounts and roles."""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from prep.dbtypes import UTCDateTime, utcnow
from prep.extensions import db


class Role(StrEnum):
    LEARNER = "learner"
    INSTRUCTOR = "instructor"
    ADMIN = "admin"


# What each role may reach: an admin can do what an instructor can, who can do what a learner can.
ROLE_RANK = {Role.LEARNER: 1, Role.INSTRUCTOR: 2, Role.ADMIN: 3}


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('learner', 'instructor', 'admin')", name="role_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(20), default=Role.LEARNER.value)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def set_password(self, password: str) -> None:
        """Hash and store ``password`` (scrypt through Werkzeug; tests configure a faster method)."""
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"
        self.password_hash = generate_password_hash(password, method=method)
        self.password_changed_at = utcnow()

    def check_password(self, password: str) -> bool:
        """Return whether ``password`` matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def has_role(self, role: str) -> bool:
        """Return whether this user's role reaches ``role`` (admin > instructor > learner)."""
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(role)]

    def get_id(self) -> str:
        # The session remembers the password generation too, so changing or resetting
        # a password logs out every other session of that account.
        return f"{self.id}:{self.session_generation}"

    @property
    def session_generation(self) -> str:
        """Changes whenever the password changes (the hash has a fresh salt each time)."""
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"
