"""Registration, login, logout, password change, rate limiting and CSRF."""

from __future__ import annotations

from prep.auth.models import User
from prep.extensions import db
from tests.conftest import csrf_from


def register(client, **fields):
    token = csrf_from(client.get("/register").get_data(as_text=True))
    data = {"name": "Pat Coder", "email": "pat@example.com", "password": "longenough1", "confirm": "longenough1"}
    data.update(fields)
    data["csrf_token"] = token
    return client.post("/register", data=data)


def test_register_creates_learner_and_logs_in(client, app):
    response = register(client, email="  Pat@Example.COM ")
    assert response.status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert "Welcome, Pat Coder" in home
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == "pat@example.com"))
        assert user.role == "learner"
        assert user.password_hash != "longenough1" and user.password_hash.startswith(("scrypt:", "pbkdf2:"))


def test_register_rejects_duplicate_email_and_short_password(client, make_user):
    make_user(email="taken@example.com")
    page = register(client, email="TAKEN@example.com").get_data(as_text=True)
    assert "already exists" in page
    page = register(client, email="new@example.com", password="short", confirm="short").get_data(as_text=True)
    assert "at least 10 characters" in page
    page = register(client, email="new@example.com", confirm="different123").get_data(as_text=True)
    assert "The passwords differ" in page


def test_login_logout(client, auth, make_user):
    user = make_user()
    response = auth.login(user.email.upper(), user.plain_password)
    assert response.status_code == 302
    assert user.name in client.get("/").get_data(as_text=True)
    assert auth.logout().status_code == 302
    assert client.get("/account/password").status_code == 302  # back to the login page


def test_login_wrong_password_and_disabled_account(client, auth, make_user):
    user = make_user()
    response = auth.login(user.email, "not the password")
    assert response.status_code == 401
    assert "Email or password is not right" in response.get_data(as_text=True)
    disabled = make_user(active=False)
    assert auth.login(disabled.email, disabled.plain_password).status_code == 401


def test_login_next_only_follows_local_paths(client, auth, make_user):
    user = make_user()
    token = auth.token()
    r = client.post("/login?next=/account/password", data={"email": user.email, "password": user.plain_password, "csrf_token": token})
    assert r.headers["Location"].endswith("/account/password")
    auth.logout()
    token = auth.token()
    r = client.post("/login?next=//evil.example/x", data={"email": user.email, "password": user.plain_password, "csrf_token": token})
    assert r.headers["Location"] == "/"


def test_login_is_rate_limited(client, auth, make_user):
    user = make_user()
    codes = [auth.login(user.email, "wrong password").status_code for _ in range(6)]
    assert codes[:5] == [401] * 5
    assert codes[5] == 429
    # The right password does not get through either while the limit holds.
    response = auth.login(user.email, user.plain_password)
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)


def test_login_limit_is_per_account_too(app, make_user):
    """Rotating addresses does not help an attacker against one account."""
    user = make_user()
    codes = []
    for i in range(7):
        c = app.test_client()
        token = csrf_from(c.get("/login", environ_base={"REMOTE_ADDR": f"10.0.0.{i}"}).get_data(as_text=True))
        r = c.post("/login", data={"email": user.email, "password": "wrong", "csrf_token": token}, environ_base={"REMOTE_ADDR": f"10.0.0.{i}"})
        codes.append(r.status_code)
    assert 429 in codes


def test_change_password(client, auth, make_user, app):
    user = make_user()
    auth.login(user.email, user.plain_password)
    token = csrf_from(client.get("/account/password").get_data(as_text=True))
    bad = client.post("/account/password", data={"current": "wrong one!!", "password": "brand new pass", "confirm": "brand new pass", "csrf_token": token})
    assert "current password is not right" in bad.get_data(as_text=True)
    ok = client.post("/account/password", data={"current": user.plain_password, "password": "brand new pass", "confirm": "brand new pass", "csrf_token": token})
    assert ok.status_code == 302
    assert client.get("/account/password").status_code == 200  # this session stays logged in
    auth.logout()
    assert auth.login(user.email, user.plain_password).status_code == 401
    assert auth.login(user.email, "brand new pass").status_code == 302


def test_password_change_logs_out_other_sessions(app, make_user):
    user = make_user()
    other = app.test_client()
    token = csrf_from(other.get("/login").get_data(as_text=True))
    other.post("/login", data={"email": user.email, "password": user.plain_password, "csrf_token": token})
    assert other.get("/account/password").status_code == 200
    me = app.test_client()
    token = csrf_from(me.get("/login").get_data(as_text=True))
    me.post("/login", data={"email": user.email, "password": user.plain_password, "csrf_token": token})
    token = csrf_from(me.get("/account/password").get_data(as_text=True))
    me.post("/account/password", data={"current": user.plain_password, "password": "brand new pass", "confirm": "brand new pass", "csrf_token": token})
    assert other.get("/account/password").status_code == 302


def test_forms_without_csrf_token_are_refused(client, make_user, auth):
    user = make_user()
    r = client.post("/login", data={"email": user.email, "password": user.plain_password})
    assert r.status_code == 400
    assert "form expired" in r.get_data(as_text=True)
    r = client.post("/register", data={"name": "x", "email": "x@example.com", "password": "longenough1", "confirm": "longenough1"})
    assert r.status_code == 400
    auth.login(user.email, user.plain_password)
    r = client.post("/logout", data={})
    assert r.status_code == 400
    assert user.name in client.get("/").get_data(as_text=True)  # still logged in
    r = client.post("/logout", data={"csrf_token": "forged"})
    assert r.status_code == 400


def test_csrf_failure_answers_json_to_json_clients(client, make_user, auth):
    user = make_user()
    auth.login(user.email, user.plain_password)
    r = client.post("/logout", headers={"Accept": "application/json"})
    assert r.status_code == 400
    assert r.get_json()["error"] == "csrf"


def test_pages_have_security_headers_and_no_external_assets(client):
    r = client.get("/login")
    assert r.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in r.headers["Content-Security-Policy"]
    html = r.get_data(as_text=True)
    assert "http://" not in html.replace("http://localhost", "") and "https://" not in html


def test_registration_is_rate_limited_per_address(app):
    app.config["REGISTER_RATE_LIMIT"] = "3 per hour"
    try:
        codes = []
        for i in range(4):
            c = app.test_client()
            codes.append(register(c, email=f"bulk{i}@example.com").status_code)
        assert codes == [302, 302, 302, 429]
    finally:
        app.config["REGISTER_RATE_LIMIT"] = "10 per hour"
