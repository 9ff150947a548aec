"""Procedure lines as written in answer keys and answers:
``CODE[-MOD...][ xUNITS]``, e.g. "25600-RT", "64483-LT-59", "J1030 x2".

Also tells which code set a code belongs to from its shape alone
(``code_system``). The rule, in order:

1. with a dot: ICD-10-CM when shaped like one ("E11.9", "A04.1");
2. five digits, or four digits and F, T, U or M: CPT;
3. a letter A-V and four digits, no dot: HCPCS Level II ("A0425",
   "E0114"). ICD-10-CM codes of that shape are written with their dot
   ("E01.1"), so "E1165" is read as HCPCS, never as E11.65;
4. seven characters, no dot, no O or I, first character a PCS section
   (0-9, B, C, D, F, G, H, X): ICD-10-PCS ("0DTJ4ZZ"). A dotless 7-character
   ICD-10-CM code starting with one of those letters ("H4011X1") is read as
   PCS: write the dot;
5. any other ICD-10-CM shape without a dot ("I10", "E119", "S52521A");
6. otherwise None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import icd10cm, pcs
from . import modifiers as modifiers_mod

__all__ = ["ProcedureLine", "LineError", "MAX_UNITS", "parse_procedure", "format_procedure", "code_system"]

MAX_UNITS = 999


class LineError(ValueError):
    """A procedure line that cannot be parsed; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class ProcedureLine:
    """One parsed procedure line: the normalised code, its modifiers in the
    order given, and the units (1 unless stated)."""

    code: str
    modifiers: tuple[str, ...] = ()
    units: int = 1

    def __str__(self) -> str:
        return format_procedure(self)


_CPT = re.compile(r"\d{5}|\d{4}[FTUM]")
_HCPCS = re.compile(r"[A-V]\d{4}")
_ICD_DOTTED = re.compile(r"[A-Z](?:[0-9][0-9A-Z]|[A-Z][0-9])\.[0-9A-Z]{1,4}")
_ICD_PLAIN = re.compile(r"[A-Z](?:[0-9][0-9A-Z]|[A-Z][0-9])[0-9A-Z]{0,4}")
_PCS = re.compile(r"[0-9BCDFGHX][0-9A-HJ-NP-Z]{6}")
_UNITS_SPACED = re.compile(r"(.*?)\s+(?:[X×*]|UNITS?)\s*(\d+)")
_UNITS_TIGHT = re.compile(r"(.*?)[X×*](\d+)")
_CODE_CHARS = re.compile(r"[A-Z0-9.]+")


def code_system(code: str) -> str | None:
    """Tell which code set ``code`` belongs to by its shape.

    Takes a code (white space and case ignored). Returns "icd-10-cm",
    "cpt", "hcpcs", "icd-10-pcs" or None, by the rule in the module
    docstring. Says nothing about whether the code exists. Never raises
    for a str.
    """
    c = "".join(code.split()).upper()
    if "." in c:
        return "icd-10-cm" if _ICD_DOTTED.fullmatch(c) else None
    if _CPT.fullmatch(c):
        return "cpt"
    if _HCPCS.fullmatch(c):
        return "hcpcs"
    if _PCS.fullmatch(c):
        return "icd-10-pcs"
    if _ICD_PLAIN.fullmatch(c):
        return "icd-10-cm"
    return None


def _normal_code(code: str) -> str:
    system = code_system(code)
    if system == "icd-10-cm":
        return icd10cm.normalize(code)
    if system == "icd-10-pcs":
        return pcs.normalize(code)
    return code


def parse_procedure(line: str, system: str | None = None) -> ProcedureLine:
    """Parse ``CODE[-MOD...][ xUNITS]``.

    Takes a line such as "25600-RT", "64483-LT-59", "J1030 x2", "j1030x2"
    or "99214 - 25". Case and spaces around hyphens are ignored; units may
    be written "x2", "X 2", "*2", "×2" or "units 2" at the end. Units
    written without a space ("J1030X2", "99214x3") are read as units when
    what precedes them is a CPT or HCPCS code. Some ICD-10-PCS codes of the
    Administration section have that shape too (e.g. "30233X1"), so pass
    ``system="icd-10-pcs"`` when the line is known to be PCS. Returns a
    ProcedureLine with the code upper cased (ICD codes also given their
    dot), the modifiers as written (upper cased, order kept) and the units. Raises LineError when the line
    or the code is empty, a modifier is empty or not two letters or digits,
    there are more than four modifiers or a repeated one, or the units are
    below 1 or above 999. The code itself is not validated here.
    """
    s = " ".join(line.split()).upper()
    if not s:
        raise LineError("the procedure line is empty")
    units_text = None
    m = _UNITS_SPACED.fullmatch(s)
    if m is not None:
        s, units_text = m.group(1), m.group(2)
    else:
        m = _UNITS_TIGHT.fullmatch(s)
        if m is not None:
            body = m.group(1)
            if "-" in body or (system != "icd-10-pcs" and code_system(body) in ("cpt", "hcpcs")):
                s, units_text = body, m.group(2)
    units = 1
    if units_text is not None:
        units = int(units_text)
        if not 1 <= units <= MAX_UNITS:
            raise LineError(f"units must be between 1 and {MAX_UNITS}, not {units}")
    parts = [p.strip() for p in s.split("-")]
    code = parts[0]
    if not code:
        raise LineError("the procedure code is missing")
    if not _CODE_CHARS.fullmatch(code):
        raise LineError(f"{code!r} is not a code: use letters and digits only, with no spaces")
    mods = parts[1:]
    for mod in mods:
        if not mod:
            raise LineError("a modifier is empty (two hyphens in a row, or a hyphen at the end)")
        if not modifiers_mod.is_well_formed(mod) or " " in mod:
            raise LineError(f"{mod!r} is not a modifier: modifiers are two letters or digits")
    if len(mods) > modifiers_mod.MAX_PER_CODE:
        raise LineError(f"{len(mods)} modifiers given: a code takes at most {modifiers_mod.MAX_PER_CODE}")
    repeated = sorted({x for x in mods if mods.count(x) > 1})
    if repeated:
        raise LineError(f"modifier {', '.join(repeated)} is repeated")
    return ProcedureLine(_normal_code(code), tuple(mods), units)


def format_procedure(pl: ProcedureLine) -> str:
    """Return the canonical text of a procedure line: the code, then each
    modifier after a hyphen in the order given, then " xN" only when the
    units are above 1 ("64483-LT-59", "J1030 x2"). Never raises."""
    text = "-".join((pl.code, *pl.modifiers))
    return f"{text} x{pl.units}" if pl.units > 1 else text
