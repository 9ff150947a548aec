"""Grading of coding scenarios: the codes a learner reports against an item's key.

Pure functions: nothing here imports Flask or the database. The code sets come
from ``prep.codesets`` (ICD-10-CM descriptions and notes from the April 2026
tables; CPT descriptors only from a licensed file passed in as a registry).

How a coding answer is graded
=============================

Every line of the key (each diagnosis and each procedure) is worth 1 point.
Each key line gets one of these results:

* **correct** (1 point): you reported the code, or an alternative the item
  accepts for it. For procedures the modifiers compare as a set (their order
  does not matter) and units are 1 unless stated ("J3301 x4").
* **out of sequence** (0.5): you reported the first-listed diagnosis (the
  reason for the visit), but not first.
* **wrong modifier** / **wrong units** (0.5): the procedure code is right but
  its modifiers / its units are not. When both are wrong the line is "wrong
  modifier" (0.5) and the message names both.
* **missing** (0): the key line was not reported.

Each code you reported that matches no key line gets one of these:

* **invalid** (-0.5): not a code of its code set, or malformed.
* **incomplete** (-0.5): a real code that cannot be reported as it is, e.g. a
  category that has subcategories, or a code without its 7th character.
* **near miss** (0): a reportable diagnosis in the same 3-character category
  as a key diagnosis you did not report: right category, wrong specificity
  (a wrong 7th character counts here too). That key diagnosis still shows as
  missing (0). Each missing key diagnosis pairs with at most one near miss;
  a further code in the same category is an extra.
* **optional** (0): a code the item lists as optional: neither credited nor
  penalised.
* **extra** (-0.5): any other valid code: the documentation does not support
  it.

A code reported twice counts once (the repeat is ignored, with a note); a
procedure is a repeat when its code, modifiers (as a set) and units are the
same ("64483-LT" and "64483-RT" are two lines).
The score is your points divided by the number of key lines, never below 0
or above 1. Notes point out guideline conflicts among the codes you reported
(Excludes1 pairs, a manifestation code without or before its etiology, a
"use additional code" note left unanswered, a 7th character that does not fit
the encounter); notes never change the score.

Reading answers
===============

An answer is a mapping ``{"diagnoses": [...], "procedures": [...]}`` (each
entry one code; procedures written ``CODE[-MOD...][ xUNITS]`` such as
"64483-LT-59" or "J3301 x4"; a field may also be one string of codes
separated like free text) or free text. In free text codes are separated by
commas, semicolons, spaces or new lines, and each code's set is told by its
shape (``prep.codesets.lines.code_system``): write diagnoses with their dot
when the dotless form looks like a HCPCS code ("E11.65", not "E1165").
Modifiers attach with hyphens ("99214-25", "99214 - 25"); units follow the
code as "x2", " x2", " x 2" or " units 2". A units token that follows no
procedure is graded as an invalid procedure line.

Key details
===========

``accept`` maps a key code to alternatives. For a procedure the map's key may
be the whole key line ("25600-RT") or its bare code ("25600"); an alternative
written as a bare code takes the key line's modifiers and units, one written
with modifiers or units is compared as written. ``optional`` codes match
procedures by code alone (any modifiers or units).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from prep.codesets import cpt, hcpcs, icd10cm, pcs, validate_procedure_line
from prep.codesets import modifiers as modifiers_mod
from prep.codesets.common import INCOMPLETE, INVALID, Validation
from prep.codesets.lines import LineError, ProcedureLine, code_system, format_procedure, parse_procedure

__all__ = [
    "POLICY",
    "STATUSES",
    "KEY_STATUSES",
    "REPORTED_STATUSES",
    "CodingResult",
    "GradedLine",
    "grade_coding",
    "parse_free_text",
]

DIAGNOSIS = "diagnosis"
PROCEDURE = "procedure"

CORRECT = "correct"
OUT_OF_SEQUENCE = "out_of_sequence"
WRONG_MODIFIER = "wrong_modifier"
WRONG_UNITS = "wrong_units"
MISSING = "missing"
INVALID_LINE = "invalid"
INCOMPLETE_LINE = "incomplete"
NEAR_MISS = "near_miss"
OPTIONAL = "optional"
EXTRA = "extra"

KEY_STATUSES = (CORRECT, OUT_OF_SEQUENCE, WRONG_MODIFIER, WRONG_UNITS, MISSING)
REPORTED_STATUSES = (INVALID_LINE, INCOMPLETE_LINE, NEAR_MISS, OPTIONAL, EXTRA)
STATUSES = KEY_STATUSES + REPORTED_STATUSES

_POINTS: dict[str, float] = {
    CORRECT: 1.0,
    OUT_OF_SEQUENCE: 0.5,
    WRONG_MODIFIER: 0.5,
    WRONG_UNITS: 0.5,
    MISSING: 0.0,
    INVALID_LINE: -0.5,
    INCOMPLETE_LINE: -0.5,
    NEAR_MISS: 0.0,
    OPTIONAL: 0.0,
    EXTRA: -0.5,
}

#: Points per status, for display (a copy: changing it does not change grading).
#: Each key line is worth 1 point; the score is max(0, points) / key lines, at most 1.
POLICY: dict[str, float] = dict(_POINTS)


# --------------------------------------------------------------------------
# results


@dataclass(frozen=True)
class GradedLine:
    """One line of a graded coding answer.

    Attributes:
        code: the code as reported, normalised ("S52.521A", "64483-LT-59",
            "J3301 x4"); for a missing line, the key line.
        kind: "diagnosis" or "procedure".
        status: one of ``STATUSES``.
        points: the points this line earns (negative for a penalty).
        message: a sentence for the learner: what the codes mean, what was
            wrong and why.
        expected: the key line this line was graded against (for a near miss,
            the key diagnosis it resembles), or None.
    """

    code: str
    kind: str
    status: str
    points: float
    message: str
    expected: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the line as a JSON-ready dict. Never raises."""
        return asdict(self)


