"""The role matrix: every route in the app, for every role.

EXPECTED lists every endpoint with who may reach it. A new route must be added here, so a
route without a guard cannot slip in: the app also refuses any endpoint that declares no rule.
"""

from __future__ import annotations

import pytest

from tests.conftest import csrf_from

ANON, LEARNER, INSTRUCTOR, ADMIN = "anonymous", "learner", "instructor", "admin"
RANK = {ANON: 0, LEARNER: 1, INSTRUCTOR: 2, ADMIN: 3}

# endpoint -> the lowest role that may use it ("public" for everyone, "anonymous-only" for login pages)
EXPECTED = {
    "static": "public",
    "main.index": "public",
    "main.health": "public",
    "auth.login": "anonymous-only",
    "auth.register": "anonymous-only",
    "auth.logout": LEARNER,
    "auth.change_password": LEARNER,
    "auth.tokens": LEARNER,
    "admin.users": ADMIN,
    "admin.user": ADMIN,
    "admin.user_role": ADMIN,
    "admin.user_reset_password": ADMIN,
    "admin.user_active": ADMIN,
    "authoring.items": INSTRUCTOR,
    "authoring.item": INSTRUCTOR,
    "exams.index": LEARNER,
    "exams.start": LEARNER,
    "exams.attempt": LEARNER,
    "exams.answer": LEARNER,
    "exams.confirm_submit": LEARNER,
    "exams.results": LEARNER,
    "api.list_attempts": LEARNER,
    "api.start_attempt": LEARNER,
    "api.get_attempt": LEARNER,
    "api.save": LEARNER,
    "api.submit": LEARNER,
    "api.results": LEARNER,
    "lookup.page": LEARNER,
    "lookup.api_search": LEARNER,
    "lookup.api_detail": LEARNER,
}

# Routes about one learner's attempt: everybody else gets 404, admins included.
OWNED = {"exams.attempt", "exams.answer", "exams.confirm_submit", "exams.results", "api.get_attempt", "api.save", "api.submit", "api.results"}

# Data that only an allowed role may see in the response.
SECRETS = {"admin.users": "target@example.com", "admin.user": "target@example.com", "authoring.item": "Secret rationale text"}


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(EXPECTED), "add new routes to EXPECTED with the role that may reach them"


def test_every_view_declares_access(app):
    for endpoint, view in app.view_functions.items():
        if endpoint == "static":
            continue
        assert getattr(view, "_access", None), f"{endpoint} declares no access rule"


def _cases():
    for endpoint, need in EXPECTED.items():
        if endpoint == "static":
            continue
        for role in (ANON, LEARNER, INSTRUCTOR, ADMIN):
            yield pytest.param(endpoint, need, role, id=f"{endpoint}-{role}")


@pytest.mark.parametrize("endpoint,need,role", list(_cases()))
def test_role_matrix(app, client, make_user, make_item, exam_bank, auth, endpoint, need, role):
    target = make_user("learner", email="target@example.com")
    make_item(id="matrix-item", rationale="Secret rationale text")
    exam_bank(id="matrix-exam")
    with app.app_context():
        from prep.dbtypes import utcnow
        from prep.exams import operations as ops
        from prep.extensions import db

        target_attempt = ops.start_attempt(target.id, ops.blueprint_by_slug("matrix-exam"), utcnow()).attempt.id
        db.session.commit()
    if role != ANON:
        me = make_user(role)
        assert auth.login(me.email, me.plain_password).status_code == 302
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    values = {}
    for arg in rule.arguments:
        values[arg] = {
            "user_id": target.id,
            "slug": "matrix-exam" if endpoint.startswith("exams.") else "matrix-item",
            "attempt_id": target_attempt,
            "position": 0,
            "system": "icd-10-cm",
            "code": "S52.521A",
        }[arg]
    with app.test_request_context():
        from flask import url_for

        url = url_for(endpoint, **values)
    methods = rule.methods - {"HEAD", "OPTIONS"}
    method = "GET" if "GET" in methods else sorted(methods)[0]
    token = csrf_from(client.get("/login" if role == ANON else "/").get_data(as_text=True))
    if endpoint.startswith("api."):
        response = client.open(url, method=method, json={"blueprint": "matrix-exam"} if method == "POST" else ({"choice": 0} if method == "PUT" else None),
                               headers={"X-CSRFToken": token})
    else:
        response = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
    body = response.get_data(as_text=True)

    if need == "public":
        assert response.status_code == 200
    elif need == "anonymous-only":
        assert response.status_code == (200 if role == ANON else 302)
    elif role == ANON:
        if endpoint.startswith("api.") or url.startswith("/api/"):
            assert response.status_code == 401
        else:
            assert response.status_code == 302 and "/login" in response.headers["Location"]
        assert SECRETS.get(endpoint, "\0") not in body
    elif endpoint in OWNED:
        assert response.status_code == 404, body[:300]
        assert "Anatomy question" not in body and "Terminology question" not in body
    elif RANK[role] < RANK[need]:
        assert response.status_code == 403
        assert SECRETS.get(endpoint, "\0") not in body
    else:
        assert response.status_code in (200, 201, 302), body[:300]
        if endpoint in SECRETS and method == "GET":
            assert SECRETS[endpoint] in body


def test_json_clients_get_401_not_a_login_page(client):
    r = client.get("/admin/users", headers={"Accept": "application/json"})
    assert r.status_code == 401
    assert r.get_json()["error"] == "unauthorized"


def test_route_without_access_rule_is_refused(app):
    """Default deny: a view registered without a decorator answers 403 to everyone."""
    from flask import Flask

    from prep import create_app
    from prep.config import TestConfig

    other: Flask = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], instance_path=app.instance_path)
    other.add_url_rule("/unguarded", "unguarded", lambda: "data")
    assert other.test_client().get("/unguarded").status_code == 403
