"""Drawing an exam's questions from the bank. Pure Python: no Flask, no database.

The draw is reproducible: the same seed, pool and history give the same questions in the
same order with the same choice order, so an attempt can always be rebuilt and audited.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

ANY_DOMAIN = "any"  # a section drawing from every area


@dataclass(frozen=True)
class Candidate:
    """A published item that may be drawn."""

    item_id: int
    domain: str
    choice_count: int  # 0 for items without choices (coding scenarios)
    type: str = "mcq"


def section_type(section: Mapping) -> str:
    return section.get("type", "mcq")


def _fits(c: Candidate, section: Mapping) -> bool:
    return c.type == section_type(section) and (section["domain"] == ANY_DOMAIN or c.domain == section["domain"])


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
    type: str = "mcq"

    @property
    def missing(self) -> int:
        return self.needed - self.available


class BankTooSmall(Exception):
    """The bank lacks items for one or more areas; ``shortfalls`` says which and by how many."""

    def __init__(self, shortfalls: Sequence[Shortfall]):
        self.shortfalls = list(shortfalls)
        parts = [
            f"{s.domain}{' coding scenarios' if s.type == 'coding' else ''}: needs {s.needed}, the bank has {s.available} ({s.missing} short)"
            for s in self.shortfalls
        ]
        super().__init__("Not enough published questions for this exam. " + "; ".join(parts))


def check_supply(sections: Sequence[Mapping], pool: Sequence[Candidate]) -> list[Shortfall]:
    """Sections (``[{domain, questions, type?}]``) that the pool cannot fill.

    Sections are filled in order and an item is drawn once, so a section over ``any`` area
    counts only what the earlier sections leave.
    """
    out = []
    taken: set[int] = set()
    for s in sections:
        fits = [c.item_id for c in pool if _fits(c, s) and c.item_id not in taken]
        if len(fits) < s["questions"]:
            out.append(Shortfall(s["domain"], s["questions"], len(fits), section_type(s)))
        taken.update(fits[: s["questions"]])
    return out


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
    ordered = sorted(pool, key=lambda c: c.item_id)  # a stable start, whatever order the caller used
    taken: set[int] = set()
    picks: list[Pick] = []
    for section in sections:
        candidates = [c for c in ordered if _fits(c, section) and c.item_id not in taken]
        if len(candidates) < section["questions"]:  # an earlier "any" section took what this one needed
            raise BankTooSmall([Shortfall(section["domain"], section["questions"], len(candidates), section_type(section))])
        tie = {c.item_id: rng.random() for c in candidates}
        ranked = sorted(
            candidates,
            key=lambda c: (c.item_id in last_seen, last_seen[c.item_id].timestamp() if c.item_id in last_seen else 0.0, tie[c.item_id]),
        )
        chosen = ranked[: section["questions"]]
        taken.update(c.item_id for c in chosen)
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
