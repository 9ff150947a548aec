"""Personal API tokens: ``Authorization: Bearer <token>`` for scripts (no CSRF needed: no cookies)."""

from __future__ import annotations

import hashlib
import secrets

from flask import g, request

from prep.auth.models import User
from prep.dbtypes import utcnow
from prep.exams.models import ApiToken
from prep.extensions import db

PREFIX = "cr_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, label: str = "") -> str:
    """Create a token for ``user``; the plain token is returned once and only its hash kept."""
    token = PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=_digest(token), label=label.strip()[:100]))
    db.session.flush()
    return token


def user_from_bearer():
    """Flask-Login request loader: the active user owning the bearer token, or None."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer ") or not request.path.startswith("/api/"):
        return None
    found = db.session.execute(
        db.select(ApiToken, User).join(User, User.id == ApiToken.user_id).where(ApiToken.token_hash == _digest(header[7:].strip()))
    ).first()
    if found is None:
        return None
    row, user = found
    if not user.active:
        return None
    g.api_token_auth = True
    now = utcnow()
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 300:
        row.last_used_at = now  # at most every five minutes: not a write on every request
    return user