@dataclass(frozen=True)
class CodingResult:
    """The grade of one coding answer.

    Attributes:
        score: max(0, points) / possible, between 0 and 1.
        points: the sum of the lines' points (may be negative).
        possible: the number of key lines (1 point each).
        lines: the key lines in key order (diagnoses, then procedures), then
            the reported codes that matched no key line, in the order reported.
        notes: guideline conflicts among the reported codes, and ignored
            repeats.
    """

    score: float
    points: float
    possible: int
    lines: tuple[GradedLine, ...] = ()
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """Return the result as a JSON-ready dict (lines as dicts, lists for
        tuples). Never raises."""
        return {
            "score": self.score,
            "points": self.points,
            "possible": self.possible,
            "lines": [line.as_dict() for line in self.lines],
            "notes": list(self.notes),
        }


# --------------------------------------------------------------------------
# free text

_SEPARATORS = re.compile(r"[,;\s]+")
# "99214 - 25" -> "99214-25" (a hyphen followed by a two-character modifier).
_SPACED_HYPHEN = re.compile(r"\s*-\s*(?=[A-Za-z0-9]{2}(?![A-Za-z0-9]))")
# "J1030 x 2" / "J1030 units 2" -> "J3301 x4".
_SPACED_UNITS = re.compile(r"(?<=\s)(?:[xX\u00d7*]|[Uu][Nn][Ii][Tt][Ss]?)\s+(\d+)(?![0-9A-Za-z])")
_UNITS_TOKEN = re.compile(r"(?:[xX\u00d7*]|[Uu][Nn][Ii][Tt][Ss]?)(\d+)")
_TIGHT_UNITS = re.compile(r"(.+?)[X\u00d7*](\d+)")
_PROCEDURE_SYSTEMS = ("cpt", "hcpcs", "icd-10-pcs")


def _tokens(text: str) -> list[str]:
    """Split text into code tokens, keeping "CODE-MOD" and "x2" whole."""
    text = _SPACED_HYPHEN.sub("-", text)
    text = _SPACED_UNITS.sub(lambda m: "x" + m.group(1), text)
    out = []
    for tok in _SEPARATORS.split(text):
        tok = tok.strip("()[]{}\"'").rstrip(".")
        if tok:
            out.append(tok)
    return out


def _shape_kind(token: str) -> str:
    """Tell a free-text token's kind from its shape (see the module docstring)."""
    t = token.upper()
    if "." in t:
        return DIAGNOSIS
    head = t.split("-")[0]
    m = _TIGHT_UNITS.fullmatch(head)
    if m is not None and code_system(m.group(1)) in ("cpt", "hcpcs"):
        return PROCEDURE
    system = code_system(head)
    if system in _PROCEDURE_SYSTEMS:
        return PROCEDURE
    if system == "icd-10-cm":
        return DIAGNOSIS
    # Shapeless: guess from what it most resembles, so the message fits.
    if "-" in t or head[:1].isdigit() or re.fullmatch(r"[A-Z]\d{4,}", head):
        return PROCEDURE
    return DIAGNOSIS


def _attach_units(items: list[tuple[str, str]], token: str) -> None:
    """Append a units token to the previous procedure, or keep it as a stray line."""
    if items and items[-1][0] == PROCEDURE and " " not in items[-1][1]:
        items[-1] = (PROCEDURE, f"{items[-1][1]} {token}")
    else:
        items.append((PROCEDURE, token))


def _free_text_items(text: str) -> list[tuple[str, str]]:
    """Free text as ``[(kind, token)]`` in the order written."""
    items: list[tuple[str, str]] = []
    for tok in _tokens(text):
        if _UNITS_TOKEN.fullmatch(tok):
            _attach_units(items, tok)
        else:
            items.append((_shape_kind(tok), tok))
    return items


def _field_items(text: str, kind: str) -> list[str]:
    """One answer field written as a string: its tokens, units attached."""
    items: list[tuple[str, str]] = []
    for tok in _tokens(text):
        if kind == PROCEDURE and _UNITS_TOKEN.fullmatch(tok):
            _attach_units(items, tok)
        else:
            items.append((kind, tok))
    return [t for _, t in items]


def _tidy(kind: str, text: str) -> str:
    if kind == DIAGNOSIS:
        return icd10cm.normalize(text)
    try:
        return format_procedure(parse_procedure(text))
    except LineError:
        return " ".join(text.split())


