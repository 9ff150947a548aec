"""Imported code files (CPT, HCPCS) in the database, and per-process caches of them.

Writing: ``replace_code_set`` swaps one system's rows inside the caller's transaction (the
CLI commits once, so a failed import changes nothing).

Reading: ``cpt_registry()`` / ``hcpcs_registry()`` return ``{code: descriptor}`` or None when
no file is loaded. Each process keeps the mapping (and a word index built on first search)
in memory. The app runs as several gunicorn processes, so an import made by one must reach
the others: every import bumps the set's row in ``code_sets_meta`` in the same transaction,
and a process compares that row (one primary-key read) with what it cached at most every
``CODE_SETS_RECHECK_SECONDS`` (default 2) seconds. ``invalidate()`` drops this process's
cache at once (the import command calls it).

Callers need an application context. The mappings are shared: never modify them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import delete, func, insert, select

from prep.extensions import db
from prep.lookup.index import DescriptorIndex
from prep.lookup.models import SYSTEMS, CodeDescriptor, CodeSetMeta

__all__ = [
    "cpt_registry",
    "hcpcs_registry",
    "loaded_set",
    "replace_code_set",
    "clear_code_set",
    "status",
    "invalidate",
    "LoadedSet",
    "ImportReport",
]

DEFAULT_RECHECK_SECONDS = 2.0

# What a query token looks like when it stands for the start of a code of the set.
CODE_PREFIX = {"cpt": r"\d{1,5}|\d{4}[FfTtUuMm]", "hcpcs": r"[A-Va-v]\d{0,4}"}


@dataclass
class LoadedSet:
    """One system's imported file as this process holds it."""

    system: str
    stamp: tuple[int, datetime]  # (version, imported_at) of its code_sets_meta row
    codes: dict[str, str]
    source: str
    imported_at: datetime
    _index: DescriptorIndex | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def index(self) -> DescriptorIndex:
        """The word index over the descriptors, built on first use (tens of milliseconds)."""
        if self._index is None:
            with self._lock:
                if self._index is None:
                    self._index = DescriptorIndex(self.codes, CODE_PREFIX[self.system])
        return self._index


@dataclass
class _Entry:
    stamp: tuple[int, datetime] | None
    loaded: LoadedSet | None
    checked: float


_cache: dict[tuple[str, str], _Entry] = {}
_cache_lock = threading.Lock()


def _key(system: str) -> tuple[str, str]:
    # Keyed by database too: tests and benchmarks may build several apps in one process.
    return (db.engine.url.render_as_string(hide_password=True), system)


def invalidate(system: str | None = None) -> None:
    """Forget this process's cached file(s), so the next read goes to the database."""
    with _cache_lock:
        for key in list(_cache):
            if system is None or key[1] == system:
                del _cache[key]


def _stamp(system: str) -> tuple[tuple[int, datetime] | None, str]:
    """The set's (version, imported_at), or None when nothing is loaded; and its source."""
    row = db.session.execute(
        select(CodeSetMeta.version, CodeSetMeta.imported_at, CodeSetMeta.row_count, CodeSetMeta.source).where(
            CodeSetMeta.system == system
        )
    ).first()
    if row is None or row.row_count == 0:
        return None, ""
    return (row.version, row.imported_at), row.source


def loaded_set(system: str) -> LoadedSet | None:
    """The imported file of ``system`` ("cpt" or "hcpcs") as cached here, or None when
    none is loaded. Reads ``code_sets_meta`` at most every ``CODE_SETS_RECHECK_SECONDS``
    and reloads the rows only when another import happened. Raises ValueError for an
    unknown system and SQLAlchemy errors when the database cannot be read."""
    if system not in SYSTEMS:
        raise ValueError(f"unknown code system {system!r}")
    key = _key(system)
    now = time.monotonic()
    interval = float(current_app.config.get("CODE_SETS_RECHECK_SECONDS", DEFAULT_RECHECK_SECONDS))
    entry = _cache.get(key)
    if entry is not None and now - entry.checked < interval:
        return entry.loaded
    stamp, source = _stamp(system)
    if entry is not None and entry.stamp == stamp:
        entry.checked = now
        return entry.loaded
    loaded = None
    if stamp is not None:
        rows = db.session.execute(
            select(CodeDescriptor.code, CodeDescriptor.description).where(CodeDescriptor.system == system)
        )
        codes = {code: desc for code, desc in rows}
        # An import committed between the two reads only costs one more reload later.
        loaded = LoadedSet(system, stamp, codes, source, stamp[1]) if codes else None
    with _cache_lock:
        _cache[key] = _Entry(stamp, loaded, now)
    return loaded


