"""Login, registration, logout and password change."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from prep.auth import operations as ops
from prep.auth.access import ANONYMOUS_ONLY, _mark, login_required
from prep.auth.forms import ChangePasswordForm, LoginForm, RegisterForm
from prep.extensions import db, limiter

bp = Blueprint("auth", __name__)


def anonymous_only(view):
    return _mark(view, ANONYMOUS_ONLY)


def _safe_next(target: str | None) -> str:
    """Only follow ``next`` to a path on this site (no open redirect)."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("main.index")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _email_key() -> str:
    return "login-email:" + (request.form.get("email") or "").strip().lower()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_email_key)
@anonymous_only
def login():
    """Show the login form; log the user in on valid credentials."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = ops.authenticate(form.email.data, form.password.data)
        if user is None:
            flash("Email or password is not right.", "error")
            return render_template("auth/login.html", form=form), 401
        login_user(user, remember=form.remember.data)
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTER_RATE_LIMIT"], methods=["POST"])
@anonymous_only
def register():
    """Create a learner account and log it in."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = ops.create_user(form.email.data, form.name.data, form.password.data)
        except ops.AccountError as exc:
            form.email.errors.append(str(exc))
        else:
            db.session.commit()
            login_user(user)
            flash("Welcome! Your account is ready.", "success")
            return redirect(url_for("main.index"))
    return render_template("auth/register.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Log out (POST only, with CSRF, so a link on another site cannot log you out)."""
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's own password; other sessions of the account are logged out."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append("The current password is not right.")
        else:
            current_user.set_password(form.password.data)
            db.session.commit()
            login_user(current_user)  # keep this session valid with the new password generation
            flash("Your password has been changed.", "success")
            return redirect(url_for("main.index"))
    return render_template("auth/password.html", form=form)


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    """Personal API tokens for scripts: create one (shown once), list, revoke."""
    from prep.api.tokens import create_token
    from prep.auth.forms import TokenForm
    from prep.exams.models import ApiToken

    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        if request.form.get("revoke"):
            row = db.session.get(ApiToken, request.form.get("revoke", type=int) or 0)
            if row is None or row.user_id != current_user.id:
                abort(404)
            db.session.delete(row)
            db.session.commit()
            flash("The token was revoked.", "success")
            return redirect(url_for("auth.tokens"))
        new_token = create_token(current_user, form.label.data or "")
        db.session.commit()
    rows = db.session.scalars(db.select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.created_at.desc()))
    return render_template("auth/tokens.html", form=form, rows=list(rows), new_token=new_token)
