"""HCPCS Level II (CMS): supplies, drugs and services outside CPT.

A code is one letter A-V and four digits. D codes are the ADA's CDT
(copyrighted), so they are refused here and skipped when a file is loaded.
CMS publishes descriptions in the public domain; ``load_hcpcs_file`` reads
CMS's quarterly alpha-numeric file into a registry (code -> description)
that ``validate`` and ``describe`` can use.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .common import (
    INVALID,
    VALID,
    CodeFileError,
    PathOrFile,
    Validation,
    parse_code_csv,
    read_text,
)

__all__ = [
    "normalize",
    "is_well_formed",
    "validate",
    "describe",
    "load_hcpcs_file",
    "parse_fixed_width",
    "SECTIONS",
    "RECORD_LENGTH",
    "CodeFileError",
]

_SHAPE = re.compile(r"[A-V]\d{4}")

# The first letters CMS uses today and what each range holds.
SECTIONS: dict[str, str] = {
    "A": "Transportation, medical and surgical supplies, administrative",
    "B": "Enteral and parenteral therapy",
    "C": "Outpatient prospective payment system (temporary)",
    "E": "Durable medical equipment",
    "G": "Professional services and procedures (temporary)",
    "H": "Behavioral health and substance abuse treatment",
    "J": "Drugs given other than by mouth, chemotherapy",
    "K": "Durable medical equipment (temporary)",
    "L": "Orthotics and prosthetics",
    "M": "Medical services and quality measures",
    "P": "Pathology and laboratory",
    "Q": "Miscellaneous services (temporary)",
    "R": "Diagnostic radiology services",
    "S": "Private payer codes (temporary, not Medicare)",
    "T": "State Medicaid agency codes",
    "U": "Laboratory tests (public health emergency)",
    "V": "Vision, hearing and speech-language services",
}

RECORD_LENGTH = 320

CODE_HEADERS = ("hcpc", "hcpcs", "hcpcs_code", "hcpcs_cd", "hcpc_code", "code")
DESCRIPTION_HEADERS = (
    "long description",
    "long_description",
    "long_desc",
    "longdescription",
    "description",
    "descriptor",
    "short description",
    "short_description",
    "short_desc",
)
_RECID_HEADERS = ("recid", "recordid", "recidentcd", "recordidentification", "ric")


def normalize(code: str) -> str:
    """Return ``code`` without white space, upper cased (" j1030 " ->
    "J1030"). Does not check the shape. Never raises for a str."""
    return "".join(code.split()).upper()


def is_well_formed(code: str) -> bool:
    """Return True when ``code`` (normalised) is a letter A-V and four
    digits. D codes (CDT) are well formed but not supported: see validate."""
    return _SHAPE.fullmatch(normalize(code)) is not None


def _format_problem(norm: str, raw: str) -> str | None:
    """Why ``norm`` is not an acceptable HCPCS Level II code, or None."""
    if not _SHAPE.fullmatch(norm):
        if re.fullmatch(r"[A-Z]\d{4}", norm):
            return f"{norm} is not a HCPCS Level II code: the first letter must be A to V"
        return f"{raw} is not shaped like a HCPCS Level II code (a letter A-V and four digits, e.g. J1030)"
    if norm[0] == "D":
        return f"{norm} is not supported: D codes are CDT, the ADA's dental codes"
    return None


def validate(code: str, registry: Mapping[str, str] | None = None) -> Validation:
    """Check a HCPCS Level II code.

    Takes the code and, optionally, ``registry`` (normalised code ->
    description, e.g. from ``load_hcpcs_file``; None or empty means no file
    is loaded). Returns "invalid" for a malformed code, a D (CDT) code, a
    code whose first letter no HCPCS section uses (when no registry is
    loaded) or a code missing from the registry; otherwise "valid", with the
    description when the registry has it. Never raises for a str.
    """
    raw = code.strip()
    norm = normalize(code)
    if not norm:
        return Validation("", INVALID, "No HCPCS code was given")
    problem = _format_problem(norm, raw)
    if problem is not None:
        return Validation(norm if _SHAPE.fullmatch(norm) else raw, INVALID, problem)
    if registry:
        desc = registry.get(norm)
        if desc is None:
            return Validation(norm, INVALID, f"{norm} is not in the loaded HCPCS file")
        return Validation(norm, VALID, f"{norm} is a HCPCS Level II code: {desc}", desc)
    if norm[0] not in SECTIONS:
        return Validation(
            norm, INVALID, f"{norm} is not a HCPCS Level II code: no section begins with {norm[0]}"
        )
    return Validation(
        norm,
        VALID,
        f"{norm} is shaped like a HCPCS Level II code ({SECTIONS[norm[0]]}; no HCPCS file "
        "is loaded, so it was not checked against the code list)",
    )


def describe(code: str, registry: Mapping[str, str] | None = None) -> str | None:
    """Return the description of ``code`` from ``registry``, or None when
    no registry is given or the code is not in it. Never raises for a str."""
    if not registry:
        return None
    return registry.get(normalize(code))


def _loader_check(norm: str) -> str | None:
    """Codes a file may hold: any letter A-V and four digits (D is skipped)."""
    if not _SHAPE.fullmatch(norm):
        return f"{norm or '(empty)'} is not shaped like a HCPCS Level II code"
    return None


def _is_fixed_width(text: str) -> bool:
    """A delimited file has a delimiter within its first dozen characters
    (after a header name or a code); a fixed-width record never does, as
    its description starts at position 12."""
    for line in text.splitlines():
        if line.strip():
            return not any(d in line[:12] for d in ",\t|;")
    return False


def parse_fixed_width(text: str) -> dict[str, str]:
    """Parse CMS's fixed-width HCPCS records into ``{code: description}``.

    The layout (CMS's HCPC<year>_recordlayout.txt, 320-character records),
    of which only these fields are read:

    ======== ======= =====================================================
    position  length field
    ======== ======= =====================================================
    1-5         5    HCPCS code (for modifier records: blank 1-3,
                     modifier in 4-5)
    6-10        5    sequence number (digits)
    11          1    record identification code: 3 first line of a
                     procedure, 4 its continuation lines, 7 first line of
                     a modifier, 8 its continuation lines
    12-91      80    long description (one 80-character piece per line)
    92-119     28    short description (first lines only)
    ======== ======= =====================================================

    Uncertain points, handled leniently: lines shorter than 320 characters
    are padded (trailing spaces are often lost in transit); where a long
    description is cut between lines is not documented, so a piece that
    fills all 80 characters is joined to the next without a space (assumed
    cut inside a word) and a shorter piece with one. Modifier records (7, 8)
    and D (CDT) codes are skipped. A description falls back to the short one
    when the long one is blank.

    Returns the mapping. Raises CodeFileError(line, reason) when a record is
    longer than 320 characters, too short to hold its record identification
    code, has a non-numeric sequence number, an unknown record
    identification code or a malformed code, repeats a code's first line,
    continues a code whose first line is not just before it, or when the
    file holds no codes: the whole file is rejected.
    """
    pieces: dict[str, list[str]] = {}
    shorts: dict[str, str] = {}
    first_lines: dict[str, int] = {}
    current: str | None = None
    line_no = 0
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if len(line) > RECORD_LENGTH:
            raise CodeFileError(
                line_no, f"the record is {len(line)} characters long; HCPCS records have {RECORD_LENGTH}"
            )
        if len(line) < 11:
            raise CodeFileError(
                line_no, "the record is too short to hold a record identification code (position 11)"
            )
        record = line.ljust(RECORD_LENGTH)
        code_field, seq, ric = record[0:5], record[5:10], record[10]
        long_piece, short = record[11:91], record[91:119].strip()
        if not seq.isdigit():
            raise CodeFileError(line_no, f"the sequence number (positions 6-10) is {seq!r}, not five digits")
        if ric in "78":
            current = None  # a modifier: not a code
            continue
        if ric not in "34":
            raise CodeFileError(
                line_no, f"the record identification code (position 11) is {ric!r}; expected 3, 4, 7 or 8"
            )
        code = code_field.strip().upper()
        problem = _loader_check(code)
        if problem is not None:
            raise CodeFileError(line_no, f"positions 1-5: {problem}")
        if ric == "3":
            if code in pieces:
                raise CodeFileError(line_no, f"{code} has a second first line (record identification code 3)")
            current = code
            pieces[code] = [long_piece]
            shorts[code] = short
            first_lines[code] = line_no
        else:
            if current != code:
                raise CodeFileError(line_no, f"continuation line for {code} does not follow a line of {code}")
            pieces[code].append(long_piece)

    result: dict[str, str] = {}
    for code, parts in pieces.items():
        if code.startswith("D"):
            continue
        text_parts = []
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            full = len(part.rstrip()) == len(part) and part.strip() != ""
            text_parts.append(part.strip() + ("" if (full or last) else " "))
        desc = " ".join("".join(text_parts).split()) or shorts[code]
        if not desc:
            raise CodeFileError(first_lines[code], f"{code} has no description")
        result[code] = desc
    if not result:
        raise CodeFileError(max(line_no, 1), "the HCPCS file holds no codes")
    return result


def _classify(row: dict[str, str]) -> str:
    for key in _RECID_HEADERS:
        if key in row:
            recid = row[key]
            if recid in ("7", "8"):
                return "skip"
            if recid == "4":
                return "continuation"
            return "first"
    return "first"


def load_hcpcs_file(path_or_file: PathOrFile) -> dict[str, str]:
    """Load a HCPCS Level II file into ``{code: description}``.

    Takes a path or an open file (text or binary; UTF-8 or Windows-1252)
    in either form CMS's data can take:

    * the fixed-width alpha-numeric file (see ``parse_fixed_width`` for the
      layout and its uncertain points), recognised by having no comma, tab,
      pipe or semicolon in the first 12 characters of its first line;
    * delimited text with a header naming a code column (``HCPC``,
      ``hcpcs``, ``code``...) and a description column (``LONG
      DESCRIPTION``, ``description``...; long preferred to short). When a
      ``RECID`` column is present (CMS's spreadsheet), rows with 4 continue
      the previous code's description and modifier rows (7, 8) are skipped.

    D (CDT) codes are skipped. Returns the mapping. Raises
    CodeFileError(line, reason) on the first malformed line, the file
    being rejected whole; OSError when the path cannot be read.
    """
    text = read_text(path_or_file)
    if _is_fixed_width(text):
        return parse_fixed_width(text)
    return parse_code_csv(
        text,
        what="HCPCS",
        code_headers=CODE_HEADERS,
        description_headers=DESCRIPTION_HEADERS,
        normalize=normalize,
        check_code=_loader_check,
        classify=_classify,
        skip=lambda code: code.startswith("D"),
    )