def parse_free_text(text: str) -> dict[str, list[str]]:
    """Split a free-text coding answer into diagnoses and procedures.

    Takes text such as "e11.22, n18.31 z79.4\\n99214-25 j1030 x2": codes
    separated by commas, semicolons, spaces or new lines; a procedure's
    modifiers attached with hyphens and its units written "x2" right after it
    or as the next token. Each code's set is told by its shape
    (``prep.codesets.lines.code_system``), so a dotless diagnosis shaped like a
    HCPCS code ("E1122") is read as a procedure. Returns
    ``{"diagnoses": [...], "procedures": [...]}`` in the order written:
    diagnoses normalised ("E11.22"), procedures in canonical form
    ("99214-25", "J3301 x4"; a line that does not parse is kept as written).
    Raises TypeError when ``text`` is not a str.
    """
    if not isinstance(text, str):
        raise TypeError(f"free text must be a str, not {type(text).__name__}")
    out: dict[str, list[str]] = {"diagnoses": [], "procedures": []}
    for kind, tok in _free_text_items(text):
        out["diagnoses" if kind == DIAGNOSIS else "procedures"].append(_tidy(kind, tok))
    return out


# --------------------------------------------------------------------------
# code references inside ICD-10-CM notes

_C = r"[A-Z](?:[0-9][0-9A-Z]|[A-Z][0-9])(?:\.[0-9A-Z]{1,4})?"
_TAIL = r"(?:\.?-|\.(?![0-9A-Za-z]))*"
_REF = re.compile(
    rf"(?<![A-Za-z0-9.])(?P<lo>{_C})(?![0-9A-Za-z])"
    rf"(?:\s*(?:-|\bto\b|\bthrough\b)\s*(?P<hi>{_C})(?![0-9A-Za-z])|{_TAIL})"
    rf"{_TAIL}"
    r"(?:,?\s+with\s+(?P<q>[^,;()\n]*))?"
)
_ORDINALS = {
    "fourth": 3,
    "4th": 3,
    "fifth": 4,
    "5th": 4,
    "sixth": 5,
    "six": 5,
    "6th": 5,
    "seventh": 6,
    "7th": 6,
}


@dataclass(frozen=True)
class _Ref:
    """A code reference from a note: a prefix ("E08"), or a range
    ("E08"-"E13"), dotless, optionally narrowed by a "with ..." clause."""

    lo: str
    hi: str | None = None
    test: Callable[[str], bool] | None = field(default=None, compare=False)

    def covers(self, code: str) -> bool:
        flat = code.replace(".", "")
        if self.hi is None:
            ok = flat.startswith(self.lo)
        else:
            ok = self.lo <= flat[: len(self.lo)] and flat[: len(self.hi)] <= self.hi
        return ok and (self.test is None or self.test(flat))


def _qualifier(text: str | None) -> Callable[[str], bool] | None:
    """Turn "with .42", "with fifth character 1", "with final characters -23"
    into a test on a dotless code; None when there is nothing to test."""
    if not text:
        return None
    q = text.strip().upper()
    m = re.match(r"\.([0-9A-Z]+)-?(?:\s*-\s*\.([0-9A-Z]+))?", q)
    if m is not None:
        lo, hi = m.group(1), m.group(2)
        if hi:
            return lambda c: lo <= c[3 : 3 + len(lo)] and c[3 : 3 + len(hi)] <= hi
        return lambda c: c[3:].startswith(lo)
    m = re.search(r"FINAL CHARACTERS?\s*-?\s*([0-9A-Z]+)", q)
    if m is not None:
        end = m.group(1)
        return lambda c: c.endswith(end)
    positions = [_ORDINALS[w.lower()] for w in re.findall(r"[A-Z0-9]+", q) if w.lower() in _ORDINALS]
    m = re.search(r"CHARACTERS?\s+\.?([0-9A-Z])(?:\s*-\s*([0-9A-Z]))?(?![0-9A-Z])", q)
    if positions and m is not None:
        lo, hi = m.group(1), m.group(2) or m.group(1)
        return lambda c: any(len(c) > p and lo <= c[p] <= hi for p in positions)
    return None


@lru_cache(maxsize=4096)
def _refs(text: str) -> tuple[_Ref, ...]:
    """The code references in a note's text ("(E08.-)", "(P70-P74)",
    "(N18.1-N18.6)", "(E08-E13 with .42)", "(E08.22, E09.22)")."""
    refs = []
    for m in _REF.finditer(text):
        lo = m.group("lo").replace(".", "")
        hi = m.group("hi").replace(".", "") if m.group("hi") else None
        refs.append(_Ref(lo, hi, _qualifier(m.group("q"))))
    return tuple(refs)


@dataclass(frozen=True)
class _Note:
    source: str
    text: str
    refs: tuple[_Ref, ...]

    def covers(self, code: str) -> bool:
        return any(r.covers(code) for r in self.refs)

    @property
    def flat(self) -> str:
        return " ".join(self.text.split())

    @property
    def where(self) -> str:
        if self.source.isdigit():
            return f"chapter {self.source}"
        if "-" in self.source:
            return f"block {self.source}"
        return self.source


@dataclass(frozen=True)
class _CodeNotes:
    excludes1: tuple[_Note, ...]
    code_first: tuple[_Note, ...]
    use_additional: tuple[_Note, ...]
    seventh: Mapping[str, str]


