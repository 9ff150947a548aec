"""A small word index over a code file's descriptors (CPT, HCPCS), for the lookup.

Pure Python: no Flask, no database. ``prep.lookup.store`` builds one per loaded file version,
so a search over ~10,000 descriptors takes well under a millisecond.
"""

from __future__ import annotations

import heapq
import re
from array import array
from bisect import bisect_left
from collections.abc import Mapping

from prep.codesets.words import tokens  # one meaning of a query in every code set

__all__ = ["DescriptorIndex", "tokens"]



class DescriptorIndex:
    """Search ``{code: descriptor}`` by code prefix or by words.

    ``code_prefix`` is a regular expression for a query token that stands for the start of a
    code in this set (e.g. ``\\d{1,5}`` for CPT). Build once; searches do not modify it, so one
    index may serve several threads.
    """

    def __init__(self, registry: Mapping[str, str], code_prefix: str) -> None:
        self.codes: list[str] = sorted(registry)
        self.descriptions: list[str] = [registry[c] for c in self.codes]
        self._prefix = re.compile(code_prefix)
        postings: dict[str, list[int]] = {}
        for i, desc in enumerate(self.descriptions):
            for w in tokens(desc):
                postings.setdefault(w, []).append(i)
        self._postings = {w: array("i", ids) for w, ids in postings.items()}
        self._vocab = sorted(self._postings)
        # Shorter descriptors first (the general code before its variants), then code order.
        self._keys = [(len(d), i) for i, d in enumerate(self.descriptions)]

    def __len__(self) -> int:
        return len(self.codes)

    def code_range(self, prefix: str) -> range:
        """Positions (in code order) of the codes starting with ``prefix`` (upper case)."""
        lo = bisect_left(self.codes, prefix)
        hi = bisect_left(self.codes, prefix + "\x7f")
        return range(lo, hi)

    def _word_sets(self, word: str) -> tuple[set[int], set[int]]:
        """Codes whose descriptor holds ``word``; and those holding it or (for words of
        3+ characters) a word starting with it."""
        exact = set(self._postings.get(word, ()))
        prefixed = set(exact)
        if len(word) >= 3:
            lo = bisect_left(self._vocab, word)
            hi = bisect_left(self._vocab, word + "\x7f")
            for w in self._vocab[lo:hi]:
                if w != word:
                    prefixed.update(self._postings[w])
        return exact, prefixed

    def search(self, query: str, limit: int = 20) -> list[tuple[str, str]]:
        """Find codes by prefix or words; returns ``[(code, descriptor)]``, best first.

        A single token shaped like the start of a code ("992", "j10") lists the codes
        starting with it in code order. Otherwise every word must match a word of the
        descriptor (case and plurals ignored; words of 3+ characters also match as
        prefixes); a code-like token among words restricts to that prefix or matches the
        word. Exact word matches come before prefix matches, then shorter descriptors.
        Never raises for a str; ``limit`` <= 0 gives [].
        """
        raw = query.split()
        if limit <= 0 or not raw:
            return []
        if len(raw) == 1 and self._prefix.fullmatch(raw[0]):
            hits = self.code_range(raw[0].upper())
            if len(hits):
                return [(self.codes[i], self.descriptions[i]) for i in hits[:limit]]
        tiers: tuple[list[set[int]], list[set[int]]] = ([], [])
        for token in raw:
            by_code = set(self.code_range(token.upper())) if self._prefix.fullmatch(token) else set()
            words = tokens(token)
            if not words and not by_code:
                continue  # a stop word
            for w in words or {""}:
                exact, prefixed = self._word_sets(w) if w else (set(), set())
                tiers[0].append(exact | by_code)
                tiers[1].append(prefixed | by_code)
        if not tiers[0]:
            return []
        ranked: list[int] = []
        taken: set[int] = set()
        for sets in tiers:
            if len(ranked) >= limit:
                break
            sets.sort(key=len)
            found = set(sets[0])
            for other in sets[1:]:
                found &= other
                if not found:
                    break
            ranked += heapq.nsmallest(limit - len(ranked), found - taken, key=self._keys.__getitem__)
            taken |= found
        return [(self.codes[i], self.descriptions[i]) for i in ranked]
