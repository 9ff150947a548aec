"""Database operations on the bank. They flush; the caller commits once."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func

from prep.bank.format import LoadedItem, canonical_item
from prep.bank.models import Item
from prep.dbtypes import utcnow
from prep.extensions import db


def content_hash(item: dict[str, Any]) -> str:
    """A stable fingerprint of an item's canonical content (order-insensitive for mapping keys)."""
    blob = json.dumps(canonical_item(item), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"{len(self.created)} created, {len(self.updated)} updated, {len(self.unchanged)} unchanged"


def _apply(row: Item, data: dict[str, Any], digest: str) -> None:
    row.type = data["type"]
    row.domain = data["domain"]
    row.difficulty = data["difficulty"]
    row.status = data.get("status", "published")
    row.stem = data["stem"]
    row.rationale = data["rationale"]
    row.content = data
    row.content_hash = digest


def upsert_items(items: list[LoadedItem]) -> ImportReport:
    """Create or update items by their ``id`` (the slug); unchanged items are left alone.

    Takes items already validated by ``prep.bank.format``. A changed item keeps its row and
    gets ``version + 1`` so later work can tell which wording a learner saw. Flushes only.
    """
    report = ImportReport()
    slugs = [li.data["id"] for li in items]
    existing = {row.slug: row for row in db.session.scalars(db.select(Item).where(Item.slug.in_(slugs)))} if slugs else {}
    now = utcnow()
    for li in items:
        data = canonical_item(li.data)
        digest = content_hash(data)
        row = existing.get(data["id"])
        if row is None:
            row = Item(slug=data["id"], version=1, created_at=now, updated_at=now)
            _apply(row, data, digest)
            db.session.add(row)
            existing[row.slug] = row
            report.created.append(row.slug)
        elif row.content_hash == digest:
            report.unchanged.append(row.slug)
        else:
            _apply(row, data, digest)
            row.version += 1
            row.updated_at = now
            report.updated.append(row.slug)
    db.session.flush()
    return report


def all_items_for_export(domain: str | None = None) -> list[dict[str, Any]]:
    """Every item's canonical content (optionally one area), ordered by area then id."""
    query = db.select(Item).order_by(Item.domain, Item.slug)
    if domain:
        query = query.where(Item.domain == domain)
    return [canonical_item(row.content) for row in db.session.scalars(query)]


def count_by_domain(status: str | None = "published") -> dict[str, dict[str, int]]:
    """Count items per area and type: ``{domain: {"mcq": n, "coding": m}}`` in one query."""
    query = db.select(Item.domain, Item.type, func.count()).group_by(Item.domain, Item.type)
    if status:
        query = query.where(Item.status == status)
    out: dict[str, dict[str, int]] = {}
    for domain, type_, n in db.session.execute(query):
        out.setdefault(domain, {"mcq": 0, "coding": 0})[type_] = n
    return out
