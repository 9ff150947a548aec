"""Instructor pages: browse and preview the bank (authoring in the browser comes later)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from sqlalchemy import or_

from prep.auth.access import role_required
from prep.auth.models import Role
from prep.bank.models import Item
from prep.domains import BY_SLUG, DOMAINS
from prep.extensions import db

bp = Blueprint("authoring", __name__, url_prefix="/bank")

PER_PAGE = 30


@bp.route("/")
@role_required(Role.INSTRUCTOR)
def items():
    """The bank, filterable by area, type, status, difficulty and text; 30 a page."""
    args = request.args
    query = db.select(Item).order_by(Item.domain, Item.slug)
    domain = args.get("domain", "")
    if domain in BY_SLUG:
        query = query.where(Item.domain == domain)
    type_ = args.get("type", "")
    if type_ in ("mcq", "coding"):
        query = query.where(Item.type == type_)
    status = args.get("status", "")
    if status in ("draft", "published", "retired"):
        query = query.where(Item.status == status)
    difficulty = args.get("difficulty", "")
    if difficulty in ("1", "2", "3"):
        query = query.where(Item.difficulty == int(difficulty))
    q = (args.get("q") or "").strip()
    if q:
        like = f"%{q.lower()}%"
        query = query.where(or_(db.func.lower(Item.stem).like(like), Item.slug.like(like)))
    page = db.paginate(query, per_page=PER_PAGE, error_out=False)
    filters = {"domain": domain, "type": type_, "status": status, "difficulty": difficulty, "q": q}
    return render_template("authoring/items.html", page=page, filters=filters, domains=DOMAINS)


@bp.route("/<slug>")
@role_required(Role.INSTRUCTOR)
def item(slug: str):
    """One item as learners will see it, followed by its key and rationale."""
    row = db.session.scalar(db.select(Item).where(Item.slug == slug))
    if row is None:
        abort(404)
    return render_template("authoring/item.html", item=row, domain=BY_SLUG.get(row.domain))
