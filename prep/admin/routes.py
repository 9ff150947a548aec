"""Admin pages: list users, change roles, reset passwords, enable or disable accounts."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_

from prep.auth import operations as ops
from prep.auth.access import role_required
from prep.auth.forms import ActiveForm, ResetPasswordForm, RoleForm
from prep.auth.models import Role, User
from prep.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")

PER_PAGE = 25


@bp.route("/users")
@role_required(Role.ADMIN)
def users():
    """Users, searchable by name or email and filterable by role, 25 a page."""
    q = (request.args.get("q") or "").strip()
    role = request.args.get("role") or ""
    query = db.select(User).order_by(User.email)
    if q:
        like = f"%{q.lower()}%"
        query = query.where(or_(db.func.lower(User.email).like(like), db.func.lower(User.name).like(like)))
    if role in {r.value for r in Role}:
        query = query.where(User.role == role)
    page = db.paginate(query, per_page=PER_PAGE, error_out=False)
    return render_template("admin/users.html", page=page, q=q, role=role, roles=[r.value for r in Role])


@bp.route("/users/<int:user_id>", methods=["GET"])
@role_required(Role.ADMIN)
def user(user_id: int):
    """One user's account, with the forms to change it."""
    u = db.get_or_404(User, user_id)
    return render_template(
        "admin/user.html", u=u, role_form=RoleForm(role=u.role), reset_form=ResetPasswordForm(), active_form=ActiveForm()
    )


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@role_required(Role.ADMIN)
def user_role(user_id: int):
    """Change a user's role."""
    u = db.get_or_404(User, user_id)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            ops.change_role(current_user, u, form.role.data)
        except ops.AccountError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(f"{u.email} is now {u.role}.", "success")
    else:
        flash("The role was not changed: " + "; ".join(e for errs in form.errors.values() for e in errs), "error")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.route("/users/<int:user_id>/reset-password", methods=["POST"])
@role_required(Role.ADMIN)
def user_reset_password(user_id: int):
    """Give the user a new random password, shown once to the admin."""
    u = db.get_or_404(User, user_id)
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        flash("The form expired; try again.", "error")
        return redirect(url_for("admin.user", user_id=user_id))
    password = ops.reset_password(u)
    db.session.commit()
    return render_template("admin/password_reset.html", u=u, password=password)


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@role_required(Role.ADMIN)
def user_active(user_id: int):
    """Enable or disable an account (a disabled account cannot log in)."""
    u = db.get_or_404(User, user_id)
    form = ActiveForm()
    if form.validate_on_submit():
        want = request.form.get("active") == "1"
        try:
            ops.set_active(current_user, u, want)
        except ops.AccountError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(f"{u.email} is now {'enabled' if u.active else 'disabled'}.", "success")
    return redirect(url_for("admin.user", user_id=user_id))
