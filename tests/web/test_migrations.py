"""Alembic: the migrations build the schema from nothing, match the models, and go back down."""

from __future__ import annotations

import os

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from prep.extensions import db


def test_migrations_from_empty_database_match_the_models(app):
    with app.app_context():
        downgrade(revision="base")
        tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert tables == set()
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"users", "items", "alembic_version"} <= tables
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"


def test_suite_runs_on_the_requested_backend(app):
    """CI runs the suite on PostgreSQL through TEST_DATABASE_URL: prove it really does.

    On SQLite, the database must be in WAL mode (readers never block the writer) with
    foreign keys enforced; on PostgreSQL, timestamps are stored with their zone.
    """
    wanted = "postgresql" if os.environ.get("TEST_DATABASE_URL", "").startswith("postgres") else "sqlite"
    with app.app_context(), db.engine.connect() as conn:
        assert db.engine.dialect.name == wanted
        if wanted == "sqlite":
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        else:
            column = next(c for c in inspect(conn).get_columns("users") if c["name"] == "created_at")
            assert column["type"].timezone is True
