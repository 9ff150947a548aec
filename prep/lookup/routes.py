"""The open-book code lookup: the ``/lookup`` page and its JSON API.

``GET /api/lookup?q=...&system=icd-10-cm|hcpcs|cpt&limit=20`` searches; without ``q`` it
describes the systems (which files are loaded). ``GET /api/lookup/<system>/<code>`` gives one
code's detail. Errors are JSON ``{"error", "message"}`` with 400 (bad input) or 404 (unknown
code, no file loaded). The page works without JavaScript (a GET form rendered on the server);
``static/js/lookup.js`` makes it, and the exam page's side panel, live.

The ICD-10-CM tables are imported inside ``operations`` on the first lookup, never when this
module is imported; ``LOOKUP_WARM_ON_START`` loads them while the app is created instead.
"""

from __future__ import annotations

import logging
import time

from flask import Blueprint, current_app, jsonify, render_template, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from prep.auth.access import login_required
from prep.extensions import limiter
from prep.lookup import operations as ops

bp = Blueprint("lookup", __name__)
log = logging.getLogger(__name__)

DEFAULT_RATE_LIMIT = "120 per minute;2000 per hour"


@bp.record_once
def _warm_on_start(state) -> None:
    """With ``LOOKUP_WARM_ON_START`` on, load the ICD-10-CM tables and search index now (about
    3 s), so a server process answers its first lookup at full speed."""
    if not state.app.config.get("LOOKUP_WARM_ON_START"):
        return
    from prep.codesets import icd10cm

    started = time.perf_counter()
    icd10cm.warm()
    log.info("ICD-10-CM tables and search index loaded in %.1f s", time.perf_counter() - started)


def _rate_limit() -> str:
    return current_app.config.get("LOOKUP_RATE_LIMIT") or DEFAULT_RATE_LIMIT


def _user_key() -> str:
    """Count lookups per account (many learners may share one address in a classroom)."""
    if current_user.is_authenticated:
        return f"lookup-user:{current_user.get_id()}"
    return f"lookup-addr:{get_remote_address()}"


def _problem(exc: ops.LookupProblem):
    response = jsonify(error=exc.name, message=exc.message)
    response.status_code = exc.status
    return response


@bp.route("/lookup")
@limiter.limit(_rate_limit, key_func=_user_key)
@login_required
def page():
    """The lookup page: search ICD-10-CM, HCPCS or CPT; a code's detail beside the results."""
    args = request.args
    state: dict = {"system": "icd-10-cm", "q": "", "code": "", "search": None, "detail": None, "error": None}
    status = 200
    try:
        state["system"] = ops.parse_system(args.get("system"))
        if args.get("q", "").strip():
            state["q"] = args.get("q", "").strip()[: ops.MAX_QUERY_LENGTH * 2]
            state["search"] = ops.search(state["system"], ops.parse_query(args.get("q")), ops.DEFAULT_LIMIT)
        if args.get("code", "").strip():
            state["code"] = args.get("code", "").strip()
            state["detail"] = ops.detail(state["system"], state["code"])
    except ops.LookupProblem as exc:
        state["error"], status = exc.message, exc.status
    return render_template(
        "lookup/page.html", lookup=state, lookup_systems=ops.systems(), lookup_page=True
    ), status


@bp.route("/api/lookup")
@limiter.limit(_rate_limit, key_func=_user_key)
@login_required
def api_search():
    """Search: ``q`` (a code prefix or words, at most 100 characters), ``system`` (default
    icd-10-cm), ``limit`` (1-50, default 20). Without ``q``: the systems and what is loaded."""
    if "q" not in request.args:
        return jsonify(
            systems=ops.systems(),
            max_query_length=ops.MAX_QUERY_LENGTH,
            max_limit=ops.MAX_LIMIT,
        )
    try:
        system = ops.parse_system(request.args.get("system"))
        query = ops.parse_query(request.args.get("q"))
        limit = ops.parse_limit(request.args.get("limit"))
        result = ops.search(system, query, limit)
    except ops.LookupProblem as exc:
        return _problem(exc)
    response = jsonify(result)
    response.headers["Cache-Control"] = "private, max-age=60"
    return response


@bp.route("/api/lookup/<system>/<code>")
@limiter.limit(_rate_limit, key_func=_user_key)
@login_required
def api_detail(system: str, code: str):
    """One code: description, parents, notes, 7th characters (ICD-10-CM), or the imported
    descriptor (CPT, HCPCS)."""
    try:
        result = ops.detail(ops.parse_system(system), code)
    except ops.LookupProblem as exc:
        return _problem(exc)
    response = jsonify(result)
    response.headers["Cache-Control"] = "private, max-age=60"
    return response
