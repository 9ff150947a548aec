"""Shared fixtures: one app per test session, a clean database for every test."""

from __future__ import annotations

import os
import re
from collections.abc import Callable

import pytest
from sqlalchemy import text

from prep import create_app
from prep.config import TestConfig
from prep.extensions import db, limiter

TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|name="csrf-token" content="([^"]+)"')


def _reset_postgres_schema(app) -> None:
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """The test database: ``TEST_DATABASE_URL`` (PostgreSQL in CI) or a fresh SQLite file."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    """The app, with the schema built by the real Alembic migrations."""
    from flask_migrate import upgrade

    application = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        instance_path=str(tmp_path_factory.mktemp("instance")),
    )
    if application.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        _reset_postgres_schema(application)
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_database(request):
    """Empty every table after each test that used the app, and forget rate-limit counts."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
        limiter.reset()


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_from(html: str) -> str:
    """The CSRF token in a page (a form field or the meta tag)."""
    m = TOKEN_RE.search(html)
    assert m, "no CSRF token in page"
    return m.group(1) or m.group(2)


@pytest.fixture
def make_user(app) -> Callable:
    """Create a user: ``make_user(role="learner", email=None, password="correct horse battery")``."""
    counter = {"n": 0}

    def make(role: str = "learner", email: str | None = None, password: str = "correct horse battery", name: str | None = None, active: bool = True):
        from prep.auth.operations import create_user

        counter["n"] += 1
        email = email or f"{role}{counter['n']}@example.com"
        with app.app_context():
            user = create_user(email, name or f"{role.title()} {counter['n']}", password, role)
            user.active = active
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
        user.plain_password = password
        return user

    return make


class AuthActions:
    def __init__(self, client):
        self.client = client

    def token(self, path: str = "/login") -> str:
        return csrf_from(self.client.get(path).get_data(as_text=True))

    def login(self, email: str, password: str = "correct horse battery", follow: bool = False):
        token = self.token("/login")
        return self.client.post(
            "/login", data={"email": email, "password": password, "csrf_token": token}, follow_redirects=follow
        )

    def logout(self):
        token = self.token("/")
        return self.client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def login_as(client, auth, make_user) -> Callable:
    """Create a user of ``role``, log the test client in as them, return the user."""

    def do(role: str = "learner", **kw):
        user = make_user(role, **kw)
        response = auth.login(user.email, user.plain_password)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return user

    return do


@pytest.fixture
def make_item(app) -> Callable:
    """Insert a bank item: ``make_item(type="mcq", domain="anatomy", **fields)``; returns its slug."""
    counter = {"n": 0}

    def make(type: str = "mcq", domain: str = "anatomy", **fields):
        from prep.bank.format import LoadedItem
        from prep.bank.operations import upsert_items

        counter["n"] += 1
        data = {
            "id": fields.pop("id", f"test-item-{counter['n']}"),
            "type": type,
            "domain": domain,
            "difficulty": fields.pop("difficulty", 1),
            "stem": fields.pop("stem", f"Test stem {counter['n']}"),
            "rationale": fields.pop("rationale", "Because."),
        }
        if type == "mcq":
            data["choices"] = fields.pop(
                "choices",
                [{"text": "Right", "correct": True, "why": "It is."}, {"text": "Wrong", "correct": False, "why": "It is not."}],
            )
        else:
            data["key"] = fields.pop("key", {"diagnoses": ["I10"]})
        data.update(fields)
        with app.app_context():
            upsert_items([LoadedItem(data, "test", 1)])
            db.session.commit()
        return data["id"]

    return make


@pytest.fixture
def make_blueprint(app) -> Callable:
    """Insert a blueprint: ``make_blueprint(id="mini", mode="timed", sections=[...], **fields)``."""

    def make(id: str = "test-exam", mode: str = "timed", sections=None, **fields):
        from prep.bank.format import LoadedItem
        from prep.exams.operations import upsert_blueprints

        data = {
            "id": id,
            "name": fields.pop("name", f"Exam {id}"),
            "mode": mode,
            "pass_percent": fields.pop("pass_percent", 70),
            "sections": sections or [{"domain": "anatomy", "questions": 3}],
        }
        if mode == "timed":
            data["time_limit_minutes"] = fields.pop("time_limit_minutes", 60)
        data.update(fields)
        with app.app_context():
            upsert_blueprints([LoadedItem(data, "test", 1)])
            db.session.commit()
        return id

    return make


@pytest.fixture
def exam_bank(make_item, make_blueprint) -> Callable:
    """A small bank (4 anatomy + 3 terminology MCQs) and a timed exam over it; returns the blueprint id."""

    def make(**blueprint_fields):
        for i in range(4):
            make_item(id=f"anat-{i}", domain="anatomy", stem=f"Anatomy question {i}",
                      choices=[{"text": f"Right {i}", "correct": True, "why": "Yes."},
                               {"text": f"Wrong A{i}", "correct": False, "why": "No A."},
                               {"text": f"Wrong B{i}", "correct": False, "why": "No B."},
                               {"text": f"Wrong C{i}", "correct": False, "why": "No C."}],
                      rationale=f"Rationale for anatomy {i}.")
        for i in range(3):
            make_item(id=f"term-{i}", domain="terminology", stem=f"Terminology question {i}",
                      choices=[{"text": f"Correct {i}", "correct": True, "why": "Yes."},
                               {"text": f"Incorrect {i}", "correct": False, "why": "No."}],
                      rationale=f"Rationale for terminology {i}.")
        fields = {"sections": [{"domain": "anatomy", "questions": 3}, {"domain": "terminology", "questions": 2}]}
        fields.update(blueprint_fields)
        return make_blueprint(**fields)

    return make
