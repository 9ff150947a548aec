"""Configuration classes. Everything secret or deployment-specific comes from the environment."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def normalise_database_url(url: str) -> str:
    """Return ``url`` with a SQLAlchemy driver name for PostgreSQL URLs.

    ``postgres://`` and ``postgresql://`` (what hosting providers hand out) become
    ``postgresql+psycopg://`` so psycopg 3 is used; other URLs are returned unchanged.
    """
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def instance_secret_key(instance_path: str | os.PathLike) -> str:
    """Read the development secret key from ``instance/secret_key``, creating it once.

    The key is random, generated on first run and kept (mode 0600) so sessions survive
    restarts; it is never a constant in the code. Production sets ``SECRET_KEY``.
    """
    path = Path(instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        key = path.read_text().strip()
        if key:
            return key
    except FileNotFoundError:
        pass
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


class Config:
    """Development defaults: SQLite under instance/, in-memory rate-limit storage."""

    SECRET_KEY = os.environ.get("SECRET_KEY")  # filled from instance/ by create_app when unset
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")  # None -> SQLite in instance/
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour")
    REGISTER_RATE_LIMIT = os.environ.get("REGISTER_RATE_LIMIT", "10 per hour")  # per client address
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    WTF_CSRF_TIME_LIMIT = None  # a token lives as long as the session: a 4-hour exam must not lose it
    BANK_DIR = str(BASE_DIR / "question_bank")
    BENCH_ENDPOINTS = os.environ.get("PREP_BENCH") == "1"  # bench/ only: the baseline endpoint
    LOOKUP_WARM_ON_START = os.environ.get("LOOKUP_WARM_ON_START") == "1"  # load ICD-10-CM tables in create_app
    LOOKUP_RATE_LIMIT = os.environ.get("LOOKUP_RATE_LIMIT", "120 per minute;2000 per hour")  # per account
    CODE_SETS_RECHECK_SECONDS = float(os.environ.get("CODE_SETS_RECHECK_SECONDS", "2"))  # see an import by another process
    TESTING = False


class TestConfig(Config):
    """Tests: a throw-away database (``TEST_DATABASE_URL`` or a SQLite file per test run)."""

    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    RATELIMIT_STORAGE_URI = "memory://"
    LOGIN_RATE_LIMIT = "5 per minute"
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # fast for tests only; production uses scrypt
    WTF_CSRF_ENABLED = True
    BENCH_ENDPOINTS = False


class ProductionConfig(Config):
    """Production: a real secret key and secure cookies are required."""

    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
