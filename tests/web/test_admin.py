"""Admin pages: list users, change roles, reset passwords, disable accounts."""

from __future__ import annotations

import re

from prep.auth.models import User
from prep.extensions import db
from tests.conftest import csrf_from


def _post(client, url, **data):
    data["csrf_token"] = csrf_from(client.get("/").get_data(as_text=True))
    return client.post(url, data=data, follow_redirects=True)


def test_admin_lists_and_searches_users(client, login_as, make_user):
    login_as("admin")
    make_user(email="alice@example.com", name="Alice Abbott")
    make_user("instructor", email="bob@example.com", name="Bob Brown")
    page = client.get("/admin/users").get_data(as_text=True)
    assert "alice@example.com" in page and "bob@example.com" in page
    page = client.get("/admin/users?q=alice").get_data(as_text=True)
    assert "alice@example.com" in page and "bob@example.com" not in page
    page = client.get("/admin/users?role=instructor").get_data(as_text=True)
    assert "bob@example.com" in page and "alice@example.com" not in page


def test_admin_user_list_paginates(client, login_as, make_user):
    login_as("admin")
    for i in range(30):
        make_user(email=f"user{i:02d}@example.com")
    page1 = client.get("/admin/users").get_data(as_text=True)
    assert "Page 1 of 2" in page1
    page2 = client.get("/admin/users?page=2").get_data(as_text=True)
    assert "Page 2 of 2" in page2


def test_admin_changes_role(client, app, login_as, make_user):
    login_as("admin")
    u = make_user(email="promote@example.com")
    page = _post(client, f"/admin/users/{u.id}/role", role="instructor").get_data(as_text=True)
    assert "is now instructor" in page
    with app.app_context():
        assert db.session.get(User, u.id).role == "instructor"
    page = _post(client, f"/admin/users/{u.id}/role", role="emperor").get_data(as_text=True)
    assert "not changed" in page
    with app.app_context():
        assert db.session.get(User, u.id).role == "instructor"


def test_last_admin_cannot_be_demoted_or_disabled(client, app, login_as):
    me = login_as("admin")
    page = _post(client, f"/admin/users/{me.id}/role", role="learner").get_data(as_text=True)
    assert "last active admin" in page
    page = _post(client, f"/admin/users/{me.id}/active", active="0").get_data(as_text=True)
    assert "cannot disable your own account" in page
    with app.app_context():
        assert db.session.get(User, me.id).role == "admin"


def test_admin_resets_password_and_the_old_one_stops_working(client, app, login_as, make_user):
    login_as("admin")
    u = make_user(email="forgetful@example.com")
    page = _post(client, f"/admin/users/{u.id}/reset-password").get_data(as_text=True)
    new = re.search(r'data-testid="new-password">([^<]+)<', page).group(1)
    other = app.test_client()
    token = csrf_from(other.get("/login").get_data(as_text=True))
    assert other.post("/login", data={"email": u.email, "password": u.plain_password, "csrf_token": token}).status_code == 401
    assert other.post("/login", data={"email": u.email, "password": new, "csrf_token": token}).status_code == 302


def test_disabled_user_is_logged_out_and_cannot_log_in(client, app, login_as, make_user):
    login_as("admin")
    u = make_user(email="leaver@example.com")
    theirs = app.test_client()
    token = csrf_from(theirs.get("/login").get_data(as_text=True))
    theirs.post("/login", data={"email": u.email, "password": u.plain_password, "csrf_token": token})
    assert theirs.get("/account/password").status_code == 200
    page = _post(client, f"/admin/users/{u.id}/active", active="0").get_data(as_text=True)
    assert "is now disabled" in page
    assert theirs.get("/account/password").status_code == 302


def test_unknown_user_is_404(client, login_as):
    login_as("admin")
    assert client.get("/admin/users/99999").status_code == 404
