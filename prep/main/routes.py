"""The home page (a landing page, or each role's start page) and the health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask_login import current_user
from sqlalchemy import text

from prep.auth.access import public
from prep.bank.operations import count_by_domain
from prep.domains import DOMAINS
from prep.extensions import db

bp = Blueprint("main", __name__)


@bp.route("/")
@public
def index():
    """Anonymous visitors see what the product is; users see their start page."""
    counts = count_by_domain()
    areas = [(d, counts.get(d.slug, {"mcq": 0, "coding": 0})) for d in DOMAINS]
    if not current_user.is_authenticated:
        total = sum(c["mcq"] + c["coding"] for _, c in areas)
        return render_template("main/landing.html", total=total, areas=areas)
    return render_template("main/home.html", areas=areas)


@bp.route("/healthz")
@public
def health():
    """For load balancers: 200 when the database answers."""
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")
