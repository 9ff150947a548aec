"""Who may reach which route.

Every view declares its access with one of the decorators below, and ``enforce_access`` runs
before every request: a route that declares nothing is refused (default deny), so a new route
without a guard fails closed and fails the role-matrix test.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import abort, current_app, jsonify, redirect, request, url_for
from flask_login import current_user

from prep.auth.models import Role

F = TypeVar("F", bound=Callable)

PUBLIC = "public"
ANONYMOUS_ONLY = "anonymous"  # login and register: public, but a logged-in user is sent home


def _mark(view: F, access: str) -> F:
    view._access = access  # type: ignore[attr-defined]
    return view


def public(view: F) -> F:
    """Anyone may reach this view."""
    return _mark(view, PUBLIC)


def login_required(view: F) -> F:
    """Any logged-in, active user (learner or above)."""
    return _mark(view, Role.LEARNER.value)


def role_required(role: Role | str) -> Callable[[F], F]:
    """Users whose role reaches ``role`` (admin > instructor > learner)."""
    role = Role(role)

    def decorator(view: F) -> F:
        return _mark(view, role.value)

    return decorator


def wants_json() -> bool:
    """Whether the client asked for JSON (an API path, or JSON preferred over HTML)."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def access_of(endpoint: str | None) -> str | None:
    """The declared access of an endpoint, or None when it declares nothing."""
    if endpoint is None:
        return None
    if endpoint == "static" or endpoint.endswith(".static"):
        return PUBLIC
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "_access", None)


def enforce_access():
    """``before_request`` hook: refuse the request unless the user may reach the endpoint."""
    if request.endpoint is None:  # 404/405: let Flask answer
        return None
    access = access_of(request.endpoint)
    if access is None:
        current_app.logger.error("route %s declares no access rule; refused", request.endpoint)
        abort(403)
    if access in (PUBLIC, ANONYMOUS_ONLY):
        return None
    if not current_user.is_authenticated:
        if wants_json():
            response = jsonify(error="unauthorized", message="Log in to use this.")
            response.status_code = 401
            return response
        return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))
    if not current_user.has_role(access):
        abort(403)
    return None