@lru_cache(maxsize=4096)
def _notes_of(code: str) -> _CodeNotes | None:
    """The notes that bear on ``code`` (at every level above it), or None
    when it does not exist."""
    try:
        data = icd10cm.info(code)
    except KeyError:
        return None

    def notes(name: str) -> tuple[_Note, ...]:
        return tuple(_Note(src, text, _refs(text)) for src, text in data[name])

    return _CodeNotes(
        notes("excludes1"), notes("code_first"), notes("use_additional"), dict(data["seventh_characters"])
    )


# --------------------------------------------------------------------------
# descriptions


@dataclass(frozen=True)
class _Context:
    cpt_registry: Mapping[str, str] | None
    hcpcs_registry: Mapping[str, str] | None


def _dx_label(code: str) -> str:
    """The code with its description ("E11.22 (Type 2 diabetes ...)"), or the bare code."""
    desc = icd10cm.describe(code) if icd10cm.is_code_shaped(code) else None
    return f"{code} ({desc})" if desc else code


def _px_label(code: str, ctx: _Context) -> str:
    """Name a procedure code. CPT descriptors only come from a licensed
    registry passed in: without one, a CPT code is named by number only."""
    system = code_system(code)
    if system == "cpt":
        desc = cpt.describe(code, ctx.cpt_registry) if ctx.cpt_registry else None
        return f"CPT {code} ({desc})" if desc else f"CPT {code}"
    if system == "hcpcs":
        desc = hcpcs.describe(code, ctx.hcpcs_registry)
        if desc:
            return f"HCPCS {code} ({desc})"
        section = hcpcs.SECTIONS.get(code[0])
        return f"HCPCS Level II {code} ({section})" if section else f"HCPCS Level II {code}"
    if system == "icd-10-pcs" and pcs.is_well_formed(code):
        parts = []
        for axis, _ch, meaning in pcs.explain(code):
            if meaning:
                parts.append(meaning if axis in ("Section", "Character 1") else f"{axis.lower()} {meaning}")
        return f"ICD-10-PCS {code} ({', '.join(parts)})" if parts else f"ICD-10-PCS {code}"
    return code


def _mods_text(mods: Iterable[str]) -> str:
    return ", ".join(mods)


def _mods_meaning(mods: Iterable[str]) -> str:
    parts = []
    for m in mods:
        desc = modifiers_mod.describe(m)
        if desc:
            parts.append(f"{m} = {desc}")
    return "; ".join(parts)


def _units_text(n: int) -> str:
    return f"{n} unit" if n == 1 else f"{n} units"