def cpt_registry() -> dict[str, str] | None:
    """``{code: descriptor}`` from the institution's imported CPT file, or None when none
    is loaded. Cached per process (see the module docstring); do not modify it."""
    loaded = loaded_set("cpt")
    return loaded.codes if loaded else None


def hcpcs_registry() -> dict[str, str] | None:
    """``{code: description}`` from the imported HCPCS Level II file, or None when none is
    loaded. Cached per process (see the module docstring); do not modify it."""
    loaded = loaded_set("hcpcs")
    return loaded.codes if loaded else None


@dataclass(frozen=True)
class ImportReport:
    """What ``replace_code_set`` did: rows removed and added, and the set's new version."""

    system: str
    removed: int
    added: int
    version: int


def _locked_meta(system: str, now: datetime) -> CodeSetMeta:
    """The set's meta row, locked (PostgreSQL) so concurrent imports of one set queue up."""
    meta = db.session.get(CodeSetMeta, system, with_for_update=True)
    if meta is None:
        # The first import of a set: two at once must not both insert the row. ON CONFLICT
        # DO NOTHING makes the second wait for the first and then lock the row it made.
        dialect = db.session.get_bind().dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        else:
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        db.session.execute(
            dialect_insert(CodeSetMeta)
            .values(system=system, version=0, row_count=0, source="", imported_at=now)
            .on_conflict_do_nothing(index_elements=["system"])
        )
        meta = db.session.get(CodeSetMeta, system, with_for_update=True, populate_existing=True)
    return meta


def replace_code_set(system: str, codes: Mapping[str, str], source: str, now: datetime) -> ImportReport:
    """Replace every row of ``system`` with ``codes`` ({normalised code: descriptor}).

    Takes the system ("cpt" or "hcpcs"), the parsed file (see ``prep.codesets.cpt.load_cpt_csv``
    and ``prep.codesets.hcpcs.load_hcpcs_file``), the file's name for ``status`` and the time.
    Flushes without committing: the caller commits once, so readers see the old set or the new
    one, never a mix. Returns an ImportReport. Raises ValueError for an unknown system or an
    empty mapping.
    """
    if system not in SYSTEMS:
        raise ValueError(f"unknown code system {system!r}")
    if not codes:
        raise ValueError("a code file with no codes would empty the set; use clear_code_set")
    meta = _locked_meta(system, now)
    meta.version += 1
    meta.row_count = len(codes)
    meta.source = source[:255]
    meta.imported_at = now
    db.session.flush()
    removed = db.session.execute(delete(CodeDescriptor).where(CodeDescriptor.system == system)).rowcount
    db.session.execute(
        insert(CodeDescriptor),
        [{"system": system, "code": c, "description": d, "imported_at": now} for c, d in codes.items()],
    )
    db.session.flush()
    return ImportReport(system, removed or 0, len(codes), meta.version)


def clear_code_set(system: str, now: datetime) -> int:
    """Remove every row of ``system`` (e.g. when a CPT licence ends); flushes, returns the
    number removed. The meta row stays, with no codes and a new version, so every process
    notices. Raises ValueError for an unknown system."""
    if system not in SYSTEMS:
        raise ValueError(f"unknown code system {system!r}")
    meta = _locked_meta(system, now)
    meta.version += 1
    meta.row_count = 0
    meta.source = ""
    meta.imported_at = now
    db.session.flush()
    removed = db.session.execute(delete(CodeDescriptor).where(CodeDescriptor.system == system)).rowcount
    db.session.flush()
    return removed or 0


def status() -> dict[str, dict]:
    """Per system: ``{"count": rows in the table, "source": file name or "",
    "imported_at": datetime or None}``. Reads the database (not the cache)."""
    counts = dict(
        db.session.execute(
            select(CodeDescriptor.system, func.count()).group_by(CodeDescriptor.system)
        ).all()
    )
    metas = {m.system: m for m in db.session.scalars(select(CodeSetMeta))}
    out = {}
    for system in SYSTEMS:
        meta = metas.get(system)
        loaded = meta is not None and meta.row_count > 0
        out[system] = {
            "count": counts.get(system, 0),
            "source": meta.source if loaded else "",
            "imported_at": meta.imported_at if loaded else None,
        }
    return out
