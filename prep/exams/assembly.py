"""Drawing an exam's questions from the bank. Pure Python: no Flask, no database.

The draw is reproducible: the same seed, pool and history give the same questions in the
same order with the same choice order, so an attempt can always be rebuilt and audited.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Candidate:
    """A published item that may be drawn."""

    item_id: int
    domain: str
    choice_count: int  # 0 for items without choices (coding scenarios)


@dataclass(frozen=True)
class Pick:
    """One drawn question: which item, in which area, and the order its choices are shown in."""

    item_id: int
    domain: str
    choice_order: tuple[int, ...]


@dataclass(frozen=True)
class Shortfall:
    domain: str
    needed: int
    available: int

    @property
    def missing(self) -> int:
        return self.needed - self.available


class BankTooSmall(Exception):
    """The bank lacks items for one or more areas; ``shortfalls`` says which and by how many."""

    def __init__(self, shortfalls: Sequence[Shortfall]):
        self.shortfalls = list(shortfalls)
        parts = [f"{s.domain}: needs {s.needed}, the bank has {s.available} ({s.missing} short)" for s in self.shortfalls]
        super().__init__("Not enough published questions for this exam. " + "; ".join(parts))


def check_supply(sections: Sequence[Mapping], pool: Sequence[Candidate]) -> list[Shortfall]:
    """Areas of ``sections`` (``[{domain, questions}]``) that the pool cannot fill."""
    available: dict[str, int] = {}
    for c in pool:
        available[c.domain] = available.get(c.domain, 0) + 1
    return [
        Shortfall(s["domain"], s["questions"], available.get(s["domain"], 0))
        for s in sections
        if available.get(s["domain"], 0) < s["questions"]
    ]


def assemble(
    sections: Sequence[Mapping],
    pool: Sequence[Candidate],
    seed: int,
    last_seen: Mapping[int, datetime] | None = None,
    shuffle_choices: bool = True,
) -> list[Pick]:
    """Draw ``questions`` items for each area of ``sections``, in the blueprint's area order.

    Items this learner has never seen come first, then those seen longest ago (``last_seen``
    maps item id to when it was last shown); ties are broken at random from ``seed``. Within an
    area the drawn questions are shuffled; choices are shuffled too when ``shuffle_choices``.

    Raises ``BankTooSmall`` naming every short area, before anything is drawn.
    """
    shortfalls = check_supply(sections, pool)
    if shortfalls:
        raise BankTooSmall(shortfalls)
    rng = random.Random(seed)
    last_seen = last_seen or {}
    by_domain: dict[str, list[Candidate]] = {}
    for c in sorted(pool, key=lambda c: c.item_id):  # a stable start, whatever order the caller used
        by_domain.setdefault(c.domain, []).append(c)
    picks: list[Pick] = []
    for section in sections:
        candidates = by_domain[section["domain"]]
        tie = {c.item_id: rng.random() for c in candidates}
        ranked = sorted(
            candidates,
            key=lambda c: (c.item_id in last_seen, last_seen[c.item_id].timestamp() if c.item_id in last_seen else 0.0, tie[c.item_id]),
        )
        chosen = ranked[: section["questions"]]
        rng.shuffle(chosen)
        for c in chosen:
            order = list(range(c.choice_count))
            if shuffle_choices:
                rng.shuffle(order)
            picks.append(Pick(c.item_id, c.domain, tuple(order)))
    return picks


def proportional_sections(counts: Mapping[str, int], total: int) -> list[dict]:
    """Scale area counts (e.g. the CPC's 100) to ``total`` questions with the same proportions.

    Largest remainder method, so the result sums exactly to ``total``; every area keeps at
    least one question when ``total`` allows. Ties go to the larger area, then the one listed first.
    """
    full = sum(counts.values())
    raw = {d: n * total / full for d, n in counts.items()}
    out = {d: max(1, int(v)) for d, v in raw.items()}
    order = sorted(counts, key=lambda d: (-(raw[d] - int(raw[d])), -counts[d], list(counts).index(d)))
    i = 0
    while sum(out.values()) < total:
        out[order[i % len(order)]] += 1
        i += 1
    return [{"domain": d, "questions": out[d]} for d in counts]