def _join_and(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# --------------------------------------------------------------------------
# reading the key and the answer


@dataclass
class _KeyDx:
    code: str
    alts: tuple[str, ...]
    index: int
    match: _Reported | None = None
    near: _Reported | None = None


@dataclass
class _KeyPx:
    text: str
    line: ProcedureLine
    alts: tuple[ProcedureLine, ...]
    match: _Reported | None = None
    target: ProcedureLine | None = None


@dataclass
class _Reported:
    kind: str
    code: str  # normalised, as shown
    dx_index: int = -1
    line: ProcedureLine | None = None
    validation: Validation | None = None
    matched: bool = False
    near: _KeyDx | None = None


def _str_list(value: Any, what: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise TypeError(f"{what} must be a list of strings")
    out = []
    for item in value:
        if not isinstance(item, str):
            raise TypeError(f"{what} must be a list of strings, found {type(item).__name__}")
        out.append(item)
    return out


def _read_key(
    key: Mapping[str, Any],
) -> tuple[list[_KeyDx], list[_KeyPx], set[str], set[str]]:
    """Normalise the key: diagnoses, procedure lines, alternatives, optional codes."""
    if not isinstance(key, Mapping):
        raise TypeError(f"the key must be a mapping, not {type(key).__name__}")
    diagnoses = [icd10cm.normalize(c) for c in _str_list(key.get("diagnoses"), "key diagnoses") if c.strip()]
    procedures: list[tuple[str, ProcedureLine]] = []
    for text in _str_list(key.get("procedures"), "key procedures"):
        if not text.strip():
            continue
        try:
            pl = parse_procedure(text)
        except LineError as exc:
            raise ValueError(f"key procedure {text.strip()!r}: {exc.reason}") from None
        procedures.append((format_procedure(pl), pl))
    if not diagnoses and not procedures:
        raise ValueError("the key has no diagnoses and no procedures")

    accept = key.get("accept") or {}
    if not isinstance(accept, Mapping):
        raise TypeError("key accept must be a mapping of code -> list of alternatives")
    dx_alts: dict[str, list[str]] = {c: [] for c in diagnoses}
    px_alts: list[list[ProcedureLine]] = [[] for _ in procedures]
    for k, alts in accept.items():
        alt_texts = _str_list(alts, f"key accept[{k!r}]")
        norm = icd10cm.normalize(str(k))
        if norm in dx_alts:
            dx_alts[norm] += [icd10cm.normalize(a) for a in alt_texts if a.strip()]
            continue
        try:
            kpl = parse_procedure(str(k))
        except LineError:
            continue
        bare = not kpl.modifiers and kpl.units == 1
        for i, (text, pl) in enumerate(procedures):
            if text != format_procedure(kpl) and not (bare and pl.code == kpl.code):
                continue
            for a in alt_texts:
                try:
                    apl = parse_procedure(a)
                except LineError as exc:
                    raise ValueError(f"key accept[{k!r}]: {a!r}: {exc.reason}") from None
                if not apl.modifiers and apl.units == 1:
                    apl = ProcedureLine(apl.code, pl.modifiers, pl.units)
                px_alts[i].append(apl)

    opt_dx: set[str] = set()
    opt_px: set[str] = set()
    for o in _str_list(key.get("optional"), "key optional"):
        if not o.strip():
            continue
        opt_dx.add(icd10cm.normalize(o))
        try:
            opt_px.add(parse_procedure(o).code)
        except LineError:
            pass

    key_dx = [_KeyDx(c, tuple(dx_alts[c]), i) for i, c in enumerate(diagnoses)]
    key_px = [_KeyPx(text, pl, tuple(px_alts[i])) for i, (text, pl) in enumerate(procedures)]
    return key_dx, key_px, opt_dx, opt_px


def _answer_items(answer: Any) -> list[tuple[str, str]]:
    """The answer as ``[(kind, text)]`` in the order given."""
    if answer is None:
        return []
    if isinstance(answer, str):
        return _free_text_items(answer)
    if isinstance(answer, Mapping):
        items: list[tuple[str, str]] = []
        for name, kind in (("diagnoses", DIAGNOSIS), ("procedures", PROCEDURE)):
            value = answer.get(name)
            if isinstance(value, str):
                items += [(kind, t) for t in _field_items(value, kind)]
            else:
                items += [(kind, t) for t in _str_list(value, f"answer {name}") if t.strip()]
        return items
    raise TypeError(f"the answer must be a mapping, a str or None, not {type(answer).__name__}")


def _read_answer(answer: Any, ctx: _Context, notes: list[str]) -> list[_Reported]:
    """Normalise, validate and de-duplicate the reported codes."""
    out: list[_Reported] = []
    seen: set[Any] = set()
    dx_count = 0
    for kind, text in _answer_items(answer):
        if kind == DIAGNOSIS:
            code = icd10cm.normalize(text)
            ident: Any = (DIAGNOSIS, code)
            rep = _Reported(DIAGNOSIS, code)
        else:
            try:
                pl = parse_procedure(text)
            except LineError:
                pl = None
            if pl is None:
                code = " ".join(text.split()).upper()
                ident = (PROCEDURE, code)
            else:
                code = format_procedure(pl)
                ident = (PROCEDURE, pl.code, frozenset(pl.modifiers), pl.units)
            rep = _Reported(PROCEDURE, code, line=pl)
        if ident in seen:
            notes.append(f"{code} was reported more than once: it counts once, and the repeat is ignored.")
            continue
        seen.add(ident)
        if kind == DIAGNOSIS:
            rep.dx_index = dx_count
            dx_count += 1
            rep.validation = icd10cm.validate(code)
        else:
            rep.validation = _validate_procedure(text, rep.line, ctx)
        out.append(rep)
    return out


def _validate_procedure(text: str, pl: ProcedureLine | None, ctx: _Context) -> Validation:
    shown = format_procedure(pl) if pl is not None else " ".join(text.split()).upper()
    if _UNITS_TOKEN.fullmatch(shown.replace(" ", "")) and (pl is None or code_system(pl.code) is None):
        return Validation(shown, INVALID, f"{shown} looks like units, but it follows no procedure code")
    return validate_procedure_line(shown, ctx.cpt_registry, ctx.hcpcs_registry)


# --------------------------------------------------------------------------
# matching


def _match_diagnoses(key_dx: list[_KeyDx], reported: list[_Reported]) -> None:
    """Pair key diagnoses with reported codes: the key code first, then the
    accepted alternatives."""
    for use_alts in (False, True):
        for k in key_dx:
            if k.match is not None:
                continue
            wanted = set(k.alts) if use_alts else {k.code}
            for r in reported:
                if not r.matched and r.code in wanted:
                    k.match, r.matched = r, True
                    break


def _same_line(a: ProcedureLine, b: ProcedureLine) -> bool:
    return a.code == b.code and set(a.modifiers) == set(b.modifiers) and a.units == b.units


def _match_procedures(key_px: list[_KeyPx], reported: list[_Reported]) -> None:
    """Pair key procedure lines with reported lines: exact lines before
    code-only matches, the key's own code before its alternatives."""
    parsed = [r for r in reported if r.line is not None]
    for exact in (True, False):
        for use_alts in (False, True):
            for k in key_px:
                if k.match is not None:
                    continue
                targets = k.alts if use_alts else (k.line,)
                for r in parsed:
                    if r.matched:
                        continue
                    assert r.line is not None
                    hit = next(
                        (t for t in targets if (_same_line(r.line, t) if exact else r.line.code == t.code)),
                        None,
                    )
                    if hit is not None:
                        k.match, k.target, r.matched = r, hit, True
                        break


def _seventh_only(a: str, b: str) -> bool:
    """True when two codes differ only in their 7th character."""
    return len(a) == len(b) == 8 and a[:7] == b[:7] and a[7] != b[7]


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _pair_near_misses(missing: list[_KeyDx], candidates: list[_Reported]) -> None:
    """Pair each missing key diagnosis with at most one reportable code of
    its category: a code differing only in the 7th character first, then
    the longest shared prefix, then the order reported."""
    for k in missing:
        for r in candidates:
            if r.near is None and _seventh_only(r.code, k.code):
                r.near, k.near = k, r
                break
    options = []
    for k in missing:
        if k.near is not None:
            continue
        for r in candidates:
            if r.near is None and r.code[:3] == k.code[:3]:
                options.append((-_common_prefix(r.code, k.code), k.index, r.dx_index, k, r))
    options.sort(key=lambda o: o[:3])
    for *_, k, r in options:
        if k.near is None and r.near is None:
            r.near, k.near = k, r


# --------------------------------------------------------------------------
# messages


def _seventh_meaning(code: str) -> str:
    notes = _notes_of(code)
    return notes.seventh.get(code[-1], "") if notes is not None else ""


def _seventh_list(code: str) -> str | None:
    """For a code lacking only its 7th character: "A initial encounter ...,
    D subsequent ..."; else None."""
    if not icd10cm.exists(code):
        return None
    data = icd10cm.info(code)
    children = [c for c, _ in data["children"]]
    seventh = data["seventh_characters"]
    if not children or not seventh or len(code) != 7:
        return None
    if not all(len(c) == 8 and c.startswith(code) and c[-1] in seventh for c in children):
        return None
    return ", ".join(f"{c[-1]} {seventh[c[-1]]}" for c in children)


_ENCOUNTER = (
    "The 7th character describes the encounter: A while the patient receives active treatment, "
    "D for routine care during healing or recovery, S for a sequela (a late effect)."
)


def _dx_messages(key_dx: list[_KeyDx], first: _Reported | None) -> dict[int, tuple[str, float, str]]:
    """(status, points, message) for each key diagnosis, by index."""
    out = {}
    for k in key_dx:
        r = k.match
        if r is None:
            msg = f"{_dx_label(k.code)} was not reported"
            if k.index == 0:
                msg += "; it is the first-listed diagnosis (the reason for the visit)"
            if k.near is not None:
                msg += f". You reported {k.near.code} instead: right category, wrong specificity"
            out[k.index] = (MISSING, _POINTS[MISSING], msg + ".")
            continue
        accepted = r.code != k.code
        said = (
            f"{_dx_label(r.code)} is accepted for {_dx_label(k.code)}"
            if accepted
            else f"{_dx_label(r.code)} is correct"
        )
        if k.index == 0 and r.dx_index != 0:
            shown_first = _dx_label(first.code) if first is not None else "another code"
            what = f"{said}" if accepted else _dx_label(r.code)
            msg = (
                f"{r.code} is right but should be listed first: it is the reason for the visit "
                f"(first-listed diagnosis). You listed {shown_first} first. {what}."
            )
            out[k.index] = (OUT_OF_SEQUENCE, _POINTS[OUT_OF_SEQUENCE], msg)
        else:
            if k.index == 0:
                said += ", and listed first as the first-listed diagnosis"
            out[k.index] = (CORRECT, _POINTS[CORRECT], said + ".")
    return out


def _px_message(k: _KeyPx, ctx: _Context) -> tuple[str, float, str]:
    r, t = k.match, k.target
    if r is None or t is None or r.line is None:
        return MISSING, _POINTS[MISSING], f"{k.text} was not reported ({_px_label(k.line.code, ctx)})."
    got = r.line
    label = _px_label(got.code, ctx)
    intro = (
        f"{r.code} is accepted for {k.text} ({label}; expected {_px_label(k.line.code, ctx)})"
        if got.code != k.line.code
        else f"{r.code} is correct ({label})"
    )
    mods_ok = set(got.modifiers) == set(t.modifiers)
    units_ok = got.units == t.units
    if mods_ok and units_ok:
        return CORRECT, _POINTS[CORRECT], intro + "."
    problems = []
    if not mods_ok:
        expected = f"expected modifiers {_mods_text(t.modifiers)}" if t.modifiers else "expected no modifiers"
        given = f"you reported {_mods_text(got.modifiers)}" if got.modifiers else "you reported none"
        problems.append(f"{expected}, {given}")
    if not units_ok:
        problems.append(f"expected {_units_text(t.units)}, you reported {got.units}")
    msg = f"{got.code} is right; " + "; and ".join(problems) + "."
    if not mods_ok:
        meaning = _mods_meaning(dict.fromkeys((*t.modifiers, *got.modifiers)))
        msg += " Modifiers compare as a set (order does not matter)"
        msg += f": {meaning}." if meaning else "."
    if not units_ok:
        msg += " Units count how many times the service, or how many dosage units of the drug, were given."
    if got.code != k.line.code:
        msg += f" {got.code} is accepted for {k.text}: {label}; expected {_px_label(k.line.code, ctx)}."
    else:
        msg += f" The code: {label}."
    status = WRONG_MODIFIER if not mods_ok else WRONG_UNITS
    return status, _POINTS[status], msg


def _dotless_hint(code: str) -> str:
    """A hint when a dotless diagnosis was read as a HCPCS code."""
    bare = code.split("-")[0].split(" ")[0]
    if code_system(bare) == "hcpcs" and icd10cm.is_reportable(bare):
        icd = icd10cm.normalize(bare)
        return f" {bare} was read as a HCPCS Level II code; if you meant the diagnosis {icd}, write it with its dot."
    return ""


def _reported_line(r: _Reported, opt_dx: set[str], opt_px: set[str], ctx: _Context) -> GradedLine:
    """Grade a reported code that matched no key line."""
    v = r.validation
    assert v is not None
    if r.kind == DIAGNOSIS:
        if v.status == INVALID:
            msg = v.message
            if code_system(r.code) in _PROCEDURE_SYSTEMS:
                msg += f" ({r.code} looks like a procedure code: report it as a procedure.)"
            return GradedLine(r.code, DIAGNOSIS, INVALID_LINE, _POINTS[INVALID_LINE], msg)
        if v.status == INCOMPLETE:
            sevenths = _seventh_list(r.code)
            if sevenths:
                msg = f"{r.code} is not reportable: it needs a 7th character ({sevenths})."
                if v.description:
                    msg += f" {r.code}: {v.description}."
            else:
                msg = v.message.replace("is not a reportable code", "is not reportable") + "."
                if v.description and v.description not in msg:
                    msg += f" {r.code}: {v.description}."
            msg += " Only a complete code may be reported."
            return GradedLine(r.code, DIAGNOSIS, INCOMPLETE_LINE, _POINTS[INCOMPLETE_LINE], msg)
        if r.code in opt_dx:
            return GradedLine(
                r.code,
                DIAGNOSIS,
                OPTIONAL,
                _POINTS[OPTIONAL],
                f"{_dx_label(r.code)} is optional in this scenario: neither credited nor penalised.",
            )
        if r.near is not None:
            k = r.near
            if _seventh_only(r.code, k.code):
                msg = (
                    f"{_dx_label(r.code)}: right category, wrong specificity: the 7th character "
                    f"{r.code[-1]} ({_seventh_meaning(r.code)}) does not fit this encounter, which calls for "
                    f"{k.code[-1]} ({_seventh_meaning(k.code)}): expected {_dx_label(k.code)}. {_ENCOUNTER}"
                )
            else:
                msg = f"{_dx_label(r.code)}: right category, wrong specificity: expected {_dx_label(k.code)}."
            msg += f" No points and no penalty; {k.code} counts as missing."
            return GradedLine(r.code, DIAGNOSIS, NEAR_MISS, _POINTS[NEAR_MISS], msg, k.code)
        return GradedLine(
            r.code,
            DIAGNOSIS,
            EXTRA,
            _POINTS[EXTRA],
            f"{_dx_label(r.code)} is a valid code, but this scenario does not support it: "
            "report only what the documentation supports.",
        )
    # procedures
    if v.status == INVALID or r.line is None:
        return GradedLine(
            r.code, PROCEDURE, INVALID_LINE, _POINTS[INVALID_LINE], v.message + "." + _dotless_hint(r.code)
        )
    if r.line.code in opt_px:
        return GradedLine(
            r.code,
            PROCEDURE,
            OPTIONAL,
            _POINTS[OPTIONAL],
            f"{r.code} is optional in this scenario: neither credited nor penalised. "
            f"The code: {_px_label(r.line.code, ctx)}.",
        )
    return GradedLine(
        r.code,
        PROCEDURE,
        EXTRA,
        _POINTS[EXTRA],
        f"{r.code} is a valid code, but this scenario does not support it: report only what the "
        f"documentation supports. The code: {_px_label(r.line.code, ctx)}." + _dotless_hint(r.code),
    )


# --------------------------------------------------------------------------
# notes on the reported codes


def _is_conditional(text: str) -> bool:
    return re.search(r"\bif (?:applicable|known)\b|\bany\b|\bassociated\b", text, re.IGNORECASE) is not None


def _excludes1_notes(codes: list[str]) -> list[str]:
    out = []
    for i, a in enumerate(codes):
        for b in codes[i + 1 :]:
            found = None
            for x, y in ((a, b), (b, a)):
                notes = _notes_of(x)
                if notes is None:
                    continue
                found = next((n for n in notes.excludes1 if n.covers(y)), None)
                if found is not None:
                    found = (x, y, found)
                    break
            if found is None:
                continue
            x, y, note = found
            out.append(
                f"Excludes1: {_dx_label(a)} and {_dx_label(b)} are not reported together. The Excludes1 "
                f'note at {note.where} excludes "{note.flat}", which covers {y}. Excludes1 means the two '
                "conditions cannot occur together: keep the code the documentation supports."
            )
    return out


def _code_first_notes(codes: list[str]) -> list[str]:
    out = []
    for pos, m in enumerate(codes):
        notes = _notes_of(m)
        if notes is None or not notes.code_first:
            continue
        firsts = notes.code_first
        texts = "; ".join(f'"{n.flat}"' for n in firsts)
        where = firsts[0].where
        others = [c for c in codes if c != m]
        pointed = [c for c in others if any(n.covers(c) for n in firsts)]
        has_refs = any(n.refs for n in firsts)
        conditional = all(_is_conditional(n.text) for n in firsts)
        after = [c for c in pointed if codes.index(c) > pos]
        if after:
            out.append(
                f'Code first: {_dx_label(m)} is listed before {_join_and(after)}, but the "code first" note '
                f"at {where} ({texts}) asks for {_join_and(after)} to be listed first: the underlying "
                "condition (etiology) comes before the manifestation."
            )
        elif not pointed and has_refs:
            if conditional:
                out.append(
                    f'Code first: {_dx_label(m)} has a "code first" note at {where} ({texts}), and none of '
                    "those codes is reported: when such a condition is documented, report it and list it first."
                )
            else:
                out.append(
                    f"Code first: {_dx_label(m)} is a manifestation code reported without its etiology: the "
                    f'"code first" note at {where} ({texts}) asks for the underlying condition, listed '
                    "before it, and none of those codes is reported."
                )
        elif not has_refs and pos == 0 and not conditional:
            out.append(
                f'Code first: {_dx_label(m)} is listed first, but its "code first" note at {where} ({texts}) '
                "asks for the underlying condition to be reported before it."
            )
    return out


def _use_additional_notes(codes: list[str], key_dx: list[_KeyDx]) -> list[str]:
    out = []
    missing = [k for k in key_dx if k.match is None]
    told: set[str] = set()
    for r in codes:
        notes = _notes_of(r)
        if notes is None:
            continue
        for note in notes.use_additional:
            if not note.refs or any(note.covers(c) for c in codes if c != r):
                continue
            wanted = [k.code for k in missing if k.code not in told and note.covers(k.code)]
            if not wanted:
                continue
            told.update(wanted)
            asks = f"a {note.flat}" if note.flat.lower().startswith("code") else f"a code: {note.flat}"
            where = f"on {r}" if note.source == r else f"at {note.where} (it applies to {r})"
            out.append(
                f"Use additional code: the note {where} asks for {asks}. This scenario "
                f"calls for {_join_and([_dx_label(c) for c in wanted])}, which you did not report."
            )
    return out


def _seventh_notes(reported: list[_Reported]) -> list[str]:
    out = []
    for r in reported:
        k = r.near
        if k is None or not _seventh_only(r.code, k.code):
            continue
        out.append(
            f"7th character: you reported {r.code} ({_seventh_meaning(r.code)}) where this encounter calls for "
            f"{k.code} ({_seventh_meaning(k.code)}). {_ENCOUNTER}"
        )
    return out


# --------------------------------------------------------------------------
# grading


def grade_coding(
    key: Mapping[str, Any],
    answer: Mapping[str, Any] | str | None,
    *,
    cpt_registry: Mapping[str, str] | None = None,
    hcpcs_registry: Mapping[str, str] | None = None,
) -> CodingResult:
    """Grade a coding answer against an item's key, by the policy in the
    module docstring.

    Takes:
      * ``key``: the item's key mapping, ``{"diagnoses": [ICD-10-CM codes in
        reporting order], "procedures": ["CODE[-MOD...][ xUNITS]", ...],
        "accept": {key code: [alternatives]}, "optional": [codes]}``
        (``accept`` and ``optional`` may be left out);
      * ``answer``: a mapping ``{"diagnoses": [...], "procedures": [...]}``
        (either may be missing; a field may also be one string of codes),
        free text (see ``parse_free_text``), or None for no answer;
      * ``cpt_registry`` / ``hcpcs_registry``: optional ``{code: description}``
        mappings from a licensed CPT file and CMS's HCPCS file. Without a CPT
        registry no CPT descriptor is ever shown (codes are named by number)
        and CPT codes are checked for their shape only.

    Returns a CodingResult: score (0 to 1), points, possible (the number of
    key lines), lines (key lines in key order, then unmatched reported codes
    in the order reported) and notes. Loads the ICD-10-CM tables on first use.
    Raises TypeError when the key or the answer is not of the types above,
    and ValueError when the key has no lines or a key procedure line does not
    parse.
    """
    ctx = _Context(cpt_registry, hcpcs_registry)
    key_dx, key_px, opt_dx, opt_px = _read_key(key)
    notes: list[str] = []
    reported = _read_answer(answer, ctx, notes)
    rep_dx = [r for r in reported if r.kind == DIAGNOSIS]
    rep_px = [r for r in reported if r.kind == PROCEDURE]

    _match_diagnoses(key_dx, rep_dx)
    _match_procedures(key_px, rep_px)

    candidates = [
        r
        for r in rep_dx
        if not r.matched and r.validation is not None and r.validation.ok and r.code not in opt_dx
    ]
    _pair_near_misses([k for k in key_dx if k.match is None], candidates)

    lines: list[GradedLine] = []
    first = rep_dx[0] if rep_dx else None
    dx_results = _dx_messages(key_dx, first)
    for k in key_dx:
        status, points, msg = dx_results[k.index]
        shown = k.match.code if k.match is not None else k.code
        lines.append(GradedLine(shown, DIAGNOSIS, status, points, msg, k.code))
    for k in key_px:
        status, points, msg = _px_message(k, ctx)
        shown = k.match.code if k.match is not None else k.text
        lines.append(GradedLine(shown, PROCEDURE, status, points, msg, k.text))
    for r in reported:
        if not r.matched:
            lines.append(_reported_line(r, opt_dx, opt_px, ctx))

    existing = [r.code for r in rep_dx if icd10cm.exists(r.code)]
    notes += _excludes1_notes(existing)
    notes += _code_first_notes(existing)
    notes += _use_additional_notes(existing, key_dx)
    notes += _seventh_notes(rep_dx)

    points = sum(line.points for line in lines)
    possible = len(key_dx) + len(key_px)
    score = min(1.0, max(0.0, points) / possible)
    return CodingResult(score, points, possible, tuple(lines), tuple(notes))
