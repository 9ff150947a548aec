"""ICD-10-PCS (CMS): inpatient procedure codes.

A code is exactly seven characters, each a digit or a letter other than O
and I (left out so they are not read as 0 and 1). Each character is an
axis whose meaning depends on the characters before it; for the Medical and
Surgical section (first character 0) the axes are Section, Body System,
Root Operation, Body Part, Approach, Device and Qualifier.

Without the PCS tables only the format and the axis values that do not
depend on others (section; body system, root operation and approach in
section 0) can be checked; pass ``table`` (a collection of valid codes) to
``validate`` to check a code against a loaded code list.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from .common import INVALID, VALID, Validation

__all__ = [
    "LENGTH",
    "SECTIONS",
    "BODY_SYSTEMS",
    "ROOT_OPERATIONS",
    "APPROACHES",
    "MEDICAL_SURGICAL_AXES",
    "normalize",
    "is_well_formed",
    "validate",
    "axes",
    "explain",
]

LENGTH = 7
_ALLOWED = set("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ")
_SHAPE = re.compile(r"[0-9A-HJ-NP-Z]{7}")

SECTIONS: dict[str, str] = {
    "0": "Medical and Surgical",
    "1": "Obstetrics",
    "2": "Placement",
    "3": "Administration",
    "4": "Measurement and Monitoring",
    "5": "Extracorporeal or Systemic Assistance and Performance",
    "6": "Extracorporeal or Systemic Therapies",
    "7": "Osteopathic",
    "8": "Other Procedures",
    "9": "Chiropractic",
    "B": "Imaging",
    "C": "Nuclear Medicine",
    "D": "Radiation Therapy",
    "F": "Physical Rehabilitation and Diagnostic Audiology",
    "G": "Mental Health",
    "H": "Substance Abuse Treatment",
    "X": "New Technology",
}

# Body systems of the Medical and Surgical section (character 2).
BODY_SYSTEMS: dict[str, str] = {
    "0": "Central Nervous System and Cranial Nerves",
    "1": "Peripheral Nervous System",
    "2": "Heart and Great Vessels",
    "3": "Upper Arteries",
    "4": "Lower Arteries",
    "5": "Upper Veins",
    "6": "Lower Veins",
    "7": "Lymphatic and Hemic Systems",
    "8": "Eye",
    "9": "Ear, Nose, Sinus",
    "B": "Respiratory System",
    "C": "Mouth and Throat",
    "D": "Gastrointestinal System",
    "F": "Hepatobiliary System and Pancreas",
    "G": "Endocrine System",
    "H": "Skin and Breast",
    "J": "Subcutaneous Tissue and Fascia",
    "K": "Muscles",
    "L": "Tendons",
    "M": "Bursae and Ligaments",
    "N": "Head and Facial Bones",
    "P": "Upper Bones",
    "Q": "Lower Bones",
    "R": "Upper Joints",
    "S": "Lower Joints",
    "T": "Urinary System",
    "U": "Female Reproductive System",
    "V": "Male Reproductive System",
    "W": "Anatomical Regions, General",
    "X": "Anatomical Regions, Upper Extremities",
    "Y": "Anatomical Regions, Lower Extremities",
}

# Root operations of the Medical and Surgical section (character 3).
ROOT_OPERATIONS: dict[str, str] = {
    "0": "Alteration",
    "1": "Bypass",
    "2": "Change",
    "3": "Control",
    "4": "Creation",
    "5": "Destruction",
    "6": "Detachment",
    "7": "Dilation",
    "8": "Division",
    "9": "Drainage",
    "B": "Excision",
    "C": "Extirpation",
    "D": "Extraction",
    "F": "Fragmentation",
    "G": "Fusion",
    "H": "Insertion",
    "J": "Inspection",
    "K": "Map",
    "L": "Occlusion",
    "M": "Reattachment",
    "N": "Release",
    "P": "Removal",
    "Q": "Repair",
    "R": "Replacement",
    "S": "Reposition",
    "T": "Resection",
    "U": "Supplement",
    "V": "Restriction",
    "W": "Revision",
    "X": "Transfer",
    "Y": "Transplantation",
}

# Approaches of the Medical and Surgical section (character 5).
APPROACHES: dict[str, str] = {
    "0": "Open",
    "3": "Percutaneous",
    "4": "Percutaneous Endoscopic",
    "7": "Via Natural or Artificial Opening",
    "8": "Via Natural or Artificial Opening Endoscopic",
    "F": "Via Natural or Artificial Opening With Percutaneous Endoscopic Assistance",
    "X": "External",
}

MEDICAL_SURGICAL_AXES = (
    "Section",
    "Body System",
    "Root Operation",
    "Body Part",
    "Approach",
    "Device",
    "Qualifier",
)

# Axis values checked without the tables, for section 0: (position, table, axis).
_SECTION0_CHECKS = (
    (2, BODY_SYSTEMS, "body system"),
    (3, ROOT_OPERATIONS, "root operation"),
    (5, APPROACHES, "approach"),
)


def normalize(code: str) -> str:
    """Return ``code`` without white space, upper cased (" 0dtj4zz " ->
    "0DTJ4ZZ"). Does not check the shape. Never raises for a str."""
    return "".join(code.split()).upper()


def is_well_formed(code: str) -> bool:
    """Return True when ``code`` (normalised) is seven digits or letters
    other than O and I. Does not check the axis values."""
    return _SHAPE.fullmatch(normalize(code)) is not None


def _problem(norm: str) -> str | None:
    """The first reason ``norm`` cannot be a PCS code, naming the position."""
    if len(norm) != LENGTH:
        return f"it has {len(norm)} characters; ICD-10-PCS codes have exactly {LENGTH}"
    for pos, ch in enumerate(norm, start=1):
        if ch not in _ALLOWED:
            if ch in "OI":
                return (
                    f"character {pos} is the letter {ch}; ICD-10-PCS never uses O or I "
                    f"(did you mean {'0' if ch == 'O' else '1'}?)"
                )
            return f"character {pos} is {ch!r}; ICD-10-PCS uses only digits and letters other than O and I"
    if norm[0] not in SECTIONS:
        return f"character 1 (section) is {norm[0]}, which is not an ICD-10-PCS section"
    if norm[0] == "0":
        for pos, names, axis in _SECTION0_CHECKS:
            ch = norm[pos - 1]
            if ch not in names:
                return f"character {pos} ({axis}) is {ch}, which is not a Medical and Surgical {axis}"
    return None


def validate(code: str, table: Collection[str] | None = None) -> Validation:
    """Check an ICD-10-PCS code.

    Takes the code and, optionally, ``table``: a collection of valid codes
    (normalised) from a loaded PCS code list. Returns "invalid" with a
    message naming the first bad position (length, a character outside the
    alphabet, an unknown section, or for section 0 an unknown body system,
    root operation or approach), or when the code is not in ``table``;
    otherwise "valid". Without a table the message says the code was
    checked for format only. Never raises for a str.
    """
    raw = code.strip()
    norm = normalize(code)
    if not norm:
        return Validation("", INVALID, "No ICD-10-PCS code was given")
    problem = _problem(norm)
    if problem is not None:
        shown = norm if len(norm) == LENGTH else raw
        return Validation(shown, INVALID, f"{shown} is not an ICD-10-PCS code: {problem}")
    summary = _summary(norm)
    if table:
        if norm not in table:
            return Validation(norm, INVALID, f"{norm} is not in the loaded ICD-10-PCS table")
        return Validation(norm, VALID, f"{norm} is an ICD-10-PCS code ({summary})")
    return Validation(
        norm,
        VALID,
        f"{norm} is a well-formed ICD-10-PCS code ({summary}); it was not checked against the PCS tables",
    )


def _summary(norm: str) -> str:
    parts = [SECTIONS[norm[0]]]
    if norm[0] == "0":
        parts += [
            BODY_SYSTEMS[norm[1]],
            f"root operation {ROOT_OPERATIONS[norm[2]]}",
            f"approach {APPROACHES[norm[4]]}",
        ]
    return ", ".join(parts)


def axes(code: str) -> list[tuple[str, str]]:
    """Split a code into its axes.

    Takes a code (normalised first). Returns ``[(axis name, character)]``:
    the Medical and Surgical names (Section, Body System, Root Operation,
    Body Part, Approach, Device, Qualifier) when the first character is 0,
    "Character 1".."Character 7" otherwise. Raises ValueError when the code
    is not seven characters long.
    """
    norm = normalize(code)
    if len(norm) != LENGTH:
        raise ValueError(f"{code.strip()!r} is not seven characters long")
    names = MEDICAL_SURGICAL_AXES if norm[0] == "0" else tuple(f"Character {i}" for i in range(1, 8))
    return list(zip(names, norm, strict=True))


def explain(code: str) -> list[tuple[str, str, str | None]]:
    """Like ``axes``, with the meaning of each character when it is known
    without the tables: ``[(axis name, character, meaning or None)]``.
    The section is always named; for section 0 so are the body system, the
    root operation and the approach. Raises ValueError like ``axes``."""
    out: list[tuple[str, str, str | None]] = []
    split = axes(code)
    section0 = split[0][1] == "0"
    lookups: dict[int, dict[str, str]] = {0: SECTIONS}
    if section0:
        lookups.update({1: BODY_SYSTEMS, 2: ROOT_OPERATIONS, 4: APPROACHES})
    for i, (name, ch) in enumerate(split):
        table = lookups.get(i)
        out.append((name, ch, table.get(ch) if table else None))
    return out
