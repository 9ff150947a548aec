"""Account operations. They flush; the request (or CLI command) commits."""

from __future__ import annotations

import secrets

from sqlalchemy import func

from prep.auth.models import Role, User
from prep.extensions import db


class AccountError(Exception):
    """A request about accounts that cannot be carried out; the message says why."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    """The user with this email (case-insensitive), or None."""
    return db.session.scalar(db.select(User).where(User.email == normalise_email(email)))


def create_user(email: str, name: str, password: str, role: Role | str = Role.LEARNER) -> User:
    """Create an account. Raises ``AccountError`` if the email is taken."""
    email = normalise_email(email)
    if find_user(email) is not None:
        raise AccountError("An account with this email already exists.")
    user = User(email=email, name=name.strip(), role=Role(role).value)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with these credentials, or None (same answer for every failure)."""
    user = find_user(email)
    if user is None:
        # Hash anyway so timing does not tell which emails have accounts.
        User(email="", name="", password_hash="").set_password(password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


def generate_password() -> str:
    """A random password that is easy to type: four groups of four characters."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


def _admin_count() -> int:
    return db.session.scalar(db.select(func.count()).select_from(User).where(User.role == Role.ADMIN.value, User.active.is_(True)))


def change_role(actor: User, user: User, role: Role | str) -> None:
    """Give ``user`` a new role. Raises ``AccountError`` if that would leave no active admin."""
    role = Role(role)
    if user.role == Role.ADMIN.value and role != Role.ADMIN and user.active and _admin_count() <= 1:
        raise AccountError("This is the last active admin; make another admin first.")
    user.role = role.value
    db.session.flush()


def set_active(actor: User, user: User, active: bool) -> None:
    """Enable or disable an account. An admin cannot disable themselves or the last admin."""
    if not active and user.id == actor.id:
        raise AccountError("You cannot disable your own account.")
    if not active and user.role == Role.ADMIN.value and _admin_count() <= 1:
        raise AccountError("This is the last active admin; make another admin first.")
    user.active = active
    db.session.flush()


def reset_password(user: User) -> str:
    """Give ``user`` a new random password, returned once, and log out their sessions."""
    password = generate_password()
    user.set_password(password)
    db.session.flush()
    return password


DEMO_ACCOUNTS = (
    ("learner@example.com", "Dana Learner", Role.LEARNER),
    ("instructor@example.com", "Sam Instructor", Role.INSTRUCTOR),
    ("admin@example.com", "Alex Admin", Role.ADMIN),
)


def ensure_demo_accounts() -> list[tuple[str, str, str]]:
    """Create the demo accounts that do not exist yet.

    Returns (email, role, password) for the accounts created now; existing accounts are left
    untouched, so running it again creates nothing and prints no password.
    """
    created = []
    for email, name, role in DEMO_ACCOUNTS:
        if find_user(email) is None:
            password = generate_password()
            create_user(email, name, password, role)
            created.append((email, role.value, password))
    return created
