"""Words of code descriptions, for search: shared by the ICD-10-CM index and the CPT/HCPCS
lookup so a query means the same thing in every code set. Pure Python."""

from __future__ import annotations

import re

STOP = frozenset("a an and as at by for from in of on or the to with s".split())
WORD = re.compile(r"[a-z0-9]+")


def stem(word: str) -> str:
    """A deliberately small stemmer: plurals only ("injuries" -> "injury", "fractures" ->
    "fracture"); used on both the index and the query, so its quirks ("diabetes" ->
    "diabete") cancel out."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("sses"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def tokens(text: str) -> set[str]:
    """The searchable words of ``text``: lower case, letters and digits, no stop words,
    plurals folded ("Strips, box of 50" -> {"strip", "box", "50"}). Never raises."""
    text = text.lower().replace("'s", "")
    return {stem(w) for w in WORD.findall(text) if w not in STOP}
